"""Command line: `contend run|plot|compare|report|export`. Every failure is one stderr line."""
import argparse
import os
import sys
from pathlib import Path

from . import deps, outpaths
from .errors import ContendError, Interrupted, warn
from .names import FAMILIES

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "results"
REPORT_NAME = "report.html"

EPILOG = ("RESULTS are Google Benchmark JSON files written by `contend run` (results/<label>/<family>.json) "
          "or folders of them; a folder's name is the machine label.")


def _split_list(values):
    """Accept both `--threads 1 2 4` and `--threads 1,2,4`."""
    out = []
    for v in values or []:
        out += [x for x in v.split(",") if x]
    return out


def cmd_run(args):
    from . import run
    families = _split_list(args.families) or None
    threads = _split_list(args.threads) or None
    for t in threads or []:
        if not t.isdigit() or int(t) < 1:
            raise ContendError("--threads", f"'{t}' is not a positive thread count")
    return run.run(REPO, families=families, threads=threads, quick=args.quick, label=args.label,
                   results=Path(args.results) if args.results else RESULTS, build=not args.no_build,
                   pin=args.pin, repeat=args.repeat, budget=args.budget, placement=args.placement,
                   no_go=args.no_go)


def cmd_plot(args):
    base = outpaths.chart_folder(args.out) if args.out else None
    from . import loader
    rs = loader.load(args.results)
    machines = list(rs.machines.index)
    from . import plot  # matplotlib only once the input is known to be good
    if base is None:
        outs = {m: outpaths.chart_folder(plot.default_out_dir(rs, m)) for m in machines}
    else:
        outs = {m: outpaths.chart_folder(base / m.replace("/", "-")) if len(machines) > 1 else base
                for m in machines}
    for machine in machines:
        written = plot.write_charts(rs, machine, outs[machine])
        print(f"{machine}: {len(written)} chart files in {outs[machine]}")
    return 0


def cmd_compare(args):
    out = outpaths.chart_folder(args.out) if args.out else None
    csv = outpaths.output_file(args.csv) if args.csv else None
    from . import loader
    rs = loader.load_sets(args.results)
    from . import compare
    out = out or outpaths.chart_folder(compare.default_out_dir(rs))
    machines = list(rs.machines.index)
    for other in machines[1:]:
        if compare.identical(rs, machines[0], other):
            warn(f"{other} holds the same measurements as {machines[0]}: every ratio is 1 "
                 "(the same result set given twice?)")
    table = compare.ratio_table(rs)
    left_out = 0
    if not args.include_tainted:
        table, left_out = compare.leave_out_tainted(table)
        if table.empty:
            raise ContendError("compare", f"all {left_out} rows in common are tainted (disturbed runs); "
                                          "--include-tainted compares them anyway")
    print(compare.format_table(compare.select(table, changed=args.changed, sort=args.sort), rs,
                               changed=args.changed))
    if left_out:
        print(f"left out {left_out} row(s) measured while the machine was disturbed (tainted: foreign "
              "load, steal, a preempted probe, a move between placement classes); --include-tainted keeps them")
    print("\n" + compare.format_summary(compare.summary(table)))
    if csv:
        _write_csv(table, csv)
        print(f"\nratio table: {csv}")
    written = compare.write_charts(table, out, rs.machines["hw_threads"])
    print(f"{len(written)} chart files in {out}")
    return 0


