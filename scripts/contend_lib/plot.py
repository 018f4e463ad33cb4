"""Charts for one machine's results: throughput, speedup, padding bars, latency bars.

`machine_charts` yields (file stem, Figure) so `plot` can save PNG+SVG and `report` can embed
the same figures; neither re-implements a chart.
"""
from pathlib import Path

from . import core_map, events, latency, style
from .findings import ALPHA, workload_title
from .loader import usable
from .names import family_title

FORMATS = ("png", "svg")


def _is_channel_design(family, impls):
    return family == "channels" or any(i.startswith("channel") for i in impls)


def _subtitle(sub):
    reps = sub["repetitions"]
    n = int(reps.min()) if reps.min() == reps.max() else f"{int(reps.min())}–{int(reps.max())}"
    return f"median of {n} repetitions; {style.ERRORBAR_NOTE}"


def _tainted(rows):
    """Per-row flag of the loader's `tainted` column (docs/results-format.md); all False when it is absent."""
    if "tainted" not in rows:
        return [False] * len(rows)
    return [bool(v) if v == v else False for v in rows["tainted"]]


def _errors(rows, column):
    """Asymmetric min–max error bars of `column`: ops_min/ops_max for throughput, else the
    `<column>_min`/`<column>_max` spread columns `machine_charts` adds from the repetitions."""
    lo, hi = ("ops_min", "ops_max") if column == "ops_per_sec" else (f"{column}_min", f"{column}_max")
    if lo not in rows or hi not in rows:
        return None
    return [(rows[column] - rows[lo]).clip(lower=0).fillna(0),
            (rows[hi] - rows[column]).clip(lower=0).fillna(0)]


def _draw_lines(ax, sub, column, with_errorbars=True):
    """One line per impl with min–max error bars; points from tainted runs drawn hollow; a design
    whose sides ran on one core says so in its legend label (style.impl_label)."""
    any_tainted = False
    for impl in style.impl_order(sub["impl"].unique()):
        rows = sub[sub["impl"] == impl].sort_values("threads")
        rows = rows[rows[column].notna()]
        if rows.empty:
            continue
        colour, marker = style.impl_style(impl)
        tainted = _tainted(rows)
        clean = [not t for t in tainted]
        ax.errorbar(rows["threads"], rows[column], yerr=_errors(rows, column) if with_errorbars else None,
                    color=colour, marker=marker, markevery=clean, label=style.impl_label(impl, rows), capsize=3,
                    elinewidth=1, zorder=3)
        if any(tainted):
            any_tainted = True
            bad = rows[tainted]
            ax.plot(bad["threads"], bad[column], linestyle="none", marker=marker, markerfacecolor="white",
                    markeredgecolor=colour, markeredgewidth=1.5, zorder=4)
    if any_tainted:
        ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="#333333",
                label=style.TAINTED_NOTE)
    if style.any_one_core(sub):
        ax.plot([], [], linestyle="none", label=style.ONE_CORE_NOTE)


def throughput_chart(sub, machine_row, family, workload):
    impls = sub["impl"].unique()
    channel = _is_channel_design(family, impls)
    fig, axes = style.new_figure(ncols=2 if channel else 1)
    ax = axes[0][0]
    threads = sorted(sub["threads"].unique())
    _draw_lines(ax, sub, "ops_per_sec")
    # Ideal scaling starts from the best single-thread design and stops at the core count:
    # past it no design can gain from more threads.
    base_t = threads[0]
    best = sub[sub["threads"] == base_t]["ops_per_sec"].max()
    hw = int(machine_row["hw_threads"])
    ideal_t = [t for t in threads if t <= max(hw, base_t)]
    if len(ideal_t) > 1:
        ax.plot(ideal_t, [best * t / base_t for t in ideal_t], linestyle="--", color="#555555",
                linewidth=1.2, label=f"ideal linear scaling (best {base_t}-thread × threads)", zorder=2)
    _threads_axis(ax, sub, family, workload)
    values = list(sub["ops_min"]) + list(sub["ops_max"])
    style.value_axis(ax, values, style.throughput_label(family), log=family == "poller" or None)
    style.mark_cores(ax, hw, max(threads))
    ax.set_title("throughput — " + _subtitle(sub), fontsize=9.5, color="#444444")
    if channel:
        ax2 = axes[0][1]
        _draw_lines(ax2, sub, "cpu_ns_per_op")
        _threads_axis(ax2, sub, family, workload)
        spread = [c for c in ("cpu_ns_per_op_min", "cpu_ns_per_op_max", "cpu_ns_per_op") if c in sub]
        style.value_axis(ax2, [v for c in spread for v in sub[c].dropna()],
                         f"CPU ns per {style.operation_word(family)} (whole process)")
        style.mark_cores(ax2, hw, max(threads))
        ax2.set_title(f"CPU time per {style.operation_word(family)}, owner threads included (lower is better)",
                      fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, "throughput vs threads", machine_row))
    style.legend_outside(fig, [a for row in axes for a in row])
    fig.tight_layout()
    return fig


