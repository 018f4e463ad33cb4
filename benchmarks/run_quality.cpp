#include "run_quality.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "placement.hpp"

namespace contend::bench {
namespace {

Quality& mutable_quality() {
  static Quality q;
  return q;
}

// probe_ns_<a>_<b> for `prefix` "probe_ns", one counter per pair.
void report_probe(benchmark::State& state, const std::string& prefix, const std::vector<CpuPair>& pairs,
                  const ProbeResult& probe) {
  state.counters[prefix] = probe.median_ns;
  for (std::size_t i = 0; i < pairs.size() && i < probe.pair_ns.size(); ++i) {
    std::string name = prefix;  // appended: g++ 12's -Wrestrict misfires on `+` chains
    name.append("_")
        .append(std::to_string(pairs[i].first))
        .append("_")
        .append(std::to_string(pairs[i].second));
    state.counters[name] = probe.pair_ns[i];
  }
}

}  // namespace

void setup_quality(Pin pin, std::optional<PlacementWindow> window) {
  Quality& q = mutable_quality();
  q.window = window;
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
  if (q.window) {
    benchmark::AddCustomContext("placement_window_ns", q.window->describe());
    benchmark::AddCustomContext("placement_wait_limit_ms", std::to_string(PLACEMENT_WAIT_LIMIT.count()));
    benchmark::AddCustomContext("placement_poll_ms", std::to_string(PLACEMENT_POLL.count()));
  }
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
  auto probe = [&] { return run_probe(q.probe_pairs); };
  if (q.window && !q.probe_pairs.empty()) {  // no pair (one CPU): no probe could ever land
    using Clock = std::chrono::steady_clock;
    q.last_wait = wait_for_placement(
        *q.window, probe, [] { return std::chrono::duration_cast<Nanos>(Clock::now().time_since_epoch()); },
        [](Nanos d) { std::this_thread::sleep_for(d); });
  } else {
    q.last_wait = {.probe = probe(), .probes = 1};
  }
  q.last_probe = q.last_wait.probe;
  place_library_threads(threads);
}

void report_quality(benchmark::State& state, const Interference& in) {
  // First: the sooner after the run, the more surely it sees the run's placement.
  const ProbeResult after = run_probe(quality().probe_pairs);
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
  report_probe(state, "probe_ns", q.probe_pairs, q.last_probe);
  report_probe(state, "probe_after_ns", q.probe_pairs, after);
  c["placement_wait_ms"] = q.last_wait.waited_ms;
  c["placement_missed"] = q.last_wait.missed;
}

}  // namespace contend::bench
