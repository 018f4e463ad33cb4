"""litmus.json (memory-model litmus outcomes, written by the `litmus` binary): load and draw."""
from pathlib import Path

from . import style
from .errors import ContendError
from .loader import read_json
from .names import LITMUS_FILE
from .textable import eng

CLASS_COLOURS = {"allowed": "#7f9fbf", "forbidden": "#d62728", "interesting": "#ff9f1c"}


def find(folder):
    path = Path(folder) / LITMUS_FILE if folder is not None else None
    return path if path is not None and path.is_file() else None


def load(path):
    doc = read_json(path)
    tests = doc.get("litmus") if isinstance(doc, dict) else None
    if not isinstance(tests, list) or not tests:
        raise ContendError(path, 'not litmus output (no "litmus" list)')
    for t in tests:
        if not isinstance(t, dict) or not isinstance(t.get("outcomes"), list):
            raise ContendError(path, 'litmus entry without an "outcomes" list')
    return doc


def _short_labels(labels):
    """Many outcomes of the same registers ('r1=0 r2=1 r3=0 r4=1', IRIW's 16) -> their values
    ('0101') and the register names once ('r1 r2 r3 r4'): full labels would overlap."""
    if len(labels) <= 4:
        return labels, None
    pairs = [[p.split("=", 1) for p in lab.split()] for lab in labels]
    if any(len(p) != 2 for ps in pairs for p in ps):
        return labels, None
    regs = [[k for k, _ in ps] for ps in pairs]
    if any(r != regs[0] for r in regs):
        return labels, None
    return ["".join(v for _, v in ps) for ps in pairs], " ".join(regs[0])


def chart(doc):
    tests = doc["litmus"]
    ncols = min(4, len(tests))
    nrows = -(-len(tests) // ncols)
    fig, axes = style.new_figure(ncols=ncols, nrows=nrows, width=4.2, height=3.4)
    flat = [a for row in axes for a in row]
    for ax, t in zip(flat, tests):
        outcomes = t["outcomes"]
        labels, registers = _short_labels([str(o.get("outcome", "?")) for o in outcomes])
        counts = [max(int(o.get("count", 0)), 0) for o in outcomes]
        colours = [CLASS_COLOURS.get(o.get("class"), "#999999") for o in outcomes]
        ax.bar(range(len(counts)), [c if c > 0 else 0.0 for c in counts], color=colours)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xticks(range(len(labels)))
        if registers:
            ax.set_xticklabels(labels, rotation=90, fontsize=9, family="monospace")
            ax.set_xlabel(f"outcome ({registers})", fontsize=9)
        else:
            ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=9)
        # Many narrow bars (IRIW's 16): counts stand upright so neighbours do not collide.
        upright = len(counts) > 6
        for x, c in enumerate(counts):
            ax.text(x, max(c, 1), eng(c), ha="center", va="bottom", fontsize=8,
                    rotation=90 if upright else 0)
        ax.set_title(f"{t.get('test', '?')} / {t.get('order', '?')} ({eng(t.get('trials', sum(counts)))} trials)",
                     fontsize=10)
        ax.grid(axis="x", visible=False)
        ax.set_ylim(top=max(counts + [1]) * (60 if upright else 8))
    for ax in flat[len(tests):]:
        ax.set_visible(False)
    for cls, colour in CLASS_COLOURS.items():
        flat[0].bar([0], [0], color=colour, label=cls)
    flat[0].set_ylabel("count (log scale)")
    cpu = doc.get("context", {}).get("cpu_model", "unknown CPU") if isinstance(doc.get("context"), dict) else "unknown CPU"
    fig.suptitle(f"Litmus tests: outcome counts per test and memory order ({style.pretty_cpu(str(cpu))})")
    style.legend_outside(fig, flat, title="outcome class")
    fig.tight_layout()
    return fig
