// What makes a run's figures trustworthy, shared by every benchmark binary (the families'
// main.cpp and programs/poller/bench_poller.cpp): --pin, --placement and the placement probe, set
// up once; before each repetition the probe (waiting for --placement's window, placement_wait.hpp)
// and the placement of library threads; after each run the probe again, the interference counters
// and label (interference.hpp) and the probes' counters. The probe after the run tells whether the
// placement held through it: a vCPU that moved mid-run puts the two in different classes.
// Not thread-safe: setup_quality() once before the benchmarks run; the rest from the thread that
// runs Google Benchmark's Setup callback or a run's thread 0.
#pragma once

#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <vector>

#include "interference.hpp"
#include "placement_wait.hpp"
#include "probe.hpp"
#include "topology.hpp"

namespace contend::bench {

struct Quality {
  Pin pin = Pin::none;
  std::vector<CpuPair> probe_pairs;       // fixed for the binary
  int allowed_cpus = 1;                   // CPUs this process may run on (sched_getaffinity)
  std::optional<PlacementWindow> window;  // --placement; nullopt: no wait
  ProbeResult last_probe;                 // taken before the current repetition (the last of its wait)
  PlacementWait last_wait;                // the current repetition's wait (no wait, no miss without one)
};

// Reads the topology and the affinity, chooses the probe pairs, configures --pin's placement and
// remembers --placement's window.
void setup_quality(Pin pin, std::optional<PlacementWindow> window = std::nullopt);
const Quality& quality();

// Context keys: pin, probe_pairs, probe_us_per_pair, taint_foreign_cpu,
// taint_parallelism_share, interference_resolution_cpu (for a run of run_ms); with --placement
// also placement_window_ns ("LO:HI"), placement_wait_limit_ms and placement_poll_ms.
void add_quality_context(double run_ms);

// The whole of /proc/stat, for classify().
std::string proc_stat();

// Before each repetition, while no benchmark thread runs: takes the probe (with --placement,
// probes every PLACEMENT_POLL until its median lies in the window or PLACEMENT_WAIT_LIMIT has
// passed; not when there is no probe pair to take) and places the library threads after the
// run's `threads` threads.
void before_repetition(int threads);

// Takes the probe after the run (PROBE_PER_PAIR a pair, as before it), then sets foreign_cpu,
// steal_cpu, parallelism, parallelism_needed, foreign_resolution_cpu, tainted, taint_foreign,
// taint_parallelism, probe_ns, probe_ns_<a>_<b>, probe_after_ns, probe_after_ns_<a>_<b>,
// placement_wait_ms, placement_missed, and the label when tainted. Call it once per repetition,
// right after the run ends (a family's thread 0 after the end barrier): threads a design keeps
// alive until the workload tears it down (owners) are still there for the probe after the run.
void report_quality(benchmark::State& state, const Interference& interference);

}  // namespace contend::bench
