"""Go's own designs in `contend run`: the Go binary (go/cmd/contend-go, built by go/build) measures
go_mutex, go_atomic, go_chan and the rest with the C++ suite's protocol and writes
`go_<family>.json` beside the C++ files, in the same format and the same family and workload
names, so every chart, comparison and finding takes Go's designs beside C++'s.

Selection: by default every Go family runs when `go` is installed (a missing Go is one line, and
the C++ suite runs alone); `--families go` runs Go's alone, `--families go_counters,...` some of
them, `--no-go` none. Go families are not re-run (the Go binary takes no --placement window and
no single-benchmark filter of Google Benchmark's form): a disturbed Go figure stays flagged. Each
Go run is under the watchdog (watchdog.py), its stderr lines (one per repetition) its heartbeat.
"""
import contextlib
import os
import re
import shutil
import subprocess
import sys

from .errors import ContendError, warn
from .names import FAMILIES

GO_FAMILIES = [f"go_{f}" for f in ("counters", "maps", "stacks", "channels", "false_sharing", "poller")]
ALL_GO = "go"
LIST_TIMEOUT_S = 60.0  # a listing registers and prints: a second at most


def known():
    return FAMILIES + GO_FAMILIES + [ALL_GO]


def split(requested, no_go=False):
    """(C++ families or None for all, Go families) from --families and --no-go."""
    if requested is None:
        return None, ([] if no_go else list(GO_FAMILIES))
    expanded = []
    for f in requested:
        for g in (GO_FAMILIES if f == ALL_GO else [f]):
            if g not in expanded:
                expanded.append(g)
    cpp = [f for f in expanded if f in FAMILIES]
    go = [] if no_go else [f for f in expanded if f in GO_FAMILIES]
    return cpp, go


def binary(repo):
    return repo / "build" / "go" / "contend-go"


