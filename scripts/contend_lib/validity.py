"""Can these figures be true? Bimodality of repetitions, and physical invariants across benchmarks.

Each invariant is a fact of the hardware that figures of one run must respect, checked on the
loader's table (medians over kept repetitions) or reps, with a stated tolerance: 30% unless the
invariant says why it is tighter. A violation names the invariant and the figures on both sides,
so `contend run` can re-run them once and report, by name, what still violates. Nothing here
re-runs anything or decides that a figure is "right"; it says which figures contradict each other.
"""
import re
import statistics
from dataclasses import dataclass, field

from .sides import ONE_CORE

# Sorted repetitions that jump by more than this between two neighbours, with at least
# BIMODAL_SIDE repetitions on each side, are two clusters (two placements, two states of the
# machine), not noise around one value: the median of such a figure describes neither.
BIMODAL_GAP = 1.5
BIMODAL_SIDE = 2
DEFAULT_TOLERANCE = 0.30

SHARED_LINE = [("counters", "increment", "atomic_relaxed"), ("counters", "increment", "atomic_seq_cst"),
               ("counters", "increment", "cas"), ("counters", "increment", "mutex"),
               ("baseline", "increment", "contended")]
CONTENDED = ("baseline", "increment", "contended")
FLOOR = ("baseline", "pingpong", "cache_line")
HAND_OFF = ("channels", "pingpong")


def bimodal(values):
    """True when the sorted values split at one gap larger than BIMODAL_GAP (ratio) with at least
    BIMODAL_SIDE values on each side."""
    xs = sorted(v for v in values if v is not None and v == v and v > 0)
    return any(xs[i] / xs[i - 1] > BIMODAL_GAP for i in range(BIMODAL_SIDE, len(xs) - BIMODAL_SIDE + 1))


@dataclass
class Invariant:
    name: str
    statement: str
    tolerance: float
    reason: str = "run-to-run noise"


@dataclass
class Violation:
    invariant: Invariant
    detail: str
    sides: list = field(default_factory=list)  # [(family, workload, impl, threads)] to re-run; "hand_timed"

    def line(self):
        return f"{self.invariant.name} (tolerance {self.invariant.tolerance:.0%}): {self.detail}"


INVARIANTS = {i.name: i for i in [
    Invariant("relaxed-equals-seq-cst",
              "on x86 counters/increment/atomic_relaxed and atomic_seq_cst run the same `lock add`",
              DEFAULT_TOLERANCE),
    Invariant("atomic-counter-equals-baseline",
              "counters/increment/atomic_* do what baseline/increment/contended does", DEFAULT_TOLERANCE),
    Invariant("shared-line-not-above-one-thread",
              "a design whose every operation writes one shared cache line cannot exceed, in aggregate "
              "at 2+ threads, its own 1-thread rate", 0.10,
              "the line serialises every write, so 2+ threads at best equal one; 10% is one run's noise"),
    Invariant("no-hand-off-beats-cache-line",
              "no repetition of channels/pingpong/* whose sides ran across cores is faster than "
              "baseline/pingpong/cache_line (a one-core figure's hand-offs never crossed cores: sides.py)", 0.10,
              "a hand-off moves at least the line the floor moves; 10% is the floor's own noise"),
    Invariant("hand-timed-equals-baseline",
              "the hand-timed loop (hand_timed.json) agrees with baseline/increment/contended",
              DEFAULT_TOLERANCE),
]}

_X86 = re.compile(r"x86_64|amd64|\bi[3-6]86\b|intel|amd|xeon|epyc|ryzen|core\(tm\)", re.I)
_OTHER = re.compile(r"aarch64|arm64|armv|ppc|power|riscv|s390|mips|loongarch|neoverse|graviton|apple", re.I)


def is_x86(context):
    """True/False from the kernel's architecture (then the CPU model); None when neither says."""
    for key in ("kernel", "cpu_model"):
        text = str(context.get(key, "") or "")
        if _OTHER.search(text):
            return False
        if _X86.search(text):
            return True
    return None