def cmd_report(args):
    out = outpaths.output_file(args.out, name_in_folder=REPORT_NAME) if args.out else None
    from . import loader
    rs = loader.load(args.results)
    from . import report
    if out is None:
        out = outpaths.output_file(report.default_out(rs), name_in_folder=REPORT_NAME)
    page = report.build(rs, include_tainted=args.include_tainted)
    with outpaths.replacing(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    print(f"report: {out}")
    return 0


def cmd_findings(args):
    if args.headline:
        from . import headline, loader
        if len(args.results) != 1:
            raise ContendError("findings", "--headline takes exactly one result folder")
        rs = loader.load(args.results)
        print(headline.command(rs, args.results[0]), end="")
        return 0
    from . import findings_md
    return findings_md.command(args)


def cmd_advise(args):
    if args.family not in FAMILIES:
        raise ContendError("--family", f"'{args.family}' is not a family ({', '.join(FAMILIES)})")
    if args.threads < 1:
        raise ContendError("--threads", f"'{args.threads}' is not a positive thread count")
    if args.reads is not None and not 0 <= args.reads <= 100:
        raise ContendError("--reads", f"'{args.reads}' is not a percentage (0-100)")
    for flag, v in (("--keys", args.keys), ("--producers", args.producers), ("--consumers", args.consumers)):
        if v is not None and v < 1:
            raise ContendError(flag, f"'{v}' is not a positive number")
    from . import advise, loader
    rs = loader.load_sets(args.results) if len(args.results) > 1 else loader.load(args.results)
    answers, notes = advise.advise(rs, args.family, args.threads, args)
    if not answers:
        raise ContendError("advise", "; ".join(notes) or "nothing measured to answer from")
    if args.json:
        import json
        print(json.dumps(advise.as_json(answers, notes), indent=1, default=float))
    else:
        print(advise.render(answers, notes))
    return 0


def cmd_export(args):
    csv = outpaths.output_file(args.csv)
    reps = outpaths.output_file(args.reps) if args.reps else None
    outpaths.distinct(csv, reps)
    from . import loader
    rs = loader.load(args.results)
    _write_csv(loader.tidy_columns(rs.table), csv)
    print(f"{len(rs.table)} rows ({len(rs.machines)} machine(s)) -> {csv}")
    if reps:
        _write_csv(rs.reps, reps)
        print(f"{len(rs.reps)} per-repetition rows -> {reps}")
    return 0


def _write_csv(frame, path):
    with outpaths.replacing(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.6g")


def parser():
    p = argparse.ArgumentParser(
        prog="contend", description="Run contend's benchmarks and turn their results into charts, "
                                    "comparisons and reports.", epilog=EPILOG)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser("run", help="build, run every family's benchmarks, save JSON, draw charts",
                       description="Install missing packages (scripts/install-deps), build the Release "
                                   "preset, run each family's benchmark binary with a progress line, "
                                   "write results/<label>/<family>.json (whole or not at all), draw the "
                                   "charts into results/<label>/charts/ and print a summary. First the placement "
                                   "calibration (placement_probe, saved as placement.json) finds the "
                                   "machine's placement classes (one-way cache-line latency between two "
                                   "CPUs: on a cloud guest whose vCPUs move, several); with more than one, "
                                   "each repetition waits for the class measured (up to 2 s). Repetitions "
                                   "are interleaved; disturbed ones (foreign load or steal, too little "
                                   "parallelism, a probe preempted, a move between classes during the "
                                   "repetition; never the class itself) are re-run at most twice, the "
                                   "replaced one kept in the JSON marked, waits and re-runs together at "
                                   "most 30%% of a family's measuring time; then the invariants across "
                                   "benchmarks and the hand-timed loop are checked, the clean figures "
                                   "counted and where the time went shown.",
                       epilog="Ctrl-C stops the run: finished families stay, the unfinished one leaves nothing.")
    r.add_argument("--quick", action="store_true", help="short runs (passes --quick to the binaries)")
    r.add_argument("--families", nargs="+", metavar="FAMILY",
                   help="families to run (default: all, C++ and Go): " + " ".join(FAMILIES)
                        + "; Go's own designs: go (all) or go_counters go_maps go_stacks go_channels "
                          "go_false_sharing go_poller")
    r.add_argument("--no-go", action="store_true",
                   help="skip Go's own designs (they run by default when go is installed)")
    r.add_argument("--threads", nargs="+", metavar="N",
                   help="thread counts, e.g. 1,2,4 or 1 2 4 (default: the binaries' own)")
    r.add_argument("--label", help="result folder name (default: slug of CPU model, generation and core "
                                   "count, e.g. amd-epyc-zen4-2c, intel-xeon-processor-f6m167-2c)")
    r.add_argument("--results", metavar="DIR", help=f"where label folders go (default: {RESULTS})")
    r.add_argument("--no-build", action="store_true",
                   help="skip install-deps and the build; use the binaries already in build/release")
    r.add_argument("--pin", metavar="MODE",
                   help="thread placement passed to the binaries: none (default: the scheduler's, what "
                        "users live with), spread (one CPU of each core first, then the SMT siblings) or "
                        "compact (a core's SMT siblings before the next core)")
    r.add_argument("--repeat", metavar="N",
                   help="run the whole suite N times (N >= 2) into <label>/repeat-1..N/ and print each "
                        "figure's spread across the runs (beyond ±25%% flagged)")
    r.add_argument("--budget", metavar="MINUTES",
                   help="fit the sweep to about this many minutes (all --repeat runs together): fewer "
                        "repetitions first, then fewer thread counts, said in one line before it starts")
    r.add_argument("--placement", metavar="CLASS",
                   help="the placement class measured when the calibration finds several: dominant "
                        "(default: the class the machine spends most time in, named in the output), a "
                        "class by its latency (e.g. 150ns, 1.2us: the class whose window holds it; its "
                        "results go to <label>/placement-<class>/, e.g. placement-155ns/, or to <label>/ "
                        "when it is the dominant one) or all (each class a figure of its own: "
                        "the dominant one into <label>/, every other into <label>/placement-<class>/). "
                        "With one class nothing waits")
    r.set_defaults(func=cmd_run)

    pl = sub.add_parser("plot", help="charts (PNG and SVG) for result sets",
                        description="Per family and workload: throughput vs threads (log2 x, error bars "
                                    "min–max over repetitions, ideal scaling, core count marked), speedup "
                                    "over one thread, CPU time per operation beside throughput for channel "
                                    "designs, a false-sharing bar chart, latency bars for ping-pong and "
                                    "the core-to-core heatmap when the folder has a core_to_core.json.",
                        epilog=EPILOG)
    pl.add_argument("results", nargs="+", metavar="RESULTS")
    pl.add_argument("--out", metavar="DIR", help="output folder (default: <result folder>/charts; "
                                                 "one subfolder per machine when there are several)")
    pl.set_defaults(func=cmd_plot)

    c = sub.add_parser("compare", help="ratio table B/A with significance, per-family summary, ratio charts",
                       description="Compare result sets (one folder per CPU or commit): for every family, "
                                   "workload, implementation and thread count measured in both, the ratio "
                                   "B/A of the medians of ops_per_sec over the repetitions (per machine, "
                                   "and per core when the core counts differ) with a 95% bootstrap "
                                   "interval, and the p-value of a two-sided Mann–Whitney U test on the "
                                   "per-repetition ops_per_sec, as Google Benchmark's compare.py (needs "
                                   ">= 2 repetitions a side, 9+ to be reliable); then per family the "
                                   "geometric mean of the ratios and how many rows changed significantly "
                                   "(p < 0.05), up and down. Rows measured while the machine was "
                                   "disturbed (tainted) are left out unless --include-tainted. With more "
                                   "than two sets, each is compared to A. Hand-off (pingpong) rows show both "
                                   "machines' core-to-core median and worst pair when a folder has a "
                                   "core_to_core.json. Charts: B/A per implementation "
                                   "against threads, with the interval as error bars.",
                       epilog=EPILOG)
    c.add_argument("results", nargs="+", metavar="RESULTS", help="A B [C ...]: result folders or files")
    c.add_argument("--changed", action="store_true", help="show only rows that changed significantly (p < 0.05)")
    c.add_argument("--sort", choices=("config", "effect"), default="config",
                   help="row order: config (family, workload, impl, threads; default) or effect "
                        "(largest change first, 0.5x and 2x alike)")
    c.add_argument("--include-tainted", action="store_true",
                   help="keep rows whose runs were flagged as disturbed (foreign load, steal, preempted, moved)")
    c.add_argument("--csv", metavar="FILE", help="also write the ratio table as CSV (all rows before --changed, all columns)")
    c.add_argument("--out", metavar="DIR", help="chart folder (default: ./compare-<a>-vs-<b>/ in the "
                                                "current folder)")
    c.set_defaults(func=cmd_compare)

    rp = sub.add_parser("report", help="one self-contained HTML page with computed findings",
                        description="Write one HTML page (charts embedded as PNG) with each machine's "
                                    "context and findings computed from the data: padding vs false "
                                    "sharing, channel map vs mutex map, channel hand-off vs the ping-pong "
                                    "floor, oversubscription; plus litmus histograms and the "
                                    "core-to-core latency map when the result folder has a litmus.json or "
                                    "a core_to_core.json.", epilog=EPILOG)
    rp.add_argument("results", nargs="+", metavar="RESULTS")
    rp.add_argument("--out", metavar="FILE", help="HTML file, or a folder to hold report.html "
                                                  "(default: <first result folder>/report.html)")
    rp.add_argument("--include-tainted", action="store_true",
                    help="keep repetitions flagged tainted (left out of findings by default)")
    rp.set_defaults(func=cmd_report)

    f = sub.add_parser("findings", help="comparisons that pass a Mann–Whitney U test (p < 0.05)",
                       description="Each machine's findings, every comparative sentence from a two-sided "
                                   "Mann–Whitney U test on the repetitions, written only when p < 0.05; "
                                   "--markdown prints the findings block of results/<label>/FINDINGS.md, --headline the "
                                   "README's headline table, for one result folder.",
                       epilog=EPILOG)
    f.add_argument("results", nargs="+", metavar="RESULTS")
    f.add_argument("--markdown", action="store_true",
                   help="the generated findings block of results/<label>/FINDINGS.md (one result folder)")
    f.add_argument("--headline", action="store_true",
                   help="the README's headline table: six workloads, what advise recommends (one result folder)")
    f.add_argument("--include-tainted", action="store_true", help="keep repetitions flagged tainted")
    f.set_defaults(func=cmd_findings)

    ad = sub.add_parser("advise", help="which design for a workload, by how much, how sure",
                        description="The user's question in one screen: for the workload and thread count "
                                    "asked (the nearest measured ones, named when they differ), the "
                                    "recommended design, the runner-up, the margin (ratio of medians) with "
                                    "its 95%% bootstrap interval and the two-sided Mann–Whitney U p, and the "
                                    "caveats: oversubscribed, an owner thread that needs a core, the "
                                    "placement class, a tail latency or fairness that reverses the order, "
                                    "designs left out. No verdict while a left-out design could have won. "
                                    "It ranks one language's designs (--lang; C++ by default, Go's best "
                                    "beside as a reference) and like with like: a figure whose sides ran on "
                                    "one core (parallelism below 1.5 of the 2 or more CPUs its threads "
                                    "claim) is shown beside the cross-core ones, never ranked against them. "
                                    "With several result sets, where the answer changes between machines.",
                        epilog="Example: contend advise results/intel-xeon-processor-f6m167-2c --family maps --reads 90 "
                               "--keys 1000 --threads 2. " + EPILOG)
    ad.add_argument("results", nargs="+", metavar="RESULTS")
    ad.add_argument("--family", default="maps", help="the family (default maps): " + " ".join(FAMILIES))
    ad.add_argument("--threads", type=int, required=True, help="threads doing the work")
    ad.add_argument("--workload", help="a measured workload by name (e.g. increment, pairs, mpsc-small)")
    ad.add_argument("--reads", type=int, help="maps: percentage of operations that are reads (default 90)")
    ad.add_argument("--keys", type=int, help="maps: number of keys (default 1000)")
    ad.add_argument("--dist", choices=("uniform", "zipf"), help="maps: key distribution (default uniform)")
    ad.add_argument("--producers", type=int, help="channels: producer threads (default 1)")
    ad.add_argument("--consumers", type=int, help="channels: consumer threads (default 1)")
    ad.add_argument("--capacity", choices=("small", "large", "unbuffered"),
                    help="channels: buffer capacity (default small: 64 slots; large: 8192; unbuffered: 0, Go's "
                         "rendezvous channel only)")
    ad.add_argument("--lang", choices=("cpp", "go", "all"), default="cpp",
                    help="whose designs to rank: cpp (default; Go's best is shown beside as a reference), go, "
                         "or all (both, Go's labelled)")
    ad.add_argument("--tail", choices=("p50", "p90", "p99", "p99.9"),
                    help="rank by this latency percentile (lower is better) instead of throughput")
    ad.add_argument("--fairness", action="store_true",
                    help="rank designs whose slowest thread does under half the fastest's work last")
    ad.add_argument("--json", action="store_true", help="the answer as JSON, for scripts")
    ad.set_defaults(func=cmd_advise)

    e = sub.add_parser("export", help="write the tidy table as CSV",
                       description="Write the tidy table (one row per machine, family, workload, impl, "
                                   "threads; medians over repetitions) as CSV.", epilog=EPILOG)
    e.add_argument("results", nargs="+", metavar="RESULTS")
    e.add_argument("--csv", metavar="FILE", required=True, help="output CSV file (missing folders are created)")
    e.add_argument("--reps", metavar="FILE", help="also write the per-repetition table as CSV")
    e.set_defaults(func=cmd_export)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command == "compare" and len(args.results) < 2:
            raise ContendError("compare", "needs at least two result sets (A B)")
        # `run` installs what is missing before it imports it; every other command needs it now.
        if args.command == "run":
            deps.check_interpreter()
        else:
            deps.require(args.command)
        return args.func(args)
    except ContendError as e:
        print(f"contend: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("contend: interrupted", file=sys.stderr)
        return 130
    except Interrupted as e:
        print(f"contend: {e}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `contend compare A B | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 - a one-line message beats a traceback for users
        if os.environ.get("CONTEND_DEBUG"):
            raise
        print(f"contend: error: unexpected {type(e).__name__}: {e} (CONTEND_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1
