"""Findings computed from one machine's results; the report and the README print them, nothing
is hand-written.

Every comparative sentence (which is faster, by how much) rests on a two-sided Mann–Whitney U
test on the repetitions (compare.p_value, as Google Benchmark's compare.py) and is written only
when p < ALPHA; a difference that is not significant is said to be so, never given a direction.
Rows from tainted runs (docs/results-format.md) are left out unless `include_tainted` is asked for.
Like is compared with like (sides.py): a figure whose sides ran on one core is never ranked
against a cross-core one nor held against the cross-core floor, nor a figure of another placement
class against the run's; the sentence says so beside it instead, and names the difference where
two figures of one workload do different work (lang.work_note).
Each function returns a Finding or None when the data it needs is absent, so a partial result
set still gets a report.
"""
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from . import lang, names, sides
from .loader import usable
from .stats import p_value
from .names import parse_map_workload, family_title
from .textable import eng

# The channel workloads' suffix is the buffer's capacity in slots; every message is one word.
CHANNEL_CAPACITY = {"small": 64, "large": 8192}


def workload_title(family, workload):
    """names.workload_title, except that channel workloads name their buffer capacity, not a
    message size (every message is one word)."""
    m = re.match(r"(spsc|mpsc|mpmc)-(small|large|unbuffered)$", workload) if family == "channels" else None
    if m and m.group(2) == "unbuffered":
        return f"{m.group(1).upper()}, unbuffered (capacity 0: every send a rendezvous), one-word messages"
    if m:
        return f"{m.group(1).upper()}, {CHANNEL_CAPACITY[m.group(2)]}-slot buffer, one-word messages"
    return names.workload_title(family, workload)


from .stats import ALPHA  # noqa: E402  (one alpha for every test)


@dataclass
class Heatmap:
    """X ÷ Y of the medians per (workload, threads), one panel per X; `p` per cell."""
    title: str
    baseline: str                # Y
    panels: dict                 # X -> DataFrame (index workload, columns threads) of ratios
    p: dict                      # X -> DataFrame of p-values (NaN: not testable)
    holes: dict = None           # X -> DataFrame of why a cell is empty ("tainted", "excluded", "")


@dataclass
class Finding:
    title: str
    sentences: list
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    heatmap: Heatmap = None


@dataclass
class Comparison:
    """Median of `a` ÷ median of `b` over their repetitions, with the U-test's p-value."""
    a: str
    b: str
    median_a: float
    median_b: float
    p: float  # None when either side has too few repetitions to test

    @property
    def ratio(self):
        return self.median_a / self.median_b if self.median_b else float("nan")

    n_a: int = 0
    n_b: int = 0

    @property
    def significant(self):
        return self.p is not None and self.p < ALPHA

    @property
    def testable(self):
        """The smallest two-sided p the U-test can give with these sizes is 2 / C(n+m, n):
        with 3 repetitions a side it is 0.1, so nothing could ever be significant."""
        if self.p is None or not self.n_a or not self.n_b:
            return False
        return 2 / math.comb(self.n_a + self.n_b, self.n_a) < ALPHA


def clean_reps(reps, include_tainted=False):
    """The repetitions statistics may use: never discarded ones nor other placement classes'
    (loader.usable), tainted ones only if asked."""
    if reps is None:
        return None
    keep = usable(reps)
    if not include_tainted and "tainted" in reps:
        keep &= ~reps["tainted"].fillna(False).astype(bool)
    return reps[keep]


def clean_table(table, include_tainted=False):
    if include_tainted or "tainted" not in table:
        return table
    return table[~table["tainted"].fillna(False).astype(bool)]


def _values(reps, family, workload, impl, threads, column="ops_per_sec"):
    r = reps[(reps["family"] == family) & (reps["workload"] == workload) & (reps["impl"] == impl)
             & (reps["threads"] == threads)]
    return r[column].dropna().to_numpy()


