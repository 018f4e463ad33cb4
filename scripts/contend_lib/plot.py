"""Charts for one machine's results: throughput, speedup, padding bars, latency bars.

`machine_charts` yields (file stem, Figure) so `plot` can save PNG+SVG and `report` can embed
the same figures; neither re-implements a chart.
"""
from pathlib import Path

from . import style
from .names import family_title, workload_title

FORMATS = ("png", "svg")


def _is_channel_design(family, impls):
    return family == "channels" or any(i.startswith("channel") for i in impls)


def _subtitle(sub):
    reps = sub["repetitions"]
    n = int(reps.min()) if reps.min() == reps.max() else f"{int(reps.min())}–{int(reps.max())}"
    return f"median of {n} repetitions; {style.ERRORBAR_NOTE}"


def _draw_lines(ax, sub, column, with_errorbars):
    for impl in style.impl_order(sub["impl"].unique()):
        rows = sub[sub["impl"] == impl].sort_values("threads")
        colour, marker = style.impl_style(impl)
        yerr = None
        if with_errorbars:
            yerr = [(rows[column] - rows["ops_min"]).clip(lower=0),
                    (rows["ops_max"] - rows[column]).clip(lower=0)]
        ax.errorbar(rows["threads"], rows[column], yerr=yerr, color=colour, marker=marker,
                    label=impl, capsize=3, elinewidth=1, zorder=3)


