#include "latency.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
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

namespace detail {
namespace {
bool kernel_keeps_time_with_tsc() {
#if defined(__x86_64__) || defined(__i386__)
  std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  return in >> name && name == "tsc";
#else
  return false;
#endif
}
}  // namespace
const bool use_tsc = kernel_keeps_time_with_tsc();
}  // namespace detail

double ns_per_tick() {
  static const double ns = [] {
    if (!detail::use_tsc) return 1.0;  // the fallback's ticks are steady_clock's ns
    // Ticks against steady_clock over 20 ms: the reads' tens of ns of jitter are 1e-6 of the span.
    using Clock = std::chrono::steady_clock;
    const Clock::time_point c0 = Clock::now();
    const std::uint64_t t0 = sample_ticks();
    Clock::time_point c1;
    do c1 = Clock::now();
    while (c1 - c0 < std::chrono::milliseconds(20));
    const std::uint64_t t1 = sample_ticks();
    return std::chrono::duration<double, std::nano>(c1 - c0).count() / static_cast<double>(t1 - t0);
  }();
  return ns;
}

const char* sample_clock_name() {
  ns_per_tick();
  return detail::use_tsc ? "tsc" : "steady_clock";
}

double clock_read_ns() {
  static const double cost = [] {
    constexpr int pairs = 20001;
    std::vector<std::uint64_t> d;
    d.reserve(pairs);
    for (int i = 0; i < pairs; ++i) {
      const std::uint64_t a = sample_ticks();
      const std::uint64_t b = sample_ticks();
      d.push_back(b - a);
    }
    std::nth_element(d.begin(), d.begin() + pairs / 2, d.end());
    return ticks_to_ns(d[pairs / 2]);
  }();
  return cost;
}

void LatencySampler::start(bool enabled, std::uint64_t now) {
  histogram_.clear();
  enabled_ = enabled;
  counted_ = at_last_ = next_at_ = 0;
  last_ = now;
  // Two clock reads and the histogram's update (a few ns): what one sample adds to the thread.
  sample_cost_ns_ = enabled ? 2 * clock_read_ns() + 5 : 0;
}

std::uint64_t LatencySampler::record(std::uint64_t t0, std::uint64_t t1) {
  // t1 < t0 only if two CPUs' TSCs disagree (the kernel checked that they do not): count 0, not 2^64.
  const std::uint64_t ns = t1 > t0 ? static_cast<std::uint64_t>(std::llround(ticks_to_ns(t1 - t0))) : 0;
  histogram_.record(ns);
  // The thread's pace since the last sample: (counted_ - at_last_) operations in (t1 - last_).
  const double ops = static_cast<double>(std::max<std::uint64_t>(1, counted_ - at_last_));
  const double ns_per_op = t1 > last_ ? ticks_to_ns(t1 - last_) / ops : 0;
  const double every = ns_per_op > 0 ? std::ceil(sample_cost_ns_ / (SAMPLING_BUDGET * ns_per_op)) : 1;
  at_last_ = counted_;
  next_at_ = counted_ + static_cast<std::uint64_t>(std::clamp(every, 1.0, 1e6));
  last_ = t1;
  return ns;
}

LatencySampler& this_thread_sampler() {
  thread_local LatencySampler sampler;
  return sampler;
}

}  // namespace contend::bench
