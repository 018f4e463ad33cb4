"""Event counts per operation (perf_event_open around every timed run: benchmarks/perf_events.hpp).

Each repetition carries `<event>_per_op` for the events counted on its machine; the context says
which were counted (`events_counted`) and why the others were not (`events_not_available`,
"<event>: <reason>; ..."). An event that was not counted is shown as "not available" with that
reason, never as 0 or a blank; result files written before the counters existed give one line,
"not recorded". From these: the report's table and its one computed sentence, and the charts
(context switches per operation of the lock-based and the blocking channel designs, cache misses
per increment of false sharing's packed and padded counters where a PMU counts them).
"""
import html
import math

from . import sides, style
from .findings import clean_reps, clean_table, compare_impls, p_text, workload_title
from .names import family_title

# (event, what a reader calls it), in the order of the C++ side's events().
EVENTS = [("context_switches", "context switches"), ("cpu_migrations", "CPU migrations"),
          ("page_faults", "page faults"), ("cycles", "cycles"), ("instructions", "instructions"),
          ("cache_misses", "cache misses"), ("hitm", "HITM loads")]
LABEL = dict(EVENTS)
HARDWARE = ["cycles", "instructions", "cache_misses", "hitm"]
NOT_RECORDED = ("Event counts: not recorded (these results were written before contend counted "
                "perf events around each run).")

# The table's rows: one workload per family that shows its designs' waiting, at the machine's
# hardware-thread count (or the nearest count the workload was measured at).
SELECTION = [("baseline", "pingpong"), ("counters", "increment"), ("false_sharing", "atomic"),
             ("false_sharing", "plain"), ("maps", "r90-k1k-uniform"), ("stacks", "pairs"),
             ("channels", "spsc-small"), ("channels", "mpsc-small"), ("channels", "pingpong")]
# Designs that take a lock (the C++ side's `blocking = true` mutual exclusion: tests/bench_smoke.py
# BLOCKING) and the blocking channels: the channels family's sleeping queues and the single
# owners (Go's channel counter and map, delegation), whose clients and owner sleep when idle.
LOCK_DESIGNS = {("counters", "increment"): ["mutex"],
                ("maps", "r90-k1k-uniform"): ["mutex", "shared_mutex", "absl_mutex"],
                ("stacks", "pairs"): ["mutex", "combining"]}
BLOCKING_CHANNELS = {("channels", "mpsc-small"): ["mutex_queue", "moody_blocking"],
                     ("channels", "mpmc-small"): ["mutex_queue", "moody_blocking"],
                     ("counters", "increment"): ["channel", "delegated"],
                     ("maps", "r90-k1k-uniform"): ["channel", "channel_async", "delegated"]}
_WORKLOAD_DASHES = ["-", "--", ":", "-."]


def availability(machine_row):
    """{event: reason or None (counted)} from the machine's context, or None when the results
    carry no event context at all (older files)."""
    counted_raw = str(machine_row.get("events_counted", "unknown"))
    missing_raw = str(machine_row.get("events_not_available", "unknown"))
    if counted_raw == "unknown" and missing_raw == "unknown":
        return None
    out = {}
    if counted_raw != "unknown":
        for item in counted_raw.split(", "):
            name = item.split(" (")[0].strip()
            if name:
                out[name] = None
    current = None
    # The loader reads an empty events_not_available as "unknown": everything was counted.
    for part in ([] if missing_raw == "unknown" else missing_raw.split("; ")):
        head, sep, reason = part.partition(": ")
        if sep and head in LABEL:
            current = head
            out[current] = reason
        elif current is not None:  # a reason that itself held "; "
            out[current] += "; " + part
    for name, _ in EVENTS:
        out.setdefault(name, "not recorded on this machine")
    return out


def _column(event):
    return f"{event}_per_op"


def _recorded(table):
    return any(_column(e) in table and table[_column(e)].notna().any() for e, _ in EVENTS)


def _nearest_threads(counts, hw):
    return min(counts, key=lambda t: (abs(t - hw), -t)) if len(counts) else None


