// Command-line options shared by every benchmark binary (Google Benchmark's own --benchmark_*
// flags pass through untouched).
#pragma once

#include <string>
#include <vector>

namespace contend::bench {

struct Options {
  bool quick = false;
  std::vector<int> threads;     // thread counts to sweep
  double run_ms = 300;          // length of one time-bounded run
  int repetitions = 5;
  int think = 100;              // iterations of local work in the counters' think workload
};

const Options& options();

// 1, 2, 4, ... up to 2 x hardware_concurrency, plus the core count itself.
std::vector<int> default_thread_counts();

}  // namespace contend::bench
