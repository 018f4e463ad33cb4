// The latency histogram's arithmetic on known inputs: bucket edges, nearest-rank percentiles
// within the histogram's 1/16 resolution, exact min and max, merging, and the sampler's pacing.
#include "latency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace contend::bench {
namespace {

TEST(Histogram, BucketsTileEveryValueInOrder) {
  for (int b = 0; b + 1 < Histogram::buckets; ++b) {
    ASSERT_LT(Histogram::lower(b), Histogram::lower(b + 1)) << b;
    ASSERT_EQ(Histogram::bucket_of(Histogram::lower(b)), b);
    ASSERT_EQ(Histogram::bucket_of(Histogram::lower(b + 1) - 1), b);
  }
  EXPECT_EQ(Histogram::bucket_of(~std::uint64_t{0}), Histogram::buckets - 1);
  // Below 16 ns every value has its own bucket; above, a bucket is at most 1/16 of its values.
  for (int b = Histogram::sub; b + 1 < Histogram::buckets; ++b) {
    const double lo = static_cast<double>(Histogram::lower(b)), hi = static_cast<double>(Histogram::lower(b + 1));
    ASSERT_LE((hi - lo) / lo, 1.0 / 16 + 1e-12) << b;
  }
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 10; ++v) h.record(v);  // 1..10
  EXPECT_EQ(h.samples(), 10u);
  EXPECT_EQ(h.percentile(50), 5);   // nearest rank: the 5th of 10
  EXPECT_EQ(h.percentile(90), 9);
  EXPECT_EQ(h.percentile(91), 10);  // ceil(9.1) = 10th
  EXPECT_EQ(h.percentile(100), 10);
  EXPECT_EQ(h.percentile(0.01), 1);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 10u);
}

TEST(Histogram, EmptyReportsNothing) {
  const Histogram h;
  EXPECT_EQ(h.samples(), 0u);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.max(), 0u);
}

TEST(Histogram, PercentilesOfAKnownSpreadAreWithinTheResolution) {
  // 1 000 000 values 1..1 000 000 ns in a shuffled order: the p-th percentile is p * 10 000.
  std::vector<std::uint64_t> values(1'000'000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = i + 1;
  std::shuffle(values.begin(), values.end(), std::mt19937_64{7});
  Histogram h;
  for (std::uint64_t v : values) h.record(v);
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const double exact = p * 10'000;
    EXPECT_NEAR(h.percentile(p), exact, exact / 32) << "p" << p;  // a bucket's midpoint: half of 1/16
  }
  EXPECT_EQ(h.percentile(100), 1'000'000);  // clamped to the exact max
  EXPECT_EQ(h.max(), 1'000'000u);
  EXPECT_EQ(h.min(), 1u);
}

TEST(Histogram, ATailShowsInTheHighPercentilesOnly) {
  // 999 operations of 100 ns and one of 1 ms: p99 is 100 ns, p99.9 too (the 999th), max 1 ms.
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(100);
  h.record(1'000'000);
  EXPECT_NEAR(h.percentile(50), 100, 100.0 / 32);
  EXPECT_NEAR(h.percentile(99.9), 100, 100.0 / 32);
  EXPECT_EQ(h.percentile(99.91), 1'000'000);  // the 1000th, the largest: exact
  EXPECT_EQ(h.max(), 1'000'000u);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, both;
  for (std::uint64_t v = 1; v < 5000; v += 3) {
    (v % 2 ? a : b).record(v * 7);
    both.record(v * 7);
  }
  a.merge(b);
  EXPECT_EQ(a.samples(), both.samples());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  for (int k = 0; k < Histogram::buckets; ++k) ASSERT_EQ(a.count(k), both.count(k)) << k;
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), both.percentile(p));
}

// The sample clock's ticks for `ns` nanoseconds, and back: what a synthetic clock advances by.
std::uint64_t ticks_for(double ns) { return static_cast<std::uint64_t>(std::llround(ns / ns_per_tick())); }

TEST(SampleClock, AgreesWithSteadyClock) {
  // Ticks read between two steady_clock reads at each end of a 200 ms span: their ns must lie
  // within the span the steady_clock reads bracket (0.1% for the calibration's own error).
  using Clock = std::chrono::steady_clock;
  const Clock::time_point a0 = Clock::now();
  const std::uint64_t t0 = sample_ticks();
  const Clock::time_point a1 = Clock::now();
  while (Clock::now() - a1 < std::chrono::milliseconds(200)) {
  }
  const Clock::time_point b0 = Clock::now();
  const std::uint64_t t1 = sample_ticks();
  const Clock::time_point b1 = Clock::now();
  const double shortest = std::chrono::duration<double, std::nano>(b0 - a1).count();
  const double longest = std::chrono::duration<double, std::nano>(b1 - a0).count();
  const double measured = ticks_to_ns(t1 - t0);
  EXPECT_GE(measured, shortest * 0.999) << sample_clock_name();
  EXPECT_LE(measured, longest * 1.001) << sample_clock_name();
  EXPECT_GT(clock_read_ns(), 0);
}

TEST(LatencySampler, DisabledTimesNothing) {
  LatencySampler s;
  s.start(false, sample_ticks());
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(s.due(16));
  EXPECT_EQ(s.histogram().samples(), 0u);
}

TEST(LatencySampler, PacesSamplesToTheBudget) {
  // Operations of 10 ns on a synthetic clock: a sample costs about 2 clock reads + 5 ns, so it is
  // due once every cost / (budget * 10 ns) operations, never more often.
  LatencySampler s;
  std::uint64_t t = sample_ticks();
  const std::uint64_t op = ticks_for(10);
  s.start(true, t);
  std::uint64_t ops = 0, samples = 0;
  for (int batch = 0; batch < 200'000; ++batch) {
    if (s.due(16)) {
      EXPECT_EQ(s.record(t, t + op), static_cast<std::uint64_t>(std::llround(ticks_to_ns(op))));
      ++samples;
    }
    ops += 16;
    t += 16 * op;
  }
  EXPECT_EQ(s.histogram().samples(), samples);
  const double every = static_cast<double>(ops) / static_cast<double>(samples);
  const double wanted = (2 * clock_read_ns() + 5) / (SAMPLING_BUDGET * ticks_to_ns(op));
  EXPECT_GE(every, wanted * 0.9);
  EXPECT_LE(every, wanted * 1.1 + 16);  // due at batch starts: up to one batch late
  EXPECT_EQ(s.histogram().percentile(50), static_cast<double>(std::llround(ticks_to_ns(op))));
}

TEST(LatencySampler, SlowOperationsAreEachTimed) {
  LatencySampler s;
  std::uint64_t t = sample_ticks();
  const std::uint64_t op = ticks_for(100'000);
  s.start(true, t);
  int samples = 0;
  for (int i = 0; i < 100; ++i) {
    if (s.due(1)) {
      s.record(t, t + op);
      ++samples;
    }
    t += op;
  }
  EXPECT_EQ(samples, 100);  // 100 us each: a sample's tens of ns are far under 1%
}

TEST(LatencySampler, AnEndBeforeItsStartCountsZero) {
  LatencySampler s;
  const std::uint64_t t = sample_ticks();
  s.start(true, t);
  ASSERT_TRUE(s.due(1));
  EXPECT_EQ(s.record(t + 100, t), 0u);  // not 2^64 - 100 ticks
  EXPECT_EQ(s.histogram().max(), 0u);
}

}  // namespace
}  // namespace contend::bench
