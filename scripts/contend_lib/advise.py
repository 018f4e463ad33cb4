"""`contend advise`: the user's question answered from result sets — which design for my workload,
on this CPU, at this thread count, by how much, how sure.

For each machine: the measured workload nearest the one asked (named, never interpolated), the
measured thread count nearest the one asked, the designs ranked there (throughput, or a latency
percentile with --tail), the recommended design and the runner-up with the margin (ratio of
medians, its 95% bootstrap interval, the two-sided Mann–Whitney U p), and the caveats that apply.
No verdict while a design left out there (tainted, or excluded for its placement class) could
have won. With several machines, where the answer changes between them.

A C++ question gets a C++ answer: the ranking holds one language's designs (`--lang cpp`, the
default; `go`; `all` ranks both, Go's labelled "(Go's)"), and with `cpp` Go's best figure there is
shown beside it as a reference ("Go's own: ..."). Like is ranked with like (sides.py): a figure
whose sides ran on one core is not ranked against cross-core ones, nor one measured in another
placement class against the run's; each is shown beside the ranking with its label.
"""
import math
import re
from dataclasses import asdict, dataclass, field

from . import findings, lang, sides
from .names import parse_map_workload
from .stats import ALPHA, p_value, ratio_interval, seed_of
from .textable import eng

# A design whose slowest thread did less than this share of the fastest's work starves threads.
FAIR_ENOUGH = 0.5
# References, not choices: the maps' one-thread ceiling with no synchronization at all.
REFERENCES = {"single_thread"}
_CHANNEL = re.compile(r"^(spsc|mpsc|mpmc)-(small|large|unbuffered)$")
# How far apart channel capacities are: an unbuffered channel (a rendezvous) is furthest from both.
_CAPACITY = {"small": 0.0, "large": 1.0, "unbuffered": -1.5}


@dataclass
class Answer:
    machine: str
    cpu: str
    family: str
    workload: str
    threads: int
    metric: str                  # "ops_per_sec" or "p99_ns", ...
    recommended: str = None
    runner_up: str = None
    value: float = None          # the recommended design's median
    runner_up_value: float = None
    margin: float = None         # how many times better (> 1)
    interval: tuple = None       # 95% bootstrap interval of the margin
    p: float = None
    significant: bool = False
    verdict: str = ""            # "" when there is one; else why there is none
    caveats: list = field(default_factory=list)
    ranking: list = field(default_factory=list)   # [(impl, median, status)]
    lang: str = lang.CPP         # whose designs were ranked: cpp, go or all
    aside: list = field(default_factory=list)     # [(impl, median, label)]: clean, not ranked against them
    reference: list = field(default_factory=list)  # [(impl, median, label)]: Go's own, when lang is cpp


def _number_of(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", str(text))
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]


def workload_distance(family, measured, asked):
    """How far a measured workload is from the one asked (0: the same); None when not comparable."""
    if measured == asked:
        return 0.0
    if family == "maps":
        a, b = parse_map_workload(measured), parse_map_workload(asked)
        if not a or not b:
            return None
        keys_a, keys_b = _number_of(a[1]), _number_of(b[1])
        keys = abs(math.log10(keys_a) - math.log10(keys_b)) / 3 if keys_a and keys_b else 1.0
        return abs(a[0] - b[0]) / 100 + keys + (0.5 if a[2] != b[2] else 0.0)
    if family == "channels":
        a, b = _CHANNEL.match(measured), _CHANNEL.match(asked)
        if not a or not b:
            return None
        return (1.0 if a.group(1) != b.group(1) else 0.0) + abs(_CAPACITY[a.group(2)] - _CAPACITY[b.group(2)]) / 2
    return None