def compare_reps(a_values, b_values, a="a", b="b"):
    if len(a_values) == 0 or len(b_values) == 0:
        return None
    return Comparison(a, b, float(pd.Series(a_values).median()), float(pd.Series(b_values).median()),
                      p_value(a_values, b_values), len(a_values), len(b_values))


def compare_impls(reps, family, workload, a, b, threads, column="ops_per_sec", b_threads=None):
    """`a` at `threads` against `b` at `b_threads` (default the same count)."""
    if reps is None:
        return None
    return compare_reps(_values(reps, family, workload, a, threads, column),
                        _values(reps, family, workload, b, threads if b_threads is None else b_threads,
                                column), a, b)


def figure_of(reps, family, workload, impl, threads):
    """One figure as the repetitions carry it (its sides, claim, class, work, and the median
    parallelism of its usable repetitions): what sides.apart and sides.label read; {} when absent."""
    if reps is None or "impl" not in reps:
        return {}
    r = reps[(reps["family"] == family) & (reps["workload"] == workload) & (reps["impl"] == impl)
             & (reps["threads"] == threads)]
    if r.empty:
        return {}
    first = r.iloc[0]
    out = {"impl": impl, "threads": threads}
    for c in ("sides", "parallelism_claim", "other_placement", "work"):
        if c in r:
            out[c] = first[c]
    out["placement"] = first["figure_class"] if "figure_class" in r else ""
    if "parallelism" in r:
        kept = r[usable(r)]["parallelism"].dropna()
        out["parallelism"] = float(kept.median()) if len(kept) else float("nan")
    return out


def apart(reps, family, workload, a, b, threads, b_threads=None):
    """Why figure a and figure b are not compared (sides.apart), or ""."""
    return sides.apart(figure_of(reps, family, workload, a, threads),
                       figure_of(reps, family, workload, b, threads if b_threads is None else b_threads))


def work_text(reps, family, workload, a, b, threads):
    """How the two figures' work differs, as a phrase, or ""."""
    fa, fb = figure_of(reps, family, workload, a, threads), figure_of(reps, family, workload, b, threads)
    return lang.work_difference(a, fa.get("work", ""), b, fb.get("work", ""))


def p_text(p):
    return "p n/a (too few repetitions)" if p is None else f"p = {p:.3f}" if p >= 0.001 else "p < 0.001"


def _ops(table, family, workload, impl):
    rows = table[(table["family"] == family) & (table["workload"] == workload) & (table["impl"] == impl)]
    return rows.set_index("threads")["ops_per_sec"].sort_index()


def _ratio_text(r):
    # Two decimals hide ratios like 0.002× (a design 500x slower) as 0.00×.
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def _threads_text(t):
    return f"{t} thread{'s' if t != 1 else ''}"


def _list(values, suffix=""):
    return ", ".join(f"{v}{suffix}" for v in values)


def describe(c, at, unit="ops/s", lower_is_better=False):
    """One comparison in words: the direction and size when significant, else that it is not."""
    if c is None:
        return None
    if not c.significant:
        return f"no significant difference at {at} ({p_text(c.p)})"
    better = (c.ratio < 1) if lower_is_better else (c.ratio > 1)
    word = ("faster" if better else "slower")
    return (f"{c.a} is {word} than {c.b} at {at}: {_ratio_text(c.ratio)} ({eng(c.median_a)} vs "
            f"{eng(c.median_b)} {unit}, {p_text(c.p)})")


