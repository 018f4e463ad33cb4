"""Latency of single operations: the percentiles the binaries sample (benchmarks/latency.hpp),
charted against threads and as a percentile spectrum (the CDF read from its tail), a table and one
computed sentence for the report.

The figures are closed-loop service times: a thread issues its next operation when the previous
one returns, so a stall delays the operations that would have queued behind it instead of showing
in them (no coordinated-omission correction). Every sample includes about one clock read
(`latency_clock_ns` in the context). `p99.9_ns` of a run with fewer than 1 000 samples is its
maximum in all but name; the table shows the sample count.
"""
import math

from . import sides, style
from .findings import ALPHA, clean_reps, clean_table, compare_impls, p_text

PERCENTILES = [("p50", "p50_ns", 50.0), ("p90", "p90_ns", 90.0), ("p99", "p99_ns", 99.0),
               ("p99.9", "p99.9_ns", 99.9)]
MAX = ("max", "max_ns")
# The workloads whose latency is charted and tabled: a lock convoy (counters), the maps with the
# channel map's request/reply, the stacks, many producers on one channel, the hand-off itself, and
# the poller against a real HTTP server.
FIGURES = [("counters", "increment"), ("maps", "r90-k1k-uniform"), ("stacks", "pairs"),
           ("channels", "mpsc-small"), ("channels", "pingpong"), ("poller", "loopback")]
# What one timed operation is, per figure: repeat_until times one call of the workload's step.
OPERATION = {("counters", "increment"): "one increment", ("maps", "r90-k1k-uniform"): "one get or put",
             ("stacks", "pairs"): "one push and one pop", ("channels", "mpsc-small"): "one send",
             ("channels", "pingpong"): "one round trip", ("poller", "loopback"): "one HTTP HEAD poll"}
CLOSED_LOOP = ("closed-loop service times of single operations (each thread issues its next "
               "operation when the last returns; no coordinated-omission correction)")


def has_latency(table):
    return "p50_ns" in table and table["p50_ns"].notna().any()


def _complete(table):
    """`table` with every latency column, empty where the results lack it (older files held only
    some percentiles)."""
    missing = [c for c in [col for _, col, _ in PERCENTILES] + ["max_ns", "latency_samples"] if c not in table]
    return table.assign(**{c: float("nan") for c in missing}) if missing else table


def _ns(v):
    if v is None or v != v:
        return "—"
    return f"{v / 1e6:.1f} ms" if v >= 1e6 else f"{v / 1000:.1f} µs" if v >= 1000 else f"{v:.0f} ns"


def _count(v):
    return "—" if v is None or v != v else f"{v:.0f}"


def _at(table, family, workload):
    return table[(table["family"] == family) & (table["workload"] == workload) & table["p50_ns"].notna()]


def _count_for(sub, hw):
    """The thread count the tables and spectra show: the machine's hardware threads when measured,
    else the largest count below them, else the smallest measured."""
    counts = sorted(int(t) for t in sub["threads"].unique())
    below = [t for t in counts if t <= hw]
    return hw if hw in counts else below[-1] if below else counts[0]


def figures(table, hw):
    """[(family, workload, threads, rows)] of the FIGURES measured, rows at the chosen count."""
    out = []
    for family, workload in FIGURES:
        sub = _at(table, family, workload)
        if sub.empty:
            continue
        t = _count_for(sub, hw)
        out.append((family, workload, t, sub[sub["threads"] == t]))
    return out


def table_rows(table, hw):
    header = ["family/workload", "operation", "impl", "threads"] + [p for p, _, _ in PERCENTILES] + ["max", "samples"]
    rows = []
    for family, workload, t, sub in figures(table, hw):
        for _, d in sub.sort_values("p99_ns").iterrows():  # not itertuples: it renames "p99.9_ns"
            rows.append([f"{family}/{workload}", OPERATION.get((family, workload), "one operation"), d["impl"], t]
                        + [_ns(d.get(col)) for _, col, _ in PERCENTILES]
                        + [_ns(d.get("max_ns")), _count(d.get("latency_samples"))])
    return header, rows


