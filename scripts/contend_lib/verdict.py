"""The report's opening: what the proverb's designs cost on one machine, in at most five computed
sentences and one picture (for each workload × thread count, which design wins and by how much,
marked where the U-test does not separate it from the runner-up, or where there is no verdict).
Every point is `contend advise`'s answer there (advise.answer), so the report and the command
cannot disagree.
"""
from collections import Counter

from . import advise, lang
from .findings import channel_vs_mutex_map, clean_reps, clean_table

# Not a choice between designs: the physical floors, and the idle receiver's CPU (not throughput).
SKIP = {("baseline", None), ("channels", "idle")}


def _refs(g):
    return sum(1 for i in g["impl"].unique() if i in advise.REFERENCES)


def points(rs, machine):
    """[(family, workload, threads, Answer)] for every point with two C++ designs or more (advise's
    default question: a C++ answer, Go's own beside it)."""
    table = rs.table[rs.table["machine"] == machine]
    table = table.loc[[not lang.is_go(i) for i in table["impl"]]]
    out = []
    for (family, workload, threads), g in table.groupby(["family", "workload", "threads"], sort=True):
        if (family, None) in SKIP or (family, workload) in SKIP or g["impl"].nunique() - _refs(g) < 2:
            continue
        out.append((family, workload, int(threads), advise.answer(rs, machine, family, workload, int(threads))))
    return out


def sentences(rs, machine, pts):
    """At most five sentences, each computed from the points and the committed data."""
    row = rs.machine(machine)
    won = [(f, w, t, a) for f, w, t, a in pts if a.recommended and not a.verdict and a.significant]
    close = [(f, w, t, a) for f, w, t, a in pts if a.recommended and not a.verdict and not a.significant]
    none = [(f, w, t, a) for f, w, t, a in pts if a.verdict]
    hw = int(row["hw_threads"])
    measured = str(row.get("placement_measured", "unknown"))
    classes = str(row.get("placement_classes", ""))
    where = (f" in placement class {measured} ({classes.split(' (')[0]})"
             if measured != "unknown" and not classes.startswith("1 placement class") else "")
    out = [f"On {row['cpu_model']} ({hw} hardware threads{where}), {len(won)} of {len(pts)} workload × "
           f"thread-count points have a design that beats the runner-up significantly (two-sided "
           f"Mann–Whitney U, p < 0.05), {len(close)} are too close to call and {len(none)} have no verdict "
           f"(a design left out there could have won)."]
    if won:
        counts = Counter(a.recommended for *_, a in won)
        top, n = counts.most_common(1)[0]
        out.append(f"{top} wins most often ({n} of those {len(won)} points).")
        f, w, t, a = max(won, key=lambda p: p[3].margin)
        lo, hi = a.interval
        out.append(f"The widest margin: {a.recommended} over {a.runner_up} in {f}/{w} at {t} "
                   f"thread{'s' if t != 1 else ''}, {a.margin:.1f}× (95% interval {lo:.1f}–{hi:.1f}×).")
    proverb = proverb_sentence(rs, machine)
    if proverb:
        out.append(proverb)
    if none:
        out.append("No verdict at " + "; ".join(f"{f}/{w} at {t}" for f, w, t, _ in none[:4])
                   + (f" and {len(none) - 4} more" if len(none) > 4 else "") + ": the table below says why.")
    return out[:5]


def proverb_sentence(rs, machine):
    """The proverb's own case in one sentence: the single-owner channel maps against the mutex
    map over every workload and thread count, counted by the U-test ("" without them)."""
    table, reps = rs.table[rs.table["machine"] == machine], rs.reps[rs.reps["machine"] == machine]
    proverb = channel_vs_mutex_map(clean_table(table), clean_reps(reps), table, reps)
    if proverb is None:
        return ""
    parts = []
    for impl in proverb.heatmap.panels:
        mine = [r[-1] for r in proverb.rows if r[0] == impl and not str(r[-1]).startswith(("left out", "not compared"))]
        unlike = sum(1 for r in proverb.rows if r[0] == impl and str(r[-1]).startswith("not compared"))
        parts.append(f"{impl} is faster than the mutex map in {mine.count(impl)} of {len(mine)} "
                     f"configurations and slower in {mine.count('mutex')}"
                     + (f" ({unlike} more not compared: one of the two ran on one core, the other across cores)"
                        if unlike else ""))
    return ("Sharing memory by communicating, for a map (the proverb's case): " + "; ".join(parts)
            + " (two-sided Mann–Whitney U on the repetitions, p < 0.05).")


def chart(pts, machine_row):
    """One picture: a row per workload, a column per thread count, each cell the winner and its
    margin, in the winner's colour; grey where not significant, blank with "no verdict"."""
    import numpy as np
    from matplotlib.colors import to_rgba

    from . import style
    rows = sorted({(f, w) for f, w, _, _ in pts})
    threads = sorted({t for _, _, t, _ in pts})
    fig, axes = style.new_figure(width=7.5, height=1.2 + 0.24 * len(rows), layout="constrained")
    ax = axes[0][0]
    image = np.ones((len(rows), len(threads), 4))
    for f, w, t, a in pts:
        i, j = rows.index((f, w)), threads.index(t)
        if a.verdict or not a.recommended:
            text, colour = "no verdict", "#994400"
        else:
            text = f"{a.recommended} {a.margin:.2f}×" + ("" if a.significant else " n.s.")
            colour = "#222222" if a.significant else "#777777"
            rgba = to_rgba(style.impl_style(a.recommended)[0], 0.45 if a.significant else 0.12)
            image[i, j] = rgba
        ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color=colour)
    ax.imshow(image, aspect="auto")
    ax.set_xticks(range(len(threads)))
    ax.set_xticklabels([str(t) for t in threads])
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{f}/{w}" for f, w in rows], fontsize=7)
    ax.set_xlabel("threads")
    ax.grid(False)
    fig.suptitle(f"The fastest design at each point, and by how much over the runner-up\n"
                 f"({style.machine_caption(machine_row)}; n.s. = not separated by the U-test)", fontsize=9)
    return fig
