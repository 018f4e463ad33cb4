#include "probe.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

#include "contend/cache_line.hpp"
#include "pingpong.hpp"

namespace contend::bench {
namespace {

bool pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  if (values.size() % 2 == 1) return values[mid];
  const double upper = values[mid];
  return (*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

std::vector<CpuPair> probe_pairs(const Topology& topology, const std::vector<int>& allowed) {
  std::vector<CpuPair> pairs;
  if (allowed.size() <= 4) {
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      for (std::size_t j = i + 1; j < allowed.size(); ++j) pairs.push_back({allowed[i], allowed[j]});
    }
    return pairs;
  }
  const int c0 = allowed.front();
  auto add = [&](int cpu) {
    if (cpu != c0 && pairs.size() < 4 &&
        std::find(pairs.begin(), pairs.end(), CpuPair{c0, cpu}) == pairs.end()) {
      pairs.push_back({c0, cpu});
    }
  };
  // The first allowed CPU that satisfies `relation` with c0, if any.
  auto first = [&](auto relation) {
    const LogicalCpu* home = topology.find(c0);
    for (int cpu : allowed) {
      const LogicalCpu* c = topology.find(cpu);
      if (home && c && cpu != c0 && relation(*home, *c)) return add(cpu);
    }
  };
  first([](const LogicalCpu& h, const LogicalCpu& c) { return c.package == h.package && c.core == h.core; });
  first([](const LogicalCpu& h, const LogicalCpu& c) { return c.package == h.package && c.core != h.core; });
  first([](const LogicalCpu& h, const LogicalCpu& c) { return c.package != h.package; });
  for (std::size_t quarter = 1; quarter <= 3; ++quarter) add(allowed[quarter * allowed.size() / 4]);
  add(allowed[1]);
  add(allowed.back());
  return pairs;
}

std::string describe_pairs(const std::vector<CpuPair>& pairs) {
  std::string out;
  for (const auto& [a, b] : pairs) {
    // Built with append: g++ 12's -Wrestrict misfires on `"literal" + std::string` chains.
    if (!out.empty()) out.append(",");
    out.append(std::to_string(a)).append("-").append(std::to_string(b));
  }
  return out;
}

double pair_latency_ns(CpuPair pair, std::chrono::microseconds budget) {
  using Clock = std::chrono::steady_clock;
  constexpr int rounds_per_sample = 32;         // keeps the clock read (tens of ns) out of the latency
  constexpr std::size_t max_samples = 1 << 14;  // 32 round trips take >= 1 us: more than 1 ms allows
  Padded<std::atomic<std::uint64_t>> flag;
  std::atomic<int> pinned{0};  // answerer: 1 pinned, -1 failed
  std::thread answerer([&] {
    const bool ok = pin_self(pair.second);
    pinned.store(ok ? 1 : -1, std::memory_order_release);  // release: before the ball moves
    if (ok) pingpong_answer(flag.value);
  });
  std::vector<double> samples;
  samples.reserve(max_samples);  // no allocation between a sample's clock reads
  std::thread initiator([&] {
    int answerer_pinned = 0;
    // acquire: the answerer's pinning (and its result) happened before we start the clock.
    while ((answerer_pinned = pinned.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
    if (!pin_self(pair.first)) {
      if (answerer_pinned == 1) pingpong_finish(flag.value);
      return;
    }
    if (answerer_pinned != 1) return;
    std::uint64_t n = 0;
    for (int i = 0; i < rounds_per_sample; ++i) n = pingpong_round_trip(flag.value, n);  // warm up
    const Clock::time_point end = Clock::now() + budget;
    for (Clock::time_point t0 = Clock::now(); t0 < end && samples.size() < max_samples;) {
      for (int i = 0; i < rounds_per_sample; ++i) n = pingpong_round_trip(flag.value, n);
      const Clock::time_point t1 = Clock::now();
      samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / (2 * rounds_per_sample));
      t0 = t1;
    }
    pingpong_finish(flag.value);
  });
  initiator.join();
  answerer.join();
  return median(samples);
}

ProbeResult run_probe(const std::vector<CpuPair>& pairs, std::chrono::microseconds per_pair) {
  ProbeResult r;
  std::vector<double> measured;
  for (const CpuPair& pair : pairs) {
    r.pair_ns.push_back(pair_latency_ns(pair, per_pair));
    if (r.pair_ns.back() > 0) measured.push_back(r.pair_ns.back());
  }
  r.median_ns = median(std::move(measured));
  return r;
}

}  // namespace contend::bench