def _producers_consumers(sub):
    """{threads: "P×C"} for many-producer/many-consumer workloads, from the benchmark's own
    producers/consumers counters; empty for other workloads or when the counters are absent."""
    if not {"producers", "consumers"} <= set(sub.columns):
        return {}
    out = {}
    for t, g in sub.groupby("threads"):
        p, c = g["producers"].median(), g["consumers"].median()
        if p == p and c == c and p > 0 and c > 0:
            out[int(t)] = f"{int(p)}×{int(c)}"
    return out


def _threads_axis(ax, sub, family, workload):
    roles = _producers_consumers(sub) if family == "channels" and workload.startswith(("mpsc", "mpmc")) else {}
    style.threads_axis(ax, sub["threads"].unique(), roles)


def speedup_chart(sub, machine_row, family, workload):
    threads = sorted(sub["threads"].unique())
    base_t = threads[0]
    fig, axes = style.new_figure()
    ax = axes[0][0]
    for impl in style.impl_order(sub["impl"].unique()):
        rows = sub[sub["impl"] == impl].sort_values("threads")
        base = rows[rows["threads"] == base_t]["ops_per_sec"]
        if base.empty or base.iloc[0] <= 0:
            continue
        colour, marker = style.impl_style(impl)
        ax.plot(rows["threads"], rows["ops_per_sec"] / base.iloc[0], color=colour, marker=marker,
                label=style.impl_label(impl, rows), zorder=3)
    if style.any_one_core(sub):
        ax.plot([], [], linestyle="none", label=style.ONE_CORE_NOTE)
    hw = int(machine_row["hw_threads"])
    ideal_t = [t for t in threads if t <= max(hw, base_t)]
    ax.plot(ideal_t, [t / base_t for t in ideal_t], linestyle="--", color="#555555", linewidth=1.2,
            label="ideal linear scaling", zorder=2)
    ax.axhline(1.0, color="#888888", linewidth=1, zorder=1)
    _threads_axis(ax, sub, family, workload)
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter(style.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_ylabel(f"throughput relative to {base_t} thread{'s' if base_t > 1 else ''}")
    style.mark_cores(ax, hw, max(threads))
    ax.set_title("1× = no gain from more threads; below 1× = slower than a single thread"
                 if base_t == 1 else f"relative to the smallest measured count ({base_t} threads)",
                 fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, f"speedup over {base_t} thread"
                                   f"{'s' if base_t > 1 else ''}", machine_row))
    style.legend_outside(fig, ax)
    fig.tight_layout()
    return fig