def asked_workload(family, args):
    """The workload name the options describe (maps: r<reads>-k<keys>-<dist>; channels: the
    producers × consumers shape and the capacity), or --workload as given."""
    if getattr(args, "workload", None):
        return args.workload
    if family == "maps":
        keys = args.keys or 1000
        keys_text = f"{keys // 1_000_000}m" if keys >= 1_000_000 else f"{keys // 1000}k" if keys >= 1000 else str(keys)
        return f"r{args.reads if args.reads is not None else 90}-k{keys_text}-{args.dist or 'uniform'}"
    if family == "channels":
        p, c = args.producers or 1, args.consumers or 1
        kind = "spsc" if p == 1 and c == 1 else "mpsc" if c == 1 else "mpmc"
        return f"{kind}-{args.capacity or 'small'}"
    defaults = {"counters": "increment", "stacks": "pairs", "baseline": "increment", "false_sharing": "atomic",
                "poller": "sim-0"}
    return defaults.get(family)


def nearest_workload(table, family, asked):
    """(workload, note): the asked one when measured, else the nearest measured one and a note
    that says so; (None, why) when nothing comparable was measured."""
    measured = sorted(table[table["family"] == family]["workload"].unique())
    if not measured:
        return None, f"no {family} results"
    if asked in measured:
        return asked, ""
    scored = [(d, w) for w, d in ((w, workload_distance(family, w, asked)) for w in measured) if d is not None]
    if not scored:
        return None, f"{family}/{asked} was not measured (measured: {', '.join(measured)})"
    _, best = min(scored)
    return best, f"{family}/{asked} was not measured: the nearest measured workload is {best}"


def nearest_threads(table, family, workload, threads):
    counts = sorted(table[(table["family"] == family) & (table["workload"] == workload)]["threads"].unique())
    if not counts:
        return None, ""
    best = min(counts, key=lambda t: (abs(math.log2(t) - math.log2(threads)), t))
    note = "" if best == threads else f"{threads} threads were not measured here: the nearest measured count is {best}"
    return int(best), note


def _values(reps, family, workload, impl, threads, column):
    return findings._values(reps, family, workload, impl, threads, column)


def _in_lang(table, which):
    return table.loc[[lang.member(i, which) for i in table["impl"]]]


def _order(rows, metric, lower_better, fairness):
    order = rows.sort_values(metric, ascending=lower_better)
    if fairness and "fairness" in order:
        # Designs that starve a thread rank after every design that does not.
        order = order.assign(_starves=order["fairness"].fillna(1.0) < FAIR_ENOUGH)
        order = order.sort_values(["_starves", metric], ascending=[True, lower_better], kind="stable")
    return order


def _shown(row):
    """A figure's labels as one phrase: 'one core (parallelism 1.14 of 2)'."""
    return "; ".join(sides.labels(row) + ([row["work"]] if row.get("work") else []))


