"""Result sets from different CPUs (or commits): ratio table, significance, side-by-side charts.

The significance test follows Google Benchmark's tools/compare.py (gbench/report.py): a
two-sided Mann–Whitney U test on the per-repetition values, alpha 0.05, at least 2 repetitions
per side to run at all, and 9 or more for a result to be trusted. With 3 repetitions per side
the smallest possible two-sided p-value is 0.1, so nothing can be "significant" at 0.05 then.
"""
import warnings
from pathlib import Path

import pandas as pd
from scipy.stats import mannwhitneyu

from . import style
from .errors import ContendError
from .names import FAMILIES, slug
from .textable import eng, render

ALPHA = 0.05
MIN_REPETITIONS = 2       # gbench: UTEST_MIN_REPETITIONS
OPTIMAL_REPETITIONS = 9   # gbench: UTEST_OPTIMAL_REPETITIONS
CONFIG = ["family", "workload", "impl", "threads"]


def p_value(a, b):
    """Two-sided Mann–Whitney U p-value, or None when either side has < 2 repetitions."""
    if len(a) < MIN_REPETITIONS or len(b) < MIN_REPETITIONS:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(mannwhitneyu(list(a), list(b), alternative="two-sided").pvalue)
        except ValueError:
            return None


def ratio_table(rs):
    """Long table: every other set against the first (B/A), per family/workload/impl/threads."""
    machines = list(rs.machines.index)
    base = machines[0]
    cores = rs.machines["core_count"]
    per_rep = {k: g["ops_per_sec"].to_numpy()
               for k, g in rs.reps.groupby(["machine"] + CONFIG)}
    frames = []
    for other in machines[1:]:
        a = rs.table[rs.table["machine"] == base]
        b = rs.table[rs.table["machine"] == other]
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
        out["per_core_a"] = m["ops_per_sec_a"] / cores[base]
        out["per_core_b"] = m["ops_per_sec_b"] / cores[other]
        out["per_core_ratio"] = out["per_core_b"] / out["per_core_a"]
        out["reps_a"] = m["repetitions_a"].astype(int)
        out["reps_b"] = m["repetitions_b"].astype(int)
        out["p_value"] = [p_value(per_rep[(base,) + k], per_rep[(other,) + k])
                          for k in zip(*(m[c] for c in CONFIG))]
        frames.append(out)
    table = pd.concat(frames, ignore_index=True)
    order = {f: i for i, f in enumerate(FAMILIES)}
    table["_f"] = table["family"].map(lambda f: order.get(f, 99))
    return table.sort_values(["b", "_f", "family", "workload", "impl", "threads"]).drop(columns="_f")


def _verdict(row):
    if row["p_value"] is None or pd.isna(row["p_value"]):
        return "n/a"
    p = row["p_value"]
    mark = "*" if p < ALPHA else ""
    return f"{p:.3f}{mark}"


def format_table(table, rs):
    blocks = []
    for other, sub in table.groupby("b", sort=False):
        base = sub["a"].iloc[0]
        head = (f"B = {other} vs A = {base}: ratio = {other} / {base} median ops/s "
                f"({rs.machines.loc[other, 'core_count']} vs {rs.machines.loc[base, 'core_count']} cores; "
                "per core = ops/s ÷ the machine's cores)")
        rows = [[r.family, r.workload, r.impl, int(r.threads), eng(r.ops_a), eng(r.ops_b),
                 f"{r.ratio:.2f}×", eng(r.per_core_a), eng(r.per_core_b), f"{r.per_core_ratio:.2f}×",
                 f"{r.reps_a}/{r.reps_b}", _verdict(r._asdict())]
                for r in sub.itertuples()]
        header = ["family", "workload", "impl", "threads", f"A ops/s", f"B ops/s", "B/A",
                  "A /core", "B /core", "B/A /core", "reps", "p (MWU)"]
        blocks.append(head + "\n" + render(header, rows))
    min_reps = int(min(table["reps_a"].min(), table["reps_b"].min()))
    note = (f"p: two-sided Mann–Whitney U on per-repetition ops/s, as Google Benchmark's compare.py; "
            f"* = p < {ALPHA}; n/a = fewer than {MIN_REPETITIONS} repetitions on a side.")
    if min_reps < OPTIMAL_REPETITIONS:
        note += (f"\nnote: as few as {min_reps} repetitions per side; compare.py wants at least "
                 f"{OPTIMAL_REPETITIONS} for a reliable test (with 3 vs 3 the smallest possible p is 0.1).")
    return "\n\n".join(blocks) + "\n\n" + note


def default_out_dir(rs, results_root):
    names = "-vs-".join(slug(m) for m in rs.machines.index)
    return Path(results_root) / f"compare-{names}"


# ---------------------------------------------------------------- charts

def _panel(ax, sub, column, machine_row, threads_all):
    for impl in style.impl_order(sub["impl"].unique()):
        rows = sub[sub["impl"] == impl].sort_values("threads")
        colour, marker = style.impl_style(impl)
        ax.plot(rows["threads"], rows[column], color=colour, marker=marker, label=impl, zorder=3)
    style.threads_axis(ax, threads_all)
    style.mark_cores(ax, int(machine_row["hw_threads"]), max(threads_all))


def comparison_chart(rs, family, workload):
    machines = list(rs.machines.index)
    t = rs.table
    sub = t[(t["family"] == family) & (t["workload"] == workload)].copy()
    sub["per_core"] = sub["ops_per_sec"] / sub["machine"].map(rs.machines["core_count"])
    fig, axes = style.new_figure(ncols=len(machines), nrows=2, width=6.2, height=4.2, sharey="row")
    for col, machine in enumerate(machines):
        mine = sub[sub["machine"] == machine]
        row = rs.machine(machine)
        threads = sorted(mine["threads"].unique()) or [1]
        for r, (column, label) in enumerate((("ops_per_sec", style.THROUGHPUT_LABEL),
                                             ("per_core", "ops/s per core"))):
            ax = axes[r][col]
            if mine.empty:
                ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes)
                continue
            _panel(ax, mine, column, row, threads)
            ax.yaxis.set_major_formatter(style.EngFormatter(sep=""))
            if col == 0:
                ax.set_ylabel(label)
            if r == 0:
                ax.set_title(f"{machine}\n{style.machine_caption(row)}", fontsize=10)
            else:
                ax.set_title("per core (ops/s ÷ cores)", fontsize=10, color="#444444")
    for r in range(2):
        vals = sub["ops_per_sec" if r == 0 else "per_core"]
        style.value_axis(axes[r][0], list(vals), axes[r][0].get_ylabel())
    fig.suptitle(style.chart_title(family, workload, "throughput vs threads, "
                                   + " vs ".join(machines)) + "\nmedian of the repetitions")
    style.legend_outside(fig, [a for row in axes for a in row])
    fig.tight_layout()
    return fig


def write_charts(rs, out_dir, formats=("png", "svg")):
    from .plot import save
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t = rs.table
    common = None
    for machine in rs.machines.index:
        pairs = set(map(tuple, t[t["machine"] == machine][["family", "workload"]].drop_duplicates().values))
        common = pairs if common is None else common & pairs
    written = []
    for family, workload in sorted(common or []):
        fig = comparison_chart(rs, family, workload)
        written += save(fig, out_dir, f"compare-{family}-{workload}", formats)
    return written
