"""The side runs of a whole suite, beside the families: the litmus histograms, the core-to-core
map, the hand-timed cross-check and the sample clock's bias. Each writes its own JSON whole or not
at all; a failure is a warning (they explain the figures, they are not among them), and Ctrl-C
leaves no temporary file. Each runs under the watchdog (watchdog.py), judged as a whole against its
plan (schedule.py): one that hangs is stopped, its evidence saved, and the run goes on without it.
"""
import os
import sys
from pathlib import Path

from . import schedule, watchdog
from .errors import ContendError, warn
from .names import CORE_TO_CORE_FILE, HAND_TIMED_FILE, LATENCY_BIAS_FILE, LITMUS_FILE


def _tail(text, n=15):
    lines = (text or "").strip().splitlines()
    return "\n".join(lines[-n:])


def _analysis():
    from . import loader
    return loader


def _watched(cmd, what, planned_s, out, missing):
    """`cmd` under the watchdog; a hang is one warning ending in `missing`, and the hidden temp
    file the program was writing `out` through goes. The CompletedProcess, with `.hang`."""
    proc = watchdog.run(cmd, what, watchdog.Bounds(planned_s), stem=Path(str(cmd[0])).name)
    if proc.returncode in (-2, 130):
        (out.parent / f".{out.name}.tmp").unlink(missing_ok=True)
        raise KeyboardInterrupt
    if proc.hang is not None:
        (out.parent / f".{out.name}.tmp").unlink(missing_ok=True)
        warn(f"{Path(str(cmd[0])).name} hung and was stopped ({proc.hang.threads}; evidence "
             f"{proc.hang.evidence or 'not saved'}); {missing}")
    return proc


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
    out = folder / LITMUS_FILE
    proc = _watched([exe, *args, "--json", out], "litmus", schedule.LITMUS_S[schedule.mode(quick)], out,
                    "the report will have no litmus section")
    if proc.hang is not None:
        return
    if proc.returncode == 1:
        warn(f"litmus observed an outcome the C++ memory model forbids: see {folder / LITMUS_FILE}")
    elif proc.returncode != 0:
        raise ContendError(exe, f"exited with code {proc.returncode}: {_tail(proc.stderr, 1) or 'no message'}")


def core_to_core_binary(repo):
    return repo / "build" / "release" / "benchmarks" / "core_to_core"


# With several placement classes one map is one moment's placement: the map is measured in passes
# (core_to_core --passes) over about this long, so core_map.py can show it per class.
CORE_TO_CORE_SPREAD_S = 10.0


