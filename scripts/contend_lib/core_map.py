"""core_to_core.json (the core-to-core latency map, written by the `core_to_core` binary): load,
summarise in one sentence, draw as a CPU × CPU heatmap.

The map is the placement probe's cache-line ping-pong between every unordered pair of allowed
CPUs, one direction per pair (a round trip moves the line both ways). It says what a hand-off
costs on a machine before any design is involved, so `report` draws it and `compare` sets the two
machines' median and worst pair beside each hand-off ratio. A pair whose threads could not be
pinned has ns null: it is left blank, never drawn as 0.
"""
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from . import style
from .errors import ContendError
from .loader import read_json
from .names import CORE_TO_CORE_FILE

CHART_STEM = "core_to_core"
# Cells carry their figure up to this many CPUs (16 × 16 cells of two or three digits stay
# legible); beyond it only the colour speaks.
ANNOTATE_MAX_CPUS = 16
# From this many CPUs on, every k-th tick is labelled (64 labels would overlap).
THIN_TICKS_FROM = 64
RELATIONS = {"smt": "SMT siblings", "core": "cores of one package", "package": "across packages"}


def find(folder):
    path = Path(folder) / CORE_TO_CORE_FILE if folder is not None else None
    return path if path is not None and path.is_file() else None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load(path):
    """The document, checked: pairs of two CPU ids with a positive ns or null. Anything else is
    one ContendError naming the file."""
    doc = read_json(path)
    pairs = doc.get("pairs") if isinstance(doc, dict) else None
    if not isinstance(pairs, list):
        raise ContendError(path, 'not core_to_core output (no "pairs" list)')
    for k, p in enumerate(pairs):
        if not isinstance(p, dict) or not all(isinstance(p.get(c), int) and not isinstance(p.get(c), bool)
                                              for c in ("a", "b")):
            raise ContendError(path, f'pair {k + 1} has no CPU ids "a" and "b"')
        ns = p.get("ns")
        if ns is not None and not (_number(ns) and math.isfinite(ns) and ns > 0):
            raise ContendError(path, f"pair {p['a']}–{p['b']} has ns {ns!r} (a positive number or null)")
    cpus = doc.get("cpus")
    if cpus is None:
        doc["cpus"] = sorted({p[c] for p in pairs for c in ("a", "b")})
    elif not isinstance(cpus, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in cpus):
        raise ContendError(path, '"cpus" is not a list of CPU ids')
    known = set(doc["cpus"])
    stray = [f"{p['a']}–{p['b']}" for p in pairs if p["a"] not in known or p["b"] not in known]
    if stray:
        raise ContendError(path, f"pair {stray[0]} names a CPU missing from \"cpus\"")
    return doc


def matrix(doc):
    """(cpu ids, n × n array of one-way ns): symmetric, NaN on the diagonal and for pairs not
    measured (null or absent)."""
    import numpy as np
    cpus = list(doc["cpus"])
    index = {c: i for i, c in enumerate(cpus)}
    m = np.full((len(cpus), len(cpus)), np.nan)
    for p in doc["pairs"]:
        if p.get("ns") is not None and p["a"] != p["b"]:
            i, j = index[p["a"]], index[p["b"]]
            m[i, j] = m[j, i] = float(p["ns"])
    return cpus, m


@dataclass
class Pair:
    a: int
    b: int
    ns: float
    relation: str = None


@dataclass
class Summary:
    cpus: int
    pairs: int                 # pairs in the file
    measured: int              # pairs with a latency
    median_ns: float = None    # median over the measured pairs
    best: Pair = None
    worst: Pair = None
    relations: dict = field(default_factory=dict)  # "smt"/"core"/"package" -> median ns, when known