def answer(rs, machine, family, workload, threads, tail=None, fairness=False, which=lang.CPP):
    """The Answer for one machine (`workload` and `threads` as measured), ranking the designs of
    language `which` (cpp, go or all)."""
    row = rs.machine(machine)
    point = rs.table[(rs.table["machine"] == machine) & (rs.table["family"] == family)
                     & (rs.table["workload"] == workload) & (rs.table["threads"] == threads)
                     & ~rs.table["impl"].isin(REFERENCES)]
    full = _in_lang(point, which)
    all_reps = rs.reps[rs.reps["machine"] == machine]
    clean_reps = findings.clean_reps(all_reps)
    metric = f"{tail}_ns" if tail else "ops_per_sec"
    lower_better = bool(tail)
    cpu = str(row.get("cpu_model", "unknown"))
    a = Answer(machine, cpu, family, workload, int(threads), metric, lang=which or lang.ALL)
    if which == lang.CPP:
        a.reference = _go_reference(point, all_reps, metric, lower_better)
    if full.empty:
        a.verdict = f"no verdict: no {lang.NAMES[which]} design was measured at {family}/{workload} here"
        return a
    statuses = {r["impl"]: findings.figure_status(r, all_reps) for _, r in full.iterrows()}
    clean = full[[not statuses[i] for i in full["impl"]]]
    if metric not in clean or clean[metric].isna().all():
        a.verdict = f"no verdict: {metric} was not recorded for {family}/{workload}"
        return a
    clean = clean.dropna(subset=[metric])
    ranked, aside = sides.tiers(clean)
    order = _order(ranked, metric, lower_better, fairness)
    a.aside = [(r["impl"], float(r[metric]), _shown(r)) for _, r in _order(aside, metric, lower_better, False).iterrows()]
    a.ranking = ([(r["impl"], float(r[metric]), "") for _, r in order.iterrows()]
                 + [(i, v, s) for i, v, s in a.aside]
                 + [(i, float(full[full["impl"] == i][metric].iloc[0]) if metric in full else float("nan"), s)
                    for i, s in statuses.items() if s])
    if len(order) < 2:
        a.verdict = "no verdict: fewer than two designs with a clean figure here"
        if len(order) and len(aside):
            a.verdict = (f"no verdict: fewer than two comparable designs here ({order.iloc[0]['impl']} "
                         f"{_tier_name(order)}; " + "; ".join(f"{i}: {s}" for i, _, s in a.aside)
                         + ": not ranked against it)")
        a.caveats = _aside_caveats(a)
        return a
    best, second = order.iloc[0], order.iloc[1]
    a.recommended, a.runner_up = best["impl"], second["impl"]
    a.value, a.runner_up_value = float(best[metric]), float(second[metric])
    x = _values(clean_reps, family, workload, a.recommended, threads, metric)
    y = _values(clean_reps, family, workload, a.runner_up, threads, metric)
    a.p = p_value(x, y)
    a.significant = a.p is not None and a.p < ALPHA
    if lower_better:
        a.margin = a.runner_up_value / a.value if a.value else float("nan")
        lo, hi = ratio_interval(x, y, seed_of((machine, family, workload, threads, metric)))
    else:
        a.margin = a.value / a.runner_up_value if a.runner_up_value else float("nan")
        lo, hi = ratio_interval(y, x, seed_of((machine, family, workload, threads, metric)))
    a.interval = (lo, hi)
    leader = _values(clean_reps, family, workload, a.recommended, threads, "ops_per_sec")
    blocking = findings.blocking_exclusion(full, all_reps, family, workload, threads, list(leader)) if not tail else []
    if blocking:
        a.verdict = "no verdict: " + "; ".join(f"{i} {s}" for i, s in blocking) + " (it could have won)"
    a.caveats = caveats(rs, machine, a, full, clean_reps, statuses, tail) + _aside_caveats(a, order)
    return a


def _tier_name(order):
    side = {sides.of(r) for _, r in order.iterrows()}
    return "ran across cores" if sides.CROSS_CORE in side else "ran on one core" if sides.ONE_CORE in side else \
        "is the only one"


def _aside_caveats(a, order=None):
    """What stands beside the ranking: every clean figure not ranked against it, with why; every
    ranked pair whose work differs; Go's own figure when the ranking is C++'s."""
    out = []
    if a.aside:
        out.append("beside the ranking, not in it (like is ranked with like): " + "; ".join(
            f"{i} {_value_text(a.metric, v)} — {s}" for i, v, s in a.aside))
    if order is not None and len(order):
        if all(sides.one_core(r) for _, r in order.iterrows()):
            out.append("every design ranked here ran on one core (its sides took turns on about one CPU): "
                       "the figures are one CPU's, with no hand-off across cores on every operation")
        notes = [f"{r['impl']}: {r['work']}" for _, r in order.iterrows() if r.get("work")]
        if notes:
            out.append("different work (ranked, but not the same operations as the C++ rows): " + "; ".join(notes))
    return out


