"""Like with like: which figures may be ranked against each other.

The one-core rule, once for the hand-offs and owners of both languages: the figures whose sides
hand work to each other, the channels family's and every design with an owner thread (or
goroutine). A figure's *claim* is the CPUs its threads could keep busy at once: min(threads +
owner threads, the machine's CPUs). Its parallelism (process CPU time / wall time, the median over
its repetitions) is how many it kept busy. A hand-off or owner figure whose claim is at least 2,
whose parallelism is below ONE_CORE_BELOW (1.5) and whose threads did not sleep in the kernel to
pass the work (fewer than SLEEPS_FROM context switches per operation, where counted) ran its sides
on one CPU: Go's scheduler runs a woken goroutine on its waker's P and switches goroutines in the
runtime, so the hand-off never crossed a core and its CPU time per operation is one CPU's. It is
`one core`. One that kept 1.5 CPUs or more busy, or whose goroutines were pinned to CPUs of their
own (Go's locked rows, `go_pinned`), is `cross-core`. A hand-off whose sides slept in the kernel
for it (at least SLEEPS_FROM context switches per operation) took turns on CPUs the counters do not
name: the rule does not judge it. Neither does it judge the figures of other designs (a mutex
whose waiter sleeps while the holder runs keeps about one CPU busy too, but that is the lock's own
cost, not a hand-off that stayed home), a figure that claims one CPU, a file without parallelism
(results before schema 2), or the workloads whose threads wait by construction (WAITING: the idle
receiver's window, the poller's simulated latencies). Those are ranked beside both.

A one-core figure is never held against the cross-core cache-line floor (targets, invariants,
go_verdict) and never ranked against a cross-core one (advise, the headline, findings, compare):
each says "one core" beside it instead. Figures of another placement class than the run's are
not ranked against the run's either (`other_placement`, loader.py).
"""
import math
import re

ONE_CORE_BELOW = 1.5
# A hand-off whose sides sleep in futex for it costs at least one context switch per operation
# (baseline/pingpong/futex: 1.0); goroutines switched in Go's runtime cost almost none (0.0002 to
# 0.002 on the Zen 5 guest's _sched ping-pong).
SLEEPS_FROM = 0.5
# The families whose every design hands items between its threads.
HAND_OFF_FAMILIES = {"channels"}
# (family, workload pattern) whose threads wait by construction: nothing is sent to an idle
# receiver; a simulated poll sleeps its latency (sim-1ms, not sim-0).
WAITING = [("channels", re.compile(r"^idle$")), ("poller", re.compile(r"^sim-(?!0$)"))]
ONE_CORE, CROSS_CORE = "one core", "cross-core"