def summary(doc):
    measured = [Pair(p["a"], p["b"], float(p["ns"]), p.get("relation")) for p in doc["pairs"]
                if p.get("ns") is not None]
    s = Summary(cpus=len(doc["cpus"]), pairs=len(doc["pairs"]), measured=len(measured))
    if not measured:
        return s
    s.median_ns = statistics.median(p.ns for p in measured)
    # Ties go to the lowest pair, so the same file always names the same CPUs.
    s.best = min(measured, key=lambda p: (p.ns, p.a, p.b))
    s.worst = max(measured, key=lambda p: (p.ns, -p.a, -p.b))
    for rel in RELATIONS:
        values = [p.ns for p in measured if p.relation == rel]
        if values:
            s.relations[rel] = statistics.median(values)
    return s


def _ns(value):
    return f"{value:.0f} ns" if value >= 10 else f"{value:.1f} ns"


def _pair(p):
    return f"{p.a}–{p.b}"


def sentence(doc):
    """One computed sentence: the median pair, the best and the worst (which CPUs), the medians
    per topology relation when the file knows them, the pairs that could not be pinned."""
    s = summary(doc)
    if s.pairs == 0:
        return f"No pair to measure: {s.cpus} CPU{'s' if s.cpus != 1 else ''} allowed."
    unpinned = s.pairs - s.measured
    if s.median_ns is None:
        return f"None of the {s.pairs} pairs of {s.cpus} CPUs could be measured (no thread could be pinned)."
    if s.measured == 1:
        rel = f" ({RELATIONS[s.best.relation]})" if s.best.relation in RELATIONS else ""
        text = (f"A cache line takes {_ns(s.best.ns)} one way between CPUs {_pair(s.best)}{rel}, "
                f"the only pair of {s.cpus} CPUs{' measured' if unpinned else ''}")
    else:
        text = (f"Median pair {_ns(s.median_ns)} one way over {s.measured} pairs of {s.cpus} CPUs; "
                f"best {_pair(s.best)} at {_ns(s.best.ns)}, worst {_pair(s.worst)} at {_ns(s.worst.ns)} "
                f"({s.worst.ns / s.median_ns:.2f}× the median)")
        if len(s.relations) > 1:
            text += "; medians: " + ", ".join(f"{RELATIONS[r]} {_ns(v)}" for r, v in s.relations.items())
        elif s.relations:
            text += f"; all pairs: {RELATIONS[next(iter(s.relations))]}"
    if unpinned:
        text += f"; {unpinned} pair{'s' if unpinned != 1 else ''} could not be pinned"
    return text + "."


def short(doc, placement=None, cls=None):
    """'52/55 ns': median and worst pair, for compare's column. With `placement` (the machine's
    placement classes) and a map of several passes (core_to_core --passes), the passes measured in
    class `cls` only ('34/36 ns in 34 ns'), or which classes the map saw when none was `cls`."""
    passes = pass_docs(doc)
    if placement is not None and cls and len(passes) > 1:
        mine = [d for d in passes if placement.of(summary(d).median_ns) == cls]
        if not mine:
            seen = sorted({placement.of(summary(d).median_ns) or "?" for d in passes})
            return f"not seen in {cls} (map in {', '.join(seen)})"
        medians = [summary(d).median_ns for d in mine]
        worsts = [summary(d).worst.ns for d in mine]
        return f"{statistics.median(medians):.0f}/{statistics.median(worsts):.0f} ns in {cls}"
    s = summary(doc)
    if s.median_ns is None:
        return "none measured"
    return f"{s.median_ns:.0f}/{s.worst.ns:.0f} ns"


def pass_docs(doc):
    """Each pass of a map measured several times (core_to_core --passes=N: "passes", each with
    its own "pairs") as a document of its own; [doc] for a map of one pass."""
    passes = doc.get("passes")
    if not isinstance(passes, list) or not passes:
        return [doc]
    out = []
    for p in passes:
        pairs = (p.get("pairs") or p.get("pair_latency_ns")) if isinstance(p, dict) else None
        if isinstance(pairs, list):
            out.append({**doc, "pairs": pairs, "passes": None})
    return out or [doc]


