"""The proverb in its own language, computed: (1) does "share memory by communicating" hold in Go
on this CPU — Go's owner goroutine (go_chan) against sync.Mutex, sync.RWMutex and sync.Map, per
workload and thread count, with the U-test; (2) C++ ÷ Go for the same design (mutex, atomic,
owner-owned map, Treiber stack, sharded counter, a mutex-and-condition-variable queue against a Go
channel) as a heatmap; (3) Go's channel hand-off against the cache-line floor of the same run.
Each is a Finding (findings.py), empty when the results hold no Go designs.

Like with like (sides.py, lang.py): a cell whose sides differ (one ran on one core, the other
across cores) is a hole named so, never a ratio; a one-core hand-off is never held against the
cross-core floor; a pair whose work differs (an older Go file's 16-Get get_many, its mutex stack
without the run-length probe) says so in its row. The C++ `channel` counter is not Go's go_chan:
its increments are fire-and-forget messages, go_chan's each wait for the owner on an unbuffered
channel; the two are not paired. Where the results hold Go's pinned rows (the plain names) they are
paired; an older file's scheduler rows (`<impl>_sched`) stand in for them, labelled.
"""
import pandas as pd

from . import lang, sides
from .findings import (Finding, Heatmap, _floor, _ratio_text, _threads_text, _values, apart, compare_reps,
                       figure_of, p_text, versus)
from .textable import eng

# (family, C++ design, Go design): the same design in both languages. Not the counters' channel
# and go_chan: C++'s increments are fire-and-forget messages to the owner, Go's each a rendezvous
# with it (NOT_SAME_DESIGN says so wherever the two could be read as a pair).
SAME_DESIGN = [("counters", "mutex", "go_mutex"), ("counters", "atomic_relaxed", "go_atomic"),
               ("counters", "sharded_padded", "go_sharded_padded"),
               ("maps", "mutex", "go_mutex"), ("maps", "shared_mutex", "go_rwmutex"), ("maps", "channel", "go_chan"),
               ("stacks", "mutex", "go_mutex"), ("stacks", "treiber", "go_treiber"),
               ("channels", "mutex_queue", "go_chan_buffered")]
NOT_SAME_DESIGN = {("counters", "channel", "go_chan"): "C++'s channel counter sends fire-and-forget increments "
                                                        "to its owner; go_chan's each wait for the owner on an "
                                                        "unbuffered channel: different designs, not paired"}


def has_go(table):
    return table["impl"].astype(str).str.startswith("go_").any()


def go_name(table, family, impl):
    """The Go row that stands for `impl` in `family`: its pinned (plain) row when measured, else an
    older file's scheduler row (`<impl>_sched`), else None."""
    here = set(table[table["family"] == family]["impl"])
    if impl in here:
        return impl
    return impl + lang.SCHED if impl + lang.SCHED in here else None


def proverb_in_go(table, reps, full=None, all_reps=None):
    """Go's owner goroutine against Go's locks: the counter against sync.Mutex, the map against
    sync.Mutex, sync.RWMutex and sync.Map."""
    out = []
    for family, baselines in (("counters", ["go_mutex"]), ("maps", ["go_mutex", "go_rwmutex", "go_syncmap"])):
        owner = go_name(table, family, "go_chan") or "go_chan"
        mine = table[(table["family"] == family) & (table["impl"] == owner)]
        ones = sum(sides.one_core(r) for _, r in mine.iterrows())
        # Said in the title: the comparisons below rank it only against figures of its own sides.
        where = f" ({owner}: {sides.ONE_CORE} in {ones} of {len(mine)} figures)" if ones else ""
        for base in baselines:
            f = versus(table, reps, family, [owner], base,
                       f"Go: the owner goroutine ({owner}) against {base} — {family}{where}", full, all_reps)
            if f is not None:
                out.append(f)
    return out


