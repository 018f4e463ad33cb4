// What each bench_<family>.cpp defines, and the registration helpers they share.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "heartbeat.hpp"
#include "options.hpp"
#include "test_hang.hpp"
#include "timed_run.hpp"

namespace contend::bench {

std::string family_name();
void register_benchmarks();

// One repetition of the benchmark `name` (without its /real_time/threads:N) under contend run's
// watchdog: thread 0 says on the heartbeat when it starts and ends (heartbeat.hpp), so that a
// repetition that never returns is seen and named; a benchmark CONTEND_TEST_HANG names never
// returns (test_hang.hpp, for the watchdog's tests). Outside the timed region: the run's clocks
// start at its start barrier, inside `fn`.
template <class Fn>
void watched(const std::string& name, benchmark::State& state, const Fn& fn) {
  const bool beat = state.thread_index() == 0 && heartbeat().on();
  std::string full;
  if (beat || test_hang().on()) full = name + "/real_time/threads:" + std::to_string(state.threads());
  if (beat) heartbeat().start(full);
  if (test_hang().matches(full)) TestHang::forever();
  fn(state);
  if (beat) heartbeat().end(full);
}

// Registers family/workload/impl for each thread count in `threads` (default: the sweep).
// Names end in Google Benchmark's own /real_time/threads:N.
template <class Fn>
void add(std::string_view family, std::string_view workload, std::string_view impl, Fn fn,
         const std::vector<int>& threads = options().threads) {
  if (threads.empty()) return;  // e.g. --threads=1 for a workload that needs two threads
  const std::string name = std::string(family) + "/" + std::string(workload) + "/" + std::string(impl);
  auto* b = benchmark::RegisterBenchmark(name.c_str(),
                                         [name, fn](benchmark::State& state) { watched(name, state, fn); });
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
