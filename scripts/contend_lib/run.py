"""`contend run`: install deps, build Release, run each family's binary with progress, save JSON.

Each family's JSON is written whole or not at all: the binary writes a hidden temp file, which is
renamed over results/<label>/<family>.json only after the binary exited 0 and the JSON parses. An
interrupted (SIGINT, SIGTERM, SIGHUP) or failed family leaves its previous result (if any) and no
temp file behind, and a run sweeps the temp files a killed one left.

Only the standard library is imported at module level: install-deps must run before pandas and
matplotlib are needed (a fresh machine has neither), so those come in through `_analysis()`.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import deps
from .errors import ContendError, Interrupted, warn
from .names import FAMILIES, machine_slug
from .textable import render

_AGGREGATE = re.compile(r"_(mean|median|stddev|cv)$")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown-cpu"


def default_label():
    return machine_slug(cpu_model(), os.cpu_count() or 1)


def _tail(text, n=15):
    return "\n".join(text.strip().splitlines()[-n:])


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


def build(repo):
    install_deps(repo)
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


def litmus_binary(repo):
    return repo / "build" / "release" / "programs" / "litmus"


def run_litmus(repo, folder, quick):
    """The memory-model litmus histograms, for the report: written via temp file + rename by litmus."""
    exe = litmus_binary(repo)
    if not exe.is_file():
        warn(f"{exe} not built; the report will have no litmus section")
        return
    print("contend: litmus tests (memory model histograms)", file=sys.stderr)
    args = ["--quick"] if quick else ["--trials", "1000000"]
    proc = subprocess.run([str(exe), *args, "--json", str(folder / "litmus.json")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode == 1:
        warn(f"litmus observed an outcome the C++ memory model forbids: see {folder / 'litmus.json'}")
    elif proc.returncode != 0:
        raise ContendError(exe, f"exited with code {proc.returncode}: {_tail(proc.stderr, 1) or 'no message'}")


def check_families(requested):
    unknown = [f for f in requested or [] if f not in FAMILIES]
    if unknown:
        raise ContendError("--families", f"unknown famil{'ies' if len(unknown) > 1 else 'y'} "
                                         f"{', '.join(unknown)} (known: {', '.join(FAMILIES)})")


def check_label(label):
    if "/" in label or label in ("", ".", "..") or label.startswith(".") or "\0" in label:
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
    if requested:
        check_families(requested)
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


def list_tests(exe, args):
    proc = subprocess.run([str(exe), *args, "--benchmark_list_tests=true"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ContendError(exe, f"--benchmark_list_tests failed with exit code {proc.returncode}: "
                                f"{_tail(proc.stderr, 1) or 'no message'}")
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """One status line: family k/n, benchmark i/N overall, what runs now, elapsed, time left.

    Google Benchmark reports a benchmark's lines once all its repetitions are done, so a name
    seen on stdout is finished and the next listed one is running."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.start, self.stream = total, 0, time.monotonic(), stream
        self.tty = stream.isatty()
        self.width = 0

    def show(self, family_pos, family, running):
        elapsed = time.monotonic() - self.start
        left = f"~{_clock(elapsed / self.done * (self.total - self.done))} left" if self.done else "estimating"
        text = (f"[{family_pos} {family}] {self.done}/{self.total} done, running {running} · "
                f"{_clock(elapsed)} elapsed · {left}")
        if self.tty:
            cols = max(40, os.get_terminal_size(self.stream.fileno()).columns - 1)
            text = text[:cols]
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish_line(self):
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0


