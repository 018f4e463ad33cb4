"""Result sets from different CPUs (or commits): ratio table, significance, per-family summary,
ratio charts.

The ratio is B/A of the medians of `ops_per_sec` over the repetitions. The significance test
follows Google Benchmark's tools/compare.py (gbench/report.py): a two-sided Mann–Whitney U test
on the per-repetition values, alpha 0.05, at least 2 repetitions per side to run at all, and 9
or more for a result to be trusted. With 3 repetitions per side the smallest possible two-sided
p-value is 0.1, so nothing can be "significant" at 0.05 then. The interval around each ratio is
a percentile bootstrap: each side's repetitions resampled with replacement, seeded from the
configuration's name so the same data always gives the same interval (and the same chart bytes).

Like with like: a row whose figure ran on one core in one set and across cores in the other
(sides.py), or whose work differs between the sets (an older Go file's get_many or mutex stack:
lang.work_note), is shown with why in the column `not alike` and left out of the summary's counts.
"""
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from scipy.stats import gmean

from . import core_map, plot, sides, style
from .placement import CLASS_GAP
from .stats import ALPHA, CONFIDENCE, MIN_REPETITIONS, OPTIMAL_REPETITIONS, p_value, ratio_interval, seed_of  # noqa: F401
from .errors import ContendError
from .names import FAMILIES, slug
from .textable import eng, render

CONFIG = ["family", "workload", "impl", "threads"]
SORTS = ("config", "effect")


_seed = seed_of


def _kept_reps(rs):
    """Per-repetition ops/s per (machine, config): the usable ones (loader.usable)."""
    reps = rs.kept_reps()
    return {k: g["ops_per_sec"].to_numpy() for k, g in reps.groupby(["machine"] + CONFIG)}


def _tainted(frame):
    """The loader's `tainted` flag per table row; files written before it was measured are clean."""
    if "tainted" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["tainted"].fillna(False).astype(bool)


def ratio_table(rs):
    """Long table: every other set against the first (B/A), per family/workload/impl/threads.
    `tainted` marks rows where either side's measurement was disturbed (see leave_out_tainted)."""
    machines = list(rs.machines.index)
    base = machines[0]
    cores = rs.machines["core_count"]
    per_rep = _kept_reps(rs)
    table = rs.table.assign(tainted=_tainted(rs.table))
    frames = []
    for other in machines[1:]:
        a = table[table["machine"] == base]
        b = table[table["machine"] == other]
        m = a.merge(b, on=CONFIG, suffixes=("_a", "_b"))
        if m.empty:
            raise ContendError(f"{base} vs {other}", "no benchmarks in common (no family/workload/"
                                                     "impl/threads measured in both)")
        out = m[CONFIG].copy()
        out.insert(0, "b", other)
        out.insert(0, "a", base)
        out["ops_a"] = m["ops_per_sec_a"]
        out["ops_b"] = m["ops_per_sec_b"]
        out["ratio"] = m["ops_per_sec_b"] / m["ops_per_sec_a"]
        keys = list(zip(*(m[c] for c in CONFIG)))
        intervals = [ratio_interval(per_rep[(base,) + k], per_rep[(other,) + k], _seed(k)) for k in keys]
        out["ci_low"] = [lo for lo, _ in intervals]
        out["ci_high"] = [hi for _, hi in intervals]
        out["per_core_a"] = m["ops_per_sec_a"] / cores[base]
        out["per_core_b"] = m["ops_per_sec_b"] / cores[other]
        out["per_core_ratio"] = out["per_core_b"] / out["per_core_a"]
        out["reps_a"] = m["repetitions_a"].astype(int)
        out["reps_b"] = m["repetitions_b"].astype(int)
        out["p_value"] = [p_value(per_rep[(base,) + k], per_rep[(other,) + k]) for k in keys]
        out["tainted"] = m["tainted_a"] | m["tainted_b"]
        out["unlike"] = [_unlike(r) for _, r in m.iterrows()]
        frames.append(out)
    table = pd.concat(frames, ignore_index=True)
    table["p_value"] = table["p_value"].astype(float)
    return _config_order(table)


def _unlike(row):
    """Why one design's figures in two sets are not alike ("" when they are): one ran on one core,
    the other across cores, or they did different work."""
    a = {k[:-2]: v for k, v in row.items() if k.endswith("_a")}
    b = {k[:-2]: v for k, v in row.items() if k.endswith("_b")}
    sa, sb = sides.of(a), sides.of(b)
    if {sa, sb} == {sides.ONE_CORE, sides.CROSS_CORE}:
        return "A " + (sides.label(a) if sa == sides.ONE_CORE else "cross-core") + ", B " + \
            (sides.label(b) if sb == sides.ONE_CORE else "cross-core")
    wa, wb = str(a.get("work", "") or ""), str(b.get("work", "") or "")
    if wa != wb:
        return "different work: " + "; ".join(f"{side} {w}" for side, w in (("A", wa), ("B", wb)) if w)
    return ""


