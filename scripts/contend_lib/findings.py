"""Findings computed from one machine's table; the report prints them, nothing is hand-written.

Each function returns a Finding (title, sentences, table rows) or None when the data it needs
is absent, so a partial result set still gets a report.
"""
import re
from dataclasses import dataclass, field

import pandas as pd

from . import names
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


@dataclass
class Finding:
    title: str
    sentences: list
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def _ops(table, family, workload, impl):
    rows = table[(table["family"] == family) & (table["workload"] == workload) & (table["impl"] == impl)]
    return rows.set_index("threads")["ops_per_sec"].sort_index()


def _ratio_text(r):
    # Two decimals hide ratios like 0.002× (a design 500x slower) as 0.00×.
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def padding(table):
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
            rows.append([workload_title("false_sharing", workload), int(t), eng(packed[t]), eng(pad64[t]),
                         _ratio_text(r64[t]),
                         _ratio_text(r128[t]) if r128 is not None and pd.notna(r128[t]) else "—"])
        parts = ", ".join(f"{_ratio_text(r64[t])} at {t} thread{'s' if t > 1 else ''}" for t in common)
        sentences.append(f"{workload_title('false_sharing', workload).capitalize()}: padding each "
                         f"per-thread counter to 64 bytes changes throughput by {parts} "
                         f"(pad64 ÷ packed).")
        if r128 is not None and r128.notna().any():
            t = common[-1]
            sentences.append(f"  At {t} threads, 128-byte padding gives {_ratio_text(r128[t])} versus "
                             f"{_ratio_text(r64[t])} for 64 bytes.")
    return Finding("Padding against false sharing", sentences,
                   ["workload", "threads", "packed ops/s", "pad64 ops/s", "pad64 ÷ packed",
                    "pad128 ÷ packed"], rows)


def _crossover(ratio):
    """Smallest thread count from which the ratio stays >= 1 up to the largest count."""
    winning = ratio >= 1.0
    if not winning.any():
        return None
    start = None
    for t in reversed(ratio.index):
        if winning[t]:
            start = t
        else:
            break
    return start


def channel_vs_mutex_map(table):
    maps = table[table["family"] == "maps"]
    if maps.empty or not {"mutex"} <= set(maps["impl"]):
        return None
    channels = [i for i in ("channel", "channel_async") if i in set(maps["impl"])]
    if not channels:
        return None
    sentences, rows, wins = [], [], []
    workloads = sorted(maps["workload"].unique(),
                       key=lambda w: (parse_map_workload(w) or (999, w, w)))
    for impl in channels:
        for workload in workloads:
            ch, mu = _ops(maps, "maps", workload, impl), _ops(maps, "maps", workload, "mutex")
            common = ch.index.intersection(mu.index)
            if common.empty:
                continue
            ratio = ch[common] / mu[common]
            for t in common:
                rows.append([impl, workload, int(t), eng(mu[t]), eng(ch[t]), _ratio_text(ratio[t]),
                             "channel" if ratio[t] >= 1 else "mutex"])
            start = _crossover(ratio)
            best_t = ratio.idxmax()
            won_at = [t for t in common if ratio[t] >= 1]
            if not won_at:
                text = (f"never beats the mutex map (best {_ratio_text(ratio[best_t])} at {best_t} "
                        f"thread{'s' if best_t > 1 else ''})")
            elif start == common[0]:
                text = f"beats the mutex map at every measured thread count ({_ratio_text(ratio.min())} or more)"
            elif start is not None:
                text = (f"beats the mutex map from {start} threads on ({_ratio_text(ratio[common[-1]])} "
                        f"at {common[-1]}); loses below")
            else:
                text = (f"beats the mutex map only at {_list(won_at)} threads (best "
                        f"{_ratio_text(ratio[best_t])} at {best_t}), loses again at {common[-1]} "
                        f"({_ratio_text(ratio[common[-1]])})")
            parsed = parse_map_workload(workload)
            if parsed:
                wins.append((impl, parsed[0], bool(won_at)))
            sentences.append(f"{impl}, {workload_title('maps', workload)}: {text}.")
    for impl in channels:
        mine = [(reads, start) for i, reads, start in wins if i == impl]
        if mine:
            winning_reads = sorted({r for r, won in mine if won})
            losing_reads = sorted({r for r, won in mine if not won} - set(winning_reads))
            sentences.insert(0, f"{impl} map: beats the mutex map at some thread count for read "
                                f"ratios {_list(winning_reads, '%') or '— none'}; never for "
                                f"{_list(losing_reads, '%') or '— none'}.")
    return Finding("Channel (single-owner) map versus mutex map", sentences,
                   ["impl", "workload", "threads", "mutex ops/s", "channel ops/s",
                    "channel ÷ mutex", "faster"], rows)


