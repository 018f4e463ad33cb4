// What a result file says of sampled latency (latency.hpp): the counters of one run and the
// context of the binary. Not thread-safe: called by the thread that reports the run.
#pragma once

#include <benchmark/benchmark.h>

#include "latency.hpp"

namespace contend::bench {

// The run's counters p50_ns, p90_ns, p99_ns, p99.9_ns, max_ns and latency_samples; none when
// `all` has no samples (nothing was timed: a Google Benchmark counter cannot say "not measured").
void report_latency(benchmark::State& state, const Histogram& all);

// The context every result file carries: latency_sampling (on/off), latency_clock (the sample
// clock: tsc or steady_clock), latency_clock_ns (the cost of one read of it, which every sample
// includes about once) and latency_budget (SAMPLING_BUDGET).
void add_latency_context(bool sampling);

}  // namespace contend::bench