def _alike(table):
    return table["unlike"].fillna("") == "" if "unlike" in table else pd.Series(True, index=table.index)


def _config_order(table, within=("workload", "impl", "threads")):
    """Per B set, families in the documented order (unknown ones after, alphabetically)."""
    rank = {f: i for i, f in enumerate(FAMILIES)}
    table = table.assign(_f=table["family"].map(lambda f: rank.get(f, len(rank))))
    return table.sort_values(["b", "_f", "family", *within]).drop(columns="_f")


def significant(table):
    return table["p_value"].fillna(1.0) < ALPHA


def leave_out_tainted(table):
    """Rows whose measurement either side flagged as disturbed (foreign load, placement) are not
    evidence of a difference: drop them. Returns (kept rows, how many were left out)."""
    bad = table["tainted"].fillna(False).astype(bool) if "tainted" in table else pd.Series(False, index=table.index)
    return table[~bad], int(bad.sum())


def select(table, changed=False, sort="config"):
    """The rows to show: all, or only the significant ones; in config order or largest effect
    (|log ratio|, so 0.5× and 2× weigh the same) first."""
    if changed:
        table = table[significant(table)]
    if sort == "effect":
        effect = np.log(table["ratio"]).abs()
        table = table.assign(_e=effect).sort_values(["b", "_e"], ascending=[True, False], kind="stable")
        table = table.drop(columns="_e")
    return table


def summary(table):
    """Per B set and family: rows, geometric mean of B/A, rows changed significantly, up, down; rows
    whose figures are not alike (`unlike`) are not counted."""
    table = table[_alike(table)]
    sig = significant(table)
    t = table.assign(_up=sig & (table["ratio"] > 1),
                     _down=sig & (table["ratio"] < 1), _sig=sig)
    rows = []
    for (b, family), g in t.groupby(["b", "family"], sort=False):
        rows.append({"b": b, "a": g["a"].iloc[0], "family": family, "rows": len(g),
                     "geomean": float(gmean(g["ratio"])), "changed": int(g["_sig"].sum()),
                     "up": int(g["_up"].sum()), "down": int(g["_down"].sum())})
    out = pd.DataFrame(rows, columns=["b", "a", "family", "rows", "geomean", "changed", "up", "down"])
    return _config_order(out, within=())


def format_summary(summ):
    blocks = []
    for other, sub in summ.groupby("b", sort=False):
        rows = [[r.family, r.rows, f"{r.geomean:.2f}×", r.changed, r.up, r.down] for r in sub.itertuples()]
        blocks.append(f"summary, B = {other} vs A = {sub['a'].iloc[0]} (changed: p < {ALPHA}; "
                      "up/down: of those, B faster/slower; rows not alike are not counted)\n"
                      + render(["family", "rows", "geo-mean B/A", "changed", "up", "down"], rows))
    return "\n\n".join(blocks)


def _verdict(p):
    if p is None or pd.isna(p):
        return "n/a"
    return f"{p:.3f}{'*' if p < ALPHA else ''}"


def _interval(lo, hi):
    return "—" if pd.isna(lo) else f"{lo:.2f}–{hi:.2f}"


def is_hand_off(workload):
    """Workloads that time a hand-off between two threads: baseline/pingpong/* (the cache-line
    floor, the futex sleep/wake) and channels/pingpong."""
    return "pingpong" in str(workload)


def core_maps(rs):
    """machine -> its folder's core-to-core map (core_to_core.json), or None."""
    out = {}
    for machine in rs.machines.index:
        path = core_map.find(rs.folders.get(machine))
        out[machine] = core_map.load(path) if path is not None else None
    return out


def _core_map_note(maps, base, other):
    """The line under a table with hand-off rows: what the core-to-core column is, and which
    side has no map, said once."""
    missing = [f"{side} = {m}" for side, m in (("A", base), ("B", other)) if maps[m] is None]
    if len(missing) == 2:
        return "hand-off rows: no core-to-core map for either machine (no core_to_core.json in their folders)"
    note = ("core-to-core A → B: each machine's median / worst CPU pair, one-way cache-line ns "
            "(core_to_core.json), beside each hand-off (pingpong) ratio")
    if missing:
        note += f"; no core-to-core map for {missing[0]}"
    return note


def _measured_class(rs, machine):
    value = str(rs.machines.loc[machine].get("placement_measured", "unknown"))
    return None if value == "unknown" else value