def _figures(table):
    """{(family, workload, impl): {threads: median ops/s}}."""
    out = {}
    for row in table.itertuples(index=False):
        out.setdefault((row.family, row.workload, row.impl), {})[int(row.threads)] = float(row.ops_per_sec)
    return out


def _name(key, threads=None):
    return "/".join(key) + (f" @{threads}" if threads is not None else "")


def _off(a, b):
    """How far apart two rates are, as a fraction of the smaller one."""
    lo, hi = sorted((a, b))
    return hi / lo - 1 if lo > 0 else float("inf")


def _versus(left, a, right, b):
    return f"{left} {a / 1e6:.3g} M vs {right} {b / 1e6:.3g} M ops/s ({max(a, b) / min(a, b):.2f}x)"


def _agree(inv, figs, left, right):
    out = []
    for t in sorted(set(figs.get(left, {})) & set(figs.get(right, {}))):
        a, b = figs[left][t], figs[right][t]
        if _off(a, b) > inv.tolerance:
            out.append(Violation(inv, _versus(_name(left, t), a, _name(right, t), b), [left + (t,), right + (t,)]))
    return out


def check(table, reps, context, hand_timed=None):
    """(violations, notes) for one machine's table and reps (a run); notes say what was skipped."""
    figs = _figures(table)
    violations, notes = [], []
    relaxed, seq_cst = ("counters", "increment", "atomic_relaxed"), ("counters", "increment", "atomic_seq_cst")
    x86 = is_x86(context)
    if x86:
        violations += _agree(INVARIANTS["relaxed-equals-seq-cst"], figs, relaxed, seq_cst)
    else:
        notes.append("relaxed-equals-seq-cst: skipped, " +
                     ("not x86 (the two orders compile differently)" if x86 is False else
                      "architecture unknown (no kernel or CPU model in the context)"))
    inv = INVARIANTS["atomic-counter-equals-baseline"]
    for atomic in ([relaxed, seq_cst] if x86 else [relaxed]):
        violations += _agree(inv, figs, atomic, CONTENDED)
    violations += _shared_line(figs)
    violations += _hand_off(table, reps)
    if hand_timed is None:
        notes.append("hand-timed-equals-baseline: skipped, no hand_timed.json")
    else:
        found, all_tainted = _hand_timed(figs, hand_timed)
        violations += found
        if all_tainted:
            notes.append(f"hand-timed-equals-baseline: skipped at {', '.join(map(str, all_tainted))} "
                         "threads, every hand-timed run there tainted")
    if not figs.get(CONTENDED):
        notes.append("no baseline/increment/contended in this run: its invariants were not checked")
    _mark_tainted(violations, table)
    return violations, notes


def _mark_tainted(violations, table):
    """A violation between tainted figures is no surprise: say which side was tainted."""
    if "tainted" not in table:
        return
    tainted = {(r.family, r.workload, r.impl, int(r.threads)) for r in table.itertuples(index=False) if r.tainted}
    for v in violations:
        sides = [_name(s[:3], s[3]) for s in v.sides if s != "hand_timed" and tuple(s) in tainted]
        if sides:
            v.detail += f" [tainted: {', '.join(sides)}]"


def _shared_line(figs):
    inv = INVARIANTS["shared-line-not-above-one-thread"]
    out = []
    for key in SHARED_LINE:
        by_threads = figs.get(key, {})
        one = by_threads.get(1)
        if not one:
            continue
        for t, rate in sorted(by_threads.items()):
            if t >= 2 and rate > one * (1 + inv.tolerance):
                out.append(Violation(inv, f"{_name(key, t)} {rate / 1e6:.3g} M ops/s > {_name(key, 1)} "
                                          f"{one / 1e6:.3g} M ({rate / one:.2f}x)",
                                     [key + (1,), key + (t,)]))
    return out