def _list(values, suffix=""):
    return ", ".join(f"{v}{suffix}" for v in values)


def handoff_vs_floor(table):
    floor = table[(table["family"] == "baseline") & (table["workload"] == "pingpong")]
    pp = table[(table["family"] == "channels") & (table["workload"] == "pingpong")]
    if floor.empty or pp.empty:
        return None
    floor_ns = float(floor["ns_per_op"].min())
    sentences, rows = [], []
    for r in pp.sort_values("ns_per_op").itertuples():
        times = r.ns_per_op / floor_ns
        rows.append([r.impl, f"{r.ns_per_op:.0f}", f"{times:.1f}×", f"{r.ns_per_op - floor_ns:+.0f}"])
        sentences.append(f"{r.impl}: {r.ns_per_op:.0f} ns one-way hand-off, {times:.1f}× the "
                         f"{floor_ns:.0f} ns cache-line ping-pong floor.")
    return Finding("Channel hand-off latency versus the ping-pong floor", sentences,
                   ["channel", "one-way ns", "× floor", "ns above floor"], rows)


def oversubscription(table, hw_threads):
    """Throughput at the largest thread count past the hardware threads versus at the last
    count that fits (the core count, or the largest measured below it)."""
    rows, changes = [], []
    for (family, workload, impl), g in table.groupby(["family", "workload", "impl"]):
        g = g.set_index("threads")["ops_per_sec"].sort_index()
        fit = [t for t in g.index if t <= hw_threads]
        over = [t for t in g.index if t > hw_threads]
        if not fit or not over:
            continue
        t0, t1 = fit[-1], over[-1]
        change = g[t1] / g[t0] - 1
        changes.append((change, family, workload, impl, t0, t1))
        rows.append([family, workload, impl, int(t0), int(t1), eng(g[t0]), eng(g[t1]), f"{change:+.0%}"])
    if not rows:
        return Finding("Past the core count (oversubscription)",
                       [f"No benchmark ran more than {hw_threads} threads on this machine."])
    changes.sort()
    losers = [c for c in changes if c[0] < -0.05]
    gainers = [c for c in changes if c[0] > 0.05]
    sentences = [f"Past {hw_threads} hardware threads, {len(losers)} of {len(changes)} designs lose more "
                 f"than 5% throughput, {len(gainers)} gain more than 5%, the rest hold steady."]
    for label, pick in (("Largest loss", changes[0]), ("Largest gain", changes[-1])):
        change, family, workload, impl, t0, t1 = pick
        sentences.append(f"{label}: {family_title(family)} — {workload_title(family, workload)}, {impl}: "
                         f"{change:+.0%} from {t0} to {t1} threads.")
    by_family = {}
    for change, family, *_ in changes:
        by_family.setdefault(family, []).append(change)
    for family, values in by_family.items():
        sentences.append(f"{family_title(family)}: median change {pd.Series(values).median():+.0%} "
                         f"over {len(values)} designs.")
    rows.sort(key=lambda r: float(r[-1].rstrip("%")))
    return Finding("Past the core count (oversubscription)", sentences,
                   ["family", "workload", "impl", "fits", "oversubscribed", "ops/s fits",
                    "ops/s over", "change"], rows)


def winners(table, hw_threads):
    """Fastest design per workload at the largest thread count that fits the machine."""
    rows = []
    for (family, workload), g in table.groupby(["family", "workload"]):
        fit = g[g["threads"] <= hw_threads]
        # The largest count that fits and has at least two designs to rank.
        counts = [t for t, n in fit.groupby("threads")["impl"].nunique().items() if n >= 2]
        if not counts:
            continue
        t = max(counts)
        at = fit[fit["threads"] == t].sort_values("ops_per_sec", ascending=False)
        best, worst = at.iloc[0], at.iloc[-1]
        rows.append([family, workload, int(t), best["impl"], eng(best["ops_per_sec"]), worst["impl"],
                     f"{best['ops_per_sec'] / worst['ops_per_sec']:.1f}×"])
    if not rows:
        return None
    return Finding(f"Fastest design per workload at up to {hw_threads} threads",
                   [f"{len(rows)} workloads; 'spread' is fastest ÷ slowest at that thread count."],
                   ["family", "workload", "threads", "fastest", "ops/s", "slowest", "spread"], rows)


def all_findings(table, hw_threads):
    found = [winners(table, hw_threads), padding(table), channel_vs_mutex_map(table),
             handoff_vs_floor(table), oversubscription(table, hw_threads)]
    return [f for f in found if f is not None]