def same_class(rs, a, b):
    """Whether two machines' figures were measured in the same placement: their measured classes'
    medians within placement.CLASS_GAP of each other (classes are named by latency, not by place)."""
    pa, pb = (rs.placements or {}).get(a), (rs.placements or {}).get(b)
    ca, cb = _measured_class(rs, a), _measured_class(rs, b)
    if pa is None or pb is None or ca is None or cb is None or pa.get(ca) is None or pb.get(cb) is None:
        return None
    x, y = pa.get(ca).median_ns, pb.get(cb).median_ns
    return max(x, y) / min(x, y) <= CLASS_GAP


def placement_note(rs, base, other):
    """Both machines' placement classes and the one each was measured in; "different placements"
    when those two differ (hand-offs then compare two physical placements, not two CPUs)."""
    classes = {m: str(rs.machines.loc[m].get("placement_classes", "unknown")) for m in (base, other)}
    if all(c in ("unknown", "no placement probes") for c in classes.values()):
        return ""
    text = "placement: " + "; ".join(f"{side} measured in {_measured_class(rs, m) or '?'} of {classes[m]}"
                                     for side, m in (("A", base), ("B", other)))
    if same_class(rs, base, other) is False:
        text += " — different placements: hand-off ratios compare two placements, not only two CPUs"
    return text


def format_table(table, rs, changed=False):
    """Text table per B set. Per-core columns only when the two machines' core counts differ
    (with equal counts they repeat the ratio). Hand-off rows get the two machines' core-to-core
    median and worst pair beside the ratio when either has a map."""
    blocks = []
    maps = core_maps(rs) if not table.empty and table["workload"].map(is_hand_off).any() else {}
    for other, sub in table.groupby("b", sort=False):
        base = sub["a"].iloc[0]
        cores_a, cores_b = rs.machines.loc[base, "core_count"], rs.machines.loc[other, "core_count"]
        per_core = cores_a != cores_b
        head = (f"B = {other} vs A = {base}: B/A = ratio of the medians of ops_per_sec over the "
                f"repetitions, 95% bootstrap interval beside it ({cores_b} vs {cores_a} cores"
                + ("; per core = ops/s ÷ the machine's cores)" if per_core else ")"))
        hand_offs = sub["workload"].map(is_hand_off).any()
        c2c = hand_offs and (maps[base] is not None or maps[other] is not None)
        measured = {m: _measured_class(rs, m) for m in (base, other)}
        if c2c:
            c2c_cell = " → ".join(core_map.short(maps[m], (rs.placements or {}).get(m), measured[m])
                                  if maps[m] is not None else "—" for m in (base, other))
        placements = placement_note(rs, base, other)
        if placements:
            head += "\n" + placements
        header = ["family", "workload", "impl", "threads", "A ops/s", "B ops/s", "B/A", "95% interval"]
        header += ["core-to-core A → B"] if c2c else []
        header += ["A /core", "B /core", "B/A /core"] if per_core else []
        header += ["reps", "p (MWU)"]
        unlike = "unlike" in sub and (sub["unlike"].fillna("") != "").any()
        header += ["not alike"] if unlike else []
        rows = []
        for r in sub.itertuples():
            row = [r.family, r.workload, r.impl, int(r.threads), eng(r.ops_a), eng(r.ops_b),
                   f"{r.ratio:.2f}×", _interval(r.ci_low, r.ci_high)]
            row += [c2c_cell if is_hand_off(r.workload) else ""] if c2c else []
            row += [eng(r.per_core_a), eng(r.per_core_b), f"{r.per_core_ratio:.2f}×"] if per_core else []
            rows.append(row + [f"{r.reps_a}/{r.reps_b}", _verdict(r.p_value)] + ([r.unlike] if unlike else []))
        blocks.append(head + "\n" + render(header, rows)
                      + (f"\n{_core_map_note(maps, base, other)}" if hand_offs else ""))
    if changed and table.empty:
        blocks.append(f"no row changed significantly (p < {ALPHA})")
    min_reps = int(min(rs.table["repetitions"])) if table.empty else int(min(table["reps_a"].min(),
                                                                             table["reps_b"].min()))
    note = (f"p: two-sided Mann–Whitney U on per-repetition ops/s, as Google Benchmark's compare.py; "
            f"* = p < {ALPHA}; n/a = fewer than {MIN_REPETITIONS} repetitions on a side.")
    if min_reps < OPTIMAL_REPETITIONS:
        note += (f"\nnote: as few as {min_reps} repetitions per side; compare.py wants at least "
                 f"{OPTIMAL_REPETITIONS} for a reliable test (with 3 vs 3 the smallest possible p is 0.1).")
    return "\n\n".join(blocks) + "\n\n" + note


