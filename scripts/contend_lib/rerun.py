"""Re-running single benchmarks of a finished family and merging them into its JSON.

A repetition that was disturbed (foreign load or steal, too little parallelism, a placement probe
`preempted` before or after it, or `moved`: its probes before and after in different placement
classes; loader.taint) is run again, at most MAX_ROUNDS times; the placement class a repetition ran
in is never a reason (it is a dimension of the figures: run.py measures one class at a time). Round
1 re-runs the tainted originals, round 2 the round-1 replacements that were tainted again, and
whatever round 2 gives stays (tainted or not: the suite never re-runs until a figure looks good).
The replaced repetition stays in the JSON, marked "contend_discarded": "<why>", and every statistic
leaves it out. The figures on both sides of a violated invariant are re-run once the same way. The
family JSON is written whole (temp file + rename) at most every CHECKPOINT_S while re-runs are
merged, and once more when they end or are interrupted (Ctrl-C, a signal, an error), so an interrupt
leaves it whole with every merge done so far. (Writing it after each merge, as before, cost the
recorded run about 5 minutes: the maps file takes ~0.4 s to write, and it was written 704 times.)
Every re-run runs under the watchdog (watchdog.py): one that hangs is stopped, its evidence saved,
and what it would have replaced stays as measured; a benchmark that hung is never re-run.
"""
import contextlib
import json
import math
import os
import signal
import time
from dataclasses import dataclass, field

from . import phases, schedule, watchdog
from .continuation import ere_escape  # noqa: F401 (rerun.ere_escape for callers)
from .errors import warn
from .loader import (DISCARDED_KEY, PART_KEY, doc_placement, is_iteration, iteration_entries, part_path, part_paths,
                     read_family, taint)
from .names import HUNG_KEY

MAX_ROUNDS = 2
RERUN_KEY = "contend_rerun"  # which round (1, 2) or "invariant" produced this repetition


# Floats are kept to 9 significant digits: far finer than any figure's run-to-run noise, and the
# full 17 would take the biggest family's file (maps) past 2 MiB.
SIGNIFICANT_DIGITS = 9


def _rounded(value):
    if isinstance(value, float) and math.isfinite(value):
        return float("%.*g" % (SIGNIFICANT_DIGITS, value))
    return value


def result_text(doc):
    """A family's JSON as contend keeps it: the context indented, then one benchmark entry a line
    (diffable, and a third the size of Google Benchmark's indented output). Google Benchmark's
    aggregate rows are dropped: they are computed over every repetition, the ones a re-run
    discards included, and the loader computes its own from the kept ones."""
    head = {k: v for k, v in doc.items() if k != "benchmarks"}
    lines = [line for line in map(_entry_line, doc.get("benchmarks", [])) if line is not None]
    return (json.dumps(head, indent=1)[:-2] + ',\n "benchmarks": [\n' + ",\n".join(lines) + "\n ]\n}\n")


def _entry_line(e):
    """One benchmark entry's line in result_text, or None for an aggregate row (dropped)."""
    if isinstance(e, dict) and e.get("run_type") == "aggregate":
        return None
    return json.dumps({k: _rounded(v) for k, v in e.items()} if isinstance(e, dict) else e, separators=(",", ":"))


# A result file stays under the 2 MiB a repository accepts per file: a family bigger than this is
# written in parts of whole workloads (loader.read_family puts them together again).
PART_LIMIT = 1_500_000


def _workload(entry):
    name = entry.get("name", "") if isinstance(entry, dict) else ""
    return name.split("/")[1] if name.count("/") >= 2 else name


def split_parts(doc, limit=PART_LIMIT):
    """The documents `doc` is written as: itself when its text fits in `limit` bytes, otherwise
    parts of whole workloads (in the order they first appear), each with the context."""
    if len(result_text(doc)) <= limit:
        return [doc]
    groups = {}
    for e in doc.get("benchmarks", []):
        groups.setdefault(_workload(e), []).append(e)
    head = {k: v for k, v in doc.items() if k != "benchmarks"}
    overhead = len(result_text({**head, "benchmarks": []}))
    parts, current, size = [], [], overhead
    for entries in groups.values():
        grown = sum(len(line) + 2 for line in map(_entry_line, entries) if line is not None)  # ",\n"
        if current and size + grown > limit:
            parts.append(current)
            current, size = [], overhead
        current += entries
        size += grown
    parts.append(current)
    return [{**head, "benchmarks": entries} for entries in parts]


