"""Findings computed from one machine's results; the report and the README print them, nothing
is hand-written.

Every comparative sentence (which is faster, by how much) rests on a two-sided Mann–Whitney U
test on the repetitions (compare.p_value, as Google Benchmark's compare.py) and is written only
when p < ALPHA; a difference that is not significant is said to be so, never given a direction.
Rows from tainted runs (CONTRACT.md) are left out unless `include_tainted` is asked for.
Each function returns a Finding or None when the data it needs is absent, so a partial result
set still gets a report.
"""
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from . import names
from .loader import usable
from .stats import p_value
from .names import parse_map_workload, family_title
from .textable import eng

# The channel workloads' suffix is the buffer's capacity in slots; every message is one word.
CHANNEL_CAPACITY = {"small": 64, "large": 8192}


def workload_title(family, workload):
    """names.workload_title, except that channel workloads name their buffer capacity, not a
    message size (every message is one word)."""
    m = re.match(r"(spsc|mpsc|mpmc)-(small|large)$", workload) if family == "channels" else None
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
    sig, flat, untestable = [], [], []
    for t in threads_list:
        c = compare_impls(reps, family, workload, a, b, t, column)
        if c is None:
            continue
        (sig if c.significant else flat if c.testable else untestable).append((t, c))
    if not sig and not flat and not untestable:
        return None
    if untestable and not sig and not flat:
        n = min(min(c.n_a, c.n_b) for _, c in untestable)
        return (f"{family}/{workload}: {a} against {b} cannot be tested (with {n} repetitions a side "
                f"the U-test cannot reach p < {ALPHA}).")
    parts = [describe(c, _threads_text(t), unit, lower_is_better) for t, c in sig]
    if flat:
        ps = ", ".join(p_text(c.p) for _, c in flat)
        parts.append(f"no significant difference between {a} and {b} at "
                     f"{_list([t for t, _ in flat])} thread{'s' if len(flat) > 1 or flat[0][0] != 1 else ''} ({ps})")
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
        wins, losses, flat, cells, best = [], 0, 0, 0, None
        for w in workloads:
            x, y = _ops(fam, family, w, impl), _ops(fam, family, w, baseline)
            for t in x.index.intersection(y.index):
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
    sentences, rows = [], []
    for r in pp.sort_values("ns_per_op").itertuples():
        times = r.ns_per_op / floor_ns
        c = (compare_reps(_values(reps, "channels", "pingpong", r.impl, r.threads, "ns_per_op"), floor_reps,
                          r.impl, "the floor") if reps is not None else None)
        rows.append([r.impl, f"{r.ns_per_op:.0f}", f"{times:.1f}×", f"{r.ns_per_op - floor_ns:+.0f}",
                     p_text(c.p) if c else "—"])
        if c is not None and c.significant:
            sentences.append(f"{r.impl}: {_ns_text(r.ns_per_op)} one-way hand-off, {times:.1f}× the "
                             f"{floor_ns:.0f} ns cache-line ping-pong floor ({p_text(c.p)}).")
    return Finding("Channel hand-off latency versus the cache-line ping-pong floor", sentences,
                   ["channel", "one-way ns", "× floor", "ns above floor", "U-test vs floor"], rows)


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
            mine = mine[~mine["discarded"].fillna(False).astype(bool) & ~mine["tainted"].fillna(False).astype(bool)]
            values = mine["ops_per_sec"].tolist()
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
        at = clean.sort_values("ops_per_sec", ascending=False)
        left_out = [f"{i} {s}" for i, s in ((r["impl"], figure_status(r, all_reps))
                                             for _, r in fit[fit["threads"] == t].iterrows()) if s]
        status = "; ".join(left_out) if left_out else "all clean"
        if len(at) < 2:
            rows.append([family, workload, int(t), "no verdict: fewer than two clean designs", "—", "—", "—", "—",
                         status])
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
        rows.append([family, workload, int(t), best["impl"], eng(best["ops_per_sec"]), worst["impl"],
                     f"{best['ops_per_sec'] / worst['ops_per_sec']:.1f}×",
                     ("yes" if c.significant else "no") + f" ({second['impl']}, {p_text(c.p)})" if c else "—",
                     status])
    if not rows:
        return None
    verdicts = sum(1 for r in rows if not r[3].startswith("no verdict"))
    return Finding(f"Fastest design per workload at up to {hw_threads} threads",
                   [f"{len(rows)} workloads, a verdict in {verdicts}; 'spread' is fastest ÷ slowest at that "
                    f"thread count; 'beats runner-up' is the U-test of the fastest against the second "
                    f"(p < {ALPHA}); 'left out' names every design without a clean figure there, and a "
                    f"workload gets no verdict while a left-out design's clean repetitions (of any "
                    f"placement class) are not all below the leader's."],
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


# The README's findings: which comparisons it states, generated from a result folder so that
# it cannot drift from the committed JSON (tests/python/test_findings.py checks the block).
README_BEGIN = "<!-- findings:begin {folder} -->"
README_END = "<!-- findings:end -->"
README_BLOCK = re.compile(r"<!-- findings:begin (\S+) -->\n(.*?)<!-- findings:end -->", re.S)

HEADLINE = [("counters", "increment"), ("maps", "r90-k1k-uniform"), ("maps", "r0-k1m-uniform"),
            ("stacks", "pairs"), ("channels", "mpsc-small"), ("channels", "spsc-small")]
CLAIMS = [("counters", "increment", "sharded_padded", "atomic_relaxed"),
          ("counters", "increment", "atomic_relaxed", "mutex"),
          ("counters", "increment", "channel", "mutex"),
          ("maps", "r90-k1k-uniform", "channel", "mutex"),
          ("maps", "r90-k1k-uniform", "channel_async", "mutex"),
          ("maps", "r0-k1m-uniform", "channel_async", "mutex"),
          ("false_sharing", "atomic", "pad64", "packed"),
          ("false_sharing", "plain", "pad64", "packed"),
          ("maps", "r90-k1k-uniform", "absl_mutex", "mutex"),
          ("maps", "r90-k1k-uniform", "tbb_spin", "mutex"),
          ("maps", "r90-k1k-uniform", "cuckoo", "mutex"),
          ("maps", "r90-k1k-uniform", "tbb_hash_map", "mutex"),
          ("stacks", "pairs", "treiber", "boost"),
          ("stacks", "pairs", "mutex", "treiber"),
          ("stacks", "pairs", "elimination", "treiber"),
          ("stacks", "pairs", "combining", "treiber"),
          ("stacks", "pairs", "combining", "mutex"),
          ("stacks", "pairs", "treiber_cached", "treiber"),
          ("channels", "mpsc-small", "moody", "boost_queue"),
          ("channels", "spsc-small", "boost_spsc", "moody")]
SCALING = [("counters", "increment", "sharded_padded"), ("counters", "increment", "atomic_relaxed")]


def _headline_table(table, hw):
    threads = sorted(t for t in table["threads"].unique()
                     if t in set(table[table["family"].isin([f for f, _ in HEADLINE])]["threads"]))
    head = ["family / workload", "implementation"] + [
        f"{_threads_text(int(t))}{' (oversubscribed)' if t > hw else ''}" for t in threads] + [f"CPU ns/op at {hw}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for family, workload in HEADLINE:
        w = table[(table["family"] == family) & (table["workload"] == workload)]
        first = True
        for impl in _impl_order(w["impl"].unique()):
            rows = w[w["impl"] == impl].set_index("threads")
            cells = [eng(rows.loc[t, "ops_per_sec"]) if t in rows.index else "—" for t in threads]
            cpu = rows.loc[hw, "cpu_ns_per_op"] if hw in rows.index else float("nan")
            label = f"`{family}/{workload}`" if first else ""
            lines.append(f"| {label} | {impl} | " + " | ".join(cells) + f" | {cpu:.0f} |"
                         if cpu == cpu else f"| {label} | {impl} | " + " | ".join(cells) + " | — |")
            first = False
    return lines


def _impl_order(impls):
    from .style import impl_order  # the charts' order, so table and legend agree
    return impl_order(impls)


def _scaling_sentence(reps, table, family, workload, impl, hw):
    g = table[(table["family"] == family) & (table["workload"] == workload) & (table["impl"] == impl)]
    over = sorted(t for t in g["threads"] if t > hw)
    if hw not in set(g["threads"]) or not over:
        return None
    c = compare_impls(reps, family, workload, impl, impl, over[-1], b_threads=hw)
    if c is None:
        return None
    if not c.significant:
        return (f"{family}/{workload}: {impl} from {hw} to {over[-1]} threads: no significant change "
                f"({eng(c.median_b)} → {eng(c.median_a)} ops/s, {p_text(c.p)}).")
    return (f"{family}/{workload}: {impl} from {hw} to {over[-1]} threads: {_ratio_text(c.ratio)} "
            f"({eng(c.median_b)} → {eng(c.median_a)} ops/s, {p_text(c.p)}).")


def _litmus_lines(folder):
    from .litmus import find, load
    path = find(folder)
    if path is None:
        return []
    seen, never = [], []
    for t in load(path)["litmus"]:
        trials = t.get("trials") or sum(int(o.get("count", 0)) for o in t["outcomes"])
        for o in t["outcomes"]:
            if o.get("class") not in ("interesting", "forbidden"):
                continue
            name = f"{t.get('test')}/{t.get('order')} `{o.get('outcome')}` ({o.get('class')}"
            count = int(o.get("count", 0))
            if count:
                seen.append(f"{name}) in {count / trials:.2%} of {eng(trials)} trials")
            else:
                never.append(f"{name}, {eng(trials)} trials)")
    lines = [f"* Litmus outcomes seen: {'; '.join(seen)}." if seen else "* Litmus: no reordering seen."]
    if never:
        lines.append(f"* Litmus outcomes never seen: {'; '.join(never)}.")
    return lines


def readme_markdown(rs, machine, folder, include_tainted=False):
    """The README's findings block for one result folder, markers included."""
    row = rs.machine(machine)
    hw = int(row["hw_threads"])
    table = clean_table(rs.table[rs.table["machine"] == machine], include_tainted)
    reps = clean_reps(rs.reps[rs.reps["machine"] == machine], include_tainted)
    by_family = table.groupby("family")["repetitions"].min()
    usual = int(by_family.mode().iloc[0])
    others = ", ".join(f"{f}: {int(n)}" for f, n in by_family.items() if n != usual)
    commit = str(row.get("git_commit", "unknown"))
    commit = f"`{commit}`" + (" (a tree with uncommitted changes: re-run from a clean tree)"
                              if commit.endswith("-dirty") else "")
    out = [README_BEGIN.format(folder=folder),
           f"<!-- generated by `scripts/contend findings {folder} --markdown`; edit findings.py, not this -->",
           f"Measured on {row['cpu_model']} ({hw} hardware threads), results of commit {commit}; "
           f"medians of {usual} repetitions per configuration{f' ({others})' if others else ''}. "
           f"A comparison is stated only when a two-sided Mann–Whitney U test on the repetitions "
           f"gives p < {ALPHA}.", ""]
    out += _headline_table(table, hw)
    out.append("")
    hand = handoff_vs_floor(table, reps)
    bullets = []
    if hand is not None:
        bullets += hand.sentences
    for family, workload, a, b in CLAIMS:
        threads = sorted(set(table[(table["family"] == family) & (table["workload"] == workload)
                                   & (table["impl"] == a)]["threads"]))
        text = pair_sentence(reps, family, workload, a, b, threads)
        if text:
            bullets.append(text)
    for family, workload, impl in SCALING:
        text = _scaling_sentence(reps, table, family, workload, impl, hw)
        if text:
            bullets.append(text)
    for f in (channel_vs_mutex_map(table, reps), shared_vs_mutex_map(table, reps)):
        if f is not None:
            bullets.append(f"Maps over every workload: {f.sentences[0]}")
    bullets += _stack_mechanism(table, hw)
    out += [f"* {b}" for b in bullets]
    out += _litmus_lines(rs.folders.get(machine))
    out += _evidence_lines(rs, machine, include_tainted)
    out += [""] + _validity_lines(rs, machine) + [""] + _targets_lines(table)
    out.append(README_END)
    return "\n".join(out) + "\n"


def _evidence_lines(rs, machine, include_tainted):
    """Why the figures are what they are: the sampled latency, what sampling cost, and the
    core-to-core map, each in one computed sentence when the results hold it."""
    from . import core_map, events, latency, overhead
    folder = rs.folders.get(machine)
    lines = []
    if events.event_table(rs.table[rs.table["machine"] == machine], rs.machine(machine)) is not None:
        lines.append("* Event counts: " + events.sentence(rs.table[rs.table["machine"] == machine],
                                                          rs.machine(machine), include_tainted,
                                                          rs.reps[rs.reps["machine"] == machine]))
    sec = latency.section(rs.table[rs.table["machine"] == machine], rs.reps[rs.reps["machine"] == machine],
                          rs.machine(machine), include_tainted)
    if sec is not None:
        lines.append(f"* Latency of single operations, {latency.CLOSED_LOOP}: {sec[0][0]}")
        lines.append(f"* {overhead.sentence(overhead.load(folder))}")
    c2c = core_map.find(folder)
    if c2c is not None:
        lines.append(f"* Core-to-core: {core_map.sentence(core_map.load(c2c))}")
    return lines


def _stack_mechanism(table, hw):
    """Why the mutex stack wins where it does: how long one thread keeps the lock (its line stays
    in that cache), against one line transfer per operation for a lock-free stack; and how much
    the elimination array actually eliminates."""
    pairs = table[(table["family"] == "stacks") & (table["workload"] == "pairs")]
    out = []
    for t in sorted(t for t in pairs["threads"].unique() if 2 <= t <= hw):
        at = pairs[pairs["threads"] == t].set_index("impl")
        if "lock_run_length" in at and "mutex" in at.index and at.loc["mutex", "lock_run_length"] == \
                at.loc["mutex", "lock_run_length"]:
            run = at.loc["mutex", "lock_run_length"]
            versus = f" ({eng(at.loc['mutex', 'ops_per_sec'])} vs treiber's {eng(at.loc['treiber', 'ops_per_sec'])} ops/s)" \
                if "treiber" in at.index else ""
            out.append(f"stacks/pairs at {_threads_text(int(t))}: the mutex stack's lock passes to another thread "
                       f"once every {run:.0f} acquisitions on average (`lock_run_length`), so its line moves once "
                       f"per {run:.0f} operations, while every lock-free push or pop moves the head's line{versus}.")
        if "eliminated_fraction" in at and "elimination" in at.index and \
                at.loc["elimination", "eliminated_fraction"] == at.loc["elimination", "eliminated_fraction"]:
            frac = at.loc["elimination", "eliminated_fraction"]
            backoff = "treiber" in at.index and frac < 0.01 and \
                at.loc["elimination", "ops_per_sec"] > at.loc["treiber", "ops_per_sec"]
            out.append(f"stacks/pairs at {_threads_text(int(t))}: the elimination stack eliminated {frac:.2%} of "
                       "its operations" + ("; what it gains over treiber here comes from the array acting as "
                                           "backoff, not from exchanges." if backoff else "."))
    return out


def _validity_lines(rs, machine):
    """How far the block can be trusted: clean figures, the invariants, the hand-timed loop."""
    from . import loader, validity
    table = rs.table[rs.table["machine"] == machine]
    tainted = int(table["tainted"].sum()) if "tainted" in table else 0
    lines = [f"Validity: {len(table) - tainted} of {len(table)} figures clean after re-runs "
             f"({tainted} tainted by foreign load, low parallelism or placement; left out above)."]
    folder = rs.folders.get(machine)
    hand = loader.hand_timed(folder) if folder is not None else None
    violations, notes = validity.check(table, rs.reps[rs.reps["machine"] == machine],
                                       rs.machine(machine).to_dict(), hand)
    lines += [f"* {line.strip()}" for line in validity.report(violations, notes)[:1]]
    lines += [f"* {v.invariant.name}: {v.detail}" for v in violations]
    rates = validity.hand_timed_rates(hand)[0] if hand else {}
    base = table[(table["family"] == "baseline") & (table["workload"] == "increment")
                 & (table["impl"] == "contended")].set_index("threads")["ops_per_sec"]
    for t, rate in sorted(rates.items()):
        if t in base.index:
            lines.append(f"* Hand-timed loop outside Google Benchmark at {_threads_text(t)}: {eng(rate)} "
                         f"increments/s against the harness's {eng(base[t])} ({rate / base[t]:.2f}×).")
    return lines


def _target_ratio(ratio):
    # Two decimals, but small fractions (an idle CPU share, wakeups per send) keep two digits.
    return f"{ratio:.2f}" if ratio == 0 or abs(ratio) >= 0.1 else f"{ratio:.2g}"


def _targets_lines(table):
    from . import targets
    rows = targets.evaluate(table)
    if not rows:
        return []
    out = ["| target | measured | ratio | met | what was tried |", "|---|---|---|---|---|"]
    previous = None
    for r in rows:
        ratio = "—" if r["ratio"] is None else _target_ratio(r["ratio"])
        met = "—" if r["met"] is None else "yes" if r["met"] else "**no**"
        tried = r.get("tried", "")
        shown = "as above" if tried and tried == previous else tried
        previous = tried or previous
        out.append(f"| {r['target']} | {r['measured']} | {ratio} | {met} | {shown} |")
    return out


def readme_block(text):
    """(folder, whole block) of the findings block in README text, or None."""
    m = README_BLOCK.search(text)
    return (m.group(1), m.group(0) + "\n") if m else None


def _repo_relative(path):
    """The folder as the README names it: relative to the repository when inside it."""
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    try:
        return str(Path(path).resolve().relative_to(repo))
    except ValueError:
        return str(path).rstrip("/")


def command(args):
    """`contend findings RESULTS [--markdown] [--include-tainted]` (wired up in cli.py)."""
    from . import loader
    from .errors import ContendError
    rs = loader.load(args.results)
    include = getattr(args, "include_tainted", False)
    if args.markdown:
        if len(rs.machines) != 1 or len(args.results) != 1:
            raise ContendError("findings", "--markdown takes exactly one result folder")
        print(readme_markdown(rs, rs.machines.index[0], _repo_relative(args.results[0]), include), end="")
        return 0
    for machine in rs.machines.index:
        table = rs.table[rs.table["machine"] == machine]
        hw = int(rs.machine(machine)["hw_threads"])
        print(f"# {machine}")
        for f in all_findings(table, hw, rs.reps[rs.reps["machine"] == machine], include):
            print(f"\n## {f.title}")
            for sentence in f.sentences:
                print(f"- {sentence.strip()}")
    return 0
