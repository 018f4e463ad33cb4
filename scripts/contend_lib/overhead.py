"""What latency sampling costs: paired runs of the latency figures with sampling on and off.

Each pair runs one figure's benchmarks (every implementation, at the thread count the report shows)
once with `--latency=on` and once with `--latency=off`, the order alternating between pairs so that
drift falls on both sides alike. The cost is 1 − the median over pairs of (ops/s with
sampling ÷ ops/s without), over every pair of every benchmark and per family, with a Wilcoxon
signed-rank test of whether it differs from no cost at all; `latency_overhead.json` keeps every
pair's two figures. Written whole or not at all. Each run is under the watchdog (watchdog.py): one
that hangs is stopped, its evidence saved, and its pair left out.
"""
import json
import math
import os
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

from . import schedule, watchdog
from .errors import warn
from .names import OVERHEAD_FILE
LIMIT = 0.05  # the bound: timing costs under 5% of throughput


def _filter(family, workload, threads):
    if family == "poller":  # bench_poller names its worker count, not threads
        return f"^poller/{workload}/[^/]+/resources:[0-9]+/workers:{threads}/"
    return f"^{family}/{workload}/[^/]+/real_time/threads:{threads}$"


def _run_once(exe, args, flt, sampling, scratch, family="", benchmarks=1):
    cmd = [str(exe), *args, f"--latency={sampling}", f"--benchmark_filter={flt}", "--benchmark_repetitions=1",
           f"--benchmark_out={scratch}", "--benchmark_out_format=json", "--benchmark_color=false"]
    run_s = schedule.run_seconds(f"{family}/", "--quick" in args)
    planned = benchmarks * (run_s + schedule.rep_overhead(family)) + schedule.SHORT_PROCESS_S
    proc = watchdog.run(cmd, f"the sampling-cost pairs ({family})", watchdog.Bounds(planned, run_s),
                        stem=f"sampling-{family}")
    if proc.returncode in (-2, 130):
        raise KeyboardInterrupt
    if proc.hang is not None:
        Path(scratch).unlink(missing_ok=True)
        return None, f"hung and stopped; evidence {proc.hang.evidence or 'not saved'}"
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or ["no message"])[-1]
    try:
        doc = json.loads(Path(scratch).read_text())
    finally:
        Path(scratch).unlink(missing_ok=True)
    out = {}
    for e in doc.get("benchmarks", []):
        if e.get("run_type", "iteration") == "iteration" and not e.get("error_occurred") and "ops_per_sec" in e:
            out[e.get("run_name") or e["name"]] = float(e["ops_per_sec"])
    return out, None


def measure(figures, binary, args, pairs, out_path, progress=sys.stderr, counts=None):
    """figures: [(family, workload, threads)]; `counts` {figure: its benchmarks}, for the watchdog's
    plan. Runs the pairs, writes `out_path`, returns the doc."""
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "run.json"
        for family, workload, threads in figures:
            exe = binary(family)
            if not exe.is_file():
                warn(f"{exe} not built; the sampling cost of {family}/{workload} is not measured")
                continue
            print(f"contend: sampling cost of {family}/{workload} at {threads} threads: {pairs} paired runs",
                  file=progress)
            flt = _filter(family, workload, threads)
            run_args = [*args, f"--threads={threads}"]  # the count itself, whatever the default sweep
            for i in range(pairs):
                order = ("on", "off") if i % 2 == 0 else ("off", "on")
                got = {}
                for sampling in order:
                    got[sampling], why = _run_once(exe, run_args, flt, sampling, scratch, family,
                                                   (counts or {}).get((family, workload, threads), 1))
                    if got[sampling] is None:
                        warn(f"{exe.name} --latency={sampling} failed ({why}); pair {i + 1} of "
                             f"{family}/{workload} left out")
                        break
                if any(v is None for v in got.values()) or len(got) < 2:
                    continue
                for name in sorted(set(got["on"]) & set(got["off"])):
                    rows.setdefault(name, {"benchmark": name, "family": family, "workload": workload,
                                           "threads": threads, "on": [], "off": []})
                    rows[name]["on"].append(got["on"][name])
                    rows[name]["off"].append(got["off"][name])
    for r in rows.values():
        ratios = [a / b for a, b in zip(r["on"], r["off"]) if b > 0]
        r["median_ratio"] = statistics.median(ratios) if ratios else None
    doc = {"pairs": pairs, "limit": LIMIT, "benchmarks": list(rows.values())}
    tmp_path = out_path.with_name(f".{out_path.name}.tmp")
    try:
        tmp_path.write_text(json.dumps(doc, indent=1) + "\n")
        os.replace(tmp_path, out_path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return doc


def load(folder):
    """A result folder's latency_overhead.json, or None."""
    if folder is None:
        return None
    path = Path(folder) / OVERHEAD_FILE
    if not path.is_file():
        return None
    from .loader import read_json
    return read_json(path)


def _pairs(doc):
    """[(family, ratio)] of every pair of every benchmark: ops/s with sampling ÷ without."""
    out = []
    for b in doc.get("benchmarks", []) if isinstance(doc, dict) else []:
        if isinstance(b, dict):
            out += [(b.get("family", "?"), a / o) for a, o in zip(b.get("on", []), b.get("off", []))
                    if isinstance(a, (int, float)) and isinstance(o, (int, float)) and o > 0 and a > 0]
    return out


def summary(doc):
    """The cost over every pair of every benchmark (cost = 1 − ratio; positive: sampling made it
    slower): {"cost": median cost, "families": {family: median cost}, "pairs": n, "benchmarks": n,
    "p": Wilcoxon signed-rank p of the log ratios against 0 (None below 6 pairs)}; None without data."""
    pairs = _pairs(doc)
    if not pairs:
        return None
    families = {}
    for family, r in pairs:
        families.setdefault(family, []).append(r)
    p = None
    if len(pairs) >= 6:
        from scipy.stats import wilcoxon
        logs = [math.log(r) for _, r in pairs]
        with warnings.catch_warnings():  # ties and zeros: scipy falls back to the normal approximation
            warnings.simplefilter("ignore")
            p = float(wilcoxon(logs).pvalue) if any(logs) else 1.0
    return {"cost": 1 - statistics.median(r for _, r in pairs), "pairs": len(pairs),
            "families": {f: 1 - statistics.median(rs) for f, rs in families.items()},
            "benchmarks": len(doc.get("benchmarks", [])), "p": p}


def sentence(doc):
    s = summary(doc) if doc else None
    if s is None:
        return ("The cost of sampling was not measured for these results (no latency_overhead.json; "
                "`contend run` of the whole suite measures it).")
    worst_family, worst = max(s["families"].items(), key=lambda kv: kv[1])
    within = s["cost"] < LIMIT and worst < LIMIT
    if s["p"] is None:
        sig = "too few pairs to test"
    elif s["p"] < 0.05:
        sig = f"Wilcoxon signed-rank p = {s['p']:.3f}: a real cost" if s["p"] >= 0.001 else \
            "Wilcoxon signed-rank p < 0.001: a real cost"
    else:
        sig = f"Wilcoxon signed-rank p = {s['p']:.2f}: not distinguishable from no cost"
    return (f"Sampling costs {s['cost']:+.1%} of throughput, the median of {s['pairs']} paired runs with and "
            f"without it over {s['benchmarks']} benchmarks ({sig}); the family medians run up to "
            f"{worst:+.1%} ({worst_family}): {'within' if within else 'beyond'} the {LIMIT:.0%} bound.")
