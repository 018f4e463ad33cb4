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

}  // namespace contend