def class_sentence(doc, placement):
    """Which placement classes the map's passes saw ("passes in 34 ns: 12, in 154 ns: 4"), or ""
    for a map of one pass or a machine of one class."""
    passes = pass_docs(doc)
    if placement is None or not placement.several or len(passes) < 2:
        return ""
    seen = {}
    for d in passes:
        m = summary(d).median_ns
        if m is not None:
            seen.setdefault(placement.of(m) or "?", []).append(m)
    return ("The map was measured in " + str(len(passes)) + " passes: "
            + "; ".join(f"{len(v)} in class {c} (median pair {statistics.median(v):.0f} ns)"
                        for c, v in sorted(seen.items(), key=lambda kv: statistics.median(kv[1]))) + ".")


def _tick_step(n):
    if n < THIN_TICKS_FROM:
        return 1
    return 2 ** math.ceil(math.log2(n / 16))  # 64 CPUs: every 4th, 128: every 8th


def heatmap(doc):
    """CPU × CPU, colour = one-way ns (colour bar), the diagonal and unmeasured pairs blank,
    figures in the cells up to ANNOTATE_MAX_CPUS CPUs, tick labels thinned from THIN_TICKS_FROM."""
    import numpy as np
    from matplotlib import colormaps
    cpus, m = matrix(doc)
    n = len(cpus)
    annotate = n <= ANNOTATE_MAX_CPUS
    side = min(max(3.2 + 0.42 * n, 5.2), 9.0) if annotate else 9.0
    fig, axes = style.new_figure(width=side + 1.4, height=side, layout="constrained")
    ax = axes[0][0]
    cmap = colormaps["viridis"].with_extremes(bad="#f2f2f2")
    finite = m[np.isfinite(m)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-9 * max(hi, 1.0):  # one value (2 CPUs): a band around it, not a zero-width scale
        lo, hi = lo * 0.9, hi * 1.1 if hi > 0 else 1.0
    image = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
    if annotate:
        for (i, j), v in np.ndenumerate(m):
            if i == j:
                continue
            text = "n/a" if not np.isfinite(v) else f"{v:.0f}" if v >= 10 else f"{v:.1f}"
            text += " ns" if n <= 4 and np.isfinite(v) else ""
            dark = np.isfinite(v) and (v - lo) / (hi - lo) < 0.6  # viridis is dark at its low end
            ax.text(j, i, text, ha="center", va="center", fontsize=11 if n <= 4 else 8,
                    color="white" if dark else "#222222")
    step = _tick_step(n)
    ticks = list(range(0, n, step))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xticklabels([str(cpus[t]) for t in ticks], fontsize=9 if n > 16 else 10,
                       rotation=90 if n > 16 and step == 1 else 0)
    ax.set_yticklabels([str(cpus[t]) for t in ticks], fontsize=9 if n > 16 else 10)
    ax.set_xlabel("CPU" + (f" (every {step}th labelled)" if step > 1 else ""))
    ax.set_ylabel("CPU")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
    bar.set_label("one-way latency, ns")
    ctx = doc.get("context") if isinstance(doc.get("context"), dict) else {}
    cpu = style.pretty_cpu(str(ctx.get("cpu_model", "unknown CPU")))
    per_pair = doc.get("per_pair_us")
    each = f", {per_pair:g} µs of ping-pong per pair" if _number(per_pair) else ""
    ax.set_title(sentence_caption(doc), fontsize=9.5, color="#444444")
    fig.suptitle(f"Core-to-core latency: a cache line handed between two pinned CPUs\n({cpu}, {n} CPUs{each})")
    return fig


def sentence_caption(doc):
    """The chart's subtitle: median and extremes, short enough for one line."""
    s = summary(doc)
    if s.median_ns is None:
        return "no pair measured"
    if s.measured == 1:
        rel = f" ({RELATIONS[s.best.relation]})" if s.best.relation in RELATIONS else ""
        return f"{_pair(s.best)}{rel}: {_ns(s.best.ns)}; diagonal blank (a CPU with itself)"
    blank = "diagonal and unmeasured pairs blank" if s.measured < s.pairs else "diagonal blank"
    return (f"median {_ns(s.median_ns)}, best {_pair(s.best)} {_ns(s.best.ns)}, worst {_pair(s.worst)} "
            f"{_ns(s.worst.ns)}; {blank}")
