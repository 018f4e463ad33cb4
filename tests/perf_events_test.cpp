// The event counters (benchmarks/perf_events.hpp): a thread started after opening is counted
// (inherit) while it is alive, the hardware events on a machine without a PMU are "not
// available" with a reason and never a zero (tests/fixtures/event_source-no-cpu: this VM's
// /sys/bus/event_source/devices), and the per-operation arithmetic on known readings.
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "perf_events.hpp"

namespace contend::bench {
namespace {

const char* const NO_PMU = CONTEND_FIXTURES "/event_source-no-cpu";
const char* const WITH_PMU = CONTEND_FIXTURES "/event_source-cpu";

std::optional<std::size_t> index_of(const EventCounters& c, const std::string& name) {
  for (std::size_t i = 0; i < c.events().size(); ++i)
    if (c.events()[i].name == name) return i;
  return std::nullopt;
}

std::optional<double> find(const std::vector<std::pair<std::string, double>>& counters, const std::string& name) {
  for (const auto& [key, value] : counters)
    if (key == name) return value;
  return std::nullopt;
}

TEST(PerfEvents, ListsEverySoftwareAndHardwareEvent) {
  const EventCounters c(NO_PMU);
  std::vector<std::string> names;
  for (const EventStatus& e : c.events()) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"context_switches", "cpu_migrations", "page_faults", "cycles",
                                             "instructions", "cache_misses", "hitm"}));
  for (const EventStatus& e : c.events()) {
    // Either counted, or not with a reason: never silently absent.
    EXPECT_EQ(e.available, e.reason.empty()) << e.name;
    if (e.available) {
      EXPECT_FALSE(e.source.empty()) << e.name;
    }
  }
}