def build(repo, families, required):
    """Build the Go binary (go/build, offline) when Go families are wanted. Without `go`: one line,
    and the Go families are dropped (an error when only Go families were asked for)."""
    if not families:
        return []
    if shutil.which("go") is None:
        if required:
            raise ContendError("--families", "Go families need go (scripts/install-deps installs golang-go)")
        warn("go is not installed: the Go designs are skipped (scripts/install-deps installs golang-go)")
        return []
    script = repo / "go" / "build"
    if not script.is_file():
        if required:
            raise ContendError(script, "no such file: the Go designs cannot be built")
        warn(f"{script} not found: the Go designs are skipped")
        return []
    print("contend: building the Go designs (go/build)", file=sys.stderr)
    proc = subprocess.run([str(script), str(binary(repo))], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        if required:
            raise ContendError("go/build", f"failed with exit code {proc.returncode}: {last}")
        warn(f"go/build failed ({last}): the Go designs are skipped")
        return []
    return families


def args_for(suite_args):
    """The Go binary's arguments from the suite's: --quick, --threads and the repetitions carry
    over; --pin and --placement do not (the Go binary cannot pin its goroutines)."""
    out = []
    for a in suite_args:
        if a == "--quick" or a.startswith("--threads="):
            out.append(a)
        elif a.startswith("--benchmark_repetitions="):
            out.append("--repetitions=" + a.split("=", 1)[1])
    return out


def list_benchmarks(repo, family, suite_args):
    """The benchmarks a Go family's run measures (contend-go --list), for the progress plan."""
    try:
        proc = subprocess.run([str(binary(repo)), f"--family={family[len('go_'):]}", *args_for(suite_args), "--list"],
                              capture_output=True, text=True, timeout=LIST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        warn(f"contend-go --list for {family} did not finish within {LIST_TIMEOUT_S:g} s; its time is not planned")
        return []
    return [line for line in proc.stdout.splitlines() if line.strip()] if proc.returncode == 0 else []


def run_family(repo, family, folder, suite_args, pos, progress=None, names=(), bounds=None):
    """One Go family into folder/go_<family>.json, under the watchdog; the progress line stays live
    while it runs (the binary prints a line per repetition to stderr, which is also its heartbeat).
    The binary writes its file whole or not at all, so a hang loses everything it measured: the
    hung benchmark gets an entry marked hung, and the rest runs again in continuations (each Go
    benchmark at its thread counts still to measure, by --filter and --threads); the file is then
    written whole from what they measured. `bounds`: the watchdog's (default from the plan)."""
    from . import continuation, schedule, watchdog
    out = folder / f"{family}.json"
    names = list(names)
    reps = _repetitions(family, suite_args)
    if bounds is None:
        step = schedule.family_step(family, names, "--quick" in suite_args, reps)
        run_s = max((schedule.run_seconds(n, "--quick" in suite_args) for n in names), default=0.3)
        bounds = watchdog.Bounds(step.planned_s, run_s, lines=True)
    if progress is None:
        print(f"contend: [{pos}] {family} (Go's own designs)", file=sys.stderr)
    else:
        progress.measuring(family)
        progress.show(pos, family, f"{len(names)} benchmarks, Go's own designs")
    docs, hung, pending, attempt, seen = [], [], list(names), 0, set()
    try:
        while pending and attempt <= continuation.MAX_CONTINUATIONS:
            for job, job_names in _jobs(pending, names, attempt):
                got, hang = _run_go(repo, family, folder, suite_args, job, job_names, reps, bounds, pos, progress,
                                    seen)
                if hang is None:
                    if got is None:  # failed (said why): the family has no file in this run
                        return None
                    docs.append(got)
                    pending = [n for n in pending if n not in job_names]
                    continue
                if hang.benchmark in pending:
                    hung.append(hang)
                    pending.remove(hang.benchmark)
                if progress is not None:
                    progress.replan(len(pending) * reps)
                print(f"contend: {family}: {hang.benchmark or 'a benchmark'} hung and was stopped "
                      f"({hang.threads}); {len(pending)} benchmarks measured again in a continuation",
                      file=sys.stderr)
                break  # this attempt's other jobs run again with the rest
            attempt += 1
    finally:
        if progress is not None:
            progress.measured()
            progress.finish_line()
            progress.done += max(0, len(names) - len(seen))  # what the lines did not show
    if pending:
        warn(f"{family}: {len(pending)} benchmarks not measured: the binary hung "
             f"{continuation.MAX_CONTINUATIONS + 1} times ({', '.join(pending[:5])}"
             f"{' and more' if len(pending) > 5 else ''})")
    if not hung:
        return out if out.is_file() else None
    doc = None
    for d in docs:
        doc = continuation.merge(doc, d)
    if doc is None:
        warn(f"{family}: nothing measured but the hung benchmark; no {out.name} in this run")
        return None
    for h in hung:
        doc["benchmarks"].append(continuation.hung_entry(h.benchmark, reps, _relative(h.evidence, folder), h.why))
    from .rerun import write_whole
    write_whole(out, doc)
    return out


def _repetitions(family, suite_args):
    from . import schedule
    given = [int(a.split("=", 1)[1]) for a in args_for(suite_args) if a.startswith("--repetitions=")]
    return schedule.repetitions(family, "--quick" in suite_args, given[-1] if given else None)


def _relative(path, folder):
    try:
        return str(path.relative_to(folder)) if path is not None else None
    except ValueError:
        return str(path)


def _triple(name):
    return "/".join(name.split("/")[:3])


def _threads_of(name):
    from .plan import threads_of
    return threads_of(name)


def _jobs(pending, names, attempt):
    from .continuation import name_filter  # a literal in RE2 as in POSIX ERE: only the specials escaped
    """The Go binary's runs that measure `pending`: the whole family at first; after a hang, one run
    per set of thread counts still to measure (--filter names family/workload/impl, --threads the
    counts), since the binary filters no thread count by name."""
    if attempt == 0:
        return [((), list(pending))]
    wanted = {}
    for n in pending:
        wanted.setdefault(_triple(n), []).append(n)
    whole, partial = [], {}
    for triple, listed in wanted.items():
        all_counts = [n for n in names if _triple(n) == triple]
        if len(listed) == len(all_counts):
            whole.append(triple)
        else:
            partial.setdefault(tuple(sorted({_threads_of(n) for n in listed})), []).append(triple)
    jobs = []
    if whole:
        jobs.append(((f"--filter={name_filter(whole)}",), [n for n in pending if _triple(n) in whole]))
    for counts, triples in partial.items():
        jobs.append(((f"--filter={name_filter(triples)}", f"--threads={','.join(map(str, counts))}"),
                     [n for n in pending if _triple(n) in triples]))
    return jobs


def _run_go(repo, family, folder, suite_args, extra, job_names, reps, bounds, pos, progress, seen):
    """One run of the Go binary: (its document, None), (None, None) when it failed, or (None, the
    Hang) when the watchdog stopped it. The first run writes folder/go_<family>.json itself. The
    benchmarks whose last repetition ended are added to `seen` (the progress line's count)."""
    import json
    from . import watchdog
    out = folder / f"{family}.json"
    target = out if not extra else folder / f".{family}.continuation.json.tmp"
    cmd = [str(binary(repo)), f"--family={family[len('go_'):]}", *args_for(suite_args), *extra, f"--out={target}"]
    order = [n for n in job_names for _ in range(reps)]  # the binary's order: each benchmark's repetitions in turn

    def next_name(pulse):
        return order[pulse.ended] if pulse.ended < len(order) else None

    def on_beat(event, t, name):
        if progress is not None:
            progress.beat(event, t, name)
    tail = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        if progress is not None:
            progress.new_process()
        try:
            with watchdog.Watch(proc, family, bounds, next_name=next_name, on_beat=on_beat, stem=family) as watch, \
                    (progress.ticking(pos, family, lambda: f"{len(job_names)} benchmarks, Go's own designs")
                     if progress is not None else contextlib.nullcontext()):
                for line in proc.stderr:
                    tail = (tail + [line.rstrip()])[-5:]
                    watch.line(line)
                    last = _LAST_REP.match(line)
                    if last and last.group(1) not in seen:
                        seen.add(last.group(1))
                        if progress is not None:
                            progress.done += 1
                rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
            proc.stderr.close()
    except KeyboardInterrupt:
        for tmp in folder.glob(f".{out.name}.*tmp"):
            tmp.unlink(missing_ok=True)
        for tmp in folder.glob(f".{family}.continuation.json*"):
            tmp.unlink(missing_ok=True)
        raise
    if rc in (-2, 130):
        raise KeyboardInterrupt
    for tmp in folder.glob(f".{out.name}.*tmp"):  # what the killed binary was writing
        tmp.unlink(missing_ok=True)
    try:
        if watch.hang is not None:
            return None, watch.hang
        if rc != 0:
            warn(f"{family} exited with code {rc} ({tail[-1] if tail else 'no message'}); no {out.name} in this run")
            return None, None
        try:
            return json.loads(target.read_text()), None
        except (OSError, ValueError):
            warn(f"{family} wrote no usable JSON; no {out.name} in this run")
            return None, None
    finally:
        if extra:  # a continuation's file: merged into the family's by run_family
            target.unlink(missing_ok=True)


_LAST_REP = re.compile(r"^go_\w+: (\S+) rep (\d+)/\2 ")  # a benchmark's last repetition ended


def remove_stale(folder, families):
    """An earlier run's Go files of families this run does not measure would stand beside its
    results as if they were this run's: a whole-suite run removes them."""
    for f in GO_FAMILIES:
        if f not in families:
            path = folder / f"{f}.json"
            if path.is_file() and os.access(path, os.W_OK):
                path.unlink()