def single_count_chart(sub, machine_row, family, workload, floor_ns=None):
    """Workloads measured at one thread count only (ping-pong, SPSC): bars, not lines.
    Ping-pong latencies span 50 ns to tens of µs, so their axis is logarithmic and starts below
    the cache-line floor, which stays visible as a line."""
    impls = style.impl_order(sub["impl"].unique())
    rows = sub.set_index("impl").loc[impls]
    t = int(sub["threads"].iloc[0])
    latency = workload == "pingpong"
    # channels/idle: what a waiting receiver burns while nothing arrives (its ns_per_op is only
    # the idle window), from 1 (spinning) down to ~1e-4 (asleep): a log axis too.
    idle = workload == "idle" and "idle_cpu_fraction" in sub
    fig, axes = style.new_figure(width=7.5, height=0.9 + 0.45 * len(impls) + 1.2)
    ax = axes[0][0]
    colours = [style.impl_style(i)[0] for i in impls]
    column = "ns_per_op" if latency else "idle_cpu_fraction" if idle else "ops_per_sec"
    values = rows[column]
    err = _errors(rows, column)
    tops = values + (err[1] if err is not None else 0)
    names = [style.impl_label(i, sub[sub["impl"] == i]) for i in impls]
    bars = ax.barh(names, values, xerr=err, color=colours, capsize=3, error_kw={"elinewidth": 1})
    for bar, tainted, colour in zip(bars, _tainted(rows), colours):
        if tainted:
            bar.set_facecolor("white")
            bar.set_edgecolor(colour)
            bar.set_linewidth(1.5)
    if latency:
        ax.set_xscale("log")
        ax.set_xlabel("one-way hand-off latency, ns (log scale; lower is better)")
        low = min([v for v in values if v > 0] + ([floor_ns] if floor_ns else []))
        ax.set_xlim(left=low / 2, right=max(tops) * 4)
        if floor_ns:
            ax.axvline(floor_ns, color="#333333", linestyle="--", linewidth=1.2, zorder=4,
                       label=f"cache-line ping-pong floor ({floor_ns:.0f} ns, baseline), across cores")
            if style.any_one_core(sub):
                ax.plot([], [], linestyle="none", label="one core: the hand-offs stayed on one CPU\n"
                                                         "(parallelism below 1.5 of 2): not held against the floor")
            # Beside the plot, not in it: the bottom bars and their labels stay readable.
            style.legend_outside(fig, ax, title="")
        what = "hand-off latency"
    elif idle:
        ax.set_xscale("log")
        ax.set_xlabel("receiver's CPU time while idle ÷ idle time (log scale; lower is better)")
        ax.set_xlim(left=min([v for v in values if v > 0] + [1e-4]) / 2, right=max(tops) * 4)
        what = "CPU burnt by an idle receiver"
    else:
        ax.set_xlabel(style.throughput_label(family))
        ax.set_xlim(left=0, right=max(tops) * 1.3)
        what = f"throughput at {t} threads"
    ax.xaxis.set_major_formatter(style.EngFormatter(sep=""))
    if latency or idle:
        ax.xaxis.set_minor_formatter(style.NullFormatter())
    # Value labels sit past the end of the error bar, never on it.
    for y, (v, top) in enumerate(zip(values, tops)):
        ax.text(top * (1.08 if latency or idle else 1.0), y, f" {style.EngFormatter(sep='', places=1)(v)}",
                va="center", fontsize=9, zorder=5)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_title(f"{t} threads; median of {int(sub['repetitions'].min())} repetitions; {style.ERRORBAR_NOTE}",
                 fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, what, machine_row))
    fig.tight_layout()
    return fig


def false_sharing_chart(sub, machine_row):
    workloads = sorted(sub["workload"].unique())
    fig, axes = style.new_figure(ncols=len(workloads), width=6, sharey=False)
    impls = [i for i in ("packed", "pad64", "pad128") if i in set(sub["impl"])]
    impls += style.impl_order(set(sub["impl"]) - set(impls))
    labels = {"packed": "packed (adjacent)", "pad64": "padded to 64 bytes", "pad128": "padded to 128 bytes"}
    hw = int(machine_row["hw_threads"])
    for ax, workload in zip(axes[0], workloads):
        w = sub[sub["workload"] == workload]
        threads = sorted(w["threads"].unique())
        width = 0.8 / max(len(impls), 1)
        for k, impl in enumerate(impls):
            rows = w[w["impl"] == impl].set_index("threads").reindex(threads)
            xs = [i + (k - (len(impls) - 1) / 2) * width for i in range(len(threads))]
            err = [(rows["ops_per_sec"] - rows["ops_min"]).clip(lower=0),
                   (rows["ops_max"] - rows["ops_per_sec"]).clip(lower=0)]
            colour = style.impl_style(impl)[0]
            bars = ax.bar(xs, rows["ops_per_sec"], width=width, yerr=err, capsize=2,
                          color=colour, label=labels.get(impl, impl))
            for bar, tainted in zip(bars, _tainted(rows)):
                if tainted:
                    bar.set_facecolor("white")
                    bar.set_edgecolor(colour)
        ax.set_xticks(range(len(threads)))
        ax.set_xticklabels([f"{t}{' (over)' if t > hw else ''}" for t in threads])
        ax.set_xlabel("threads (each increments its own counter)")
        ax.yaxis.set_major_formatter(style.EngFormatter(sep=""))
        ax.set_ylabel(style.THROUGHPUT_LABEL)
        ax.grid(axis="x", visible=False)
        ax.set_title(workload_title("false_sharing", workload), fontsize=11)
    fig.suptitle("False sharing — per-thread counters, packed vs padded: throughput\n"
                 f"({style.machine_caption(machine_row)}; {style.ERRORBAR_NOTE})")
    style.legend_outside(fig, list(axes[0]), title="counter layout")
    fig.tight_layout()
    return fig


