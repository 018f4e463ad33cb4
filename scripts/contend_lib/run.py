"""`contend run`: install deps, build Release, run each family's binary with progress, save JSON,
re-run what is tainted, check the invariants and the hand-timed loop, say how many figures are
clean. A run of the whole suite also saves the litmus histograms and the core-to-core latency map.

Each family's JSON is written whole or not at all: the binary writes a hidden temp file, which is
renamed over results/<label>/<family>.json only after the binary exited 0 and the JSON parses. An
interrupted (SIGINT, SIGTERM, SIGHUP) or failed family leaves its previous result (if any) and no
temp file behind, and a run sweeps the temp files a killed one left.

First a placement calibration (calibration.py): placement_probe finds the machine's placement
classes (on a cloud guest whose vCPUs move, several: 14, 34 and 155 ns on the recorded Zen 4 guest);
with more than one, every family binary and re-run gets --placement=LO:HI, so a repetition waits
until its probe lands in the class measured (`--placement`: the dominant class by default, another,
or each in turn into placement-<class>/). With one class, or an older build without placement_probe,
nothing changes.

Repetitions of different benchmarks are interleaved (Google Benchmark's random interleaving) so
drift spreads over all designs. After each family its disturbed repetitions are re-run (rerun.py:
foreign load, steal, preempted, moved; never the class), the waits and re-runs together within
phases.RERUN_CAP of its measuring time; after all families the invariants (validity.py) are checked
and both sides of a violation re-run once; what still violates is reported by name. `--repeat N`
runs the whole suite N times into results/<label>/repeat-<i>/ (each a complete result folder; the
label folder's own files, if any, are left as they were) and prints the spread per figure;
`--budget` fits the sweep (plan.py). The run ends with a table of where its time went (phases.py);
the progress line is progress.py, its time left from the run's plan (schedule.py).

Every process the run starts runs under the watchdog (watchdog.py): the family binaries beat a
heartbeat, and one whose repetition outlasts its bound is stopped, what its threads were doing saved
in results/<label>/hangs/, the benchmarks it finished kept, the hung one marked `hung`, and the
unfinished ones run in a continuation (continuation.py); a hung side run or re-run is a warning. The
run goes on, and its summary and phase table count the hangs (their time is booked as stalled).

Only the standard library is imported at module level: install-deps must run before pandas and
matplotlib are needed (a fresh machine has neither), so those come in through `_analysis()`.
"""
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import continuation, deps, go_suite, schedule, summary, watchdog
from .errors import ContendError, Interrupted, warn
from .progress import Progress, clock as _clock  # noqa: F401 (Progress: run.Progress for callers)
from .names import FAMILIES, OVERHEAD_FILE, PLACEMENT_FILE, machine_slug
from .side_runs import (_tail, core_to_core_passes, run_core_to_core, run_hand_timed,  # noqa: F401
                        run_latency_bias, run_litmus)
from .textable import render

_AGGREGATE = re.compile(r"_(mean|median|stddev|cv)$")


def cpu_identity(text=None):
    """(model name, cpu family, model) of the first CPU in /proc/cpuinfo (or `text`); family and
    model None where the file does not say (not x86)."""
    if text is None:
        try:
            text = Path("/proc/cpuinfo").read_text()
        except OSError:
            text = ""
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "cpu family", "model") and key not in found:
            found[key] = value.strip()
        if not line.strip() and found:
            break  # the first processor's block is enough
    return found.get("model name", "unknown-cpu"), found.get("cpu family"), found.get("model")


def cpu_model():
    return cpu_identity()[0]


def default_label():
    """'amd-epyc-zen4-2c': the CPU's name, what tells its generation apart, the core count."""
    name, family, model = cpu_identity()
    return machine_slug(name, os.cpu_count() or 1, family, model)


def _step(cmd, cwd, what, log):
    """Run a build step; on failure show its last lines, then fail with one line."""
    with open(log, "a") as out:
        out.write(f"$ {' '.join(map(str, cmd))}\n")
        out.flush()
        try:
            rc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
        except FileNotFoundError:
            raise ContendError(what, f"{cmd[0]} not found (run scripts/install-deps as root)") from None
    if rc != 0:
        print(_tail(Path(log).read_text(), 25), file=sys.stderr)
        raise ContendError(what, f"failed with exit code {rc} (full log: {log})")


def install_deps(repo):
    """scripts/install-deps, then a check that this interpreter now has what the analysis needs."""
    cmd = deps.install_deps_command(repo, "run")
    try:
        rc = subprocess.run(cmd, cwd=repo).returncode
    except OSError as e:
        raise ContendError(cmd[0], e.strerror or str(e)) from None
    if rc != 0:
        # install-deps already said what is missing, on its own stderr line.
        raise ContendError(cmd[0], f"failed with exit code {rc}")
    deps.require("run")


