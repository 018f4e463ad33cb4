// What makes a run's figures trustworthy, shared by every benchmark binary (the families'
// main.cpp and programs/poller/bench_poller.cpp): --pin and the placement probe, set up once;
// before each repetition the probe and the placement of library threads; after each run the
// interference counters and label (interference.hpp) and the probe's counters.
// Not thread-safe: setup_quality() once before the benchmarks run; the rest from the thread that
// runs Google Benchmark's Setup callback or a run's thread 0.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "interference.hpp"
#include "probe.hpp"
#include "topology.hpp"

namespace contend::bench {

struct Quality {
  Pin pin = Pin::none;
  std::vector<CpuPair> probe_pairs;  // fixed for the binary
  int allowed_cpus = 1;              // CPUs this process may run on (sched_getaffinity)
  ProbeResult last_probe;            // taken before the current repetition
};

// Reads the topology and the affinity, chooses the probe pairs, configures --pin's placement.
void setup_quality(Pin pin);
const Quality& quality();

// Context keys: pin, probe_pairs, probe_us_per_pair, taint_foreign_cpu,
// taint_parallelism_share, interference_resolution_cpu (for a run of run_ms).
void add_quality_context(double run_ms);

// The whole of /proc/stat, for classify().
std::string proc_stat();

// Before each repetition, while no benchmark thread runs: takes the probe and places the library
// threads after the run's `threads` threads.
void before_repetition(int threads);

// Sets foreign_cpu, steal_cpu, parallelism, parallelism_needed, foreign_resolution_cpu, tainted,
// taint_foreign, taint_parallelism, probe_ns, probe_ns_<a>_<b>, and the label when tainted.
void report_quality(benchmark::State& state, const Interference& interference);

}  // namespace contend::bench