def pair_sentence(reps, family, workload, a, b, threads_list, column="ops_per_sec", unit="ops/s",
                  lower_is_better=False):
    """`a` against `b` at each thread count: significant differences with direction and size,
    then the counts where the U-test finds none; None when nothing was measured."""
    sig, flat, untestable, unlike, work = [], [], [], [], set()
    for t in threads_list:
        c = compare_impls(reps, family, workload, a, b, t, column)
        if c is None:
            continue
        why = apart(reps, family, workload, a, b, t)
        if why:
            unlike.append(f"not compared at {_threads_text(t)}: {why}")
            continue
        w = work_text(reps, family, workload, a, b, t)
        if w:
            work.add(w)
        (sig if c.significant else flat if c.testable else untestable).append((t, c))
    if not sig and not flat and not untestable:
        return f"{family}/{workload}: " + "; ".join(unlike) + "." if unlike else None
    if untestable and not sig and not flat:
        n = min(min(c.n_a, c.n_b) for _, c in untestable)
        return (f"{family}/{workload}: {a} against {b} cannot be tested (with {n} repetitions a side "
                f"the U-test cannot reach p < {ALPHA}).")
    parts = [describe(c, _threads_text(t), unit, lower_is_better) for t, c in sig]
    if flat:
        ps = ", ".join(p_text(c.p) for _, c in flat)
        parts.append(f"no significant difference between {a} and {b} at "
                     f"{_list([t for t, _ in flat])} thread{'s' if len(flat) > 1 or flat[0][0] != 1 else ''} ({ps})")
    parts += unlike + sorted(work)
    return f"{family}/{workload}: " + "; ".join(parts) + "."


def padding(table, reps=None):
    fs = table[table["family"] == "false_sharing"]
    if fs.empty or not {"packed", "pad64"} <= set(fs["impl"]):
        return None
    sentences, rows = [], []
    for workload in sorted(fs["workload"].unique()):
        packed = _ops(fs, "false_sharing", workload, "packed")
        pad64 = _ops(fs, "false_sharing", workload, "pad64")
        pad128 = _ops(fs, "false_sharing", workload, "pad128")
        common = packed.index.intersection(pad64.index)
        if common.empty:
            continue
        r64 = pad64[common] / packed[common]
        r128 = (pad128.reindex(common) / packed[common]) if not pad128.empty else None
        for t in common:
            c = compare_impls(reps, "false_sharing", workload, "pad64", "packed", t)
            rows.append([workload_title("false_sharing", workload), int(t), eng(packed[t]), eng(pad64[t]),
                         _ratio_text(r64[t]),
                         _ratio_text(r128[t]) if r128 is not None and pd.notna(r128[t]) else "—",
                         p_text(c.p) if c else "—"])
        text = pair_sentence(reps, "false_sharing", workload, "pad64", "packed", list(common))
        if text:
            sentences.append(f"{workload_title('false_sharing', workload).capitalize()} — {text}")
    return Finding("Padding against false sharing", sentences,
                   ["workload", "threads", "packed ops/s", "pad64 ops/s", "pad64 ÷ packed",
                    "pad128 ÷ packed", "pad64 vs packed"], rows)


def _map_workload_order(workloads):
    return sorted(workloads, key=lambda w: (parse_map_workload(w) or (999, w, w)))


def _hole(full, all_reps, family, workload, impls, threads):
    """Why a heatmap cell is empty: the status of the first of `impls` left out there."""
    for impl in impls:
        row = full[(full["family"] == family) & (full["workload"] == workload) & (full["impl"] == impl)
                   & (full["threads"] == threads)]
        if row.empty:
            continue
        status = figure_status(row.iloc[0], all_reps)
        if status:
            return f"{impl} {status.split(':')[0]}"
    return ""