def sentence(table, reps, hw):
    """One computed sentence: at the chosen count of the maps figure (else the first measured), the
    lowest and highest p99 with the U-test over the repetitions' p99, and the widest tail
    (p99.9 ÷ p50) of all figures."""
    figs = figures(table, hw)
    if not figs:
        return None
    family, workload, t, sub = next((f for f in figs if f[0] == "maps"), figs[0])
    # Like with like: the range runs over the figures ranked together (sides.tiers), those whose
    # sides ran on one core (or in another placement class) are named after it.
    ranked, aside = sides.tiers(sub)
    ordered = (ranked if len(ranked) else sub).sort_values("p99_ns")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    text = f"At {t} thread{'s' if t != 1 else ''}, {family}/{workload}'s p99 runs from {_ns(low['p99_ns'])} ({low['impl']})"
    if high["impl"] != low["impl"]:
        c = compare_impls(reps, family, workload, high["impl"], low["impl"], t, "p99_ns")
        sig = (f"{p_text(c.p)}" if c is not None and c.testable else "not testable with these repetitions")
        if c is not None and c.testable and c.p >= ALPHA:
            sig += ", not significant"
        text += f" to {_ns(high['p99_ns'])} ({high['impl']}; Mann–Whitney U over the repetitions' p99: {sig})"
    if len(ranked) and len(aside):
        text += (" among the designs ranked together; not ranked against them: "
                 + ", ".join(f"{r['impl']} {_ns(r['p99_ns'])} ({'; '.join(sides.labels(r))})"
                             for _, r in aside.sort_values("p99_ns").iterrows()))
    tails = [(r["p99.9_ns"] / r["p50_ns"], f, w, r["impl"], r["p50_ns"], r["p99.9_ns"])
             for f, w, _, s in figs for _, r in s.iterrows() if r["p50_ns"] > 0 and r["p99.9_ns"] == r["p99.9_ns"]]
    if tails:
        ratio, f, w, impl, p50, p999 = max(tails)
        text += (f"; the widest tail is {f}/{w} on {impl}, whose p99.9 ({_ns(p999)}) is {ratio:.0f}× its "
                 f"median ({_ns(p50)})")
    return text + "."


def clock_note(machine_row):
    clock = machine_row.get("latency_clock_ns", "unknown") if hasattr(machine_row, "get") else "unknown"
    name = machine_row.get("latency_clock", "unknown") if hasattr(machine_row, "get") else "unknown"
    budget = machine_row.get("latency_budget", "unknown") if hasattr(machine_row, "get") else "unknown"
    parts = []
    if clock not in (None, "unknown"):
        source = {"tsc": "the TSC, read with a bare rdtsc and calibrated against steady_clock",
                  "steady_clock": "steady_clock"}.get(name)
        parts.append((f"the sample clock is {source}; " if source else "")
                     + f"one read costs {float(clock):.0f} ns here and every sample includes about one")
    if budget not in (None, "unknown"):
        parts.append(f"one operation in every few is timed, at a pace that keeps timing near "
                     f"{float(budget):.0%} of each thread's time")
    return "; ".join(parts)


# Charts ---------------------------------------------------------------------------------------

def _nines(p):
    """Where percentile p sits on the spectrum's axis: 1 per nine (p50 at 0.3, p90 at 1, p99 at 2)."""
    return -math.log10(1 - p / 100.0)


def percentile_chart(sub, machine_row, family, workload):
    """p50 and p99 against threads, one line per implementation (log scale)."""
    fig, axes = style.new_figure(ncols=2)
    hw = int(machine_row["hw_threads"])
    threads = sorted(sub["threads"].unique())
    for ax, (label, column) in zip(axes[0], (("p50", "p50_ns"), ("p99", "p99_ns"))):
        for impl in style.impl_order(sub["impl"].unique()):
            rows = sub[(sub["impl"] == impl) & sub[column].notna()].sort_values("threads")
            if rows.empty:
                continue
            colour, marker = style.impl_style(impl)
            ax.plot(rows["threads"], rows[column], color=colour, marker=marker,
                    label=style.impl_label(impl, sub[sub["impl"] == impl]), zorder=3)
        style.threads_axis(ax, sub["threads"].unique())
        values = [v for v in sub[column].dropna() if v > 0]
        style.value_axis(ax, values, f"{label} latency of {OPERATION.get((family, workload), 'one operation')}, ns",
                         log=True)
        style.mark_cores(ax, hw, max(threads))
        ax.set_title(f"{label} (median over repetitions; lower is better)", fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, "latency percentiles vs threads", machine_row))
    style.legend_outside(fig, list(axes[0]))
    fig.tight_layout()
    return fig


def spectrum_chart(sub, machine_row, family, workload, threads):
    """The percentile spectrum at one thread count: latency at p50, p90, p99, p99.9 and the max,
    the x axis in nines, one line per implementation — the CDF read from its tail."""
    fig, axes = style.new_figure()
    ax = axes[0][0]
    xs = [_nines(p) for _, _, p in PERCENTILES] + [4.0]
    values = []
    for impl in style.impl_order(sub["impl"].unique()):
        r = sub[sub["impl"] == impl]
        if r.empty:
            continue
        r = r.iloc[0]
        ys = [r[col] for _, col, _ in PERCENTILES] + [r["max_ns"] if "max_ns" in r else float("nan")]
        colour, marker = style.impl_style(impl)
        ax.plot(xs, ys, color=colour, marker=marker, label=style.impl_label(impl, sub[sub["impl"] == impl]), zorder=3)
        values += [y for y in ys if y == y and y > 0]
    ax.set_xticks(xs)
    ax.set_xticklabels(["p50", "p90", "p99", "p99.9", "max (worst run)"])
    ax.set_xlabel("share of operations at or below (each step one more nine)")
    style.value_axis(ax, values, f"latency of {OPERATION.get((family, workload), 'one operation')}, ns", log=True)
    ax.set_title(f"{threads} threads; median over repetitions, max the worst; closed-loop service times",
                 fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, "latency by percentile", machine_row))
    style.legend_outside(fig, ax)
    fig.tight_layout()
    return fig


