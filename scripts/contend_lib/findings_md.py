"""The generated findings block of results/<label>/FINDINGS.md: which comparisons it states,
rendered from the finding builders (findings.py) and the topic modules (latency, events, the
core-to-core map, litmus, the targets), so that it cannot drift from the committed JSON
(tests/python/test_findings.py checks the block). Also `contend findings` as a command.
This module sits above the topic modules; findings.py below them (no import circle).
"""
import re

from .findings import (ALPHA, _ratio_text, _threads_text, all_findings, channel_vs_mutex_map, clean_reps,
                       clean_table, compare_impls, handoff_vs_floor, pair_sentence, p_text, shared_vs_mutex_map)
from . import lang, sides
from .textable import eng, markdown, render

# The README's findings: which comparisons it states, generated from a result folder so that
# it cannot drift from the committed JSON (tests/python/test_findings.py checks the block).
README_BEGIN = "<!-- findings:begin {folder} -->"
README_END = "<!-- findings:end -->"
README_BLOCK = re.compile(r"<!-- findings:begin (\S+) -->\n(.*?)<!-- findings:end -->", re.S)

HEADLINE = [("counters", "increment"), ("maps", "r90-k1k-uniform"), ("maps", "r0-k1m-uniform"),
            ("stacks", "pairs"), ("channels", "mpsc-small"), ("channels", "spsc-small")]
CLAIMS = [("counters", "increment", "sharded_padded", "atomic_relaxed"),
          ("counters", "increment", "atomic_relaxed", "mutex"),
          ("counters", "increment", "channel", "mutex"),
          ("maps", "r90-k1k-uniform", "channel", "mutex"),
          ("maps", "r90-k1k-uniform", "channel_async", "mutex"),
          ("maps", "r0-k1m-uniform", "channel_async", "mutex"),
          ("false_sharing", "atomic", "pad64", "packed"),
          ("false_sharing", "plain", "pad64", "packed"),
          ("maps", "r90-k1k-uniform", "absl_mutex", "mutex"),
          ("maps", "r90-k1k-uniform", "tbb_spin", "mutex"),
          ("maps", "r90-k1k-uniform", "cuckoo", "mutex"),
          ("maps", "r90-k1k-uniform", "tbb_hash_map", "mutex"),
          ("stacks", "pairs", "treiber", "boost"),
          ("stacks", "pairs", "mutex", "treiber"),
          ("stacks", "pairs", "elimination", "treiber"),
          ("stacks", "pairs", "combining", "treiber"),
          ("stacks", "pairs", "combining", "mutex"),
          ("stacks", "pairs", "treiber_cached", "treiber"),
          ("channels", "mpsc-small", "moody", "boost_queue"),
          ("channels", "spsc-small", "boost_spsc", "moody")]
SCALING = [("counters", "increment", "sharded_padded"), ("counters", "increment", "atomic_relaxed")]


def _headline_table(table, hw):
    threads = sorted(t for t in table["threads"].unique()
                     if t in set(table[table["family"].isin([f for f, _ in HEADLINE])]["threads"]))
    head = ["family / workload", "implementation"] + [
        f"{_threads_text(int(t))}{' (oversubscribed)' if t > hw else ''}" for t in threads] + [f"CPU ns/op at {hw}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    marked = False
    for family, workload in HEADLINE:
        w = table[(table["family"] == family) & (table["workload"] == workload)]
        first = True
        for impl in _impl_order(w["impl"].unique()):
            rows = w[w["impl"] == impl].set_index("threads")
            cells = [_cell(rows.loc[t], eng(rows.loc[t, "ops_per_sec"])) if t in rows.index else "—" for t in threads]
            cpu = rows.loc[hw, "cpu_ns_per_op"] if hw in rows.index else float("nan")
            cpu_text = _cell(rows.loc[hw], f"{cpu:.0f}") if cpu == cpu else "—"
            marked = marked or any(sides.one_core(rows.loc[t]) for t in rows.index)
            label = f"`{family}/{workload}`" if first else ""
            name = impl + (" (Go's)" if lang.is_go(impl) else "")
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + f" | {cpu_text} |")
            first = False
    if marked:
        lines += ["", f"*one core*: the figure's sides took turns on about one CPU (parallelism below "
                      f"{sides.ONE_CORE_BELOW} of the 2 or more CPUs its threads claim: they shared one, or one "
                      f"slept while the other ran), so its throughput and CPU time per operation are one "
                      f"CPU's, with no hand-off across cores on every operation; it is not ranked against "
                      f"cross-core figures nor held against the cross-core floor."]
    return lines