def versus(table, reps, family, contenders, baseline, title, full=None, all_reps=None):
    """X versus Y over many workloads: a heatmap of X ÷ Y (workload × threads) per contender,
    each cell marked by its U-test, under one computed summary sentence."""
    fam = table[table["family"] == family]
    contenders = [i for i in contenders if i in set(fam["impl"])]
    if fam.empty or baseline not in set(fam["impl"]) or not contenders:
        return None
    workloads = _map_workload_order(fam["workload"].unique()) if family == "maps" else sorted(fam["workload"].unique())
    threads = sorted(fam["threads"].unique())
    panels, pvals, holes, rows, counts = {}, {}, {}, [], []
    full = table if full is None else full
    for impl in contenders:
        ratio = pd.DataFrame(float("nan"), index=workloads, columns=threads)
        pv = ratio.copy()
        hole = pd.DataFrame("", index=workloads, columns=threads)
        for w in workloads:
            for t in threads:
                hole.loc[w, t] = _hole(full, all_reps, family, w, [impl, baseline], t)
                if hole.loc[w, t]:
                    rows.append([impl, w, int(t), "—", "—", "—", "—", f"left out: {hole.loc[w, t]}"])
        holes[impl] = hole
        wins, losses, flat, cells, best, unlike = [], 0, 0, 0, None, 0
        for w in workloads:
            x, y = _ops(fam, family, w, impl), _ops(fam, family, w, baseline)
            for t in x.index.intersection(y.index):
                why = _unlike(fam, family, w, impl, baseline, t)
                if why:
                    hole.loc[w, t] = why
                    unlike += 1
                    rows.append([impl, w, int(t), eng(y[t]), eng(x[t]), "—", "—", f"not compared: {why}"])
                    continue
                ratio.loc[w, t] = x[t] / y[t]
                c = compare_impls(reps, family, w, impl, baseline, t)
                p = c.p if c is not None else None
                pv.loc[w, t] = p if p is not None else float("nan")
                cells += 1
                significant = c is not None and c.significant
                if significant and c.ratio > 1:
                    wins.append(f"{w} at {_threads_text(int(t))} ({_ratio_text(c.ratio)}, {p_text(p)})")
                elif significant:
                    losses += 1
                    best = max(best or 0, c.ratio)
                else:
                    flat += 1
                rows.append([impl, w, int(t), eng(y[t]), eng(x[t]), _ratio_text(x[t] / y[t]), p_text(p),
                             (impl if c.ratio > 1 else baseline) if significant else "not significant"])
        panels[impl], pvals[impl] = ratio, pv
        if cells:
            part = (f"{impl} is significantly faster than {baseline} in {len(wins)} of {cells} "
                    f"configurations" + (f" ({'; '.join(wins)})" if wins else "")
                    + f", significantly slower in {losses}")
            if best is not None:
                part += f" (the closest at {_ratio_text(best)})"
            part += f", not significantly different in {flat}"
            if unlike:
                part += (f"; {unlike} not compared (one side ran on one core, the other across cores, or "
                         f"in another placement class)")
            counts.append(part)
    if not counts:
        return None
    sentence = "; ".join(counts) + (f" (two-sided Mann–Whitney U on the repetitions, p < {ALPHA}; "
                                    f"{_list(workloads) if len(workloads) <= 3 else f'{len(workloads)} workloads'} "
                                    f"× {_list(threads)} threads).")
    return Finding(title, [sentence],
                   ["impl", "workload", "threads", f"{baseline} ops/s", "impl ops/s", f"impl ÷ {baseline}",
                    "U-test", "faster"], rows,
                   heatmap=Heatmap(title, baseline, panels, pvals, holes))


def _unlike(fam, family, workload, a, b, threads):
    """Why two clean figures of a versus-table are not compared, as a heatmap hole names it
    ("mutex one core", "channel placement class 31 ns"), or ""."""
    rows = {}
    for impl in (a, b):
        hit = fam[(fam["family"] == family) & (fam["workload"] == workload) & (fam["impl"] == impl)
                  & (fam["threads"] == threads)]
        rows[impl] = hit.iloc[0] if len(hit) else None
    if rows[a] is None or rows[b] is None or not sides.apart(rows[a], rows[b]):
        return ""
    for impl in (a, b):
        if sides.one_core(rows[impl]) and not all(sides.one_core(r) for r in rows.values()):
            return f"{impl} {sides.ONE_CORE}"
    for impl in (a, b):
        if sides.other_placement(rows[impl]):
            return f"{impl} placement class {sides.other_placement(rows[impl])}"
    return "not alike"