def _analysis():
    """The modules that need pandas and matplotlib, imported once install-deps has run."""
    from . import findings, loader, plot
    return findings, loader, plot


def build(repo, timing=None):
    """install-deps, then the Release build; each a phase of `timing` when given."""
    from . import phases
    timing = timing or phases.Phases()
    with timing.timed("install-deps", phases.SETUP):
        install_deps(repo)
    with timing.timed("build", phases.SETUP):
        _build(repo)


def _build(repo):
    log = Path(tempfile.gettempdir()) / "contend-build.log"
    log.write_text("")
    print("contend: building the Release preset (log: %s)" % log, file=sys.stderr)
    if not (repo / "build" / "release" / "CMakeCache.txt").exists():
        _step(["cmake", "--preset", "release", "-S", str(repo)], repo, "cmake --preset release", log)
    _step(["cmake", "--build", "--preset", "release", "-j", "2"], repo, "cmake --build --preset release", log)


# Binaries outside benchmarks/: the programs that measure whole designs rather than structures.
_PROGRAM_BINARIES = {"poller": ("programs", "poller", "bench_poller")}


def binary(repo, family):
    return repo / "build" / "release" / Path(*_PROGRAM_BINARIES.get(family, ("benchmarks", f"bench_{family}")))


def check_families(requested):
    known = go_suite.known()
    unknown = [f for f in requested or [] if f not in known]
    if unknown:
        raise ContendError("--families", f"unknown famil{'ies' if len(unknown) > 1 else 'y'} "
                                         f"{', '.join(unknown)} (known: {', '.join(known)})")


def check_label(label):
    if not label or "/" in label or label.startswith(".") or "\0" in label:  # "." and ".." too
        raise ContendError("--label", f"'{label}' is not a folder name")