def charts(table, machine_row, family=None):
    """(stem, figure) of every latency chart for one machine's table (of one family if given)."""
    if not has_latency(table):
        return
    table = _complete(table)
    hw = int(machine_row["hw_threads"])
    for fam, workload, t, rows in figures(table, hw):
        if family is not None and fam != family:
            continue
        family_ = fam
        sub = _at(table, family_, workload)
        if sub["threads"].nunique() > 1:
            yield f"{family_}-{workload}-latency_percentiles", percentile_chart(sub, machine_row, family_, workload)
        yield f"{family_}-{workload}-latency_spectrum", spectrum_chart(rows, machine_row, family_, workload, t)


def section(table, reps, machine_row, include_tainted=False):
    """(sentences, header, rows) for the report; None when the results hold no latency."""
    table = clean_table(table, include_tainted)
    if not has_latency(table):
        return None
    table = _complete(table)
    hw = int(machine_row["hw_threads"])
    header, rows = table_rows(table, hw)
    lines = [s for s in (sentence(table, clean_reps(reps, include_tainted), hw),) if s]
    lines.append(f"These are {CLOSED_LOOP}; {clock_note(machine_row)}.")
    return lines, header, rows



def bias_sentence(folder, placement=None, table=None):
    """What the sample's bare-rdtsc end does to a short operation, from latency_bias.json (the
    cache-line round trip timed both ways, interleaved): the medians over passes of the bare end and
    of the ordered one (rdtscp; lfence), per placement class where the passes saw several, beside
    the control (the two ends around nothing) and, where `table` has it, the round trip that
    throughput gives (twice baseline/pingpong/cache_line's one-way ns): a referee neither clock
    read touches. "" when the folder has no such file."""
    import statistics
    from pathlib import Path

    from .loader import read_json
    from .names import LATENCY_BIAS_FILE
    path = Path(folder) / LATENCY_BIAS_FILE if folder is not None else None
    if path is None or not path.is_file():
        return ""
    passes = [p for p in read_json(path).get("passes", []) if isinstance(p, dict)
              and isinstance(p.get("bare_p50_ns"), (int, float)) and isinstance(p.get("ordered_p50_ns"), (int, float))]
    if not passes:
        return ""
    referee = None
    if table is not None and not table.empty:
        floor = table[(table["family"] == "baseline") & (table["workload"] == "pingpong")
                      & (table["impl"] == "cache_line")]
        referee = 2 * float(floor["ns_per_op"].min()) if not floor.empty else None

    def figures(group):
        bare = statistics.median(p["bare_p50_ns"] for p in group)
        ordered = statistics.median(p["ordered_p50_ns"] for p in group)
        empty = [p["ordered_empty_ns"] - p["bare_empty_ns"] for p in group
                 if isinstance(p.get("ordered_empty_ns"), (int, float)) and isinstance(p.get("bare_empty_ns"), (int, float))]
        text = f"p50 {bare:.0f} ns with the bare end, {ordered:.0f} ns with rdtscp; lfence"
        if empty:
            text += f" (around nothing the ordered end costs {statistics.median(empty):.1f} ns more)"
        if referee:
            text += (f", against {referee:.0f} ns from throughput (the baseline ping-pong's mean round trip): "
                     f"bare {bare / referee - 1:+.0%}, ordered {ordered / referee - 1:+.0%}")
        return text

    groups = {}
    for p in passes:
        cls = placement.of(p.get("probe_ns")) if placement is not None and placement.several else None
        groups.setdefault(cls, []).append(p)
    if len(groups) > 1:
        body = "; ".join(f"in class {c}: {figures(g)}" for c, g in sorted(groups.items(), key=lambda kv: str(kv[0])))
    else:
        body = figures(passes)
    return (f"The sample's end is a bare rdtsc, not ordered after the operation's last load. Timing the "
            f"cache-line round trip both ways, interleaved ({len(passes)} passes, latency_bias.json): {body}. "
            f"An ordered end delays the hand-off it closes, so the sampler keeps the bare one; percentiles "
            f"of operations this short carry that uncertainty.")
