// Latency of single operations, sampled: a log-bucketed histogram and the sampler that fills it.
//
// A time-bounded run (timed_run.hpp) times one operation in every `every`, never all of them: two
// clock reads cost more than many operations. `every` adapts per thread so that the timing costs
// about SAMPLING_BUDGET of the thread's time (the sample's cost is the measured cost of a read of
// the sample clock, clock_read_ns(), twice); `contend overhead` measures what it really costs with
// paired runs with and without sampling.
//
// The sample clock is the TSC where the kernel itself keeps time with it (clocksource "tsc": an
// invariant counter the kernel found synchronized across CPUs), read with a bare rdtsc and
// converted to ns by a calibration against steady_clock; elsewhere it is steady_clock. Not
// steady_clock everywhere because its vDSO read orders itself after all earlier instructions, and
// on this suite's 2-vCPU Ice Lake VM that delays a cache-line hand-off that follows it: a ping-pong
// round trip of 120 ns took 210-245 ns right after a steady_clock read, 119 ns after a bare rdtsc,
// and a round trip timed with two bare rdtsc reads measured 123 ns. The figures are closed-loop service times: a thread
// issues its next operation when the last one returns, so a stall delays the operations that would
// have queued behind it instead of showing in them (no coordinated-omission correction).
//
// Histogram: 16 linear sub-buckets per power of two (values below 16 ns exact), so a percentile
// is within 1/16 (6.25%) of the true value; min and max are kept exactly. 1 024 buckets reach
// 2^64 ns. Percentile p is the nearest-rank value (the smallest sample with at least p% of the
// samples at or below it), reported as its bucket's midpoint, clamped to [min, max]; the first and
// the last rank are the exact min and max.
// Thread-safety: a Histogram and a LatencySampler belong to one thread; merge() is called by one
// thread once the owners have stopped (the run's end barrier orders them).
#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <limits>

namespace contend::bench {

inline constexpr double SAMPLING_BUDGET = 0.01;  // share of a thread's time its sampling may take

class Histogram {
 public:
  static constexpr int sub_bits = 4;  // 16 sub-buckets per power of two
  static constexpr int sub = 1 << sub_bits;
  static constexpr int buckets = (64 - sub_bits + 1) * sub;

  static constexpr int bucket_of(std::uint64_t ns) {
    if (ns < sub) return static_cast<int>(ns);
    const int top = std::bit_width(ns) - 1;  // >= sub_bits
    const int shift = top - sub_bits;
    return (shift + 1) * sub + static_cast<int>((ns >> shift) & (sub - 1));
  }
  // The values bucket b holds: [lower(b), lower(b + 1)).
  static constexpr std::uint64_t lower(int b) {
    if (b < sub) return static_cast<std::uint64_t>(b);
    const int shift = b / sub - 1;
    return (static_cast<std::uint64_t>(sub + b % sub)) << shift;
  }

  void record(std::uint64_t ns) {
    ++counts_[static_cast<std::size_t>(bucket_of(ns))];
    ++samples_;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
  }
  void merge(const Histogram& other);
  void clear() { *this = Histogram{}; }

  std::uint64_t samples() const { return samples_; }
  std::uint64_t min() const { return samples_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  std::uint64_t count(int bucket) const { return counts_[static_cast<std::size_t>(bucket)]; }
  // Nearest-rank percentile, 0 < p <= 100, in ns (0 when there are no samples).
  double percentile(double p) const;

 private:
  std::array<std::uint64_t, buckets> counts_{};
  std::uint64_t samples_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max(), max_ = 0;
};

// The sample clock (above): ticks, their length in ns and the clock's name ("tsc" or
// "steady_clock"). The first call of ns_per_tick() or sample_clock_name() calibrates (about 20 ms);
// main() calls it before any run.
namespace detail {
extern const bool use_tsc;  // decided at start-up from the kernel's clocksource
}
inline std::uint64_t sample_ticks() {
#if defined(__x86_64__) || defined(__i386__)
  if (detail::use_tsc) return __builtin_ia32_rdtsc();
#endif
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}
double ns_per_tick();
const char* sample_clock_name();
inline double ticks_to_ns(std::uint64_t ticks) { return static_cast<double>(ticks) * ns_per_tick(); }

// The cost of one sample_ticks() read, in ns: the median of back-to-back pairs, measured once per
// process (the first call takes about a millisecond).
double clock_read_ns();

class LatencySampler {
 public:
  // A new run at sample_ticks() `now`: an empty histogram; the first operation of the run is timed.
  void start(bool enabled, std::uint64_t now);
  bool enabled() const { return enabled_; }

  // Called before `ops` more operations: whether the first of them should be timed.
  bool due(std::uint64_t ops) {
    counted_ += ops;
    return enabled_ && counted_ >= next_at_;
  }
  // The timed operation ran from sample_ticks() t0 to t1; returns its latency in ns. Sets the next
  // sample one `every` on, with `every` chosen from the thread's pace since the previous sample so
  // the timing stays within budget.
  std::uint64_t record(std::uint64_t t0, std::uint64_t t1);

  const Histogram& histogram() const { return histogram_; }

 private:
  Histogram histogram_;
  bool enabled_ = false;
  std::uint64_t counted_ = 0;     // operations announced to due() in this run
  std::uint64_t at_last_ = 0;     // counted_ at the last sample
  std::uint64_t next_at_ = 0;     // counted_ from which the next sample is due
  std::uint64_t last_ = 0;  // sample_ticks() at the last sample
  double sample_cost_ns_ = 0;
};

// The calling thread's sampler (repeat_until and the poller's timed poll use it).
LatencySampler& this_thread_sampler();

}  // namespace contend::bench