def check_results_folder(folder):
    """The label folder exists (or can be made) and takes files: found before a build, not after."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ContendError(folder, f"cannot create the results folder: {e.strerror or e}") from None
    if not folder.is_dir():
        raise ContendError(folder, "not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".contend-write-check-"):
            pass
    except OSError as e:
        raise ContendError(folder, f"results folder is not writable: {e.strerror or e}") from None


def sweep_stale_temp(folder):
    """Temp files of a run that was killed (SIGKILL, power loss) before it could remove them."""
    for stale in folder.glob(".*.json.tmp"):
        stale.unlink(missing_ok=True)


def select_families(repo, requested):
    """The families to run: the requested ones (their names checked before the build) if built."""
    if requested:
        missing = [f for f in requested if not binary(repo, f).is_file()]
        if missing:
            raise ContendError(binary(repo, missing[0]), "no such benchmark binary (did the build make it?)")
        return requested
    present = [f for f in FAMILIES if binary(repo, f).is_file()]
    absent = [f for f in FAMILIES if f not in present]
    if not present:
        raise ContendError(binary(repo, FAMILIES[0]).parent, "no benchmark binaries (bench_<family>) found")
    if absent:
        warn(f"no binary for {', '.join(absent)}; running {', '.join(present)}")
    return present


LIST_TIMEOUT_S = 60.0  # a listing registers and prints: a second at most


def list_tests(exe, args):
    try:
        proc = subprocess.run([str(exe), *args, "--benchmark_list_tests=true"], capture_output=True, text=True,
                              timeout=LIST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise ContendError(exe, f"--benchmark_list_tests did not finish within {LIST_TIMEOUT_S:g} s") from None
    if proc.returncode != 0:
        raise ContendError(exe, f"--benchmark_list_tests failed with exit code {proc.returncode}: "
                                f"{_tail(proc.stderr, 1) or 'no message'}")
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


INTERLEAVE = "--benchmark_enable_random_interleaving=true"


def run_family(exe, args, names, out, progress, family_pos, family, repetitions=None, bounds=None):
    """The family's binary under the watchdog, its JSON checked and written whole. A hang: what the
    binary finished is kept, the hung benchmark marked `hung`, and its unfinished benchmarks run in
    continuations (continuation.py); at most MAX_CONTINUATIONS, then what is left is said. Returns
    the document written, or None when the hangs left nothing to write."""
    loader = _analysis()[1]
    quick = "--quick" in args
    reps = repetitions or schedule.repetitions(family, quick, _given_repetitions(args))
    if bounds is None:
        planned = schedule.family_step(family, names, quick, reps).planned_s
        if any(a.startswith("--placement=") for a in args):  # each repetition may wait up to 2 s
            planned += len(names) * reps * 2.0
        bounds = watchdog.Bounds(planned, max((schedule.run_seconds(n, quick) for n in names), default=0.3))
    tmp = out.with_name(f".{out.name}.tmp")
    seen, doc, hung, pending = set(), None, [], list(names)
    for attempt in range(continuation.MAX_CONTINUATIONS + 1):
        extra = [f"--benchmark_filter={continuation.name_filter(pending)}"] if attempt else []
        rc, hang, err_text = _measure(exe, [*args, *extra], tmp, progress, family_pos, family, len(names), seen,
                                      bounds)
        if hang is None:
            if rc != 0:
                tmp.unlink(missing_ok=True)
                tail = _tail(err_text, 10)
                if tail:
                    print(tail, file=sys.stderr)
                raise ContendError(exe, f"exited with code {rc}; nothing written for {family}")
            try:
                part = loader.read_json(tmp)
                loader._iteration_rows(tmp, part)
            except ContendError as e:
                tmp.unlink(missing_ok=True)
                raise ContendError(exe, f"wrote unusable JSON ({e.what}); nothing written for {family}") from None
            except FileNotFoundError:
                raise ContendError(exe, f"exited 0 but wrote no JSON; nothing written for {family}") from None
            tmp.unlink(missing_ok=True)
            doc, pending = continuation.merge(doc, part), []
            break
        # Stopped by the watchdog: keep the benchmarks it finished, mark the one that hung.
        part = continuation.close_truncated(tmp.read_text(errors="replace") if tmp.exists() else "")
        tmp.unlink(missing_ok=True)
        doc = continuation.merge(doc, continuation.keep_finished(part, reps) if part is not None else None)
        done = continuation.finished(doc, reps)
        if hang.benchmark in pending:
            hung.append(hang)
        pending = [n for n in pending if n not in done and n != hang.benchmark]
        print(f"contend: {family}: {hang.benchmark or 'a repetition'} hung and was stopped ({hang.threads}); "
              f"{len(done)} benchmarks finished are kept" +
              (f", {len(pending)} unfinished run again in a continuation" if pending else ""), file=sys.stderr)
        if not pending:
            break
        progress.replan(len(pending) * reps)
    if pending:
        warn(f"{family}: {len(pending)} benchmarks not measured (the binary hung "
             f"{continuation.MAX_CONTINUATIONS + 1} times): {summary.some(pending, 5)}")
    if doc is None:
        warn(f"{family}: the binary hung before it finished any benchmark; nothing written for {family}")
        return None
    for h in hung:
        doc["benchmarks"].append(continuation.hung_entry(h.benchmark, reps, _relative(h.evidence, out.parent), h.why))
    from . import rerun  # beside loader: needs pandas, so not at module level
    rerun.write_whole(out, doc)  # over the binary's temp file: renamed whole, in contend's layout
    # Progress counts names; make up for any the console did not show.
    progress.done += max(0, len(names) - len(seen))
    return doc


def _given_repetitions(args):
    given = [int(a.split("=", 1)[1]) for a in args if a.startswith("--benchmark_repetitions=")]
    return given[-1] if given else None


def _relative(path, folder):
    if path is None:
        return None
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return str(path)


def _measure(exe, args, tmp, progress, family_pos, family, total, seen, bounds):
    """One process of the family's binary, its heartbeat watched: (exit code, Hang or None, stderr).
    Names the console shows are added to `seen` (the progress line's count)."""
    cmd = [str(exe), *args, INTERLEAVE, f"--benchmark_out={tmp}", "--benchmark_out_format=json",
           "--benchmark_color=false"]
    with watchdog.heartbeat_file() as beat, tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1,
                                env=dict(os.environ, **{watchdog.HEARTBEAT_ENV: str(beat)}))
        progress.measuring(family)
        progress.new_process()
        try:
            progress.show(family_pos, family, f"{total - len(seen)} interleaved")
            running = lambda: f"{total - len(seen)} of {total} interleaved still running"  # noqa: E731
            with watchdog.Watch(proc, family, bounds, heartbeat=beat, on_beat=progress.beat, stem=family) as watch, \
                    progress.ticking(family_pos, family, running):
                for line in proc.stdout:
                    # Binaries may show only aggregate lines (DisplayAggregatesOnly): name_mean etc.
                    name = _AGGREGATE.sub("", line.split(" ", 1)[0].strip())
                    if not name or name in seen or "/" not in name:
                        continue
                    seen.add(name)
                    progress.done += 1
                    progress.show(family_pos, family, f"last finished {name}")
                rc = proc.wait()
        except KeyboardInterrupt:
            _stop(proc)
            tmp.unlink(missing_ok=True)
            raise
        finally:
            if proc.poll() is None:
                _stop(proc)
            proc.stdout.close()
            progress.measured()
        progress.finish_line()
        if (rc == -2 or rc == 130) and watch.hang is None:  # the child got the terminal's Ctrl-C first
            tmp.unlink(missing_ok=True)
            raise KeyboardInterrupt
        err.seek(0)
        return rc, watch.hang, err.read()