def run_family(exe, args, names, out, progress, family_pos, family):
    loader = _analysis()[1]
    tmp = out.with_name(f".{out.name}.tmp")
    cmd = [str(exe), *args, f"--benchmark_out={tmp}", "--benchmark_out_format=json",
           "--benchmark_color=false"]
    seen = set()
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1)
        try:
            progress.show(family_pos, family, names[0] if names else "…")
            for line in proc.stdout:
                # Binaries may show only aggregate lines (DisplayAggregatesOnly): name_mean etc.
                name = _AGGREGATE.sub("", line.split(" ", 1)[0].strip())
                if not name or name in seen or "/" not in name:
                    continue
                seen.add(name)
                progress.done += 1
                nxt = names[len(seen)] if len(seen) < len(names) else "(finishing)"
                progress.show(family_pos, family, nxt)
            rc = proc.wait()
        except KeyboardInterrupt:
            _stop(proc)
            tmp.unlink(missing_ok=True)
            raise
        finally:
            if proc.poll() is None:
                _stop(proc)
        progress.finish_line()
        if rc == -2 or rc == 130:  # the child got the terminal's Ctrl-C first
            tmp.unlink(missing_ok=True)
            raise KeyboardInterrupt
        if rc != 0:
            tmp.unlink(missing_ok=True)
            err.seek(0)
            tail = _tail(err.read(), 10)
            if tail:
                print(tail, file=sys.stderr)
            raise ContendError(exe, f"exited with code {rc}; nothing written for {family}")
    try:
        doc = loader.read_json(tmp)
        loader._iteration_rows(tmp, doc)
    except ContendError as e:
        tmp.unlink(missing_ok=True)
        raise ContendError(exe, f"wrote unusable JSON ({e.what}); nothing written for {family}") from None
    except FileNotFoundError:
        raise ContendError(exe, f"exited 0 but wrote no JSON; nothing written for {family}") from None
    os.replace(tmp, out)
    # Progress counts names; make up for any the console did not show.
    progress.done += max(0, len(names) - len(seen))


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


def run(repo, families=None, threads=None, quick=False, label=None, results=None, build_first=True,
        **kw):
    build_first = kw.get("build", build_first)
    # Everything that can be checked without a build is checked first: a typo costs a second.
    check_families(families)
    label = label or default_label()
    check_label(label)
    folder = Path(results or repo / "results") / label
    check_results_folder(folder)
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _run(repo, families, threads, quick, folder, build_first)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _run(repo, families, threads, quick, folder, build_first):
    if build_first:
        build(repo)
    else:
        deps.require("run")
    findings, loader, plot = _analysis()
    sweep_stale_temp(folder)
    families_requested = bool(families)
    families = select_families(repo, families)
    args = (["--quick"] if quick else []) + ([f"--threads={','.join(threads)}"] if threads else [])
    listed = {f: list_tests(binary(repo, f), args) for f in families}
    total = sum(len(v) for v in listed.values())
    print(f"contend: running {total} benchmarks in {len(families)} families into {folder}", file=sys.stderr)
    progress = Progress(total)
    finished = []
    for k, family in enumerate(families, 1):
        try:
            run_family(binary(repo, family), args, listed[family], folder / f"{family}.json", progress,
                       f"{k}/{len(families)}", family)
        except KeyboardInterrupt:
            progress.finish_line()
            kept = f"kept {', '.join(finished)}" if finished else "no family had finished"
            raise Interrupted(f"interrupted during {family}; {kept} in {folder}; nothing written for "
                              f"{family}") from None
        finished.append(family)
    if not families_requested:
        try:
            run_litmus(repo, folder, quick)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted during litmus; kept {', '.join(finished)} in {folder}") from None
    print(f"contend: {len(finished)} result files in {folder}", file=sys.stderr)
    rs = loader.load([folder])
    machine = rs.machines.index[0]
    charts = plot.write_charts(rs, machine, folder / "charts")
    print(f"contend: {len(charts)} chart files in {folder / 'charts'}", file=sys.stderr)
    print_summary(rs, machine)
    return 0


def print_summary(rs, machine):
    findings = _analysis()[0]
    row = rs.machine(machine)
    table = rs.table[rs.table["machine"] == machine]
    win = findings.winners(table, int(row["hw_threads"]))
    if win is None:
        return
    print(f"\n{win.title} ({machine}):")
    print(render(win.header, win.rows))