def identical(rs, a, b):
    """True when B holds exactly A's measurements (the same folder given twice, or a copy)."""
    reps = rs.reps
    cols = CONFIG + ["repetition", "ops_per_sec"]
    mine = [reps[reps["machine"] == m][cols].sort_values(cols).reset_index(drop=True) for m in (a, b)]
    return mine[0].equals(mine[1])


def default_out_dir(rs, folder=None):
    """compare-A-vs-B in the current folder: never inside results/, where every folder is taken
    for a result set (`report results/*` would trip over it)."""
    names = "-vs-".join(slug(m) for m in rs.machines.index)
    return Path(folder or Path.cwd()) / f"compare-{names}"


# ---------------------------------------------------------------- charts

def ratio_chart(table, family, workload, hw_threads=None):
    """B/A of the medians per implementation against threads, the bootstrap interval as error
    bars, 1× marked; one panel per B set. `hw_threads` (machine -> hardware threads) marks where
    the smaller machine starts to oversubscribe. Tainted rows (only present with
    --include-tainted) are drawn hollow."""
    sub = table[(table["family"] == family) & (table["workload"] == workload)]
    others = list(dict.fromkeys(sub["b"]))
    fig, axes = style.new_figure(ncols=len(others), width=6.2, height=4.4, sharey="row")
    values = []
    for col, other in enumerate(others):
        ax = axes[0][col]
        mine = sub[sub["b"] == other]
        base = mine["a"].iloc[0]
        for impl in style.impl_order(mine["impl"].unique()):
            rows = mine[mine["impl"] == impl].sort_values("threads")
            colour, marker = style.impl_style(impl)
            low = (rows["ratio"] - rows["ci_low"]).fillna(0).clip(lower=0)
            high = (rows["ci_high"] - rows["ratio"]).fillna(0).clip(lower=0)
            ax.errorbar(rows["threads"], rows["ratio"], yerr=[low, high], color=colour, marker=marker,
                        label=impl, capsize=3, zorder=3)
            hollow = rows[_tainted(rows) | ~_alike(rows)]
            if not hollow.empty:
                ax.plot(hollow["threads"], hollow["ratio"], linestyle="none", marker=marker, color=colour,
                        markerfacecolor="white", zorder=4)
            values += list(rows["ratio"]) + list(rows["ci_low"].dropna()) + list(rows["ci_high"].dropna())
        ax.axhline(1.0, color="#444444", linewidth=1, linestyle="--", zorder=2)
        threads = sorted(mine["threads"].unique())
        style.threads_axis(ax, threads)
        title = f"B = {other} ÷ A = {base}"
        if hw_threads is not None:
            style.mark_cores(ax, int(min(hw_threads[base], hw_threads[other])), max(threads))
            title = f"B = {other} ({hw_threads[other]} hw threads) ÷ A = {base} ({hw_threads[base]})"
        ax.set_title(title, fontsize=10)
        if col == 0:
            ax.set_ylabel("B ÷ A, median ops/s")
    _ratio_axis(axes[0][0], values)
    unlike = not _alike(sub).all()
    fig.suptitle(style.chart_title(family, workload, "B ÷ A throughput")
                 + f"\nratio of the medians; error bars: {CONFIDENCE:.0%} bootstrap interval over the repetitions"
                 + ("\nhollow: not alike (one core in one set, across cores in the other, or different work)"
                    if unlike else ""))
    style.legend_outside(fig, list(axes[0]))
    fig.tight_layout()
    return fig


# Ratios a reader knows at a glance, coarser as the axis spans more; those in range are ticked.
_RATIO_TICKS = ((2.5, [0.5, 2 / 3, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2]),
                (20, [1 / 16, 0.125, 0.25, 0.5, 2 / 3, 1, 1.5, 2, 4, 8, 16]),
                (math.inf, [0.001, 0.01, 0.1, 0.5, 1, 2, 10, 100, 1000]))


def _ratio_axis(ax, values):
    """Log scale symmetric about 1×, so 0.5× and 2× sit equally far from the line."""
    values = [v for v in values if v > 0 and math.isfinite(v)]
    span = max([abs(math.log(v)) for v in values] + [math.log(1.25)]) * 1.15
    ax.set_yscale("log")
    ax.set_ylim(math.exp(-span), math.exp(span))
    ticks = next(t for limit, t in _RATIO_TICKS if math.exp(span) <= limit)
    ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if abs(math.log(t)) <= span]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}×"))
    ax.yaxis.set_minor_locator(NullLocator())

def write_charts(table, out_dir, hw_threads=None, formats=("png", "svg")):
    """One ratio chart per family and workload the sets have in common."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for family, workload in sorted(set(zip(table["family"], table["workload"]))):
        fig = ratio_chart(table, family, workload, hw_threads)
        written += plot.save(fig, out_dir, f"compare-{family}-{workload}", formats)
    return written