_UNIT_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def family_seconds(doc, bound_s=None):
    """(placement waits, timed loops, stalled) in seconds of a family's repetitions: the binaries'
    placement_wait_ms counters; iterations x time per iteration (what the timed loops took; the
    rest of a binary's run is process start, prefills, probes, warm-up); and the repetitions that
    took longer than the watchdog's bound for them (`bound_s`, by default from the context's
    run_ms), whose time is a stall, not a timed loop (the Zen 5 run's futex ping-pong repetition
    of 709.8 s). Hung entries have no time."""
    from .names import HUNG_KEY
    loader = _analysis()[1]
    if bound_s is None:
        try:
            run_ms = float(doc.get("context", {}).get("run_ms", 300))
        except (TypeError, ValueError):
            run_ms = 300.0
        bound_s = watchdog.Bounds(0, run_ms / 1000).rep_s
    waits = timed = stalled = 0.0
    for e in loader.iteration_entries(doc):
        if e.get(HUNG_KEY):
            continue
        wait = e.get("placement_wait_ms")
        if isinstance(wait, (int, float)) and wait > 0:
            waits += wait / 1000
        real, iterations = e.get("real_time"), e.get("iterations")
        if isinstance(real, (int, float)) and isinstance(iterations, (int, float)):
            seconds = real * iterations * _UNIT_S.get(e.get("time_unit", "ns"), 1e-9)
            if seconds > bound_s:
                stalled += seconds
            else:
                timed += seconds
    return waits, timed, stalled