def reference_text(a):
    """Go's own figure beside a C++ answer, in one line ("" without one)."""
    return "; ".join(f"{i} {_value_text(a.metric, v)}" + (f" — {s}" if s else "") for i, v, s in a.reference)


def _go_reference(point, all_reps, metric, lower_better):
    """Go's best clean figure at the point, as a reference beside a C++ answer: the best of the
    figures Go would rank there, and Go's fastest figure beside them when that one is faster."""
    go = _in_lang(point, lang.GO)
    if go.empty or metric not in go:
        return []
    clean = go.loc[[not findings.figure_status(r, all_reps) for _, r in go.iterrows()]].dropna(subset=[metric])
    if clean.empty:
        return []
    ranked, _ = sides.tiers(clean)
    best = _order(ranked if len(ranked) else clean, metric, lower_better, False).iloc[0]
    out = [(best["impl"], float(best[metric]), _shown(best))]
    fastest = _order(clean, metric, lower_better, False).iloc[0]
    if fastest["impl"] != best["impl"]:
        out.append((fastest["impl"], float(fastest[metric]), _shown(fastest)))
    return out


def caveats(rs, machine, a, full, reps, statuses, tail):
    """The caveats that apply to one answer, each one sentence."""
    out = []
    row = rs.machine(machine)
    hw = int(row["hw_threads"])
    best = full[full["impl"] == a.recommended].iloc[0]
    owners = int(best.get("owner_threads") or 0) if best.get("owner_threads") == best.get("owner_threads") else 0
    if a.threads > hw:
        out.append(f"oversubscribed: {a.threads} threads on {hw} hardware threads")
        go = [i for i in (a.recommended, a.runner_up) if str(i).startswith("go_")]
        if go:
            out.append(f"{' and '.join(go)}: Go runs {a.threads} goroutines on GOMAXPROCS = {hw} OS threads (its "
                       f"scheduler multiplexes them), C++ {a.threads} kernel threads on {hw} CPUs: past the CPU "
                       f"count the two languages are oversubscribed differently")
    if owners and a.threads + owners > hw:
        out.append(f"{a.recommended} runs {owners} owner thread{'s' if owners > 1 else ''} of its own: with "
                   f"{a.threads} client threads it needs {a.threads + owners} CPUs, the machine has {hw}")
    if not a.significant:
        out.append(f"the margin is not significant ({findings.p_text(a.p)}): {a.recommended} and "
                   f"{a.runner_up} are not told apart by these repetitions")
    measured = str(row.get("placement_measured", "unknown"))
    classes = str(row.get("placement_classes", ""))
    if measured != "unknown" and not classes.startswith("1 placement class"):
        out.append(f"measured in placement class {measured} ({classes}); another placement gives other "
                   f"figures (docs/placement.md)")
    left_out = [f"{i} {s}" for i, s in statuses.items() if s]
    if left_out and not a.verdict:
        out.append("left out here (could not have won): " + "; ".join(left_out))
    if not tail and "p99_ns" in full:
        x = _values(reps, a.family, a.workload, a.recommended, a.threads, "p99_ns")
        y = _values(reps, a.family, a.workload, a.runner_up, a.threads, "p99_ns")
        p = p_value(y, x)
        if len(x) and len(y) and p is not None and p < ALPHA and _median(y) < _median(x):
            out.append(f"tail latency reverses the order: {a.runner_up}'s p99 is {_ns(_median(y))} against "
                       f"{a.recommended}'s {_ns(_median(x))} ({findings.p_text(p)}); --tail p99 ranks by it")
    fair = full.set_index("impl")["fairness"] if "fairness" in full else None
    if fair is not None and fair.get(a.recommended) == fair.get(a.recommended):
        f_best, f_second = fair.get(a.recommended), fair.get(a.runner_up)
        if f_best < FAIR_ENOUGH and (f_second != f_second or f_second >= FAIR_ENOUGH):
            out.append(f"fairness: {a.recommended}'s slowest thread does {f_best:.0%} of its fastest's work "
                       f"({a.runner_up}: {f_second:.0%}); --fairness ranks designs that starve threads last")
    return out


