"""Shared look of every chart: one colour and marker per implementation, readable axes.

The impl -> (colour, marker) mapping is fixed so the same design looks the same in every chart,
every report and every comparison; (colour, marker) pairs are unique across all known impls.
"""
import functools
import hashlib
import io

import matplotlib

matplotlib.use("Agg")  # files only, never a window (and no $DISPLAY needed)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import EngFormatter, FixedLocator, LogLocator, NullFormatter, NullLocator  # noqa: E402

from . import designs, lang, sides  # noqa: E402
from .names import family_title, pretty_cpu  # noqa: E402
from .findings import workload_title  # noqa: E402

IMPL_STYLE = {
    # mutual exclusion: greys, squares/diamonds
    # mutual exclusion: dark grey; shared_mutex, drawn beside mutex in every map chart, in gold
    # so the two never look alike
    "mutex": ("#4d4d4d", "s"), "shared_mutex": ("#b8860b", "D"), "mutex_queue": ("#4d4d4d", "D"),
    # atomics: warm colours
    "atomic_relaxed": ("#fd8d3c", "^"), "atomic_seq_cst": ("#a63603", "v"), "cas": ("#d62728", "P"),
    # single owner: blue and purple (the two always share a chart)
    "channel": ("#1f77b4", "o"), "channel_async": ("#7b4173", "X"),
    # delegation (ffwd): the single owner's strongest form, teal beside it
    "delegated": ("#008080", "P"),
    # the maps' one-thread ceiling: no synchronisation at all
    "single_thread": ("#000000", "*"),
    # sharding and padding: greens/olive
    "sharded_packed": ("#bcbd22", "<"), "sharded_padded": ("#2ca02c", ">"),
    "packed": ("#d62728", "s"), "pad64": ("#2ca02c", "o"), "pad128": ("#1f77b4", "^"),
    # lock-free structures and queues
    "treiber": ("#9467bd", "^"), "boost": ("#e377c2", "D"),
    "moody": ("#17becf", "o"), "moody_blocking": ("#0b6e79", "v"),
    "boost_queue": ("#e377c2", "s"), "boost_spsc": ("#9467bd", "o"), "ring": ("#2ca02c", "*"),
    # physical floors
    "uncontended": ("#2ca02c", "D"), "contended": ("#d62728", "o"), "cache_line": ("#7f7f7f", "o"),
    "futex": ("#bdbdbd", "v"),
}
_SPARE_COLOURS = ["#8c564b", "#e7ba52", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd"]
_SPARE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">"]

ERRORBAR_NOTE = "error bars: min–max over repetitions"
THROUGHPUT_LABEL = "operations per second (all threads, wall clock)"
TAINTED_NOTE = "hollow: run tainted by foreign load"
ONE_CORE_NOTE = (f"one core: its sides took turns on about one CPU (parallelism below {sides.ONE_CORE_BELOW} of the "
                 f"2+ it claims);\nnot comparable with cross-core lines nor with the cross-core floor")
# Go's scheduler rows (<impl>_sched, lang.py) look like their pinned row with a thin marker of
# their own: the same design, placed by Go's scheduler.
_SCHED_MARKERS = ["x", "+", "1", "2", "3", "4"]
CORES_COLOUR = "#a0522d"
OVERSUB_COLOUR = "#f2e6d9"
# Labels sit over data sometimes; a light box keeps both readable.
_LABEL_BOX = dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.75)


# Colours for designs without a hand-picked look, most distinct first (none of IMPL_STYLE's).
_AUTO_COLOURS = ["#8c564b", "#e7ba52", "#393b79", "#637939", "#843c39", "#3182bd", "#d6616b", "#5254a3",
                 "#8ca252", "#bd9e39", "#ad494a", "#a55194", "#6b6ecf", "#b5cf6b", "#e7969c", "#ce6dbd"]


@functools.lru_cache(maxsize=None)
def _declared_styles():
    """A (colour, marker) pair of its own for every design the sources declare (designs.py) and
    IMPL_STYLE does not style by hand, in declaration order: colours first, then markers, never a
    pair IMPL_STYLE or another design already has."""
    used = set(IMPL_STYLE.values())
    pairs = [(c, m) for m in _SPARE_MARKERS for c in _AUTO_COLOURS]
    out = {}
    for name in designs.declared():
        if name in IMPL_STYLE or lang.is_sched(name):  # a scheduler row takes its pinned row's look
            continue
        pair = next(p for p in pairs if p not in used)
        used.add(pair)
        out[name] = pair
    return out


