// Command-line options shared by every benchmark binary (Google Benchmark's own --benchmark_*
// flags pass through untouched).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "placement_wait.hpp"
#include "topology.hpp"

namespace contend::bench {

struct Options {
  bool quick = false;
  std::vector<int> threads;  // thread counts to sweep
  double run_ms = 300;       // length of one time-bounded run
  int think = 100;           // iterations of local work in the counters' think workload
  Pin pin = Pin::none;       // where threads run (--pin)
  bool latency = true;       // sample single operations' latency (--latency=off: not at all)
  std::optional<PlacementWindow> placement;  // --placement=LO:HI: wait for it before each repetition
};

const Options& options();

}  // namespace contend::bench