def _cell(row, text):
    """A table cell, with "one core" beside a figure whose sides ran on one."""
    return f"{text} *one core*" if sides.one_core(row) else text


def _impl_order(impls):
    from .style import impl_order  # the charts' order, so table and legend agree
    return impl_order(impls)


def _scaling_sentence(reps, table, family, workload, impl, hw):
    g = table[(table["family"] == family) & (table["workload"] == workload) & (table["impl"] == impl)]
    over = sorted(t for t in g["threads"] if t > hw)
    if hw not in set(g["threads"]) or not over:
        return None
    c = compare_impls(reps, family, workload, impl, impl, over[-1], b_threads=hw)
    if c is None:
        return None
    if not c.significant:
        return (f"{family}/{workload}: {impl} from {hw} to {over[-1]} threads: no significant change "
                f"({eng(c.median_b)} → {eng(c.median_a)} ops/s, {p_text(c.p)}).")
    return (f"{family}/{workload}: {impl} from {hw} to {over[-1]} threads: {_ratio_text(c.ratio)} "
            f"({eng(c.median_b)} → {eng(c.median_a)} ops/s, {p_text(c.p)}).")


def _go_lines(table, reps, full, all_reps):
    """The proverb in Go (go_verdict.py): each finding's sentence, and the hand-off table."""
    from . import go_verdict
    found = go_verdict.all_go_findings(table, reps, full, all_reps)
    if not found:
        return []
    out = ["", "**The proverb in its own language (Go's designs, measured in the same run)**", ""]
    out += [f"* {f.title}: {f.sentences[0]}" for f in found if f.sentences]
    hand = [f for f in found if f.title.startswith("Go's channel hand-off")]
    if hand and hand[0].rows:
        out += ["", markdown(hand[0].header, hand[0].rows)]
    return out


def _litmus_lines(folder):
    from .litmus import find, load
    path = find(folder)
    if path is None:
        return []
    rows = []
    for t in load(path)["litmus"]:
        trials = t.get("trials") or sum(int(o.get("count", 0)) for o in t["outcomes"])
        for o in t["outcomes"]:
            if o.get("class") not in ("interesting", "forbidden"):
                continue
            count = int(o.get("count", 0))
            rows.append([t.get("test"), t.get("order"), f"`{o.get('outcome')}`", o.get("class"), eng(trials),
                         f"{count / trials:.2%}" if count else "never"])
    if not rows:
        return []
    return ["", "**Litmus tests: the reorderings the memory model allows (interesting) or forbids**", "",
            markdown(["test", "memory order", "outcome", "class", "trials", "seen in"], rows)]


def readme_markdown(rs, machine, folder, include_tainted=False):
    """The README's findings block for one result folder, markers included."""
    row = rs.machine(machine)
    hw = int(row["hw_threads"])
    table = clean_table(rs.table[rs.table["machine"] == machine], include_tainted)
    reps = clean_reps(rs.reps[rs.reps["machine"] == machine], include_tainted)
    by_family = table.groupby("family")["repetitions"].min()
    usual = int(by_family.mode().iloc[0])
    others = ", ".join(f"{f}: {int(n)}" for f, n in by_family.items() if n != usual)
    commit = str(row.get("git_commit", "unknown"))
    commit = f"`{commit}`" + (" (a tree with uncommitted changes: re-run from a clean tree)"
                              if commit.endswith("-dirty") else "")
    out = [README_BEGIN.format(folder=folder),
           f"<!-- generated by `scripts/contend findings {folder} --markdown`; edit findings.py, not this -->",
           f"Measured on {row['cpu_model']} ({hw} hardware threads), results of commit {commit}; "
           f"medians of {usual} repetitions per configuration{f' ({others})' if others else ''}. "
           f"A comparison is stated only when a two-sided Mann–Whitney U test on the repetitions "
           f"gives p < {ALPHA}.", ""]
    out += _headline_table(table, hw)
    out.append("")
    hand = handoff_vs_floor(table, reps)
    bullets = []
    if hand is not None:
        bullets += hand.sentences
    for family, workload, a, b in CLAIMS:
        threads = sorted(set(table[(table["family"] == family) & (table["workload"] == workload)
                                   & (table["impl"] == a)]["threads"]))
        text = pair_sentence(reps, family, workload, a, b, threads)
        if text:
            bullets.append(text)
    for family, workload, impl in SCALING:
        text = _scaling_sentence(reps, table, family, workload, impl, hw)
        if text:
            bullets.append(text)
    for f in (channel_vs_mutex_map(table, reps), shared_vs_mutex_map(table, reps)):
        if f is not None:
            bullets.append(f"Maps over every workload: {f.sentences[0]}")
    bullets += _stack_mechanism(table, hw)
    out += [f"* {b}" for b in bullets]
    if hand is not None and hand.rows:
        out += ["", f"**{hand.title}**", "", markdown(hand.header, hand.rows)]
    out += _go_lines(table, reps, rs.table[rs.table["machine"] == machine], rs.reps[rs.reps["machine"] == machine])
    out += _litmus_lines(rs.folders.get(machine))
    out += _evidence_lines(rs, machine, include_tainted)
    out += [""] + _validity_lines(rs, machine) + [""] + _targets_lines(table)
    out.append(README_END)
    return "\n".join(out) + "\n"