def impl_style(impl):
    if lang.is_sched(impl):
        colour, marker = impl_style(lang.base_name(impl))
        return colour, next(m for m in _SCHED_MARKERS if m != marker)
    if impl in IMPL_STYLE:
        return IMPL_STYLE[impl]
    declared = _declared_styles()
    if impl in declared:
        return declared[impl]
    # A name no source declares (results of another version) still gets a stable look: derived
    # from the name, not from plotting order.
    h = int(hashlib.sha1(impl.encode()).hexdigest(), 16)
    return _SPARE_COLOURS[h % len(_SPARE_COLOURS)], _SPARE_MARKERS[(h // 7) % len(_SPARE_MARKERS)]


def impl_order(impls):
    """Hand-styled impls in their documented order, then the declared designs in declaration
    order, unknown ones after, alphabetically."""
    known = list(IMPL_STYLE) + [d for d in designs.declared() if d not in IMPL_STYLE and not lang.is_sched(d)]

    def key(i):
        base = lang.base_name(i)  # a scheduler row right after its pinned row
        return (known.index(base) if base in known else len(known), base, lang.is_sched(i), i)
    return sorted(impls, key=key)


def impl_label(impl, rows=None):
    """A design as a chart's legend names it: its name, and beside it what a reader must know
    before comparing its line with the others: where its sides ran on one core ("one core at 2, 4
    threads", sides.py), and work that differs from the C++ rows (lang.work_note). `rows`: the
    design's figures in the chart."""
    notes = []
    if rows is not None and len(rows) and "sides" in rows:
        one = sorted(int(t) for t, r in zip(rows["threads"], rows.to_dict("records")) if sides.one_core(r))
        if one and len(one) == rows["threads"].nunique():
            notes.append(sides.ONE_CORE)
        elif one:
            notes.append(f"{sides.ONE_CORE} at {', '.join(map(str, one))} thread{'s' if one != [1] else ''}")
    if rows is not None and len(rows) and "work" in rows:
        short = sorted({lang.work_short(w) for w in rows["work"].fillna("") if w})
        notes += short
    return f"{impl} — {'; '.join(notes)}" if notes else str(impl)


def any_one_core(rows):
    return rows is not None and "sides" in rows and any(sides.one_core(r) for r in rows.to_dict("records"))


def setup():
    plt.rcParams.update({
        "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "figure.titlesize": 13,
        "legend.fontsize": 10, "axes.grid": True, "grid.alpha": 0.35, "grid.linestyle": "-",
        "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 110,
        "savefig.dpi": 110, "svg.fonttype": "none", "lines.linewidth": 2, "lines.markersize": 7,
        # SVG element ids come from a hash salted with a random value unless this is fixed.
        "svg.hashsalt": SVG_HASH_SALT,
    })


def machine_caption(machine_row):
    cpu = pretty_cpu(machine_row["cpu_model"]) if machine_row["cpu_model"] != "unknown" else "unknown CPU"
    cores = machine_row["core_count"]
    hw = machine_row["hw_threads"]
    smt = f", {hw} hardware threads" if hw != cores else ""
    return f"{cpu}, {cores} core{'s' if cores != 1 else ''}{smt}{placement_caption(machine_row)}"


def placement_caption(machine_row):
    """", placement class 34 ns of 3" where the machine's probes found several classes (every
    figure of a chart is measured in that one class); nothing on a machine with one."""
    classes = str(machine_row.get("placement_classes", ""))
    measured = str(machine_row.get("placement_measured", "unknown"))
    count = classes.split(" placement class", 1)[0]
    if measured == "unknown" or not count.isdigit() or int(count) < 2:
        return ""
    return f", placement class {measured} of {count}"


def chart_title(family, workload, what, machine_row=None):
    title = f"{family_title(family)} — {workload_title(family, workload)}: {what}"
    return f"{title}\n({machine_caption(machine_row)})" if machine_row is not None else title


def operation_word(family):
    return "poll" if family == "poller" else "operation"


def throughput_label(family):
    if family == "poller":
        return "polls per second (all workers, wall clock)"
    return THROUGHPUT_LABEL


def threads_axis(ax, threads, roles=None):
    """log2 x axis labelled with the thread counts that were measured: 1, 2, 4, ...
    `roles` ({threads: "3×1"}) adds producers × consumers under each count."""
    threads = sorted(set(int(t) for t in threads))
    roles = roles or {}
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(threads))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FixedFormatter(
        [f"{t}\n{roles[t]}" if t in roles else str(t) for t in threads]))
    ax.xaxis.set_minor_locator(NullLocator())
    lo, hi = threads[0], threads[-1]
    if lo == hi:
        lo, hi = lo / 2, hi * 2
    ax.set_xlim(lo / 2 ** 0.3, hi * 2 ** 0.3)
    ax.set_xlabel("threads (producers × consumers)" if roles else "threads")


