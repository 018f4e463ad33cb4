#include "latency_counters.hpp"

#include <cstdio>

namespace contend::bench {

void report_latency(benchmark::State& state, const Histogram& all) {
  if (all.samples() == 0) return;
  auto& c = state.counters;
  c["p50_ns"] = all.percentile(50);
  c["p90_ns"] = all.percentile(90);
  c["p99_ns"] = all.percentile(99);
  c["p99.9_ns"] = all.percentile(99.9);
  c["max_ns"] = static_cast<double>(all.max());
  c["latency_samples"] = static_cast<double>(all.samples());
}

void add_latency_context(bool sampling) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", clock_read_ns());
  benchmark::AddCustomContext("latency_sampling", sampling ? "on" : "off");
  benchmark::AddCustomContext("latency_clock", sample_clock_name());
  benchmark::AddCustomContext("latency_clock_ns", text);
  std::snprintf(text, sizeof text, "%g", SAMPLING_BUDGET);
  benchmark::AddCustomContext("latency_budget", text);
}

}  // namespace contend::bench
