// Padding that keeps independently written variables off each other's cache lines.
//
// Why 128 and not 64: a line is 64 bytes on x86-64 and most ARM cores, but Intel's L2
// "adjacent-line" (spatial) prefetcher fetches lines in 128-byte pairs, so two hot variables 64
// bytes apart still interfere; Apple M-series lines are 128 bytes. folly and crossbeam pad to 128
// for the same reason. std::hardware_destructive_interference_size is 64 with g++ 12 on x86-64
// and g++ warns (-Winterference-size) that it may differ between compiler flags, which makes it
// unfit for a layout that the benchmarks compare across machines. bench_false_sharing measures
// packed vs 64 vs 128 so the choice is a measured one on each CPU.
#pragma once

#include <cstddef>

namespace contend {

inline constexpr std::size_t cache_line_size = 64;
inline constexpr std::size_t false_sharing_range = 128;

// A T alone in a block of Align bytes (sizeof is rounded up to Align by alignas).
template <class T, std::size_t Align = false_sharing_range>
struct alignas(Align) Padded {
  T value{};
};

}  // namespace contend