// A thread created after the counters were opened sleeps 20 times for 1 ms (each sleep is a
// context switch away from it) and is still alive when the process's counter is read: the
// parent's read sums its live children.
TEST(PerfEvents, CountsAThreadStartedAfterOpening) {
  const EventCounters c(NO_PMU);
  const std::size_t cs = *index_of(c, "context_switches");
  const EventStatus& status = c.events()[cs];
  const EventSnapshot before = c.snapshot();
  std::latch slept(1), release(1);
  std::thread sleeper([&] {
    for (int i = 0; i < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    slept.count_down();
    release.wait();
  });
  slept.wait();
  const EventSnapshot during = c.snapshot();  // the sleeper is alive: counted through inherit
  release.count_down();
  sleeper.join();
  const EventSnapshot after = c.snapshot();  // and its count stays after it exits
  const auto counters = per_op(c.events(), before, during, 1.0);
  if (!status.available) {
    // perf_event_open refused here (not root, a sandbox): said so, and no figure at all.
    EXPECT_FALSE(status.reason.empty());
    EXPECT_FALSE(before[cs].has_value());
    EXPECT_FALSE(find(counters, "context_switches_per_op").has_value());
    EXPECT_NE(c.not_available().find("context_switches: "), std::string::npos);
    GTEST_SKIP() << "context switches not available: " << status.reason;
  }
  ASSERT_TRUE(before[cs] && during[cs] && after[cs]);
  EXPECT_GE(during[cs]->value - before[cs]->value, 20u);
  EXPECT_GE(after[cs]->value, during[cs]->value);
  ASSERT_TRUE(find(counters, "context_switches_per_op").has_value());
  EXPECT_GE(*find(counters, "context_switches_per_op"), 20.0);
  EXPECT_NE(c.counted().find("context_switches"), std::string::npos);
}

TEST(PerfEvents, WithoutAPmuEveryHardwareEventIsNotAvailable) {
  EXPECT_FALSE(has_hardware_pmu(NO_PMU));
  const EventCounters c(NO_PMU);
  const EventSnapshot snapshot = c.snapshot();
  // Readings as if every counter had counted: an unavailable event still yields no figure.
  EventSnapshot before(c.events().size(), EventReading{0, 0, 0});
  EventSnapshot after(c.events().size(), EventReading{1000, 10, 10});
  const auto counters = per_op(c.events(), before, after, 10.0);
  for (const char* name : {"cycles", "instructions", "cache_misses", "hitm"}) {
    const std::size_t i = *index_of(c, name);
    const EventStatus& e = c.events()[i];
    EXPECT_TRUE(e.hardware) << name;
    EXPECT_FALSE(e.available) << name;
    EXPECT_EQ(e.reason, std::string("no hardware PMU exposed by the kernel (") + NO_PMU + " has no cpu)");
    EXPECT_FALSE(snapshot[i].has_value()) << name;
    EXPECT_FALSE(find(counters, std::string(name) + "_per_op").has_value()) << name;
    EXPECT_NE(c.not_available().find(std::string(name) + ": no hardware PMU"), std::string::npos) << name;
    EXPECT_EQ(c.counted().find(name), std::string::npos) << name;
  }
}

// With a `cpu` PMU listed the hardware events are tried: each is counted or says why not (on
// this VM the kernel answers ENOENT; libpfm may know no coherence event for the CPU).
TEST(PerfEvents, WithAPmuEachHardwareEventIsCountedOrSaysWhy) {
  EXPECT_TRUE(has_hardware_pmu(WITH_PMU));
  const EventCounters c(WITH_PMU);
  const EventSnapshot snapshot = c.snapshot();
  for (const char* name : {"cycles", "instructions", "cache_misses", "hitm"}) {
    const std::size_t i = *index_of(c, name);
    const EventStatus& e = c.events()[i];
    if (e.available) {
      EXPECT_FALSE(e.source.empty()) << name;
      EXPECT_NE(c.counted().find(name), std::string::npos) << name;
    } else {
      EXPECT_FALSE(e.reason.empty()) << name;
      EXPECT_EQ(e.reason.find("no hardware PMU"), std::string::npos) << name;
      EXPECT_FALSE(snapshot[i].has_value()) << name;
    }
  }
}

std::vector<EventStatus> three_events() {
  return {{.name = "context_switches", .hardware = false, .available = true, .source = "sw", .reason = ""},
          {.name = "cycles", .hardware = true, .available = true, .source = "hw", .reason = ""},
          {.name = "hitm", .hardware = true, .available = false, .source = "", .reason = "no PMU"}};
}

TEST(PerfEvents, PerOpArithmetic) {
  const std::vector<EventStatus> events = three_events();
  const EventSnapshot before{EventReading{10, 100, 100}, EventReading{0, 0, 0}, std::nullopt};
  // cycles were multiplexed: counted for half the time they were enabled, so scaled by 2.
  const EventSnapshot after{EventReading{50, 300, 300}, EventReading{100, 200, 100}, std::nullopt};
  const auto counters = per_op(events, before, after, 20.0);
  ASSERT_EQ(counters.size(), 2u);
  EXPECT_DOUBLE_EQ(*find(counters, "context_switches_per_op"), 2.0);  // (50 - 10) / 20
  EXPECT_DOUBLE_EQ(*find(counters, "cycles_per_op"), 10.0);           // 100 x 200/100 / 20
  EXPECT_FALSE(find(counters, "hitm_per_op").has_value());

  EXPECT_TRUE(per_op(events, before, after, 0.0).empty());  // no operations: no figure, not inf
  // A counter that never ran in the window (multiplexed out) gives no figure, not a zero.
  const EventSnapshot idle{EventReading{10, 200, 200}, EventReading{100, 300, 0}, std::nullopt};
  const auto none = per_op(events, before, idle, 20.0);
  EXPECT_FALSE(find(none, "cycles_per_op").has_value());
  ASSERT_TRUE(find(none, "context_switches_per_op").has_value());
  EXPECT_DOUBLE_EQ(*find(none, "context_switches_per_op"), 0.0);  // counted, and truly zero
  // A failed read (nullopt) on either side drops the event.
  const EventSnapshot unread{std::nullopt, EventReading{100, 200, 200}, std::nullopt};
  EXPECT_FALSE(find(per_op(events, before, unread, 20.0), "context_switches_per_op").has_value());
}

}  // namespace
}  // namespace contend::bench
