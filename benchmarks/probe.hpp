// Placement probe: a placement signature taken just before each repetition. On a VM the vCPUs
// move between physical cores and SMT siblings under the benchmark; the one-way latency of a
// cache line bounced between two pinned threads (pingpong.hpp) tells where a pair of CPUs sits
// at the moment (SMT siblings ~10-20 ns, cores of one socket ~40-80 ns, sockets apart ~150 ns+).
// Cost: PROBE_PER_PAIR of ping-pong per pair plus two thread starts (about 0.1 ms), i.e. about
// 1 ms per repetition on 2 CPUs, 6 ms on 4 (6 pairs), 4 ms on bigger machines (4 pairs).
// The core-to-core map (core_to_core.cpp) runs the same measurement, pair_latency_ns, over every
// pair of CPUs.
// Not thread-safe: called from one thread, while no benchmark thread runs.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "topology.hpp"

namespace contend::bench {

inline constexpr std::chrono::microseconds PROBE_PER_PAIR{1000};

using CpuPair = std::pair<int, int>;

// The probe pairs, fixed for the machine: all pairs of the allowed CPUs when there are at most 4;
// otherwise 4 pairs from the first allowed CPU c0: c0 with its SMT sibling, with another core of
// its package, with a CPU of another package (each when the machine has one), then pairs of c0
// with CPUs a quarter, a half and three quarters along the allowed list, the second and the
// last allowed CPU, until there are 4.
std::vector<CpuPair> probe_pairs(const Topology& topology, const std::vector<int>& allowed);

// "0-1,0-2" (the context's probe_pairs key).
std::string describe_pairs(const std::vector<CpuPair>& pairs);

struct ProbeResult {
  std::vector<double> pair_ns;  // median one-way latency of each pair; 0 if it could not be pinned
  double median_ns = 0;         // median over the pairs measured
};

// Median one-way latency in ns of a cache line bounced between two threads pinned to pair.first
// (the initiator, whose clock times the round trips) and pair.second, for `budget`; 0 if either
// thread could not be pinned. The one measurement behind both the placement probe and the
// core-to-core map (core_to_core.cpp). Starts and joins its own two threads.
double pair_latency_ns(CpuPair pair, std::chrono::microseconds budget);

// Bounces a cache line between two threads pinned to each pair for `per_pair` (pair_latency_ns).
ProbeResult run_probe(const std::vector<CpuPair>& pairs, std::chrono::microseconds per_pair = PROBE_PER_PAIR);

// Median of `values` (0 when empty).
double median(std::vector<double> values);

}  // namespace contend::bench
