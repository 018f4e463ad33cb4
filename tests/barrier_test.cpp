// The harness's barrier (benchmarks/barrier.hpp), which replaced std::barrier and std::latch in
// timed_run, bench_stacks and hand_timed_check: per phase, the completion runs exactly once,
// after every thread's writes of that phase and before any thread leaves it; no thread sleeps
// through a phase (within() fails the test instead of hanging it); it is reusable.
#include "barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace contend::bench {
namespace {

using contend::test::scaled;
using contend::test::stress_threads;
using contend::test::within;

struct Tally {
  std::vector<std::uint64_t>* written;  // per thread: the last phase it wrote, read by the completion
  std::uint64_t* phases;                // completions so far (only the completion writes it)
  bool* all_written;                    // every completion saw every thread's write of its phase
  void operator()() noexcept {
    ++*phases;
    for (std::uint64_t w : *written) *all_written = *all_written && w == *phases;
  }
};

TEST(Barrier, EveryPhaseCompletesOnceAfterEveryArrivalAndBeforeAnyDeparture) {
  const std::size_t threads = stress_threads();  // more than cores: some arrivals sleep
  const std::uint64_t phases = scaled(5'000);
  within(std::chrono::seconds(120), "a thread slept through a phase of the harness barrier", [&] {
    std::vector<std::uint64_t> written(threads, 0);
    std::uint64_t completed = 0;
    bool all_written = true;
    Barrier<Tally> collect(static_cast<std::ptrdiff_t>(threads), Tally{&written, &completed, &all_written});
    Barrier<> release(static_cast<std::ptrdiff_t>(threads));
    std::atomic<bool> departed_early{false};
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::uint64_t p = 1; p <= phases; ++p) {
          written[t] = p;  // ordered before the completion by the barrier
          collect.arrive_and_wait();
          if (completed != p) departed_early.store(true, std::memory_order_relaxed);  // relaxed: read after join
          release.arrive_and_wait();  // nobody writes phase p + 1 before all have checked p
        }
      });
    }
    pool.clear();  // joins
    EXPECT_EQ(completed, phases) << "one completion per phase";
    EXPECT_TRUE(all_written) << "a completion ran before some thread's write of its phase";
    EXPECT_FALSE(departed_early.load()) << "a thread left a phase before its completion ran";
  });
}

TEST(Barrier, ALatchOfOneReleasesItsOnlyThreadAtOnce) {
  within(std::chrono::seconds(10), "a barrier of one waited", [] {
    Barrier<> one(1);
    for (int i = 0; i < 3; ++i) one.arrive_and_wait();
  });
}

TEST(Barrier, RefusesACountBelowOne) { EXPECT_THROW(Barrier<>(0), std::invalid_argument); }

}  // namespace
}  // namespace contend::bench
