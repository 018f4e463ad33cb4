// What each bench_<family>.cpp defines, and the registration helpers they share.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "timed_run.hpp"

namespace contend::bench {

std::string family_name();
void register_benchmarks();

// Registers family/workload/impl for each thread count in `threads` (default: the sweep).
// Names end in Google Benchmark's own /real_time/threads:N.
template <class Fn>
void add(std::string_view family, std::string_view workload, std::string_view impl, Fn fn,
         const std::vector<int>& threads = options().threads) {
  if (threads.empty()) return;  // e.g. --threads=1 for a workload that needs two threads
  const std::string name = std::string(family) + "/" + std::string(workload) + "/" + std::string(impl);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
  for (int t : threads) b->Threads(t);
  b->UseRealTime()->Unit(benchmark::kMillisecond)->Setup(TimedRun::before_repetition);
}

// The sweep's thread counts of at least `min`.
inline std::vector<int> threads_at_least(int min) {
  std::vector<int> out;
  for (int t : options().threads) {
    if (t >= min) out.push_back(t);
  }
  return out;
}

}  // namespace contend::bench