def missed(doc):
    """Repetitions measured outside their class because the wait ran out (placement_missed)."""
    loader = _analysis()[1]
    return sum(1 for e in loader.iteration_entries(doc)
               if isinstance(e.get("placement_missed"), (int, float)) and e["placement_missed"] >= 0.5)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C so the temp file goes and finished families stay."""


def _on_signal(signum, frame):
    raise _Terminated()


PIN_MODES = ("none", "spread", "compact")


def check_options(pin=None, repeat=None, budget=None):
    """--pin, --repeat and --budget as given on the command line (strings) -> values; one line
    and exit 2 for anything else, before any build."""
    if pin is not None and pin not in PIN_MODES:
        raise ContendError("--pin", f"'{pin}' is not one of {', '.join(PIN_MODES)}")
    if repeat is not None:
        if not str(repeat).isdigit() or int(repeat) < 2:
            raise ContendError("--repeat", f"'{repeat}' is not a number of runs of 2 or more")
        repeat = int(repeat)
    if budget is not None:
        try:
            minutes = float(budget)
        except ValueError:
            minutes = float("nan")
        if not minutes > 0 or minutes == float("inf"):
            raise ContendError("--budget", f"'{budget}' is not a positive number of minutes")
        budget = minutes
    return pin, repeat, budget


def run(repo, families=None, threads=None, quick=False, label=None, results=None, build_first=True,
        pin=None, repeat=None, budget=None, placement=None, no_go=False, **kw):
    from . import calibration, phases
    build_first = kw.get("build", build_first)
    # Everything that can be checked without a build is checked first: a typo costs a second.
    check_families(families)
    cpp_families, go_families = go_suite.split(families, no_go)
    if families is not None and not cpp_families and not go_families:
        raise ContendError("--families", "nothing to run (only Go families, and --no-go)")
    pin, repeat, budget = check_options(pin, repeat, budget)
    wanted = calibration.check_option(placement)
    label = label or default_label()
    check_label(label)
    folder = Path(results or repo / "results") / label
    check_results_folder(folder)
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    timing = phases.Phases()
    try:
        with watchdog.session(folder) as session:
            return _run(repo, families, threads, quick, folder, build_first, pin, repeat, budget, wanted,
                        cpp_families, go_families, timing, session)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _run(repo, families, threads, quick, folder, build_first, pin, repeat, budget, wanted, cpp_families,
         go_families, timing, session):
    from . import calibration, phases
    if build_first:
        build(repo, timing)
        with timing.timed("build of the Go designs", phases.SETUP):
            go_families = go_suite.build(repo, go_families, required=families is not None and not cpp_families)
    else:
        deps.require("run")
        if go_families and not go_suite.binary(repo).is_file():
            warn(f"{go_suite.binary(repo)} not built (--no-build): the Go designs are skipped")
            go_families = []
    suite = Suite(repo, cpp_families, quick, timing, go_families)
    suite.args += ([f"--threads={','.join(threads)}"] if threads else []) + ([f"--pin={pin}"] if pin else [])
    with timing.timed("listing the benchmarks", phases.SETUP):
        suite.list()
    # The progress line's plan covers everything from here: the calibration and every sweep.
    suite.progress = Progress(0, plan=[schedule.calibration_step(quick)], session=session)
    suite.replan(repeat or 1)
    try:
        targets, suite.calibration = suite.side("placement calibration",
                                                lambda: calibration.calibrate(repo, folder, quick, wanted), [], folder,
                                                phases.SETUP, tick=("calibration", "placement"))
        suite.calibration_file = folder / PLACEMENT_FILE if suite.calibration else None
    except (KeyboardInterrupt, Interrupted):
        raise Interrupted("interrupted during the placement calibration; nothing measured") from None
    if budget:
        suite.fit(budget / (repeat or 1) / len(targets), repeat)
    suite.replan(len(targets) * (repeat or 1))
    for target in targets:
        suite.target = target
        if target.name is not None and len(targets) > 1:
            print(f"contend: placement class {target.name} into {target.folder}", file=sys.stderr)
        if not repeat:
            suite.run_all(target.folder, charts=True)
            continue
        for i in range(1, repeat + 1):
            print(f"contend: run {i} of {repeat} into {target.folder / f'repeat-{i}'}", file=sys.stderr)
            (target.folder / f"repeat-{i}").mkdir(parents=True, exist_ok=True)
            suite.run_all(target.folder / f"repeat-{i}", charts=False)
        summary.print_spread(target.folder, repeat)
    print_phases(timing, len(session.hangs))
    return 0


def print_phases(timing, hangs=0):
    """Where the run's time went: each phase, its share, the share measuring, and the hangs the
    watchdog stopped."""
    from . import phases
    header, rows, line = phases.table(timing.rows, timing.total(), hangs)
    print("\nWhere the time went:")
    lines = render(header[:4], [r[:4] for r in rows]).splitlines()
    notes = ["", ""] + [r[4] for r in rows]
    print("\n".join(f"{text}  {note}".rstrip() for text, note in zip(lines, notes)))
    print(line)


class Suite:
    """One sweep of the selected families, its re-runs and its checks, into one result folder."""

    def __init__(self, repo, families, quick, timing=None, go_families=()):
        from . import calibration, phases
        self.repo, self.quick = repo, quick
        self.timing = timing or phases.Phases()
        self.target = calibration.Target(None, None, None)  # the placement class measured (none: all)
        self.calibration = ()  # the calibration's probes, for the re-runs' `moved` and `preempted`
        self.calibration_file = None  # its placement.json, copied into every result folder
        self.families_requested = families is not None
        self.families = select_families(repo, families) if families != [] else []
        self.go_families = list(go_families)
        self.args = ["--quick"] if quick else []
        self.listed = {}
        self.progress = None  # the progress line, over every sweep (run() makes it)

    @property
    def run_args(self):
        """The binaries' arguments for measuring: the suite's and the placement class's window."""
        return self.args + self.target.args()

    def list(self):
        self.listed = {f: list_tests(binary(self.repo, f), self.args) for f in self.families}
        self.listed.update({f: go_suite.list_benchmarks(self.repo, f, self.args) for f in self.go_families})

    def fit(self, minutes, repeat):
        from . import plan
        topology = plan.read_topology()
        names = [n for f, names in self.listed.items() if f in self.families for n in names]
        repetitions = 2 if self.quick else 5  # the binaries' defaults (benchmarks/main.cpp)
        p = plan.plan(topology, names, minutes, 50 if self.quick else 300, repetitions)
        each = f" (each of {repeat} runs)" if repeat else ""
        print(f"contend: {p.line(topology)}{each}", file=sys.stderr)
        if p.repetitions != repetitions:
            self.args.append(f"--benchmark_repetitions={p.repetitions}")
        if p.dropped:
            self.args = [a for a in self.args if not a.startswith("--threads=")]
            self.args.append(f"--threads={','.join(map(str, p.threads))}")
            self.list()

    def run_all(self, folder, charts):
        from . import calibration, phases
        plot = _analysis()[2]
        folder.mkdir(parents=True, exist_ok=True)
        sweep_stale_temp(folder)
        session = watchdog.current()
        session.folder = folder  # this sweep's hangs are saved beside its results
        hangs_before = len(session.hangs)
        if self.calibration_file and folder / PLACEMENT_FILE != self.calibration_file:
            calibration.copy_whole(self.calibration_file, folder / PLACEMENT_FILE)
        total = sum(len(v) for v in self.listed.values())
        where = f" (placement class {self.target.name})" if self.target.name else ""
        print(f"contend: running {total} benchmarks in {len(self.families) + len(self.go_families)} families "
              f"into {folder}{where}",
              file=sys.stderr)
        if self.progress is None:
            self.progress = Progress(0, session=session)
            self.replan(1, charts)
        progress = self.progress
        finished, timing = [], self.timing
        for k, family in enumerate(self.families, 1):
            exe, out = binary(self.repo, family), folder / f"{family}.json"
            pos = f"{k}/{len(self.families)}"
            t0, hung_before = timing.clock(), len(session.hangs)
            try:
                doc = run_family(exe, self.run_args, self.listed[family], out, progress, pos, family)
            except KeyboardInterrupt:
                progress.finish_line()
                kept = f"kept {', '.join(finished)}" if finished else "no family had finished"
                raise Interrupted(f"interrupted during {family}; {kept} in {folder}; nothing written for "
                                  f"{family}") from None
            wall = timing.clock() - t0
            hung_s = session.stalled_since(hung_before)
            waits, timed, late = family_seconds(doc) if doc is not None else (0.0, 0.0, 0.0)
            stalled = min(wall, hung_s + late)
            waits = min(waits, wall - stalled)
            measuring = wall - waits - stalled
            timing.add(f"{family}: measuring", phases.MEASURING, measuring,
                       f"timed loops {_clock(timed)}; the rest process start, prefills, probes" if timed else "")
            if waits or self.target.window:
                outside = missed(doc) if doc is not None else 0
                timing.add(f"{family}: waits for {self.target.name}", phases.WAITING, waits,
                           f"{outside} repetitions measured outside it (wait ran out)" if outside else "")
                if outside:
                    print(f"contend: {family}: {outside} repetition{'s' if outside != 1 else ''} measured outside "
                          f"{self.target.name} (the wait for it ran out; marked placement_missed)", file=sys.stderr)
            if doc is None:
                self._stall_row(family, session.hangs[hung_before:], stalled)
                progress.family_done(wall - stalled, 0.0, family)
                continue
            finished.append(family)
            per_rep = measuring / max(1, len(_analysis()[1].iteration_entries(doc)))
            rerun_hangs = len(session.hangs)
            reruns = self._guard(f"re-running tainted repetitions of {family}", finished, folder,
                                 lambda: self._rerun_tainted(exe, out, family, measuring, waits, per_rep,
                                                             progress, pos))
            rerun_stalled = min(reruns.seconds, session.stalled_since(rerun_hangs))
            timing.add(f"{family}: re-runs", phases.RERUN, reruns.seconds - rerun_stalled,
                       f"{reruns.count} re-runs" + (f"; cap left {reruns.capped} tainted" if reruns.capped else ""))
            self._stall_row(family, session.hangs[hung_before:], stalled + rerun_stalled, late)
            progress.family_done(wall - stalled, reruns.seconds - rerun_stalled, family)
        if not self.families_requested:
            go_suite.remove_stale(folder, self.go_families)
        for k, family in enumerate(self.go_families, 1):
            hung_before = len(session.hangs)
            with timing.timed(f"{family}: measuring", phases.MEASURING):
                try:
                    written = go_suite.run_family(self.repo, family, folder, self.args,
                                                  f"go {k}/{len(self.go_families)}", progress,
                                                  self.listed.get(family, []))
                except KeyboardInterrupt:
                    kept = f"kept {', '.join(finished)}" if finished else "no family had finished"
                    raise Interrupted(f"interrupted during {family}; {kept} in {folder}; nothing written for "
                                      f"{family}") from None
            self._carve_stalls(family, hung_before)
            if written is not None:
                finished.append(family)
        side = [] if self.families_requested else [
            ("litmus", lambda: run_litmus(self.repo, folder, self.quick)),
            ("the core-to-core map", lambda: run_core_to_core(self.repo, folder, self.quick,
                                                              several=self.target.window is not None)),
            ("the sample clock's bias", lambda: run_latency_bias(self.repo, folder, self.quick))]
        for what, step in side:
            self.side(what, step, finished, folder)
        hand_timed = self.side("the hand-timed check",
                               lambda: run_hand_timed(self.repo, folder, self.hand_timed_args()), finished, folder)
        if not self.families_requested:
            self.side("the sampling-cost pairs", lambda: self.sampling_cost(folder), finished, folder)
        print(f"contend: {len(finished)} result files in {folder}", file=sys.stderr)
        summary.print_peers(folder, finished)
        rs = self.side("checks", lambda: self._invariants(folder, hand_timed), finished, folder, phases.CHECKS,
                       phase="invariant checks and their re-runs", guard="the invariant re-runs", tick=None)
        machine = rs.machines.index[0]
        if charts:
            progress.step("charts")
            with timing.timed("charts", phases.CHARTS):
                written = plot.write_charts(rs, machine, folder / "charts")
            print(f"contend: {len(written)} chart files in {folder / 'charts'}", file=sys.stderr)
            summary.print_summary(rs, machine)
        summary.print_clean(rs)
        summary.print_hangs(session.hangs[hangs_before:], folder)
        return 0

    def side(self, what, step, finished, folder, kind=None, phase=None, guard=None, tick=()):
        """A step after the families (or the calibration before them): a phase of `kind` (side run
        by default) named `phase` (or `what`), the plan's step `what`, the line ticking into a log
        while it runs (on a terminal the step's own lines would break it), the time of any hang
        booked as stalled; Ctrl-C leaves every written file whole and says so. Its result."""
        from . import phases
        progress = self.progress
        hung_before = len(watchdog.current().hangs)
        progress.step(what)
        tick = ("side", what) if tick == () else tick
        ticking = (progress.ticking(*tick, lambda: "running") if tick and progress is not None and not progress.tty
                   else contextlib.nullcontext())
        with self.timing.timed(phase or what, kind or phases.SIDE), ticking:
            result = self._guard(guard or what, finished, folder, step)
        self._carve_stalls(phase or what, hung_before)
        return result

    def _carve_stalls(self, name, hung_before):
        """The stalls of the hangs since `hung_before`, out of the phase just timed, into a row of
        their own."""
        hangs = watchdog.current().hangs[hung_before:]
        if not hangs:
            return
        row = self.timing.rows[-1]
        stalled = min(row.seconds, sum(h.stalled_s for h in hangs))
        row.seconds -= stalled
        self._stall_row(name, hangs, stalled)

    def _stall_row(self, name, hangs, stalled, late=0.0):
        from . import phases
        if stalled <= 0 and not hangs:
            return
        what = [f"hung: {h.benchmark or h.process}" for h in hangs]
        if late:
            what.append(f"repetitions past the watchdog's bound {_clock(late)}")
        self.timing.add(f"{name}: stalled", phases.STALLED, stalled, "; ".join(what))

    def replan(self, sweeps, charts=None):
        """The progress line's plan from its step under way on: `sweeps` sweeps of the suite."""
        from . import plan as budget_plan
        charts = (sweeps == 1) if charts is None else charts
        reps = _given_repetitions(self.args)
        hand = self.hand_timed_args()
        hand_threads = hand[0].split("=", 1)[1].split(",") if hand else ()
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        sampling = [(f, n) for f, _, _, n in self.sampling_figures(budget_plan.read_topology().logical)]
        steps = []
        for _ in range(max(1, sweeps)):
            sweep = schedule.sweep(self.listed, self.families, self.go_families, self.quick, reps,
                                   not self.families_requested, cpus, self.target.window is not None, hand_threads,
                                   sampling)
            steps += [s for s in sweep if charts or s.name != "charts"]
        p = self.progress
        p.plan = p.plan[:p.cursor + 1] + steps
        p.total = p.done + max(1, sweeps) * sum(len(v) for v in self.listed.values())

    def sampling_figures(self, hw):
        """The latency figures whose sampling cost is measured: [(family, workload, threads, its
        benchmarks)], each at the thread count the report shows it (the hardware threads, or the
        nearest count below)."""
        from . import latency, plan
        figures = []
        for family, workload in latency.FIGURES:
            prefix = f"{family}/{workload}/"
            names = [n for n in self.listed.get(family, []) if n.startswith(prefix)]
            counts = sorted({plan.threads_of(n) for n in names})
            if counts:
                below = [t for t in counts if t <= hw]
                t = hw if hw in counts else below[-1] if below else counts[0]
                figures.append((family, workload, t, sum(1 for n in names if plan.threads_of(n) == t)))
        return figures

    def sampling_cost(self, folder):
        """Paired runs with and without latency sampling (overhead.py) of the latency figures, at
        the thread count the report shows them, into latency_overhead.json."""
        from . import overhead, plan
        figures = self.sampling_figures(plan.read_topology().logical)
        args = [a for a in self.run_args if not a.startswith(("--threads=", "--benchmark_repetitions="))]
        overhead.measure([f[:3] for f in figures], lambda f: binary(self.repo, f), args, 2 if self.quick else 5,
                         folder / OVERHEAD_FILE, counts={f[:3]: f[3] for f in figures})

    def hand_timed_args(self):
        """The hand-timed loop at the thread counts baseline/increment/contended ran at (up to
        the hardware threads), as long a run as the suite's, three repetitions; None when this
        run has no baseline/increment/contended to stand beside."""
        from . import plan
        logical = plan.read_topology().logical
        threads = sorted({plan.threads_of(n) for n in self.listed.get("baseline", [])
                          if n.startswith("baseline/increment/contended/")})
        threads = [t for t in threads if t <= logical] or threads
        if not threads:
            return None
        return [f"--threads={','.join(map(str, threads))}", f"--run_ms={50 if self.quick else 300}",
                "--repetitions=3"]

    def _guard(self, what, finished, folder, step):
        """A step after a family finished: Ctrl-C leaves every written file whole and says so."""
        try:
            return step()
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted during {what}; kept {', '.join(finished)} in {folder} "
                              "(each file whole)") from None

    def _rerun_tainted(self, exe, out, family, measuring, waits, per_rep, progress, pos):
        """Re-run what was disturbed, within the cap (phases.RERUN_CAP of the family's measuring
        time, its waits included), the progress line live; say what the cap left tainted."""
        from . import phases, rerun
        state = {"text": "checking for disturbed repetitions"}

        def status(done, todo, round_no, left_s):
            progress.extra_left_s = left_s
            state["text"] = f"re-run {round_no}: {done}/{todo} disturbed repetitions re-run"
            progress.show(pos, family, state["text"])

        with progress.ticking(pos, family, lambda: state["text"]):
            r = rerun.rerun_tainted(exe, self.run_args, out, self.calibration, measuring, waits, per_rep, status)
        progress.finish_line()
        if r.count:
            print(f"contend: {family}: {r.originals} tainted repetitions re-run ({r.count} re-runs, at most "
                  f"{rerun.MAX_ROUNDS} each)", file=sys.stderr)
        if r.capped:
            print(f"contend: {family}: the cap on waits and re-runs ({phases.RERUN_CAP:.0%} of its measuring "
                  f"time) left {r.capped} tainted repetition{'s' if r.capped != 1 else ''} as measured: "
                  f"{summary.some(r.capped_names, 5)}", file=sys.stderr)
        return r

    def _invariants(self, folder, hand_timed):
        """Check; re-run both sides of each violation once; check again and report what still
        violates. Never more than once: re-running until it passes would select the data."""
        from . import validity
        loader = _analysis()[1]
        rs = loader.load([folder])
        first = check_invariants(rs, hand_timed)[0]
        if first:
            print(f"contend: {len(first)} invariant violation(s) "
                  f"({', '.join(sorted({v.invariant.name for v in first}))}); re-running both sides once",
                  file=sys.stderr)
            if self._rerun_sides(rs, first):
                hand_timed = run_hand_timed(self.repo, folder, self.hand_timed_args())
            rs = loader.load([folder])
        violations, notes = check_invariants(rs, hand_timed)
        print()
        still = {(w.invariant.name, tuple(w.sides)) for w in violations}
        gone = [v for v in first if (v.invariant.name, tuple(v.sides)) not in still]
        if gone:
            print("no longer violated after one re-run of both sides (read them with care: the first run "
                  "contradicted them): " + "; ".join(f"{v.invariant.name}: {v.detail}" for v in gone))
        if first and violations:
            print("after one re-run of both sides, still:")
        for line in validity.report(violations, notes):
            print(line)
        return rs

    def _rerun_sides(self, rs, violations):
        """Each benchmark on a side of a violation, once (even when in several); True when the
        hand-timed loop is a side too."""
        from . import rerun
        todo, hand_side = {}, False
        for v in violations:
            for side in v.sides:
                if side == "hand_timed":
                    hand_side = True
                    continue
                for name, family, source in _benchmarks_of(rs, side):
                    todo.setdefault((name, family, source), v.invariant.name)
        for (name, family, source), inv in sorted(todo.items()):
            rerun.rerun_once(binary(self.repo, family), self.run_args, Path(source), [name],
                             f"invariant {inv} violated; re-run once")
        return hand_side


def _benchmarks_of(rs, side):
    """The benchmarks a re-run may repeat on one side of a violation: the C++ binaries' only (a Go
    design's file is the Go binary's, which takes no Google Benchmark filter: it stays as measured)."""
    family, workload, impl, threads = side
    if str(impl).startswith("go_"):
        return []
    reps = rs.reps
    rows = reps[(reps.family == family) & (reps.workload == workload) & (reps.impl == impl)
                & (reps.threads == threads)]
    return sorted(set(zip(rows["benchmark"], rows["family"], rows["source"])))


def check_invariants(rs, hand_timed):
    from . import validity
    machine = rs.machines.index[0]
    return validity.check(rs.table, rs.reps, rs.machine(machine).to_dict(), hand_timed)
