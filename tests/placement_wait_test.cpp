// --placement's window parse and the wait before a repetition (placement_wait.hpp), driven by a
// scripted probe and a fake clock that only the fake sleep and probe advance: no timing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

#include "placement_wait.hpp"

namespace contend::bench {
namespace {

using namespace std::chrono_literals;

TEST(PlacementWindow, ParsesLoHiInNanoseconds) {
  const auto w = parse_placement_window("25:60.5");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->lo_ns, 25);
  EXPECT_EQ(w->hi_ns, 60.5);
  EXPECT_EQ(parse_placement_window("0:1e9")->describe(), "0:1000000000");
  EXPECT_EQ(parse_placement_window("0:0.001")->describe(), "0:0.001");
}

TEST(PlacementWindow, RefusesAnythingButZeroOrMoreBelowMore) {
  for (const char* bad :
       {"", ":", "1:0", "5:5", "-1:5", "abc", "abc:5", "5", "5:", ":5", "1:2:3", "0:inf", "nan:5", "0:5x"}) {
    EXPECT_FALSE(parse_placement_window(bad)) << "'" << bad << "'";
  }
}

TEST(PlacementWindow, IsHalfOpen) {
  const PlacementWindow w{10, 20};
  EXPECT_TRUE(w.contains(10));
  EXPECT_TRUE(w.contains(19.99));
  EXPECT_FALSE(w.contains(20));
  EXPECT_FALSE(w.contains(9.99));
}

// Probe medians in order (the last repeats); each probe takes 1 ms of the fake clock.
struct Script {
  explicit Script(std::vector<double> m) : medians(std::move(m)) {}
  std::vector<double> medians;
  std::size_t taken = 0;
  Nanos clock{0};
  std::vector<Nanos> sleeps;

  PlacementWait run(const PlacementWindow& window, Nanos poll = 5ms, Nanos limit = 2000ms) {
    return wait_for_placement(
        window,
        [&] {
          clock += 1ms;
          const double m = medians[std::min(taken++, medians.size() - 1)];
          return ProbeResult{{m}, m};
        },
        [&] { return clock; },
        [&](Nanos d) {
          sleeps.push_back(d);
          clock += d;
        },
        poll, limit);
  }
};

TEST(PlacementWait, LandsAtOnce) {
  Script s({34});
  const PlacementWait w = s.run({25, 60});
  EXPECT_EQ(w.probes, 1);
  EXPECT_EQ(w.waited_ms, 0);
  EXPECT_FALSE(w.missed);
  EXPECT_EQ(w.probe.median_ns, 34);
  EXPECT_TRUE(s.sleeps.empty());
}

TEST(PlacementWait, LandsAfterSomeProbes) {
  Script s({155, 14, 12000, 34, 155});
  const PlacementWait w = s.run({25, 60});
  EXPECT_EQ(w.probes, 4);
  EXPECT_FALSE(w.missed);
  EXPECT_EQ(w.probe.median_ns, 34);  // the probe that lands starts the repetition
  EXPECT_EQ(s.sleeps, (std::vector<Nanos>(3, 5ms)));
  EXPECT_DOUBLE_EQ(w.waited_ms, 3 * (5 + 1));  // three sleeps and three probes after the first
}

TEST(PlacementWait, GivesUpAtTheLimitAndKeepsTheLastProbe) {
  Script s({155, 14, 155});
  const PlacementWait w = s.run({25, 60}, 5ms, 20ms);
  EXPECT_TRUE(w.missed);
  EXPECT_EQ(w.probe.median_ns, 155);
  // 6 ms a round: after 3 rounds 18 ms < 20, a 4th; then 24 ms >= 20 ends it.
  EXPECT_EQ(w.probes, 5);
  EXPECT_DOUBLE_EQ(w.waited_ms, 24);
}

TEST(PlacementWait, ZeroLimitProbesOnce) {
  Script s({155});
  const PlacementWait w = s.run({25, 60}, 5ms, 0ms);
  EXPECT_TRUE(w.missed);
  EXPECT_EQ(w.probes, 1);
  EXPECT_EQ(w.waited_ms, 0);
  EXPECT_TRUE(s.sleeps.empty());
}

TEST(PlacementWait, LandingOnTheLastProbeIsNotAMiss) {
  Script s({155, 155, 155, 34});
  const PlacementWait w = s.run({25, 60}, 5ms, 18ms);  // the 4th probe ends 18 ms after the 1st
  EXPECT_FALSE(w.missed);
  EXPECT_EQ(w.probes, 4);
  EXPECT_DOUBLE_EQ(w.waited_ms, 18);
}

}  // namespace
}  // namespace contend::bench