def cpp_over_go(table, reps):
    """C++ ÷ Go per design pair, workload and thread count: one heatmap whose rows are
    "family/workload: C++ design ÷ Go design", each cell marked by its U-test on the repetitions."""
    cells, rows, sentences, holes = {}, [], [], {}
    for family, cpp, go_impl in SAME_DESIGN:
        fam = table[table["family"] == family]
        go = go_name(table, family, go_impl)
        if go is None:
            continue
        both = fam[fam["impl"] == cpp].merge(fam[fam["impl"] == go], on=["workload", "threads"],
                                             suffixes=("_cpp", "_go"))
        if both.empty:
            continue
        faster = slower = unlike = 0
        ratios, work = [], set()
        for r in both.itertuples():
            key = (f"{family}/{r.workload}: {cpp} ÷ {go}", int(r.threads))
            why = apart(reps, family, r.workload, cpp, go, r.threads)
            if why:
                unlike += 1
                holes[key] = f"{go if sides.one_core(figure_of(reps, family, r.workload, go, r.threads)) else cpp} " \
                             f"{sides.ONE_CORE if 'one core' in why else 'other class'}"
                rows.append([family, r.workload, cpp, go, int(r.threads), eng(r.ops_per_sec_cpp),
                             eng(r.ops_per_sec_go), "not compared", why])
                continue
            c = compare_reps(_values(reps, family, r.workload, cpp, r.threads),
                             _values(reps, family, r.workload, go, r.threads), cpp, go)
            ratio = r.ops_per_sec_cpp / r.ops_per_sec_go
            ratios.append(ratio)
            cells[key] = (ratio, c.p if c is not None and c.p is not None else float("nan"))
            if c is not None and c.significant:
                faster += c.ratio > 1
                slower += c.ratio < 1
            note = lang.work_difference(cpp, "", go, figure_of(reps, family, r.workload, go, r.threads).get("work", ""))
            if note:
                work.add(note)
            rows.append([family, r.workload, cpp, go, int(r.threads), eng(r.ops_per_sec_cpp), eng(r.ops_per_sec_go),
                         _ratio_text(ratio), p_text(c.p if c else None) + (f"; {note}" if note else "")])
        compared = len(both) - unlike
        text = f"{cpp} ÷ {go} in {family}: "
        if compared:
            text += (f"C++ significantly faster in {faster}, slower in {slower} of {compared} configurations "
                     f"(median ratio {_ratio_text(float(pd.Series(ratios).median()))})")
        else:
            text += "no configuration compared"
        if unlike:
            text += f"; {unlike} not compared (one side ran on one core, the other across cores)"
        if work:
            text += "; " + "; ".join(sorted(work))
        sentences.append(text)
    for (family, cpp, go_impl), why in NOT_SAME_DESIGN.items():
        if go_name(table, family, go_impl) and cpp in set(table[table["family"] == family]["impl"]):
            sentences.append(f"{cpp} and {go_name(table, family, go_impl)} in {family}: {why}")
    if not cells and not holes:
        return None
    index = sorted({k[0] for k in list(cells) + list(holes)})
    columns = sorted({k[1] for k in list(cells) + list(holes)})
    ratio = pd.DataFrame(float("nan"), index=index, columns=columns)
    pv = ratio.copy()
    hole = pd.DataFrame("", index=index, columns=columns)
    for (row, t), (r, p) in cells.items():
        ratio.loc[row, t], pv.loc[row, t] = r, p
    for (row, t), why in holes.items():
        hole.loc[row, t] = why
    return Finding("C++ ÷ Go, the same design in both languages",
                   ["; ".join(sentences) + " (two-sided Mann–Whitney U on the repetitions, p < 0.05)."],
                   ["family", "workload", "C++", "Go", "threads", "C++ ops/s", "Go ops/s", "C++ ÷ Go", "U-test"],
                   rows, heatmap=Heatmap("C++ ÷ Go, the same design in both languages", "", {"C++ ÷ Go": ratio},
                                         {"C++ ÷ Go": pv}, {"C++ ÷ Go": hole}))


def go_handoff(table, reps):
    """Go's channels' one-way hand-off (channels/pingpong) against the cache-line floor."""
    floor = _floor(table)
    pp = table[(table["family"] == "channels") & (table["workload"] == "pingpong")
               & table["impl"].astype(str).str.startswith("go_")]
    if floor is None or pp.empty:
        return None
    floor_impl, floor_t, floor_ns = floor
    floor_reps = _values(reps, "baseline", "pingpong", floor_impl, floor_t, "ns_per_op")
    rows, sentences = [], []
    for _, r in pp.sort_values("ns_per_op").iterrows():
        one = sides.label(r)
        if one:
            rows.append([f"{r['impl']} ({one})", f"{r['ns_per_op']:.0f}", f"{floor_ns:.0f}", "not compared", "—"])
            sentences.append(f"{r['impl']}: {r['ns_per_op']:.0f} ns one way at {_threads_text(int(r['threads']))} "
                             f"on {one}: its hand-offs stayed on one CPU, so it is not held against the "
                             f"{floor_ns:.0f} ns cross-core cache-line floor")
            continue
        c = compare_reps(_values(reps, "channels", "pingpong", r["impl"], r["threads"], "ns_per_op"), floor_reps,
                         r["impl"], "the floor")
        rows.append([r["impl"], f"{r['ns_per_op']:.0f}", f"{floor_ns:.0f}", f"{r['ns_per_op'] / floor_ns:.1f}×",
                     p_text(c.p if c else None)])
        sentences.append(f"{r['impl']}: {r['ns_per_op']:.0f} ns one way at {_threads_text(int(r['threads']))}, "
                         f"{r['ns_per_op'] / floor_ns:.1f}× the {floor_ns:.0f} ns cache-line floor"
                         + (f" ({p_text(c.p)})" if c else ""))
    return Finding("Go's channel hand-off against the cache-line floor", ["; ".join(sentences) + "."],
                   ["Go channel", "one-way ns", "floor ns", "× floor", "U-test vs floor"], rows)


def all_go_findings(table, reps, full=None, all_reps=None):
    if not has_go(table):
        return []
    found = proverb_in_go(table, reps, full, all_reps) + [cpp_over_go(table, reps), go_handoff(table, reps)]
    return [f for f in found if f is not None]