def write_whole(path, doc):
    """Write `doc` as `path` (and its parts when it is too big), whole or not at all: every part
    goes to a temp file first; then the parts are renamed, `path` last, and parts a bigger earlier
    run left behind are removed."""
    doc = {**doc, "context": {k: v for k, v in doc.get("context", {}).items() if k != PART_KEY}}
    docs = split_parts(doc, PART_LIMIT)
    if len(docs) > 1:
        for k, d in enumerate(docs, 1):
            d["context"] = {**d["context"], PART_KEY: f"{k}/{len(docs)}"}
    staged = [(part_path(path, k), part_path(path, k).with_name(f".{part_path(path, k).name}.tmp"))
              for k in range(1, len(docs) + 1)]
    try:
        for (_, tmp), d in zip(staged, docs):
            tmp.write_text(result_text(d))
        for final, tmp in reversed(staged):
            os.replace(tmp, final)
        for k, stale in part_paths(path):
            if k > len(docs):
                stale.unlink(missing_ok=True)
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)


def _name(entry):
    return entry.get("run_name") or entry["name"]


def _kept(doc):
    """The repetitions a re-run may replace: not replaced already, not failed, not hung (a hung
    benchmark is not run again: continuation.py)."""
    return [e for e in iteration_entries(doc)
            if not e.get(DISCARDED_KEY) and not e.get("error_occurred") and not e.get(HUNG_KEY)]


def tainted_in_round(doc, round_no, extra_probes=()):
    """{benchmark name: [(tainted kept repetition, reason)]} that round `round_no` re-runs: the
    originals in round 1, the previous round's replacements after that. Disturbance only: the
    placement classes (of the document's probes and `extra_probes`, the calibration's) tell
    `moved` and `preempted`; a class is no reason."""
    placement = doc_placement(doc, extra_probes)
    out = {}
    for e in _kept(doc):
        if e.get(RERUN_KEY, 0) != round_no - 1:
            continue
        tainted, reason = taint(e, placement)
        if tainted:
            out.setdefault(_name(e), []).append((e, reason))
    return out


def _interrupted(rc):
    return rc in (-2, 130)  # the child got the terminal's Ctrl-C first


def run_benchmark(exe, args, name, repetitions, scratch):
    """Run one benchmark `repetitions` times under the watchdog; its iteration entries, or None
    (with a warning)."""
    cmd = [str(exe), *args, f"--benchmark_filter=^{ere_escape(name)}$",
           f"--benchmark_repetitions={repetitions}", f"--benchmark_out={scratch}",
           "--benchmark_out_format=json", "--benchmark_color=false"]
    run_s = schedule.run_seconds(name, "--quick" in args)
    bounds = watchdog.Bounds(repetitions * (run_s + schedule.rep_overhead(name.split("/")[0])) + schedule.PROCESS_S,
                             run_s)
    try:
        proc = watchdog.run(cmd, f"the re-run of {name}", bounds, stem=f"rerun-{name.split('/')[0]}")
        if _interrupted(proc.returncode):
            raise KeyboardInterrupt
        if proc.hang is not None:
            warn(f"the re-run of {name} hung and was stopped ({proc.hang.threads}; evidence "
                 f"{proc.hang.evidence or 'not saved'}); kept what was measured")
            return None
        if proc.returncode != 0:
            last = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            warn(f"re-run of {name} exited with code {proc.returncode} ({last[0]}); kept what was measured")
            return None
        try:
            doc = json.loads(scratch.read_text())
        except (OSError, ValueError):
            warn(f"re-run of {name} wrote no usable JSON; kept what was measured")
            return None
    finally:
        scratch.unlink(missing_ok=True)
    new = [e for e in iteration_entries(doc) if _name(e) == name and not e.get("error_occurred")]
    if len(new) != repetitions:
        warn(f"re-run of {name} gave {len(new)} repetitions, not {repetitions}; kept what was measured")
        return None
    return new


def merge(doc, name, replaced, new, why, tag):
    """Mark `replaced` discarded (with its reason) and put `new` after the benchmark's last
    repetition, numbered on from it."""
    for entry, reason in replaced:
        entry[DISCARDED_KEY] = f"{reason}; {why}" if reason else why
    benchmarks = doc["benchmarks"]
    own = [i for i, e in enumerate(benchmarks) if is_iteration(e) and _name(e) == name]
    index = max((int(benchmarks[i].get("repetition_index", 0)) for i in own), default=-1) + 1
    for k, entry in enumerate(new):
        entry["repetition_index"] = index + k
        entry[RERUN_KEY] = tag
    at = (own[-1] + 1) if own else len(benchmarks)
    benchmarks[at:at] = new


