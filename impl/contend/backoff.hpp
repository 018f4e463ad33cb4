// Backoff for the spinning channel designs: spin with the CPU's pause hint a growing number of
// times, then yield the core. Without the yield a spinning waiter can burn its whole time slice
// while the thread it waits for is descheduled (threads > cores), which the benchmarks show.
#pragma once

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

// Waits awake for ready() to return true: checks it after each of `spins` pauses (fine-grained,
// for a partner running on another core), then after each of `yields` yields (so that a partner
// waiting for this core gets it: Linux's wake-affine placement often puts two threads that wake
// each other on one core). Returns false if ready() never became true; the caller then sleeps.
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

}  // namespace contend