def mark_cores(ax, hw_threads, max_threads):
    """Vertical line at the hardware thread count; shaded region past it. Both are named in the
    legend (outside the plot), never by text inside it, where labels collided with tick labels
    and with the ideal-scaling line."""
    if hw_threads > max_threads:
        return
    right = ax.get_xlim()[1]
    ax.axvline(hw_threads, color=CORES_COLOUR, linestyle=":", linewidth=1.5, zorder=1,
               label=f"{hw_threads} hardware threads")
    if hw_threads < max_threads:
        ax.axvspan(hw_threads, right, color=OVERSUB_COLOUR, zorder=0, linewidth=0,
                   label="oversubscribed (more threads than hardware threads)")
    ax.set_xlim(right=right)


def value_axis(ax, values, label, log_threshold=30.0, log=None):
    """Log scale when `log` is True, or (`log` None) when the values span more than
    `log_threshold`x; else linear from 0."""
    values = [v for v in values if v and v > 0]
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    if log is None:
        log = bool(values) and max(values) / min(values) > log_threshold
    if values and log:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(EngFormatter(sep=""))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylim(min(values) / 1.5, max(values) * 1.5)
    else:
        ax.set_ylim(bottom=0, top=max(values) * 1.2 if values else 1)
    ax.set_ylabel(label)


def legend_outside(fig, ax_or_axes, title="implementation"):
    axes = ax_or_axes if isinstance(ax_or_axes, (list, tuple)) else [ax_or_axes]
    handles, labels, seen = [], [], set()
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                handles.append(h)
                labels.append(lab)
    # Implementations first; then the notes (core count, ideal scaling, hollow points), whose
    # labels are phrases while impl names never contain a space (a name's notes follow it after a
    # dash: impl_label).
    order = sorted(range(len(labels)), key=lambda k: " " in labels[k].split(" — ", 1)[0])
    handles, labels = [handles[k] for k in order], [labels[k] for k in order]
    if handles:
        fig.legend(handles, labels, title=title, loc="center left", bbox_to_anchor=(1.0, 0.5),
                   frameon=False)


def new_figure(ncols=1, nrows=1, width=7.5, height=4.8, **kw):
    """`width` is per panel; side-by-side panels get a little narrower each but stay readable."""
    setup()
    panel = width if ncols == 1 else max(5.6, width * 0.8)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel * ncols, height * nrows), squeeze=False, **kw)
    return fig, axes


def close(fig):
    plt.close(fig)


SVG_HASH_SALT = "contend"
# No date and no tool version in the files: regenerating a chart from the same data gives the
# same bytes, so re-running `plot` on committed results leaves git clean.
_METADATA = {"svg": {"Date": None, "Creator": None}, "png": {"Software": None}}


def save(fig, target, fmt, dpi=None):
    """The one way a chart is written (a path or a binary file object), byte-reproducibly."""
    plt.rcParams["svg.hashsalt"] = SVG_HASH_SALT
    kw = {"dpi": dpi} if dpi else {}
    fig.savefig(target, format=fmt, bbox_inches="tight", metadata=_METADATA.get(fmt), **kw)


def png_bytes(fig, dpi=None):
    buf = io.BytesIO()
    save(fig, buf, "png", dpi)
    return buf.getvalue()