def channel_vs_mutex_map(table, reps=None, full=None, all_reps=None):
    return versus(table, reps, "maps", ["channel", "channel_async"], "mutex",
                  "Channel (single-owner) map versus mutex map", full, all_reps)


def shared_vs_mutex_map(table, reps=None, full=None, all_reps=None):
    return versus(table, reps, "maps", ["shared_mutex"], "mutex", "shared_mutex map versus mutex map", full,
                  all_reps)


def _floor(table):
    # The spinning cache-line hand-off, not the futex sleep/wake one beside it (also baseline/pingpong).
    floor = table[(table["family"] == "baseline") & (table["workload"] == "pingpong") & (table["impl"] == "cache_line")]
    if floor.empty:
        return None
    best = floor.sort_values("ns_per_op").iloc[0]
    return best["impl"], int(best["threads"]), float(best["ns_per_op"])


def _ns_text(ns):
    return f"{ns / 1000:.1f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def handoff_vs_floor(table, reps=None):
    pp = table[(table["family"] == "channels") & (table["workload"] == "pingpong")]
    floor = _floor(table)
    if floor is None or pp.empty:
        return None
    floor_impl, floor_t, floor_ns = floor
    floor_reps = _values(reps, "baseline", "pingpong", floor_impl, floor_t, "ns_per_op") if reps is not None else []
    rows, above, unlike = [], [], []
    for _, r in pp.sort_values("ns_per_op").iterrows():
        why = cross_core_floor_apart(r)
        if why:
            rows.append([f"{r['impl']} ({why})", f"{r['ns_per_op']:.0f}", f"{floor_ns:.0f}", "not compared", "—", "—"])
            unlike.append(f"{r['impl']} ({why})")
            continue
        times = r["ns_per_op"] / floor_ns
        c = (compare_reps(_values(reps, "channels", "pingpong", r["impl"], r["threads"], "ns_per_op"), floor_reps,
                          r["impl"], "the floor") if reps is not None else None)
        rows.append([r["impl"], f"{r['ns_per_op']:.0f}", f"{floor_ns:.0f}", f"{times:.1f}×",
                     f"{r['ns_per_op'] - floor_ns:+.0f}", p_text(c.p) if c else "—"])
        if c is not None and c.significant:
            above.append((r["impl"], times, c.p))
    # One sentence for the table, not a bullet a channel: the range, and how many the test separates.
    sentences = []
    if above:
        lo, hi = min(above, key=lambda a: a[1]), max(above, key=lambda a: a[1])
        sentences.append(f"{len(above)} of {len(rows) - len(unlike)} channels' one-way hand-off is significantly "
                         f"above the {floor_ns:.0f} ns cache-line ping-pong floor, from {lo[1]:.1f}× ({lo[0]}) to "
                         f"{hi[1]:.1f}× ({hi[0]}) (U-test against the floor's repetitions, p < {ALPHA})"
                         + (f"; not held against the cross-core floor: {', '.join(unlike)}." if unlike else "."))
    return Finding("Channel hand-off latency versus the cache-line ping-pong floor", sentences,
                   ["channel", "one-way ns", "floor ns", "× floor", "ns above floor", "U-test vs floor"], rows)


def cross_core_floor_apart(row):
    """Why a hand-off figure is not held against the cross-core cache-line floor ("one core:
    parallelism 1.08 of 2"; its hand-offs stayed on one CPU), or ""."""
    return sides.label(row)


