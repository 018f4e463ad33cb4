"""The proverb in its own language, computed: (1) does "share memory by communicating" hold in Go
on this CPU — Go's owner goroutine (go_chan) against sync.Mutex, sync.RWMutex and sync.Map, per
workload and thread count, with the U-test; (2) C++ ÷ Go for the same design (mutex, atomic,
owner-owned counter and map, Treiber stack, sharded counter, a mutex-and-condition-variable queue
against a Go channel) as a heatmap; (3) Go's channel hand-off against the cache-line floor of the
same run. Each is a Finding (findings.py), empty when the results hold no Go designs.
"""
import pandas as pd

from .findings import (Finding, Heatmap, _floor, _ratio_text, _threads_text, _values, compare_reps, p_text,
                       versus)
from .textable import eng

# (family, C++ design, Go design): the same design in both languages.
SAME_DESIGN = [("counters", "mutex", "go_mutex"), ("counters", "atomic_relaxed", "go_atomic"),
               ("counters", "channel", "go_chan"), ("counters", "sharded_padded", "go_sharded_padded"),
               ("maps", "mutex", "go_mutex"), ("maps", "shared_mutex", "go_rwmutex"), ("maps", "channel", "go_chan"),
               ("stacks", "mutex", "go_mutex"), ("stacks", "treiber", "go_treiber"),
               ("channels", "mutex_queue", "go_chan_buffered")]


def has_go(table):
    return table["impl"].astype(str).str.startswith("go_").any()


def proverb_in_go(table, reps, full=None, all_reps=None):
    """Go's owner goroutine against Go's locks: the counter against sync.Mutex, the map against
    sync.Mutex, sync.RWMutex and sync.Map."""
    out = []
    for family, baselines in (("counters", ["go_mutex"]), ("maps", ["go_mutex", "go_rwmutex", "go_syncmap"])):
        for base in baselines:
            f = versus(table, reps, family, ["go_chan"], base,
                       f"Go: the owner goroutine (go_chan) against {base} — {family}", full, all_reps)
            if f is not None:
                out.append(f)
    return out


def cpp_over_go(table, reps):
    """C++ ÷ Go per design pair, workload and thread count: one heatmap whose rows are
    "family/workload: C++ design ÷ Go design", each cell marked by its U-test on the repetitions."""
    cells, rows, sentences = {}, [], []
    for family, cpp, go in SAME_DESIGN:
        fam = table[table["family"] == family]
        both = fam[fam["impl"] == cpp].merge(fam[fam["impl"] == go], on=["workload", "threads"],
                                             suffixes=("_cpp", "_go"))
        if both.empty:
            continue
        faster = slower = 0
        ratios = []
        for r in both.itertuples():
            c = compare_reps(_values(reps, family, r.workload, cpp, r.threads),
                             _values(reps, family, r.workload, go, r.threads), cpp, go)
            ratio = r.ops_per_sec_cpp / r.ops_per_sec_go
            ratios.append(ratio)
            cells[(f"{family}/{r.workload}: {cpp} ÷ {go}", int(r.threads))] = (
                ratio, c.p if c is not None and c.p is not None else float("nan"))
            if c is not None and c.significant:
                faster += c.ratio > 1
                slower += c.ratio < 1
            rows.append([family, r.workload, cpp, go, int(r.threads), eng(r.ops_per_sec_cpp), eng(r.ops_per_sec_go),
                         _ratio_text(ratio), p_text(c.p if c else None)])
        sentences.append(f"{cpp} ÷ {go} in {family}: C++ significantly faster in {faster}, slower in {slower} "
                         f"of {len(both)} configurations (median ratio {_ratio_text(float(pd.Series(ratios).median()))})")
    if not cells:
        return None
    index = sorted({k[0] for k in cells})
    columns = sorted({k[1] for k in cells})
    ratio = pd.DataFrame(float("nan"), index=index, columns=columns)
    pv = ratio.copy()
    for (row, t), (r, p) in cells.items():
        ratio.loc[row, t], pv.loc[row, t] = r, p
    return Finding("C++ ÷ Go, the same design in both languages",
                   ["; ".join(sentences) + " (two-sided Mann–Whitney U on the repetitions, p < 0.05)."],
                   ["family", "workload", "C++", "Go", "threads", "C++ ops/s", "Go ops/s", "C++ ÷ Go", "U-test"],
                   rows, heatmap=Heatmap("C++ ÷ Go, the same design in both languages", "", {"C++ ÷ Go": ratio},
                                         {"C++ ÷ Go": pv}))


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
    for r in pp.sort_values("ns_per_op").itertuples():
        c = compare_reps(_values(reps, "channels", "pingpong", r.impl, r.threads, "ns_per_op"), floor_reps,
                         r.impl, "the floor")
        rows.append([r.impl, f"{r.ns_per_op:.0f}", f"{floor_ns:.0f}", f"{r.ns_per_op / floor_ns:.1f}×",
                     p_text(c.p if c else None)])
        sentences.append(f"{r.impl}: {r.ns_per_op:.0f} ns one way at {_threads_text(int(r.threads))}, "
                         f"{r.ns_per_op / floor_ns:.1f}× the {floor_ns:.0f} ns cache-line floor"
                         + (f" ({p_text(c.p)})" if c else ""))
    return Finding("Go's channel hand-off against the cache-line floor", ["; ".join(sentences) + "."],
                   ["Go channel", "one-way ns", "floor ns", "× floor", "U-test vs floor"], rows)


def all_go_findings(table, reps, full=None, all_reps=None):
    if not has_go(table):
        return []
    found = proverb_in_go(table, reps, full, all_reps) + [cpp_over_go(table, reps), go_handoff(table, reps)]
    return [f for f in found if f is not None]
