// Waiting, in one place: how every design here waits for another thread.
// - Backoff: spin with the CPU's pause hint a growing number of times, then yield the core.
//   Without the yield a spinning waiter can burn its whole time slice while the thread it waits
//   for is descheduled (threads > cores), which the benchmarks show.
// - wait_awake: the first two phases of the waiting policy of every channel. Spin on pause for
//   about as long as a sleep/wake costs (spin_budget, measured below), then yield a few times;
//   a blocking design then sleeps (futex, condition variable, semaphore: each type says which).
//   Spinning as long as a sleep/wake costs is the classic 2-competitive choice (Karlin et al.,
//   SOSP'91): a waiter never wastes more than twice what the best choice in hindsight costs.
// Thread-safe: Backoff is one waiter's private state; the functions keep no state.
#pragma once

#include <chrono>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace contend {

class Backoff {
 public:
  void pause() {
    if (spins_ < max_spins) {
      for (unsigned i = 0; i < spins_; ++i) cpu_relax();
      spins_ *= 2;
    } else {
      std::this_thread::yield();
    }
  }

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

 private:
  static constexpr unsigned max_spins = 64;
  unsigned spins_ = 1;
};

// How long a waiter spins before it yields: about one sleep-to-wake hand-off
// (baseline/pingpong/futex one-way). Measured 2026-11-24 on the 2-vCPU Xeon VM, quiet machine,
// 5 repetitions: 3.1, 5.2, 9.6, 9.6, 15.9 us (median 9.6; the spread is where the scheduler put
// the two threads). An earlier 3 us budget, from runs on a busy machine, made the single owner's
// and the delegation server's clients sleep between requests they were about to get answered:
// maps/r90-k1k-uniform/channel at 1 thread took 1 740 ns per operation with 3 us, 775 ns with
// 10 us, 850 ns with 20 us (delegated: 822, 423, 370 ns); mutex_queue's ping-pong went from 730
// to 320 ns. A time, not a count of pauses: one pause costs 10 to 140 cycles by CPU.
inline constexpr std::chrono::nanoseconds spin_budget{10000};
// Then this many yields: they hand the core to a partner that waits for it (Linux's wake-affine
// placement often puts two threads that wake each other on one core) and cost ~1 us each when
// nobody else wants the core, so the yield phase also lasts about one sleep/wake.
inline constexpr int yield_budget = 8;

// Waits awake for ready() to return true: checks it after each of `spins` pauses (fine-grained,
// for a partner running on another core), then after each of `yields` yields. Returns false if
// ready() never became true; the caller then sleeps.
template <class Ready>
bool wait_awake(Ready&& ready, int spins, int yields) {
  for (int i = 0; i < spins; ++i) {
    if (ready()) return true;
    Backoff::cpu_relax();
  }
  for (int i = 0; i < yields; ++i) {
    if (ready()) return true;
    std::this_thread::yield();
  }
  return ready();
}

// The same with the measured budget: spins for spin_budget (the clock, ~20 ns through the vDSO,
// is read once every 16 pauses and not at all when ready() holds at once), then yield_budget yields.
template <class Ready>
bool wait_awake(Ready&& ready) {
  constexpr int pauses_per_clock_read = 16;
  if (ready()) return true;
  const auto until = std::chrono::steady_clock::now() + spin_budget;
  do {
    for (int i = 0; i < pauses_per_clock_read; ++i) {
      if (ready()) return true;
      Backoff::cpu_relax();
    }
  } while (std::chrono::steady_clock::now() < until);
  return wait_awake(ready, 0, yield_budget);
}

}  // namespace contend