@dataclass
class Reruns:
    """What rerun_tainted did: tainted originals re-run, re-runs in all, the seconds they took, and
    the tainted repetitions the cap left as they were."""
    originals: int = 0
    count: int = 0
    seconds: float = 0.0
    capped: int = 0
    capped_names: list = field(default_factory=list)


CHECKPOINT_S = 30.0
_STOPS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and the stop signals wait until the block is done: a merge is never half made when
    the document is written on the way out."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Checkpoint:
    """The family document written whole at most every `every_s` while merges come in, and on
    `flush` (when the re-runs end, however they end)."""

    def __init__(self, out, doc, every_s=CHECKPOINT_S, clock=time.monotonic):
        self.out, self.doc, self.every_s, self.clock = out, doc, every_s, clock
        self.dirty, self.last, self.writes = False, clock(), 0

    def merged(self):
        self.dirty = True
        if self.clock() - self.last >= self.every_s:
            self.flush()

    def flush(self):
        if self.dirty:
            write_whole(self.out, self.doc)
            self.dirty, self.last, self.writes = False, self.clock(), self.writes + 1


def rerun_tainted(exe, args, out, extra_probes=(), measuring_s=None, spent_s=0.0, per_rep_s=None,
                  status=None, clock=time.monotonic):
    """Re-run the tainted repetitions of one family's JSON, within the cap: the re-runs and the
    family's waits (`spent_s`) together take at most phases.RERUN_CAP of its `measuring_s` (no cap
    when None). A re-run is started only when its expected cost (its repetitions at `per_rep_s`, or
    at the mean the re-runs so far took) fits what is left. `status(done, todo, round, left_s)`
    is told before each re-run, for the progress line."""
    doc = read_family(out)
    scratch = out.with_name(f".{out.stem}.rerun.json.tmp")
    r = Reruns()
    saved = Checkpoint(out, doc, clock=clock)
    try:
        _rounds(exe, args, doc, saved, scratch, extra_probes, measuring_s, spent_s, per_rep_s, status, clock, r)
    finally:
        saved.flush()
    return r


def _rounds(exe, args, doc, saved, scratch, extra_probes, measuring_s, spent_s, per_rep_s, status, clock, r):
    for round_no in range(1, MAX_ROUNDS + 1):
        todo = tainted_in_round(doc, round_no, extra_probes)
        total = sum(len(v) for v in todo.values())
        done = 0
        for name, replaced in todo.items():
            each = r.seconds / r.count if r.count else (per_rep_s or 0.0)
            cost = each * len(replaced)
            if measuring_s is not None and not phases.fits(cost, measuring_s, spent_s + r.seconds):
                r.capped += len(replaced)
                r.capped_names.append(name)
                continue
            if status:
                left = each * (total - done)
                if measuring_s is not None:
                    left = min(left, phases.allowance(measuring_s, spent_s + r.seconds))
                status(done, total, round_no, left)
            t0 = clock()
            new = run_benchmark(exe, args, name, len(replaced), scratch)
            r.seconds += clock() - t0
            done += len(replaced)
            if new is None:
                continue
            with _signals_held():
                merge(doc, name, replaced, new, f"replaced by re-run {round_no}", round_no)
            saved.merged()
            r.count += len(replaced)
            r.originals += len(replaced) if round_no == 1 else 0
        if r.capped:
            break  # the cap ran out: a second round would only be cut shorter


def rerun_once(exe, args, out, names, why):
    """Re-run every repetition of each benchmark in `names` once (an invariant's two sides)."""
    doc = read_family(out)
    scratch = out.with_name(f".{out.stem}.rerun.json.tmp")
    done = []
    saved = Checkpoint(out, doc)
    try:
        for name in names:
            kept = [(e, "") for e in _kept(doc) if _name(e) == name]
            if not kept:
                continue
            new = run_benchmark(exe, args, name, len(kept), scratch)
            if new is None:
                continue
            with _signals_held():
                merge(doc, name, kept, new, why, "invariant")
            saved.merged()
            done.append(name)
    finally:
        saved.flush()
    return done

