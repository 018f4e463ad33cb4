#include "latency.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace contend::bench {

void Histogram::merge(const Histogram& other) {
  for (std::size_t b = 0; b < counts_.size(); ++b) counts_[b] += other.counts_[b];
  samples_ += other.samples_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double Histogram::percentile(double p) const {
  if (samples_ == 0) return 0;
  // Nearest rank: the ceil(p/100 * n)-th smallest sample (1-based), at least the first.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(samples_) - 1e-9)));
  if (rank >= samples_) return static_cast<double>(max_);  // the largest sample is known exactly
  if (rank == 1) return static_cast<double>(min());      // and so is the smallest
  std::uint64_t seen = 0;
  for (int b = 0; b < buckets; ++b) {
    seen += counts_[static_cast<std::size_t>(b)];
    if (seen < rank) continue;
    const double lo = static_cast<double>(lower(b));
    const double hi = b + 1 < buckets ? static_cast<double>(lower(b + 1)) : static_cast<double>(max_) + 1;
    const double mid = (lo + hi - 1) / 2;  // the bucket holds the integers lo .. hi - 1
    return std::clamp(mid, static_cast<double>(min()), static_cast<double>(max_));
  }
  return static_cast<double>(max_);
}

double clock_read_ns() {
  static const double cost = [] {
    using Clock = std::chrono::steady_clock;
    constexpr int pairs = 20001;
    std::vector<double> d;
    d.reserve(pairs);
    for (int i = 0; i < pairs; ++i) {
      const Clock::time_point a = Clock::now();
      const Clock::time_point b = Clock::now();
      d.push_back(std::chrono::duration<double, std::nano>(b - a).count());
    }
    std::nth_element(d.begin(), d.begin() + pairs / 2, d.end());
    return d[pairs / 2];
  }();
  return cost;
}

void LatencySampler::start(bool enabled, Clock::time_point now) {
  histogram_.clear();
  enabled_ = enabled;
  counted_ = at_last_ = next_at_ = 0;
  last_ = now;
  // Two clock reads and the histogram's update (a few ns): what one sample adds to the thread.
  sample_cost_ns_ = enabled ? 2 * clock_read_ns() + 5 : 0;
}

void LatencySampler::record(Clock::time_point t0, Clock::time_point t1) {
  histogram_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count())));
  // The thread's pace since the last sample: (counted_ - at_last_) operations in (t1 - last_).
  const double ops = static_cast<double>(std::max<std::uint64_t>(1, counted_ - at_last_));
  const double ns_per_op = std::chrono::duration<double, std::nano>(t1 - last_).count() / ops;
  const double every = ns_per_op > 0 ? std::ceil(sample_cost_ns_ / (SAMPLING_BUDGET * ns_per_op)) : 1;
  at_last_ = counted_;
  next_at_ = counted_ + static_cast<std::uint64_t>(std::clamp(every, 1.0, 1e6));
  last_ = t1;
}

LatencySampler& this_thread_sampler() {
  thread_local LatencySampler sampler;
  return sampler;
}

}  // namespace contend::bench