def throughput_chart(sub, machine_row, family, workload):
    impls = sub["impl"].unique()
    channel = _is_channel_design(family, impls)
    fig, axes = style.new_figure(ncols=2 if channel else 1)
    ax = axes[0][0]
    threads = sorted(sub["threads"].unique())
    _draw_lines(ax, sub, "ops_per_sec", with_errorbars=True)
    # Ideal scaling starts from the best single-thread design and stops at the core count:
    # past it no design can gain from more threads.
    base_t = threads[0]
    best = sub[sub["threads"] == base_t]["ops_per_sec"].max()
    hw = int(machine_row["hw_threads"])
    ideal_t = [t for t in threads if t <= max(hw, base_t)]
    if len(ideal_t) > 1:
        ax.plot(ideal_t, [best * t / base_t for t in ideal_t], linestyle="--", color="#555555",
                linewidth=1.2, label=f"ideal linear scaling (best {base_t}-thread × threads)", zorder=2)
    style.threads_axis(ax, threads)
    values = list(sub["ops_min"]) + list(sub["ops_max"])
    style.value_axis(ax, values, style.THROUGHPUT_LABEL)
    style.mark_cores(ax, hw, max(threads))
    ax.set_title("throughput — " + _subtitle(sub), fontsize=9.5, color="#444444")
    if channel:
        ax2 = axes[0][1]
        for impl in style.impl_order(impls):
            rows = sub[sub["impl"] == impl].sort_values("threads")
            colour, marker = style.impl_style(impl)
            ax2.plot(rows["threads"], rows["cpu_ns_per_op"], color=colour, marker=marker, label=impl)
        style.threads_axis(ax2, threads)
        style.value_axis(ax2, list(sub["cpu_ns_per_op"].dropna()),
                         "CPU ns per operation (whole process)")
        style.mark_cores(ax2, hw, max(threads), label=False)
        ax2.set_title("CPU time per operation, owner threads included (lower is better)",
                      fontsize=9.5, color="#444444")
    fig.suptitle(style.chart_title(family, workload, "throughput vs threads", machine_row))
    style.legend_outside(fig, [a for row in axes for a in row])
    fig.tight_layout()
    return fig


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
                label=impl, zorder=3)
    hw = int(machine_row["hw_threads"])
    ideal_t = [t for t in threads if t <= max(hw, base_t)]
    ax.plot(ideal_t, [t / base_t for t in ideal_t], linestyle="--", color="#555555", linewidth=1.2,
            label="ideal linear scaling", zorder=2)
    ax.axhline(1.0, color="#888888", linewidth=1, zorder=1)
    style.threads_axis(ax, threads)
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
    """Workloads measured at one thread count only (ping-pong, SPSC): bars, not lines."""
    impls = style.impl_order(sub["impl"].unique())
    rows = sub.set_index("impl").loc[impls]
    t = int(sub["threads"].iloc[0])
    latency = workload == "pingpong"
    fig, axes = style.new_figure(width=7.5, height=0.9 + 0.45 * len(impls) + 1.2)
    ax = axes[0][0]
    colours = [style.impl_style(i)[0] for i in impls]
    if latency:
        values = rows["ns_per_op"]
        ax.barh(impls, values, color=colours)
        ax.set_xlabel("one-way hand-off latency, ns (wall clock / operations; lower is better)")
        if floor_ns:
            ax.axvline(floor_ns, color="#333333", linestyle="--", linewidth=1.2,
                       label=f"cache-line ping-pong floor ({floor_ns:.0f} ns, baseline)")
            ax.legend(loc="lower right", frameon=True, framealpha=0.9)
        what = "hand-off latency"
    else:
        values = rows["ops_per_sec"]
        err = [(values - rows["ops_min"]).clip(lower=0), (rows["ops_max"] - values).clip(lower=0)]
        ax.barh(impls, values, xerr=err, color=colours, capsize=3)
        ax.set_xlabel(style.THROUGHPUT_LABEL)
        what = f"throughput at {t} threads"
    ax.xaxis.set_major_formatter(style.EngFormatter(sep=""))
    for y, v in enumerate(values):
        ax.text(v, y, f" {style.EngFormatter(sep='', places=1)(v)}", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(right=max(values) * 1.25)
    ax.set_title(f"{t} threads; median of {int(sub['repetitions'].min())} repetitions",
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
            ax.bar(xs, rows["ops_per_sec"], width=width, yerr=err, capsize=2,
                   color=style.impl_style(impl)[0], label=labels.get(impl, impl))
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


def _pingpong_floor(table):
    floor = table[(table["family"] == "baseline") & (table["workload"] == "pingpong")]
    return float(floor["ns_per_op"].min()) if not floor.empty else None


def machine_charts(rs, machine):
    """Every chart for one machine, in a stable order: (stem, figure)."""
    table = rs.table[rs.table["machine"] == machine]
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
                kind = "latency" if workload == "pingpong" else "throughput"
                yield f"{stem}-{kind}", single_count_chart(sub, row, family, workload, floor)
                continue
            yield f"{stem}-throughput", throughput_chart(sub, row, family, workload)
            yield f"{stem}-speedup", speedup_chart(sub, row, family, workload)


def _family_order(families):
    from .names import FAMILIES
    return sorted(families, key=lambda f: (FAMILIES.index(f) if f in FAMILIES else 99, f))


def save(fig, out_dir, stem, formats=FORMATS):
    paths = []
    for fmt in formats:
        path = Path(out_dir) / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, bbox_inches="tight")
        paths.append(path)
    style.close(fig)
    return paths


def write_charts(rs, machine, out_dir, formats=FORMATS):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in machine_charts(rs, machine):
        written += save(fig, out_dir, stem, formats)
    return written


def default_out_dir(rs, machine):
    folder = rs.folders.get(machine)
    return Path(folder) / "charts" if folder is not None else Path("charts") / machine.replace("/", "-")


def title_for(stem):
    """'maps-r90-k1k-uniform-throughput' -> readable caption for the report's headings."""
    for family in sorted(("baseline", "counters", "false_sharing", "maps", "stacks", "channels"),
                         key=len, reverse=True):
        if stem.startswith(family + "-"):
            rest = stem[len(family) + 1:]
            workload, _, kind = rest.rpartition("-")
            if not workload:
                return f"{family_title(family)}: {kind}"
            return f"{family_title(family)} — {workload_title(family, workload)}: {kind}"
    return stem
