#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace contend::bench {

// n steps of a dependent LCG: private work between shared operations, about 1 ns a step, that
// the compiler can neither fold nor hoist (DoNotOptimize hides the value).
inline std::uint64_t local_work(std::uint64_t x, int n) {
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    benchmark::DoNotOptimize(x);
  }
  return x;
}

}  // namespace contend::bench