def heatmap_chart(heatmap):
    """findings.Heatmap: X ÷ Y per workload (rows) and thread count (columns), one panel per X.
    Colour is log2 of the ratio (blue: X faster, red: Y faster); a cell the U-test does not
    separate from 1 is pale, its ratio shown in grey and marked "n.s."."""
    import numpy as np
    from matplotlib.colors import ListedColormap, TwoSlopeNorm
    panels = list(heatmap.panels.items())
    nrows = max(len(r.index) for _, r in panels)
    fig, axes = style.new_figure(ncols=len(panels), width=4.6, height=1.6 + 0.34 * nrows, sharey=True,
                                 layout="constrained")
    limit = max(1.0, max(float(np.nanmax(np.abs(np.log2(r.to_numpy(dtype=float))))) for _, r in panels
                         if np.isfinite(r.to_numpy(dtype=float)).any()))
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    image = None
    for ax, (impl, ratio) in zip(axes[0], panels):
        values = np.log2(ratio.to_numpy(dtype=float))
        p = heatmap.p[impl].reindex(index=ratio.index, columns=ratio.columns).to_numpy(dtype=float)
        significant = np.nan_to_num(p, nan=1.0) < ALPHA
        image = ax.imshow(np.where(significant, values, np.nan), cmap="RdBu", norm=norm, aspect="auto")
        ax.imshow(np.where(significant | np.isnan(values), np.nan, 0.0), cmap=ListedColormap(["#e8e8e8"]),
                  aspect="auto")
        for (i, j), v in np.ndenumerate(ratio.to_numpy(dtype=float)):
            if np.isfinite(v):
                text = f"{v:.2f}×" if v >= 0.1 else f"{v:.2g}×"
                dark = significant[i, j] and abs(values[i, j]) > 0.6 * limit
                ax.text(j, i, text if significant[i, j] else f"{text} n.s.", ha="center", va="center",
                        fontsize=8, color="white" if dark else "#222222" if significant[i, j] else "#666666")
        # An empty cell says why: which side was left out (tainted, or excluded for its placement
        # class), so a hole is never read as "no difference".
        hole = (heatmap.holes or {}).get(impl)
        if hole is not None:
            hole = hole.reindex(index=ratio.index, columns=ratio.columns).fillna("")
            for (i, j), why in np.ndenumerate(hole.to_numpy(dtype=object)):
                if why and not np.isfinite(ratio.to_numpy(dtype=float)[i, j]):
                    ax.text(j, i, why.replace(" ", "\n", 1), ha="center", va="center", fontsize=6.5,
                            color="#994400", style="italic")
        ax.set_xticks(range(len(ratio.columns)))
        ax.set_xticklabels([str(int(t)) for t in ratio.columns])
        ax.set_yticks(range(len(ratio.index)))
        ax.set_yticklabels(list(ratio.index), fontsize=9)
        ax.tick_params(axis="y", labelleft=ax is axes[0][0])
        ax.set_xlabel("threads")
        ax.grid(False)
        ax.set_title(f"{impl} ÷ {heatmap.baseline}" if heatmap.baseline else impl, fontsize=10)
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[0]), shrink=0.8, pad=0.02)
        ticks = [t for t in (-6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6) if abs(t) <= limit]
        bar.set_ticks(ticks)
        bar.set_ticklabels([f"{2.0 ** t:g}×" for t in ticks])
        bar.set_label("ratio of medians (log scale)")
    holes = any(h.astype(bool).to_numpy().any() for h in (heatmap.holes or {}).values())
    fig.suptitle(f"{heatmap.title}\nratio of medians; n.s. = Mann–Whitney U p ≥ {ALPHA}"
                 + ("; an empty cell names the design left out there" if holes else ""))
    return fig


