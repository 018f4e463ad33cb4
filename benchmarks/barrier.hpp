// Barrier: the harness's start and end barrier (timed_run.hpp) and its one-phase latches
// (bench_stacks.cpp, hand_timed_check.cpp), on contend::WakeWord instead of std::barrier and
// std::latch, whose libstdc++ 12 waits may skip the wake-up (contend/futex.hpp;
// docs/design-notes.md#lost-wake-up): a benchmark that hangs in its own harness measures nothing.
//
// `count` threads call arrive_and_wait() per phase. The last to arrive runs the completion (the
// others are still waiting, so it sees and may change what they wrote before arriving), then
// opens the next phase: a release store of the phase number and a wake of every sleeper. The
// others check the phase for `spins` pause hints (the last arrival is usually microseconds
// away), then sleep on it.
// Progress: blocking. Thread-safe: arrive_and_wait from `count` threads per phase; reusable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "contend/futex.hpp"

namespace contend::bench {

struct NoCompletion {
  void operator()() noexcept {}
};

template <class Completion = NoCompletion>
class Barrier {
 public:
  // A pause hint costs 10 to 140 cycles by CPU: 1000 of them are 21 us on the Zen 5 guest.
  static constexpr int spins = 1000;

  explicit Barrier(std::ptrdiff_t count, Completion completion = {})
      : count_(static_cast<std::uint32_t>(count)), completion_(std::move(completion)) {
    if (count < 1) throw std::invalid_argument("Barrier: count must be at least 1");
  }
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  void arrive_and_wait() {
    // acquire: pairs with the release that opened this phase, so the count's reset to 0 below
    // happened before our increment.
    const std::uint32_t phase = phase_.load(std::memory_order_acquire);
    // acq_rel: our writes before arriving reach the last arriver (the increments form one release
    // sequence), which then publishes them, and its completion's, with the phase's release.
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == count_) {
      completion_();
      arrived_.store(0, std::memory_order_relaxed);  // relaxed: published by the phase's release
      phase_.store_and_wake_all(phase + 1, std::memory_order_release);
      return;
    }
    phase_.wait_while(phase, spins, std::memory_order_acquire);  // acquire: see above
  }

 private:
  const std::uint32_t count_;
  Completion completion_;
  alignas(64) std::atomic<std::uint32_t> arrived_{0};
  alignas(64) WakeWord phase_{0};
};

}  // namespace contend::bench
