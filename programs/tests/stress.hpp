// Stress sizes scale with CONTEND_STRESS (a float factor, default 1) so CI and TSan stay fast.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace programs_test {

inline double stress_factor() {
  const char* s = std::getenv("CONTEND_STRESS");
  if (!s || !*s) return 1.0;
  char* end = nullptr;
  const double f = std::strtod(s, &end);
  return (end != s && f > 0) ? f : 1.0;
}

inline std::uint64_t scaled(std::uint64_t base) {
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(base) * stress_factor()));
}

}  // namespace programs_test