def _pingpong_floor(table):
    floor = table[(table["family"] == "baseline") & (table["workload"] == "pingpong") & (table["impl"] == "cache_line")]
    return float(floor["ns_per_op"].min()) if not floor.empty else None


SPREAD_COLUMNS = ("ns_per_op", "cpu_ns_per_op", "idle_cpu_fraction")
_KEYS = ["machine", "family", "workload", "impl", "threads"]


def with_spread(table, reps):
    """Adds `<column>_min`/`<column>_max` over the kept repetitions for the columns the loader
    does not spread itself (latency and CPU time), for their error bars."""
    reps = reps[usable(reps)]
    present = [c for c in SPREAD_COLUMNS if c in reps]
    if reps.empty or not present:
        return table
    g = reps.groupby(_KEYS)[present]
    spread = g.min().add_suffix("_min").join(g.max().add_suffix("_max")).reset_index()
    return table.merge(spread, on=_KEYS, how="left")


def machine_charts(rs, machine):
    """Every chart for one machine, in a stable order: (stem, figure)."""
    table = with_spread(rs.table[rs.table["machine"] == machine], rs.reps[rs.reps["machine"] == machine])
    row = rs.machine(machine)
    floor = _pingpong_floor(table)
    for family in _family_order(table["family"].unique()):
        fam = table[table["family"] == family]
        if family == "false_sharing":
            yield "false_sharing-padding", false_sharing_chart(fam, row)
        for workload in sorted(fam["workload"].unique()):
            sub = fam[fam["workload"] == workload]
            stem = f"{family}-{workload}"
            if sub["threads"].nunique() == 1:
                kind = {"pingpong": "latency", "idle": "idle_cpu"}.get(workload, "throughput")
                yield f"{stem}-{kind}", single_count_chart(sub, row, family, workload, floor)
                continue
            yield f"{stem}-throughput", throughput_chart(sub, row, family, workload)
            yield f"{stem}-speedup", speedup_chart(sub, row, family, workload)
        yield from latency.charts(fam, row, family)
    yield from events.charts(table, row)  # event counts per operation, where they were recorded


def _family_order(families):
    from .names import FAMILIES
    return sorted(families, key=lambda f: (FAMILIES.index(f) if f in FAMILIES else 99, f))


def save(fig, out_dir, stem, formats=FORMATS):
    paths = []
    for fmt in formats:
        path = Path(out_dir) / f"{stem}.{fmt}"
        style.save(fig, path, fmt)
        paths.append(path)
    style.close(fig)
    return paths


def write_charts(rs, machine, out_dir, formats=FORMATS):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in machine_charts(rs, machine):
        written += save(fig, out_dir, stem, formats)
    c2c = core_map.find(rs.folders.get(machine))  # the core-to-core map, when the run measured one
    if c2c is not None:
        written += save(core_map.heatmap(core_map.load(c2c)), out_dir, core_map.CHART_STEM, formats)
    return written


def default_out_dir(rs, machine):
    folder = rs.folders.get(machine)
    return Path(folder) / "charts" if folder is not None else Path("charts") / machine.replace("/", "-")


def title_for(stem):
    """'maps-r90-k1k-uniform-throughput' -> readable caption for the report's headings."""
    if stem.startswith("events-"):
        return events.chart_title(stem)
    for family in sorted(("baseline", "counters", "false_sharing", "maps", "stacks", "channels", "poller"),
                         key=len, reverse=True):
        if stem.startswith(family + "-"):
            rest = stem[len(family) + 1:]
            workload, _, kind = rest.rpartition("-")
            kind = kind.replace("_", " ")  # idle_cpu
            if not workload:
                return f"{family_title(family)}: {kind}"
            return f"{family_title(family)} — {workload_title(family, workload)}: {kind}"
    return stem