def _number(value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def claim(threads, owners, cpus):
    """min(threads + owner threads, CPUs): what the figure's threads could keep busy at once."""
    t = _number(threads) or 0
    o = _number(owners) or 0
    c = _number(cpus)
    return min(t + o, c) if c else t + o


def waits(family, workload):
    return any(family == f and pattern.search(str(workload)) for f, pattern in WAITING)


def hands_off(family, owners):
    """Whether a figure's sides hand work to each other: a channel, or a design with an owner."""
    return family in HAND_OFF_FAMILIES or (_number(owners) or 0) > 0


def classify(parallelism, threads, owners, cpus, family=None, workload=None, switches=None, pinned=None):
    """ONE_CORE, CROSS_CORE or "" (the rule does not apply: not a hand-off or owner, one CPU
    claimed, not recorded, sides that slept in the kernel, or a workload that waits by construction).
    `switches`: context switches per operation; `pinned`: Go's go_pinned."""
    p = _number(parallelism)
    if (p is None or not hands_off(family, owners) or claim(threads, owners, cpus) < 2
            or waits(family, workload)):
        return ""
    if (_number(pinned) or 0) >= 0.5 or p >= ONE_CORE_BELOW:
        return CROSS_CORE
    cs = _number(switches)
    if cs is not None and cs >= SLEEPS_FROM:
        return ""
    return ONE_CORE


def annotate(table, cpus):
    """`table` with `parallelism_claim` and `sides` per figure; `cpus` is {machine: CPUs}."""
    if table.empty:
        return table.assign(parallelism_claim=[], sides=[])
    owners = table["owner_threads"] if "owner_threads" in table else [0] * len(table)
    par = table["parallelism"] if "parallelism" in table else [None] * len(table)
    cs = table["context_switches_per_op"] if "context_switches_per_op" in table else [None] * len(table)
    pin = table["go_pinned"] if "go_pinned" in table else [None] * len(table)
    n = [cpus.get(m) for m in table["machine"]]
    return table.assign(
        parallelism_claim=[claim(t, o, c) for t, o, c in zip(table["threads"], owners, n)],
        sides=[classify(p, t, o, c, f, w, x, g) for p, t, o, c, f, w, x, g in
               zip(par, table["threads"], owners, n, table["family"], table["workload"], cs, pin)])


def of(row):
    """The sides of one figure (a table row, dict or Series); "" when not annotated."""
    value = row.get("sides", "") if hasattr(row, "get") else ""
    return value if isinstance(value, str) else ""


def one_core(row):
    return of(row) == ONE_CORE


def label(row):
    """'one core: parallelism 1.14 of 2' for a one-core figure, else ""."""
    if not one_core(row):
        return ""
    p, c = _number(row.get("parallelism")), _number(row.get("parallelism_claim"))
    return f"{ONE_CORE}: parallelism {p:.2f} of {c:g}" if p is not None and c else ONE_CORE


def other_placement(row):
    """The placement class a figure was measured in when it is not the run's, else ""."""
    if not bool(row.get("other_placement", False) or False):
        return ""
    return str(row.get("placement", "") or "")


def labels(row):
    """Every label a ranking must print beside this figure: one core, another placement class."""
    out = []
    if label(row):
        out.append(label(row))
    other = other_placement(row)
    if other:
        out.append(f"placement class {other}")
    return out


def apart(a, b):
    """Why two figures are not ranked against each other ("" when they may be): one ran on one core
    and the other across cores, or they were measured in different placement classes."""
    sa, sb = of(a), of(b)
    if {sa, sb} == {ONE_CORE, CROSS_CORE}:
        one, other = (a, b) if sa == ONE_CORE else (b, a)
        return (f"{one.get('impl', 'one')} ran on one core ({label(one)[len(ONE_CORE) + 2:] or 'parallelism below 1.5'}), "
                f"{other.get('impl', 'the other')} across cores")
    pa, pb = str(a.get("placement", "") or ""), str(b.get("placement", "") or "")
    if (other_placement(a) or other_placement(b)) and pa and pb and pa != pb:
        return f"measured in different placement classes ({pa}, {pb})"
    return ""


def tiers(rows):
    """(ranked, aside) of the figures at one point (a DataFrame of clean figures): those of the
    run's placement class, and of them the cross-core ones (with the ones the rule does not apply
    to) when any is cross-core, else all of them; `aside` holds the rest, each to be shown with its
    labels beside the ranking, never in it."""
    if rows.empty:
        return rows, rows
    other = [bool(other_placement(r)) for _, r in rows.iterrows()]
    here = rows.loc[[not o for o in other]]
    side = [of(r) for _, r in here.iterrows()]
    if CROSS_CORE in side:
        keep = [s != ONE_CORE for s in side]
        ranked = here[keep]
    else:
        ranked = here
    aside = rows[~rows.index.isin(ranked.index)]
    return ranked, aside


def figure(reps_or_table, family, workload, impl, threads):
    """The first row of one figure (a dict), or {} (for the figure-level columns reps carry)."""
    t = reps_or_table
    if t is None or "impl" not in t:
        return {}
    hit = t[(t["family"] == family) & (t["workload"] == workload) & (t["impl"] == impl) & (t["threads"] == threads)]
    return hit.iloc[0].to_dict() if len(hit) else {}