def _evidence_lines(rs, machine, include_tainted):
    """Why the figures are what they are: the sampled latency, what sampling cost, and the
    core-to-core map, each in one computed sentence when the results hold it."""
    from . import core_map, events, latency, overhead
    folder = rs.folders.get(machine)
    lines = []
    if events.event_table(rs.table[rs.table["machine"] == machine], rs.machine(machine)) is not None:
        lines.append("* Event counts: " + events.sentence(rs.table[rs.table["machine"] == machine],
                                                          rs.machine(machine), include_tainted,
                                                          rs.reps[rs.reps["machine"] == machine]))
    sec = latency.section(rs.table[rs.table["machine"] == machine], rs.reps[rs.reps["machine"] == machine],
                          rs.machine(machine), include_tainted)
    if sec is not None:
        lines.append(f"* Latency of single operations, {latency.CLOSED_LOOP}: {sec[0][0]}")
        lines.append(f"* {overhead.sentence(overhead.load(folder))}")
        bias = latency.bias_sentence(folder, (rs.placements or {}).get(machine),
                                     rs.table[rs.table["machine"] == machine])
        if bias:
            lines.append(f"* {bias}")
    c2c = core_map.find(folder)
    if c2c is not None:
        lines.append(f"* Core-to-core: {core_map.sentence(core_map.load(c2c))}")
    return lines


def _stack_mechanism(table, hw):
    """Why the mutex stack wins where it does: how long one thread keeps the lock (its line stays
    in that cache), against one line transfer per operation for a lock-free stack; and how much
    the elimination array actually eliminates."""
    pairs = table[(table["family"] == "stacks") & (table["workload"] == "pairs")]
    out = []
    for t in sorted(t for t in pairs["threads"].unique() if 2 <= t <= hw):
        at = pairs[pairs["threads"] == t].set_index("impl")
        if "lock_run_length" in at and "mutex" in at.index and at.loc["mutex", "lock_run_length"] == \
                at.loc["mutex", "lock_run_length"]:
            run = at.loc["mutex", "lock_run_length"]
            one = sides.label(at.loc["mutex"])
            versus = (f" ({eng(at.loc['mutex', 'ops_per_sec'])}" + (f", {one}," if one else "")
                      + f" vs treiber's {eng(at.loc['treiber', 'ops_per_sec'])} ops/s)") if "treiber" in at.index else ""
            out.append(f"stacks/pairs at {_threads_text(int(t))}: the mutex stack's lock passes to another thread "
                       f"once every {run:.0f} acquisitions on average (`lock_run_length`), so its line moves once "
                       f"per {run:.0f} operations, while every lock-free push or pop moves the head's line{versus}.")
        if "eliminated_fraction" in at and "elimination" in at.index and \
                at.loc["elimination", "eliminated_fraction"] == at.loc["elimination", "eliminated_fraction"]:
            frac = at.loc["elimination", "eliminated_fraction"]
            backoff = "treiber" in at.index and frac < 0.01 and \
                at.loc["elimination", "ops_per_sec"] > at.loc["treiber", "ops_per_sec"]
            out.append(f"stacks/pairs at {_threads_text(int(t))}: the elimination stack eliminated {frac:.2%} of "
                       "its operations" + ("; what it gains over treiber here comes from the array acting as "
                                           "backoff, not from exchanges." if backoff else "."))
    return out


