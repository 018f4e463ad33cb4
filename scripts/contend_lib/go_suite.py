"""Go's own designs in `contend run`: the Go binary (go/cmd/contend-go, built by go/build) measures
go_mutex, go_atomic, go_chan and the rest with the C++ suite's protocol and writes
`go_<family>.json` beside the C++ files, in the same format and the same family and workload
names, so every chart, comparison and finding takes Go's designs beside C++'s.

Selection: by default every Go family runs when `go` is installed (a missing Go is one line, and
the C++ suite runs alone); `--families go` runs Go's alone, `--families go_counters,...` some of
them, `--no-go` none. Go families are not re-run (the Go binary takes no --placement window and
no single-benchmark filter of Google Benchmark's form): a disturbed Go figure stays flagged.
"""
import contextlib
import os
import shutil
import subprocess
import sys

from .errors import ContendError, warn
from .names import FAMILIES

GO_FAMILIES = [f"go_{f}" for f in ("counters", "maps", "stacks", "channels", "false_sharing", "poller")]
ALL_GO = "go"


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
    proc = subprocess.run([str(binary(repo)), f"--family={family[len('go_'):]}", *args_for(suite_args), "--list"],
                          capture_output=True, text=True)
    return [line for line in proc.stdout.splitlines() if line.strip()] if proc.returncode == 0 else []


def run_family(repo, family, folder, suite_args, pos, progress=None, names=()):
    """One Go family into folder/go_<family>.json (the binary writes it whole or not at all); the
    progress line stays live while it runs (the binary prints a line per repetition to stderr)."""
    out = folder / f"{family}.json"
    cmd = [str(binary(repo)), f"--family={family[len('go_'):]}", *args_for(suite_args), f"--out={out}"]
    if progress is None:
        print(f"contend: [{pos}] {family} (Go's own designs)", file=sys.stderr)
    else:
        progress.measuring(family)
        progress.show(pos, family, f"{len(names)} benchmarks, Go's own designs")
    tail = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        try:
            with (progress.ticking(pos, family, lambda: f"{len(names)} benchmarks, Go's own designs")
                  if progress is not None else contextlib.nullcontext()):
                for line in proc.stderr:
                    tail = (tail + [line.rstrip()])[-5:]
            rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
    except KeyboardInterrupt:
        for tmp in folder.glob(f".{out.name}.*tmp"):
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if progress is not None:
            progress.measured()
            progress.finish_line()
    if rc in (-2, 130):
        raise KeyboardInterrupt
    if progress is not None:
        progress.done += len(names)
    if rc != 0:
        warn(f"{family} exited with code {rc} ({tail[-1] if tail else 'no message'}); no {out.name} in this run")
        return None
    return out if out.is_file() else None


def remove_stale(folder, families):
    """An earlier run's Go files of families this run does not measure would stand beside its
    results as if they were this run's: a whole-suite run removes them."""
    for f in GO_FAMILIES:
        if f not in families:
            path = folder / f"{f}.json"
            if path.is_file() and os.access(path, os.W_OK):
                path.unlink()