def oversubscription(table, hw_threads, reps=None):
    """Throughput at the largest thread count past the hardware threads versus at the last
    count that fits (the core count, or the largest measured below it); a change counts only
    when the U-test finds it."""
    rows, changes = [], []
    for (family, workload, impl), g in table.groupby(["family", "workload", "impl"]):
        g = g.set_index("threads")["ops_per_sec"].sort_index()
        fit = [t for t in g.index if t <= hw_threads]
        over = [t for t in g.index if t > hw_threads]
        if not fit or not over:
            continue
        t0, t1 = fit[-1], over[-1]
        change = g[t1] / g[t0] - 1
        c = compare_impls(reps, family, workload, impl, impl, t1, b_threads=t0)
        significant = c is not None and c.significant
        changes.append((change, family, workload, impl, t0, t1, significant, c.p if c else None))
        rows.append([family, workload, impl, int(t0), int(t1), eng(g[t0]), eng(g[t1]), f"{change:+.0%}",
                     p_text(c.p) if c else "—"])
    if not rows:
        return Finding("Past the core count (oversubscription)",
                       [f"No benchmark ran more than {hw_threads} threads on this machine."])
    changes.sort()
    losers = [c for c in changes if c[6] and c[0] < 0]
    gainers = [c for c in changes if c[6] and c[0] > 0]
    sentences = [f"Past {hw_threads} hardware threads, {len(losers)} of {len(changes)} designs lose "
                 f"throughput significantly, {len(gainers)} gain significantly, and for "
                 f"{len(changes) - len(losers) - len(gainers)} the U-test finds no change (p < {ALPHA})."]
    for label, pool in (("Largest significant loss", losers[:1]), ("Largest significant gain", gainers[-1:])):
        for change, family, workload, impl, t0, t1, _, p in pool:
            sentences.append(f"{label}: {family_title(family)} — {workload_title(family, workload)}, {impl}: "
                             f"{change:+.0%} from {t0} to {t1} threads ({p_text(p)}).")
    rows.sort(key=lambda r: float(r[7].rstrip("%")))
    return Finding("Past the core count (oversubscription)", sentences,
                   ["family", "workload", "impl", "fits", "oversubscribed", "ops/s fits",
                    "ops/s over", "change", "U-test"], rows)


def figure_status(row, reps=None):
    """Why a figure of the full table is left out ("excluded: 2 of 5 repetitions in placement class
    34 ns", "tainted: foreign load 0.40 CPU"), or "" when it is clean."""
    if row.get("excluded", False):
        return f"excluded: {row['exclusion']}"
    if not row.get("tainted", False):
        return ""
    if reps is not None and "taint_reason" in reps:
        mine = reps[usable(reps) & _at(reps, row["family"], row["workload"], row["impl"], row["threads"])
                    & reps["tainted"].fillna(False).astype(bool)]
        reasons = [r for r in mine["taint_reason"] if r]
        if reasons:
            return f"tainted: {max(set(reasons), key=reasons.count)}"
    return "tainted"


def _at(reps, family, workload, impl, threads):
    return ((reps["family"] == family) & (reps["workload"] == workload) & (reps["impl"] == impl)
            & (reps["threads"] == threads))


def blocking_exclusion(full, all_reps, family, workload, threads, leader_values):
    """The left-out designs at one point that could still win: those whose clean repetitions, of
    any placement class, are not all below every one of the leader's (or that have none).
    [(impl, status)]."""
    out = []
    at = full[(full["family"] == family) & (full["workload"] == workload) & (full["threads"] == threads)]
    for _, row in at.iterrows():
        status = figure_status(row, all_reps)
        if not status:
            continue
        values = []
        if all_reps is not None:
            mine = all_reps[_at(all_reps, family, workload, row["impl"], threads)]
            # Any placement class counts here (other_class ones included): only replaced and
            # disturbed repetitions are not evidence of what the design can do.
            keep = pd.Series(True, index=mine.index)
            for column in ("discarded", "tainted"):
                if column in mine:
                    keep &= ~mine[column].fillna(False).astype(bool)
            values = mine.loc[keep, "ops_per_sec"].tolist()
        if not values or not len(leader_values) or max(values) >= min(leader_values):
            out.append((row["impl"], status))
    return out


