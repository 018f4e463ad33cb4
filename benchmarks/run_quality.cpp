#include "run_quality.hpp"

#include <algorithm>
#include <cstdio>

#include "placement.hpp"

namespace contend::bench {
namespace {

Quality& mutable_quality() {
  static Quality q;
  return q;
}

}  // namespace

void setup_quality(Pin pin) {
  Quality& q = mutable_quality();
  const Topology topology = read_topology();
  const std::vector<int> allowed = allowed_cpus();
  q.pin = pin;
  q.allowed_cpus = std::max(1, static_cast<int>(allowed.size()));
  q.probe_pairs = probe_pairs(topology, allowed);
  configure_placement(placement_order(topology, pin, allowed));
}

const Quality& quality() { return mutable_quality(); }

void add_quality_context(double run_ms) {
  const Quality& q = quality();
  char number[32];
  auto add = [&](const char* key, double v) {
    std::snprintf(number, sizeof number, "%.2f", v);
    benchmark::AddCustomContext(key, number);
  };
  benchmark::AddCustomContext("pin", std::string(to_string(q.pin)));
  benchmark::AddCustomContext("probe_pairs", describe_pairs(q.probe_pairs));
  benchmark::AddCustomContext("probe_us_per_pair", std::to_string(PROBE_PER_PAIR.count()));
  add("taint_foreign_cpu", TAINT_FOREIGN_CPU);
  add("taint_parallelism_share", TAINT_PARALLELISM_SHARE);
  // What /proc/stat's 10 ms ticks allow over one nominal run (interference.hpp): the foreign
  // taint needs foreign + steal > taint_foreign_cpu + this.
  add("interference_resolution_cpu", static_cast<double>(read_topology().cpus.size()) *
                                         (static_cast<double>(PROC_STAT_TICK_NS) / 1e6) / run_ms);
}

std::string proc_stat() {
  std::string text;
  if (std::FILE* f = std::fopen("/proc/stat", "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
    std::fclose(f);
  }
  return text;
}

void before_repetition(int threads) {
  Quality& q = mutable_quality();
  q.last_probe = run_probe(q.probe_pairs);
  place_library_threads(threads);
}

void report_quality(benchmark::State& state, const Interference& in) {
  auto& c = state.counters;
  c["foreign_cpu"] = in.foreign_cpu;
  c["steal_cpu"] = in.steal_cpu;
  c["parallelism"] = in.parallelism;
  c["parallelism_needed"] = in.parallelism_needed;
  c["foreign_resolution_cpu"] = in.resolution_cpu;
  c["tainted"] = in.tainted();
  c["taint_foreign"] = in.taint_foreign;
  c["taint_parallelism"] = in.taint_parallelism;
  if (in.tainted()) state.SetLabel(in.label());

  const Quality& q = quality();
  c["probe_ns"] = q.last_probe.median_ns;
  for (std::size_t i = 0; i < q.probe_pairs.size() && i < q.last_probe.pair_ns.size(); ++i) {
    c["probe_ns_" + std::to_string(q.probe_pairs[i].first) + "_" + std::to_string(q.probe_pairs[i].second)] =
        q.last_probe.pair_ns[i];
  }
}

}  // namespace contend::bench