def core_to_core_passes(cpus, quick, several):
    """How many passes of the map: 1 on a machine with one placement class; with several, as many
    as fit CORE_TO_CORE_SPREAD_S at the binary's time per pair (1 ms, --quick 0.2 ms, plus ~0.1 ms
    of thread starts), between 1 and the binary's 1000."""
    if not several:
        return 1
    per_pass = max(1, cpus * (cpus - 1) // 2) * ((0.2 if quick else 1.0) + 0.1) / 1000
    return max(1, min(1000, int(CORE_TO_CORE_SPREAD_S / per_pass)))


def run_core_to_core(repo, folder, quick, several=False):
    """The core-to-core latency map (core_map.py draws it), written whole or not at all by
    core_to_core. A failure is a warning: the map explains the figures, it is not one of them."""
    exe = core_to_core_binary(repo)
    out = folder / CORE_TO_CORE_FILE
    out.unlink(missing_ok=True)  # an earlier run's map must not stand beside this run's results
    if not exe.is_file():
        warn(f"{exe} not built; the report will have no core-to-core map")
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    passes = core_to_core_passes(cpus, quick, several)
    print(f"contend: core-to-core latency map (cache-line ping-pong between each of "
          f"{cpus * (cpus - 1) // 2} CPU pairs{f', {passes} passes' if passes > 1 else ''})", file=sys.stderr)
    planned = max(1, cpus * (cpus - 1) // 2) * passes * ((0.2 if quick else 1.0) + 0.1) / 1000 + schedule.PROCESS_S
    _run_whole(exe, [*(["--quick"] if quick else []), *([f"--passes={passes}"] if passes > 1 else [])], out,
               "no core-to-core map in this run", "the core-to-core map", planned)


def _run_whole(exe, args, out, missing, what, planned_s):
    """`exe ARGS --json OUT`, a program that writes OUT whole or not at all, under the watchdog:
    Ctrl-C or a hang takes its hidden temp file too, and a failure is one warning ending in
    `missing`."""
    try:
        proc = _watched([exe, *args, "--json", out], what, planned_s, out, missing)
    except KeyboardInterrupt:
        # watchdog.run has killed it; what it was writing (its hidden temp file) goes too.
        (out.parent / f".{out.name}.tmp").unlink(missing_ok=True)
        raise
    if proc.hang is not None:
        return
    if proc.returncode != 0:
        warn(f"{Path(exe).name} exited with code {proc.returncode} ({_tail(proc.stderr, 1) or 'no message'}); "
             f"{missing}")


def hand_timed_binary(repo):
    return repo / "build" / "release" / "benchmarks" / "hand_timed_check"


def run_hand_timed(repo, folder, args):
    """hand_timed_check ARGS --json: the hand-written loop beside baseline/increment/contended.
    Returns its document, or None (with a warning) when there is nothing to compare it with or
    the binary is absent or fails."""
    exe = hand_timed_binary(repo)
    out = folder / HAND_TIMED_FILE
    out.unlink(missing_ok=True)  # an earlier run's figure must not stand beside this run's
    if args is None:
        print("contend: no baseline/increment/contended in this run; the hand-timed cross-check is skipped",
              file=sys.stderr)
        return None
    if not exe.is_file():
        warn(f"{exe} not built; the hand-timed cross-check is skipped")
        return None
    print(f"contend: hand-timed cross-check (hand_timed_check {' '.join(args)})", file=sys.stderr)
    proc = _watched([exe, *args, "--json", out], "the hand-timed check", _hand_timed_plan(args), out,
                    "the hand-timed cross-check is skipped")
    if proc.hang is not None:
        return None
    loader = _analysis()
    if proc.returncode != 0:
        warn(f"hand_timed_check exited with code {proc.returncode} ({_tail(proc.stderr, 1) or 'no message'}); "
             "the hand-timed cross-check is skipped")
        return None
    try:
        doc = loader.hand_timed(folder)
    except ContendError as e:
        doc, why = None, f"unusable JSON ({e.what})"
    else:
        why = "no JSON"
    if doc is None:
        warn(f"hand_timed_check wrote {why}; the hand-timed cross-check is skipped")
    return doc


def _hand_timed_plan(args):
    """hand_timed_check's planned seconds from its arguments: thread counts x run x repetitions."""
    values = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    try:
        runs = len(values.get("threads", "1").split(",")) * int(values.get("repetitions", "3"))
        return runs * float(values.get("run_ms", "300")) / 1000 + schedule.PROCESS_S
    except ValueError:
        return 10.0


def latency_bias_binary(repo):
    return repo / "build" / "release" / "benchmarks" / "latency_bias"


def run_latency_bias(repo, folder, quick):
    """latency_bias --json: how much a bare rdtsc at a sample's end under-reports a cache-line
    round trip against rdtscp; lfence (the report states it beside the percentiles)."""
    exe = latency_bias_binary(repo)
    out = folder / LATENCY_BIAS_FILE
    out.unlink(missing_ok=True)  # an earlier run's figure must not stand beside this run's
    if not exe.is_file():
        warn(f"{exe} not built; the report will not state the sample clock's bias")
        return
    print("contend: the sample clock's bias (latency_bias: bare rdtsc against rdtscp; lfence)", file=sys.stderr)
    _run_whole(exe, ["--quick"] if quick else [], out, "no bias figure in this run", "the sample clock's bias",
               schedule.LATENCY_BIAS_S[schedule.mode(quick)])