def winners(table, hw_threads, reps=None, full=None, all_reps=None):
    """Fastest design per workload at the largest thread count that fits the machine, whether it
    beats the runner-up significantly, and every design's status. No verdict when a left-out
    design (tainted, or excluded for its placement class) could have won: `full` is the table with
    the left-out figures, `all_reps` every repetition (loader's reps)."""
    full = table if full is None else full
    rows = []
    for (family, workload), g in full.groupby(["family", "workload"]):
        fit = g[g["threads"] <= hw_threads]
        # The largest count that fits and has at least two designs to rank.
        counts = [t for t, n in fit.groupby("threads")["impl"].nunique().items() if n >= 2]
        if not counts:
            continue
        t = max(counts)
        clean = table[(table["family"] == family) & (table["workload"] == workload) & (table["threads"] == t)]
        ranked, aside = sides.tiers(clean)
        at = ranked.sort_values("ops_per_sec", ascending=False)
        left_out = [f"{i} {s}" for i, s in ((r["impl"], figure_status(r, all_reps))
                                             for _, r in fit[fit["threads"] == t].iterrows()) if s]
        left_out += [f"{r['impl']} not ranked ({'; '.join(sides.labels(r))})" for _, r in aside.iterrows()]
        status = "; ".join(left_out) if left_out else "all clean"
        if len(at) < 2:
            why = "fewer than two clean designs" if aside.empty else "fewer than two comparable clean designs"
            rows.append([family, workload, int(t), f"no verdict: {why}", "—", "—", "—", "—", status])
            continue
        best, second, worst = at.iloc[0], at.iloc[1], at.iloc[-1]
        leader = _values(reps, family, workload, best["impl"], t) if reps is not None else []
        blocking = blocking_exclusion(full, all_reps, family, workload, t, list(leader))
        if blocking:
            fastest = "no verdict: " + ", ".join(f"{i} {s.split(':')[0]} ({s.split(': ', 1)[-1]})"
                                                 for i, s in blocking)
            rows.append([family, workload, int(t), fastest, "—", "—", "—", "—", status])
            continue
        c = compare_impls(reps, family, workload, best["impl"], second["impl"], t)
        work = lang.work_difference(best["impl"], best.get("work", ""), second["impl"], second.get("work", ""))
        rows.append([family, workload, int(t), lang.label(best["impl"]), eng(best["ops_per_sec"]),
                     lang.label(worst["impl"]), f"{best['ops_per_sec'] / worst['ops_per_sec']:.1f}×",
                     ("yes" if c.significant else "no") + f" ({lang.label(second['impl'])}, {p_text(c.p)}"
                     + (f"; {work}" if work else "") + ")" if c else "—",
                     status])
    if not rows:
        return None
    verdicts = sum(1 for r in rows if not r[3].startswith("no verdict"))
    return Finding(f"Fastest design per workload at up to {hw_threads} threads",
                   [f"{len(rows)} workloads, a verdict in {verdicts}; 'spread' is fastest ÷ slowest at that "
                    f"thread count; 'beats runner-up' is the U-test of the fastest against the second "
                    f"(p < {ALPHA}); 'left out' names every design without a clean figure there, and a "
                    f"workload gets no verdict while a left-out design's clean repetitions (of any "
                    f"placement class) are not all below the leader's; like is ranked with like: a figure "
                    f"whose sides ran on one core (parallelism below {sides.ONE_CORE_BELOW} of the 2 or more "
                    f"CPUs its threads claim) is named 'not ranked' beside cross-core ones, as is a figure "
                    f"of another placement class; Go's designs are labelled (Go's)."],
                   ["family", "workload", "threads", "fastest", "ops/s", "slowest", "spread",
                    "beats runner-up", "left out"], rows)


def all_findings(table, hw_threads, reps=None, include_tainted=False):
    full, all_reps = table, reps
    table, reps = clean_table(table, include_tainted), clean_reps(reps, include_tainted)
    found = [winners(table, hw_threads, reps, full, all_reps), padding(table, reps),
             channel_vs_mutex_map(table, reps, full, all_reps), shared_vs_mutex_map(table, reps, full, all_reps),
             handoff_vs_floor(table, reps),
             oversubscription(table, hw_threads, reps)]
    return [f for f in found if f is not None]


