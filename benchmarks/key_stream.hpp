// Pre-generated per-thread operation streams for the map workloads, so that the random number
// generator is not part of what is timed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace contend::bench {

// Zipfian ranks in [0, n) with skew theta (0.99, as in YCSB), by Gray et al.'s method
// ("Quickly generating billion-record synthetic databases", SIGMOD 1994).
class Zipf {
 public:
  Zipf(std::uint64_t n, double theta) : n_(n), theta_(theta) {
    for (std::uint64_t i = 1; i <= n; ++i) zeta_n_ += 1.0 / std::pow(static_cast<double>(i), theta);
    const double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta);
    alpha_ = 1.0 / (1.0 - theta);
    eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zeta_n_);
  }

  template <class Rng>
  std::uint64_t operator()(Rng& rng) {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const double uz = u * zeta_n_;
    if (uz < 1.0) return 0;
    if (uz < 1.0 + std::pow(0.5, theta_)) return 1;
    const auto r =
        static_cast<std::uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
    return r < n_ ? r : n_ - 1;
  }

 private:
  std::uint64_t n_;
  double theta_, zeta_n_ = 0, alpha_ = 0, eta_ = 0;
};

struct MapOp {
  std::uint64_t key;
  bool read;
};

// Scatters ranks over the key space so that hot keys are not neighbours.
inline std::uint64_t scatter(std::uint64_t rank, std::uint64_t n) {
  return (rank * 0x9E3779B97F4A7C15ull) % n;
}

inline std::vector<MapOp> make_ops(std::size_t count, std::uint64_t keys, int read_percent, Zipf* zipf,
                                   std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> uniform(0, keys - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<MapOp> ops(count);
  for (MapOp& op : ops) {
    op.key = zipf != nullptr ? scatter((*zipf)(rng), keys) : uniform(rng);
    op.read = percent(rng) < read_percent;
  }
  return ops;
}

}  // namespace contend::bench