def _fmt(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    return "0" if value == 0 else f"{value:.3g}"


def event_table(table, machine_row):
    """(header, rows, notes) of the report's table for one machine's table, or None when the
    results hold no event counts. Counted events get a column each; events not available with
    the same reason share one column of "not available", the reason in `notes`."""
    avail = availability(machine_row)
    if avail is None and not _recorded(table):
        return None
    avail = avail or {e: None for e, _ in EVENTS}
    counted = [e for e, _ in EVENTS if avail[e] is None]
    groups = {}  # reason -> events
    for e, _ in EVENTS:
        if avail[e] is not None:
            groups.setdefault(avail[e], []).append(e)
    hw = int(machine_row["hw_threads"])
    header = ["family / workload", "implementation", "threads"] + [f"{LABEL[e]} per op" for e in counted]
    header += [", ".join(LABEL[e] for e in events) + " per op" for events in groups.values()]
    rows = []
    for family, workload in SELECTION:
        sub = table[(table["family"] == family) & (table["workload"] == workload)]
        threads = _nearest_threads(sorted(sub["threads"].unique()), hw)
        if threads is None:
            continue
        at = sub[sub["threads"] == threads]
        for impl in style.impl_order(at["impl"].unique()):
            row = at[at["impl"] == impl].iloc[0]
            cells = [f"{family}/{workload}", impl, str(int(threads))]
            cells += [_fmt(row.get(_column(e))) for e in counted]
            cells += ["not available"] * len(groups)
            rows.append(cells)
    notes = [f"Not available here: {', '.join(LABEL[e] for e in events)} — {reason}."
             for reason, events in groups.items()]
    return header, rows, notes


def sentence(table, machine_row, include_tainted=False, reps=None):
    """One sentence computed from the data: which design context-switches most per operation at
    the hardware-thread count and how that compares with the fewest (with the Mann–Whitney U test
    over the repetitions when `reps` is given), and whether the hardware events were counted."""
    avail = availability(machine_row) or {e: None for e, _ in EVENTS}
    hw = int(machine_row["hw_threads"])
    hardware = [e for e in HARDWARE if avail[e] is None]
    if hardware:
        hw_text = f"hardware events counted: {', '.join(LABEL[e] for e in hardware)}"
        missing = [e for e in HARDWARE if avail[e] is not None]
        if missing:
            hw_text += f" (not {', '.join(LABEL[e] for e in missing)}: {avail[missing[0]]})"
    else:
        reasons = {avail[e] for e in HARDWARE}
        hw_text = ("no hardware event was counted (cycles, instructions, cache misses, HITM loads): "
                   + (reasons.pop() if len(reasons) == 1 else "; ".join(sorted(reasons))))
    column = _column("context_switches")
    if avail["context_switches"] is not None or column not in table:
        return (f"Context switches were not counted ({avail['context_switches']}); {hw_text}.")
    rows = clean_table(table, include_tainted)
    selected = [(f, w) in SELECTION for f, w in zip(rows["family"], rows["workload"])]
    rows = rows.loc[selected]
    # The baseline's futex ping-pong sleeps on every hand-off by construction: a floor, not a design.
    rows = rows[(rows["threads"] == hw) & rows[column].notna() & (rows["family"] != "baseline")]
    if rows.empty:
        return f"No untainted figure of the table's designs at {hw} threads; {hw_text}."
    top = rows.loc[rows[column].idxmax()]
    where = f"{top['family']}/{top['workload']}"
    same = rows[(rows["family"] == top["family"]) & (rows["workload"] == top["workload"])]
    low = same.loc[same[column].idxmin()]
    threads = f"{hw} thread{'s' if hw != 1 else ''}"
    if low["impl"] == top["impl"]:
        versus = "the only design of that workload measured there"
    elif low[column] > 0:
        ratio = top[column] / low[column]
        versus = (f"{ratio:.3g}×" if ratio < 100 else f"{ratio:,.0f}×") + \
            f" the {_fmt(low[column])} of {low['impl']}{_one_core(low)}, the fewest in that workload"
        c = compare_impls(clean_reps(reps, include_tainted), top["family"], top["workload"], top["impl"],
                          low["impl"], hw, column) if reps is not None else None
        if c is not None:
            versus += (f" (Mann–Whitney U {p_text(c.p)}" +
                       (")" if c.testable and c.p < 0.05 else ", not a significant difference)"))
    else:
        versus = f"against none at all for {low['impl']}{_one_core(low)}, the fewest in that workload"
    return (f"Of the table's {len(rows)} figures at {threads}, {top['impl']}{_one_core(top)} in {where} "
            f"context-switches most: {_fmt(top[column])} per operation, {versus}; {hw_text}.")


def _one_core(row):
    """' (one core: parallelism 0.79 of 2)' beside a figure whose sides ran on one core, else ""."""
    text = sides.label(row)
    return f" ({text})" if text else ""


def section_html(rs, machine, render_table, include_tainted=False):
    """The report's "Event counts" section for one machine; `render_table(header, rows)` is the
    report's table renderer."""
    table = rs.table[rs.table["machine"] == machine]
    row = rs.machine(machine)
    out = [f"<h2>Event counts — {html.escape(machine)}</h2>"]
    built = event_table(table, row)
    if built is None:
        out.append(f"<p class='muted'>{html.escape(NOT_RECORDED)}</p>")
        return "\n".join(out)
    header, rows, notes = built
    out.append("<p class='muted'>perf_event_open counts of the whole process (every thread, owner threads "
               "included) over each timed run, divided by the run's operations; medians over repetitions.</p>")
    reps = rs.reps[rs.reps["machine"] == machine]
    out.append(f"<p>{html.escape(sentence(table, row, include_tainted, reps))}</p>")
    out.append(render_table(header, rows))
    out += [f"<p class='muted'>{html.escape(n)}</p>" for n in notes]
    reason = (availability(row) or {}).get("cache_misses")
    if reason is not None:
        out.append(f"<p class='muted'>{html.escape(no_cache_chart_line(reason))}</p>")
    return "\n".join(out)


def no_cache_chart_line(reason):
    return f"No chart of cache misses per increment for false sharing: cache misses are not available ({reason})."


def _line_chart(table, machine_row, designs, what):
    """Context switches per operation against threads, one line per (workload, design)."""
    column = _column("context_switches")
    fig, axes = style.new_figure(width=8)
    ax = axes[0][0]
    values, threads = [], set()
    for k, ((family, workload), impls) in enumerate(designs.items()):
        sub = table[(table["family"] == family) & (table["workload"] == workload)]
        for impl in style.impl_order([i for i in impls if i in set(sub["impl"])]):
            rows = sub[(sub["impl"] == impl) & sub[column].notna()].sort_values("threads")
            if rows.empty:
                continue
            colour, marker = style.impl_style(impl)
            ax.plot(rows["threads"], rows[column], color=colour, marker=marker,
                    linestyle=_WORKLOAD_DASHES[k % len(_WORKLOAD_DASHES)],
                    label=f"{impl} ({family}/{workload})", zorder=3)
            values += list(rows[column])
            threads |= set(int(t) for t in rows["threads"])
    if not values:
        style.close(fig)
        return None
    style.threads_axis(ax, sorted(threads))
    style.value_axis(ax, values, "context switches per operation (whole process)", log=True)
    hw = int(machine_row["hw_threads"])
    style.mark_cores(ax, hw, max(threads))
    ax.set_title("perf_event_open, every thread of the process; median over repetitions; "
                 "zero is not drawn on this log axis", fontsize=9.5, color="#444444")
    fig.suptitle(f"Context switches per operation: {what}\n({style.machine_caption(machine_row)})")
    style.legend_outside(fig, ax, title="design (workload)")
    fig.tight_layout()
    return fig


def _cache_miss_chart(table, machine_row):
    column = _column("cache_misses")
    fs = table[(table["family"] == "false_sharing") & table[column].notna()] if column in table else table.iloc[0:0]
    if fs.empty:
        return None
    workloads = sorted(fs["workload"].unique())
    fig, axes = style.new_figure(ncols=len(workloads), width=6, sharey=False)
    impls = [i for i in ("packed", "pad64", "pad128") if i in set(fs["impl"])]
    hw = int(machine_row["hw_threads"])
    for ax, workload in zip(axes[0], workloads):
        w = fs[fs["workload"] == workload]
        threads = sorted(w["threads"].unique())
        width = 0.8 / max(len(impls), 1)
        for k, impl in enumerate(impls):
            rows = w[w["impl"] == impl].set_index("threads").reindex(threads)
            xs = [i + (k - (len(impls) - 1) / 2) * width for i in range(len(threads))]
            ax.bar(xs, rows[column].fillna(0), width=width, color=style.impl_style(impl)[0], label=impl)
        ax.set_xticks(range(len(threads)))
        ax.set_xticklabels([f"{t}{' (over)' if t > hw else ''}" for t in threads])
        ax.set_xlabel("threads (each increments its own counter)")
        ax.set_ylabel("cache misses per increment")
        ax.grid(axis="x", visible=False)
        ax.set_title(workload_title("false_sharing", workload), fontsize=11)
    fig.suptitle("False sharing — cache misses per increment, packed vs padded\n"
                 f"({style.machine_caption(machine_row)}; median over repetitions)")
    style.legend_outside(fig, list(axes[0]), title="counter layout")
    fig.tight_layout()
    return fig


def charts(table, machine_row):
    """(stem, figure) for plot.machine_charts: nothing for results without event counts."""
    avail = availability(machine_row)
    if avail is None and not _recorded(table):
        return
    avail = avail or {}
    if avail.get("context_switches") is None and _column("context_switches") in table:
        for stem, designs, what in (("locks", LOCK_DESIGNS, "lock-based designs"),
                                    ("blocking_channels", BLOCKING_CHANNELS, "blocking channels and single owners")):
            fig = _line_chart(table, machine_row, designs, what)
            if fig is not None:
                yield f"events-context_switches-{stem}", fig
    if avail.get("cache_misses") is None:
        fig = _cache_miss_chart(table, machine_row)
        if fig is not None:
            yield "events-cache_misses-false_sharing", fig


def chart_title(stem):
    """Report caption of an events-* chart stem."""
    return {"events-context_switches-locks": "Event counts — context switches per operation, lock-based designs",
            "events-context_switches-blocking_channels":
                "Event counts — context switches per operation, blocking channels and single owners",
            "events-cache_misses-false_sharing": "Event counts — cache misses per increment, false sharing"
            }.get(stem, family_title("events") + ": " + stem)
