"""What `contend run` prints once the families are measured: which peers were built, how many
figures are clean (and where the figures were placed), which hung, the fastest design per workload
with every design's status, the processes the watchdog stopped, and the spread of --repeat's runs.
Reads results; measures nothing.
"""
import sys

from .errors import ContendError
from .textable import eng, render


def _analysis():
    """findings and loader, imported only once pandas is known to be installed."""
    from . import findings, loader
    return findings, loader


def print_peers(folder, families):
    """Which third-party peers the binaries were built with (context key "peers"): a missing
    package leaves its peers out of the families, and the user should know which."""
    loader = _analysis()[1]
    built = {}
    for family in families:
        try:
            peers = loader.read_json(folder / f"{family}.json").get("context", {}).get("peers")
        except ContendError:
            continue
        if peers:
            built[family] = peers
    if built:
        print("contend: peers built: " + "; ".join(f"{f} {p}" for f, p in built.items()), file=sys.stderr)


def print_clean(rs):
    """How many figures are clean after the re-runs, which are not, and which are bimodal."""
    table = rs.table
    total = len(table)
    if rs.reps["foreign_cpu"].isna().all() and rs.reps["probe_ns"].isna().all():
        print(f"{total} figures; the binaries recorded no interference or placement, so none could be "
              "checked (schema 1 binaries?)")
        return
    label = table["family"] + "/" + table["workload"] + "/" + table["impl"] + " @" + table["threads"].astype(str)
    tainted = list(label[table["tainted"]])
    hung = [h for h in hung_figures(rs) if h not in set(label)]  # no figure: not in the table
    line = f"{total - len(tainted)} of {total + len(hung)} figures clean"
    if tainted:
        line += f"; {len(tainted)} tainted after re-runs: {some(tainted)}"
    if hung:
        line += f"; {len(hung)} hung (stopped by the watchdog, no figure): {some(hung)}"
    print(line)
    for machine in rs.machines.index:
        classes = str(rs.machine(machine).get("placement_classes", "unknown"))
        measured = str(rs.machine(machine).get("placement_measured", "unknown"))
        if classes not in ("unknown", "no placement probes"):
            print(f"placement ({machine}): {classes}; figures measured in class {measured}")
    excluded = list(label[table["excluded"]]) if "excluded" in table else []
    if excluded:
        print(f"{len(excluded)} of the {len(tainted)} excluded for too few repetitions in their placement class: "
              f"{some(excluded)}")
    other = list(label[table["other_placement"].fillna(False).astype(bool)]) if "other_placement" in table else []
    if other:
        print(f"{len(other)} measured in another placement class (their repetitions never left it; not ranked "
              f"against the run's): {some(other)}")
    bimodal = list(label[table["bimodal"]])
    if bimodal:
        print(f"{len(bimodal)} bimodal (repetitions in two clusters; the median describes neither): "
              f"{some(bimodal)}")


def hung_figures(rs):
    """'family/workload/impl @threads' of the figures a hung benchmark left without a figure."""
    reps = rs.reps
    if "hung" not in reps:
        return []
    rows = reps[reps["hung"].fillna("") != ""]
    return sorted({f"{f}/{w}/{i} @{t}" for f, w, i, t in zip(rows.family, rows.workload, rows.impl, rows.threads)})


def print_hangs(hangs, folder=None):
    """One line per process the watchdog stopped (watchdog.Hang), after their count."""
    if not hangs:
        return
    print(f"{len(hangs)} hang{'s' if len(hangs) != 1 else ''} stopped by the watchdog (what their threads were doing "
          f"is saved in {folder / 'hangs' if folder is not None else 'hangs/'}):")
    for h in hangs:
        print(f"  {h.line(folder)}")


def some(items, n=10):
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def print_spread(folder, repeat):
    """Per figure, min and max across the runs relative to their median; beyond ±25% flagged."""
    from . import validity
    loader = _analysis()[1]
    tables = [loader.load([folder / f"repeat-{i}"]).table for i in range(1, repeat + 1)]
    rows = validity.spread(tables)
    header = ["figure"] + [f"run {i}" for i in range(1, repeat + 1)] + ["min", "max", ""]
    out = [[fig] + [eng(v) for v in values] + [f"{low:+.0%}", f"{high:+.0%}", "beyond ±25%" if bad else ""]
           for fig, values, low, high, bad in rows]
    print(f"\nSpread across {repeat} runs (ops/s medians; min and max relative to the median of the runs):")
    print(render(header, out))
    beyond = [r[0] for r in rows if r[4]]
    print(f"{len(rows) - len(beyond)} of {len(rows)} figures within ±{validity.SPREAD_LIMIT:.0%} across "
          f"{repeat} runs" + (f"; beyond: {some(beyond)}" if beyond else ""))
    print(f"runs kept in {folder}/repeat-1 .. repeat-{repeat} (each a result folder: "
          f"contend plot {folder}/repeat-1)")


def print_summary(rs, machine):
    findings = _analysis()[0]
    row = rs.machine(machine)
    full = rs.table[rs.table["machine"] == machine]
    all_reps = rs.reps[rs.reps["machine"] == machine]
    table, reps = findings.clean_table(full, False), findings.clean_reps(all_reps, False)
    # Every design's status, and no verdict where a design left out could have won.
    win = findings.winners(table, int(row["hw_threads"]), reps, full, all_reps)
    if win is None:
        return
    print(f"\n{win.title} ({machine}):")
    print(render(win.header, win.rows))