def _hand_off(table, reps):
    inv = INVARIANTS["no-hand-off-beats-cache-line"]
    floor = table[(table.family == FLOOR[0]) & (table.workload == FLOOR[1]) & (table.impl == FLOOR[2])]
    if floor.empty:
        return []
    out = []
    for row in floor.itertuples(index=False):
        limit = row.ns_per_op * (1 - inv.tolerance)
        kept = reps[(reps.family == HAND_OFF[0]) & (reps.workload == HAND_OFF[1]) & (reps.threads == row.threads)]
        if "discarded" in kept:
            kept = kept[~kept["discarded"].fillna(False).astype(bool)]
        if "sides" in kept:  # a one-core hand-off is not held against the cross-core floor
            kept = kept[kept["sides"].fillna("") != ONE_CORE]
        for impl, group in kept.groupby("impl", sort=True):
            fast = sorted(ns for ns in group["ns_per_op"] if ns < limit)
            if fast:
                out.append(Violation(inv, f"channels/pingpong/{impl} @{row.threads}: {len(fast)} of "
                                          f"{len(group)} repetitions at {', '.join(f'{ns:.0f}' for ns in fast)}"
                                          f" ns one-way, below the {row.ns_per_op:.0f} ns floor",
                                     [HAND_OFF + (impl, int(row.threads)), FLOOR + (int(row.threads),)]))
    return out


def hand_timed_rates(doc):
    """{threads: median ops/s} over hand_timed.json's untainted runs, and the thread counts
    whose runs were all tainted (left out: a cross-check needs a clean figure)."""
    clean, tainted = {}, set()
    for run in (doc or {}).get("runs", []):
        try:
            threads, rate = int(run["threads"]), float(run["ops_per_sec"])
        except (KeyError, TypeError, ValueError):
            continue
        if run.get("tainted"):
            tainted.add(threads)
        else:
            clean.setdefault(threads, []).append(rate)
    return {t: statistics.median(v) for t, v in clean.items()}, sorted(tainted - set(clean))


def _hand_timed(figs, doc):
    inv = INVARIANTS["hand-timed-equals-baseline"]
    out = []
    harness = figs.get(CONTENDED, {})
    rates, all_tainted = hand_timed_rates(doc)
    for t, rate in sorted(rates.items()):
        if t in harness and _off(rate, harness[t]) > inv.tolerance:
            out.append(Violation(inv, _versus(f"hand-timed loop @{t}", rate, _name(CONTENDED, t), harness[t]),
                                 [CONTENDED + (t,), "hand_timed"]))
    return out, all_tainted


def report(violations, notes):
    """The lines `contend run` prints: each violated invariant by name, what it states and its
    tolerance (with the reason when not the default), the figures that break it; then what was
    skipped."""
    if not violations:
        lines = ["invariants: all hold"]
    else:
        names = sorted({v.invariant.name for v in violations}, key=list(INVARIANTS).index)
        lines = [f"invariants: {len(violations)} violation(s) of {len(names)}: {', '.join(names)}"]
        for name in names:
            inv = INVARIANTS[name]
            why = "" if inv.tolerance == DEFAULT_TOLERANCE else f"; {inv.reason}"
            lines.append(f"  {name}: {inv.statement} (tolerance {inv.tolerance:.0%}{why})")
            lines += [f"    {v.detail}" for v in violations if v.invariant.name == name]
    return lines + [f"  {n}" for n in notes]


# Reproducibility target of issue 9: every figure within ±25% of its median across runs.
SPREAD_LIMIT = 0.25


def spread(tables):
    """Per figure measured in every run: its median ops/s in each run and the min/max across runs
    relative to the median of those; [(figure, [per-run ops], low, high, beyond_limit)]."""
    keys = ["family", "workload", "impl", "threads"]
    per_run = [{tuple(r[:4]): r[4] for r in t[keys + ["ops_per_sec"]].itertuples(index=False)} for t in tables]
    common = sorted(set.intersection(*(set(r) for r in per_run)), key=lambda k: (k[0], k[1], k[2], int(k[3])))
    rows = []
    for key in common:
        values = [r[key] for r in per_run]
        median = statistics.median(values)
        low, high = min(values) / median - 1, max(values) / median - 1
        rows.append(("/".join(key[:3]) + f" @{key[3]}", values, low, high,
                     max(-low, high) > SPREAD_LIMIT))
    return rows