def _validity_lines(rs, machine):
    """How far the block can be trusted: clean figures, the invariants, the hand-timed loop."""
    from . import loader, validity
    table = rs.table[rs.table["machine"] == machine]
    tainted = int(table["tainted"].sum()) if "tainted" in table else 0
    lines = [f"Validity: {len(table) - tainted} of {len(table)} figures clean after re-runs "
             f"({tainted} tainted by foreign load, low parallelism or placement; left out above)."]
    folder = rs.folders.get(machine)
    hand = loader.hand_timed(folder) if folder is not None else None
    violations, notes = validity.check(table, rs.reps[rs.reps["machine"] == machine],
                                       rs.machine(machine).to_dict(), hand)
    lines += [f"* {line.strip()}" for line in validity.report(violations, notes)[:1]]
    lines += [f"* {v.invariant.name}: {v.detail}" for v in violations]
    rates = validity.hand_timed_rates(hand)[0] if hand else {}
    base = table[(table["family"] == "baseline") & (table["workload"] == "increment")
                 & (table["impl"] == "contended")].set_index("threads")["ops_per_sec"]
    for t, rate in sorted(rates.items()):
        if t in base.index:
            lines.append(f"* Hand-timed loop outside Google Benchmark at {_threads_text(t)}: {eng(rate)} "
                         f"increments/s against the harness's {eng(base[t])} ({rate / base[t]:.2f}×).")
    return lines


def _target_ratio(ratio):
    # Two decimals, but small fractions (an idle CPU share, wakeups per send) keep two digits.
    return f"{ratio:.2f}" if ratio == 0 or abs(ratio) >= 0.1 else f"{ratio:.2g}"


def _targets_lines(table):
    from . import targets
    rows = targets.evaluate(table)
    if not rows:
        return []
    out = ["| target | measured | ratio | met | what was tried |", "|---|---|---|---|---|"]
    previous = None
    for r in rows:
        ratio = "—" if r["ratio"] is None else _target_ratio(r["ratio"])
        met = "—" if r["met"] is None else "yes" if r["met"] else "**no**"
        tried = r.get("tried", "")
        # FINDINGS.md sits in results/<label>/: the notes are two folders up.
        shown = "as above" if tried and tried == previous else f"[design notes](../../{tried})" if tried else ""
        previous = tried or previous
        out.append(f"| {r['target']} | {r['measured']} | {ratio} | {met} | {shown} |")
    return out


def readme_block(text):
    """(folder, whole block) of the findings block in README text, or None."""
    m = README_BLOCK.search(text)
    return (m.group(1), m.group(0) + "\n") if m else None


def _repo_relative(path):
    """The folder as the README names it: relative to the repository when inside it."""
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    try:
        return str(Path(path).resolve().relative_to(repo))
    except ValueError:
        return str(path).rstrip("/")


def command(args):
    """`contend findings RESULTS [--markdown] [--include-tainted]` (wired up in cli.py)."""
    from . import loader
    from .errors import ContendError
    rs = loader.load(args.results)
    include = getattr(args, "include_tainted", False)
    if args.markdown:
        if len(rs.machines) != 1 or len(args.results) != 1:
            raise ContendError("findings", "--markdown takes exactly one result folder")
        print(readme_markdown(rs, rs.machines.index[0], _repo_relative(args.results[0]), include), end="")
        return 0
    for machine in rs.machines.index:
        table = rs.table[rs.table["machine"] == machine]
        hw = int(rs.machine(machine)["hw_threads"])
        print(f"# {machine}")
        for f in all_findings(table, hw, rs.reps[rs.reps["machine"] == machine], include):
            print(f"\n## {f.title}")
            for sentence in f.sentences:
                print(f"- {sentence.strip()}")
            if f.rows and f.heatmap is None:  # a heatmap's rows are its cells: the report draws them
                print(render(f.header, f.rows))
    return 0