def _median(values):
    import statistics
    return statistics.median(values)


def _ns(ns):
    return f"{ns / 1000:.1f} us" if ns >= 1000 else f"{ns:.0f} ns"


def _value_text(metric, v):
    return eng(v) + " ops/s" if metric == "ops_per_sec" else _ns(v) + f" {metric[:-3]}"


def _named(a, impl):
    """A design as the answer names it: labelled "(Go's)" when the ranking holds both languages."""
    return lang.label(impl) if a.lang == lang.ALL else str(impl)


def render(answers, notes):
    """One screen: per machine the verdict, the margin, the caveats and the ranking."""
    lines = []
    for note in notes:
        lines.append(f"note: {note}")
    for a in answers:
        lines.append(f"{a.family}/{a.workload} at {a.threads} thread{'s' if a.threads != 1 else ''} on "
                     f"{a.machine} ({a.cpu}), {lang.NAMES[a.lang]} designs")
        if a.verdict:
            lines.append(f"  {a.verdict}")
        if a.recommended:
            lines.append(f"  {'leader:     ' if a.verdict else 'recommended:'} {_named(a, a.recommended):<18} "
                         f"{_value_text(a.metric, a.value)}")
            lines.append(f"  runner-up:   {_named(a, a.runner_up):<18} {_value_text(a.metric, a.runner_up_value)}")
            lo, hi = a.interval or (float("nan"), float("nan"))
            interval = f"95% interval {lo:.2f}–{hi:.2f}×" if lo == lo else "no interval (too few repetitions)"
            lines.append(f"  margin:      {a.margin:.2f}× ({interval}), {findings.p_text(a.p)}"
                         + (" — significant" if a.significant else " — not significant"))
        for c in a.caveats:
            lines.append(f"  caveat: {c}")
        if a.reference:
            lines.append(f"  Go's own:    {reference_text(a)} (a reference, not ranked: --lang all ranks both)")
        if a.ranking:
            shown = ", ".join(f"{_named(a, i)} {_value_text(a.metric, v) if v == v else '—'}"
                              + (f" ({s})" if s else "") for i, v, s in a.ranking[:8])
            more = f" and {len(a.ranking) - 8} more" if len(a.ranking) > 8 else ""
            lines.append(f"  all designs: {shown}{more}")
    if len({a.recommended for a in answers if not a.verdict}) > 1:
        lines.append("the answer changes between machines: " + "; ".join(
            f"{a.machine} → {_named(a, a.recommended)}" for a in answers if not a.verdict))
    return "\n".join(lines)


def advise(rs, family, threads, args):
    """(answers, notes) for every machine of `rs`."""
    asked = asked_workload(family, args)
    which = getattr(args, "lang", None) or lang.CPP
    notes, answers = [], []
    if asked is None:
        return [], [f"name the workload of {family} with --workload"]
    for machine in rs.machines.index:
        table = _in_lang(rs.table[rs.table["machine"] == machine], which)
        workload, note = nearest_workload(table, family, asked)
        if note and note not in notes:
            notes.append(note)
        if workload is None:
            continue
        t, t_note = nearest_threads(table, family, workload, threads)
        if t_note and t_note not in notes:
            notes.append(t_note)
        answers.append(answer(rs, machine, family, workload, t, args.tail, args.fairness, which))
    return answers, notes


def as_json(answers, notes):
    def rows(items, key):
        return [{"impl": i, "value": v, key: s, "lang": lang.of(i)} for i, v, s in items]
    return {"notes": notes, "answers": [{**asdict(a), "interval": list(a.interval) if a.interval else None,
                                         "ranking": rows(a.ranking, "status"), "aside": rows(a.aside, "label"),
                                         "reference": rows(a.reference, "label")}
                                        for a in answers]}
