"""What `contend run` will do, step by step, and how long each step should take: the plan its
progress line's time left comes from (progress.py) and every process's deadline (watchdog.py).

Every repetition is time-bounded, so a run's length is known before it starts: the placement
calibration (placement_probe's seconds), each C++ family (its benchmarks x repetitions x (run +
REP_OVERHEAD_S), the run 300 ms, 50 with --quick, 1.5 s for the poller, 50 ms for channels/idle's
idle window), the re-runs of tainted repetitions (at most phases.RERUN_CAP more; progress.py
expects the share the finished families took), each Go family (contend-go --list's benchmarks, the
same way), the side runs (litmus, the core-to-core map, the sample clock's bias, the hand-timed
check, the sampling-cost pairs: 2 x pairs runs of each latency figure's benchmarks), the invariant
checks and the charts.

The constants are calibrated on two recorded default runs on 2 vCPUs: the committed
intel-xeon-processor-f6m167-2c (33:14 in all; maps measuring 12:19 for 11:54 of timed loops, go_maps
6:33, side runs 2:38, charts 0:28) and the Zen 5 guest's run with a 12-minute stall (48:59; with the
stall taken out 34 min: /work/shared/data/amd-epyc-zen5-stall). Per repetition beyond its run: C++
maps 0.0105 and 0.0134 s (2 380 repetitions), the other C++ families 0.006-0.017 s (process start
included), Go maps 0.085 and 0.122 s (1 020 repetitions: a garbage collection over the prefilled
maps before each), the other Go families 0.011-0.02 s; the sampling-cost pairs 154 s for 60 runs of
39 C++ benchmarks and 2 poller ones at 1 repetition each (0.12 s a process); litmus 7 s; charts 28
and 31 s. The plan of either run's benchmarks comes within 3% of what it took.
"""
from dataclasses import dataclass

RUN_S = {"default": 0.3, "quick": 0.05}
# Benchmarks whose run is not the family's: the poller (bench_poller, contend-go's poller) and
# channels/idle's idle window (bench_channels.cpp).
RUN_S_OF = {"poller": {"default": 1.5, "quick": 0.25}, "channels/idle": {"default": 0.05, "quick": 0.01}}
REPETITIONS = {"default": 5, "quick": 2}
POLLER_REPETITIONS = {"default": 3, "quick": 2}
REP_OVERHEAD_S = {"maps": 0.012, "go_maps": 0.105}
DEFAULT_REP_OVERHEAD_S = 0.01
PROCESS_S = 0.3        # a family's process beyond its repetitions: start, JSON
SHORT_PROCESS_S = 0.12  # a process that runs one figure's benchmarks once (the sampling-cost pairs)
# placement_probe --seconds=20 (calibration.SECONDS), then Go's probe beside it (8 s; 2 quick) when built
CALIBRATION_S = {"default": 29.0, "quick": 3.5}
LITMUS_S = {"default": 7.0, "quick": 0.5}
LATENCY_BIAS_S = {"default": 1.0, "quick": 0.5}
CHECKS_S = {"default": 3.0, "quick": 2.0}
CHARTS_S = {"default": 32.0, "quick": 18.0}  # the charts and the summary after them
SAMPLING_PAIRS = {"default": 5, "quick": 2}


def mode(quick):
    return "quick" if quick else "default"


def run_seconds(name, quick):
    """One repetition's run of the benchmark `name` (family/workload/...), in seconds."""
    parts = name.split("/")
    family = parts[0]
    for key in ("/".join(parts[:2]), family):
        if key in RUN_S_OF:
            return RUN_S_OF[key][mode(quick)]
    return RUN_S[mode(quick)]


def repetitions(family, quick, override=None):
    """A family's repetitions per benchmark: --benchmark_repetitions, else the binaries' defaults."""
    if override:
        return override
    return (POLLER_REPETITIONS if family in ("poller", "go_poller") else REPETITIONS)[mode(quick)]


def rep_overhead(family):
    return REP_OVERHEAD_S.get(family, DEFAULT_REP_OVERHEAD_S)


@dataclass
class Step:
    """One step of a run. `reps` repetitions of `per_rep_s` each (0: not counted by repetition)
    plus `fixed_s`; `scalable`: the machine's measured speed applies; `reruns`: tainted
    repetitions are re-run after it (a C++ family)."""
    name: str
    reps: int = 0
    per_rep_s: float = 0.0
    fixed_s: float = 0.0
    scalable: bool = True
    reruns: bool = False

    @property
    def planned_s(self):
        return self.reps * self.per_rep_s + self.fixed_s


def family_step(family, names, quick, reps_override=None, reruns=True):
    """A family's binary run: each listed benchmark's repetitions at its own run length."""
    reps = repetitions(family, quick, reps_override)
    if not names:
        return Step(family, 0, 0.0, 0.0, reruns=reruns)
    overhead = rep_overhead(family)
    total = sum(run_seconds(n, quick) + overhead for n in names) * reps
    return Step(family, len(names) * reps, total / (len(names) * reps), PROCESS_S, reruns=reruns)


def sampling_step(counts, quick):
    """The sampling-cost pairs (overhead.py): `counts` [(family, benchmarks)] of each latency
    figure at its thread count; each pair runs every figure with and without sampling, once."""
    pairs = SAMPLING_PAIRS[mode(quick)]
    side = sum(n * (run_seconds(f"{family}/", quick) + rep_overhead(family)) + SHORT_PROCESS_S for family, n in counts)
    return Step("the sampling-cost pairs", fixed_s=2 * pairs * side)


def side_steps(quick, cpus, several_classes, hand_timed_threads, sampling_counts):
    """The side runs of a whole suite, in run.py's order, with their plans."""
    from .side_runs import core_to_core_passes  # side_runs plans its processes' deadlines from here
    m = mode(quick)
    pairs = max(1, cpus * (cpus - 1) // 2)
    per_pair_s = (0.2 if quick else 1.0) / 1000 + 0.0001
    c2c = pairs * per_pair_s * core_to_core_passes(cpus, quick, several_classes) + PROCESS_S
    hand = len(hand_timed_threads) * RUN_S[m] * 3 + PROCESS_S if hand_timed_threads else 0.0
    return [Step("litmus", fixed_s=LITMUS_S[m], scalable=False),
            Step("the core-to-core map", fixed_s=c2c, scalable=False),
            Step("the sample clock's bias", fixed_s=LATENCY_BIAS_S[m], scalable=False),
            Step("the hand-timed check", fixed_s=hand, scalable=False),
            sampling_step(sampling_counts, quick)]


def sweep(listed, families, go_families, quick, reps_override=None, whole_suite=True, cpus=2,
          several_classes=False, hand_timed_threads=(), sampling_counts=()):
    """The steps of one sweep of the suite into one result folder (run.Suite.run_all)."""
    steps = [family_step(f, listed.get(f, []), quick, reps_override) for f in families]
    steps += [family_step(f, listed.get(f, []), quick, reps_override, reruns=False) for f in go_families]
    if whole_suite:
        steps += side_steps(quick, cpus, several_classes, hand_timed_threads, sampling_counts)
    elif hand_timed_threads:
        steps += [s for s in side_steps(quick, cpus, several_classes, hand_timed_threads, ())
                  if s.name == "the hand-timed check"]
    steps += [Step("checks", fixed_s=CHECKS_S[mode(quick)], scalable=False),
              Step("charts", fixed_s=CHARTS_S[mode(quick)], scalable=False)]
    return steps


def calibration_step(quick):
    return Step("placement calibration", fixed_s=CALIBRATION_S[mode(quick)], scalable=False)
