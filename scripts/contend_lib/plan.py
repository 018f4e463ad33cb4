"""`contend run --budget MINUTES`: fit the sweep to a time budget, and say how.

On a 2 x 32 x 2 machine the default sweep (powers of two up to twice the hardware threads, plus
the core count) runs every benchmark at 1..256 threads, five times each. The plan first takes
repetitions away (down to MIN_REPETITIONS, the fewest whose median still outvotes one bad
repetition), then thread counts, never the ones the questions are asked at (1, 2, the physical
cores, the hardware threads); of the others it drops the one whose neighbours are closest on a
log scale first, so what remains still spans the range evenly, and the oversubscribed counts last.
`plan()` is a pure function of the topology and the listed benchmark names: no clock, no machine.
"""
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .phases import RERUN_CAP

MIN_REPETITIONS = 3
# Per repetition beyond its timed run: the placement probes before and after, prefills, thread
# start and join, Google Benchmark's bookkeeping. A deliberate over-estimate: a plan that fits on
# paper must fit. (The recorded floating-vCPU run: maps took 26 min for 19 min of timed loops over
# 3 802 repetitions; ~4.6 min of the 7 were its file rewritten after each of 704 re-runs, the rest
# ~0.04 s a repetition.)
OVERHEAD_S = 0.05
_THREADS = re.compile(r"/(?:threads|workers):(\d+)(?:/|$)")


@dataclass(frozen=True)
class Topology:
    logical: int
    cores: int
    sockets: int


def read_topology(root=None):
    """Logical CPUs, physical cores and sockets from sysfs (cpuN/topology/*; CONTEND_SYSFS_CPU
    names another tree, to plan for a machine that is not this one); os.cpu_count() alone when
    sysfs says nothing."""
    root = Path(root or os.environ.get("CONTEND_SYSFS_CPU") or "/sys/devices/system/cpu")
    cpus = [d for d in root.glob("cpu[0-9]*") if (d / "topology").is_dir()]
    cores, sockets = set(), set()
    for cpu in cpus:
        try:
            package = (cpu / "topology" / "physical_package_id").read_text().strip()
            core = (cpu / "topology" / "core_id").read_text().strip()
        except OSError:
            continue
        cores.add((package, core))
        sockets.add(package)
    if not cpus or not cores:
        n = os.cpu_count() or 1
        return Topology(n, n, 1)
    return Topology(len(cpus), len(cores), len(sockets))


def default_threads(logical):
    """The binaries' own default (benchmarks/thread_counts.cpp): powers of two up to twice the
    hardware threads, plus the hardware threads."""
    counts, n = [], 1
    while n <= 2 * logical:
        counts.append(n)
        n *= 2
    return sorted(set(counts) | {logical})


def threads_of(name):
    m = _THREADS.search(name)
    return int(m.group(1)) if m else 1


@dataclass
class Plan:
    budget_s: float
    repetitions: int
    full_repetitions: int
    threads: list            # thread counts to run
    dropped: list = field(default_factory=list)
    seconds: float = 0.0     # estimated, before re-runs
    full_seconds: float = 0.0
    benchmarks: int = 0

    @property
    def fits(self):
        return self.seconds <= self.budget_s

    @property
    def reduced(self):
        return self.repetitions < self.full_repetitions or bool(self.dropped)

    def line(self, topology):
        head = (f"budget {_minutes(self.budget_s)}: {topology.logical} logical CPUs "
                f"({topology.sockets} x {topology.cores // max(1, topology.sockets)} cores x "
                f"{topology.logical // max(1, topology.cores)}), {self.benchmarks} benchmarks, full sweep "
                f"about {_minutes(self.full_seconds)}")
        cap = f"; waits for the placement class and re-runs at most {RERUN_CAP:.0%} more"
        if not self.reduced:
            return f"{head}: it fits, nothing dropped{cap}"
        what = [f"{self.repetitions} repetitions instead of {self.full_repetitions}"]
        if self.dropped:
            what.append(f"threads {_list(self.threads)} (dropped {_list(self.dropped)})")
        verdict = (f"about {_minutes(self.seconds)} before re-runs" if self.fits else
                   f"still about {_minutes(self.seconds)}: this is the smallest sweep that answers the "
                   f"questions, running it anyway")
        return f"{head}; running {' and '.join(what)}: {verdict}{cap}"


def _minutes(seconds):
    return f"{seconds / 60:.0f} min" if seconds >= 600 else f"{seconds / 60:.1f} min"


def _list(values):
    return ",".join(str(v) for v in values)


def estimate(counts, threads, repetitions, run_ms):
    """Seconds for `counts` ({threads: benchmarks}) restricted to `threads`, `repetitions` each."""
    per_rep = run_ms / 1000 + OVERHEAD_S
    return sum(counts.get(t, 0) for t in threads) * repetitions * per_rep


def drop_order(threads, topology):
    """Thread counts in the order the plan gives them up; the essential ones are not in it."""
    essential = {1, 2, topology.cores, topology.logical}
    inside = [t for t in threads if t not in essential and t <= topology.logical]
    over = sorted((t for t in threads if t not in essential and t > topology.logical), reverse=True)
    order, kept = [], sorted(threads)
    while inside:
        def gap_without(t):
            i = kept.index(t)
            lo, hi = kept[i - 1] if i > 0 else t, kept[i + 1] if i + 1 < len(kept) else t
            return math.log2(hi / lo), -t
        victim = min(inside, key=gap_without)
        order.append(victim)
        inside.remove(victim)
        kept.remove(victim)
    # Oversubscription is a question of its own: the largest count goes first, the nearest last.
    return order + over


def plan(topology, names, budget_minutes, run_ms, repetitions):
    """The sweep that fits `budget_minutes`: fewer repetitions first, then fewer thread counts."""
    counts = {}
    for name in names:
        t = threads_of(name)
        counts[t] = counts.get(t, 0) + 1
    threads = sorted(counts)
    budget = budget_minutes * 60
    full = estimate(counts, threads, repetitions, run_ms)
    p = Plan(budget, repetitions, repetitions, threads, [], full, full, len(names))
    floor = min(MIN_REPETITIONS, repetitions)
    while p.seconds > budget and p.repetitions > floor:
        p.repetitions -= 1
        p.seconds = estimate(counts, p.threads, p.repetitions, run_ms)
    for t in drop_order(threads, topology):
        if p.seconds <= budget:
            break
        p.threads = [x for x in p.threads if x != t]
        p.dropped = sorted(p.dropped + [t])
        p.seconds = estimate(counts, p.threads, p.repetitions, run_ms)
    return p
