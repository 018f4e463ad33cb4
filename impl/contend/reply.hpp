// Reply<R>: where a single-owner thread puts the answer to one request. It lives on the waiting
// client's stack, so a request/reply costs no heap allocation.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "contend/backoff.hpp"

namespace contend {

// set() below relies on libstdc++'s notify_one for a 4-byte atomic (futex on the address only).
static_assert(sizeof(std::atomic<std::uint32_t>) == 4);
#ifndef __GLIBCXX__
#error "contend::Reply's notify-after-return reasoning is checked for libstdc++ only"
#endif

template <class R>
class Reply {
 public:
  // Owner side, called once.
  void set(R value) {
    value_ = std::move(value);
    // seq_cst, not just release (which would publish value_): libstdc++'s notify reads its
    // waiter count with seq_cst, and only a seq_cst store keeps that from missing a sleeper.
    ready_.store(1, std::memory_order_seq_cst);
    // The client may already have returned and freed this Reply. That is safe: for a 4-byte
    // atomic libstdc++'s notify only hands the address to futex(2) and never dereferences it;
    // at worst a later futex user at that address sees a spurious wake-up, which futex users
    // must tolerate anyway.
    ready_.notify_one();
  }

  // Client side: waits awake (pauses, then yields: see wait_awake), then sleeps in futex(2)
  // (libstdc++'s atomic wait). An awake owner answers in well under a microsecond while a futex
  // wake-up costs several, so waiting awake pays.
  R wait() {
    // acquire: pairs with set(), so value_ is visible once ready_ is seen set.
    if (wait_awake([&] { return ready_.load(std::memory_order_acquire) != 0; }, wait_spins, wait_yields)) {
      return std::move(value_);
    }
    // acquire: as above. wait() returns only once the value has changed.
    ready_.wait(0, std::memory_order_acquire);
    return std::move(value_);
  }

 private:
  static constexpr int wait_spins = 128, wait_yields = 16;  // ~4 us of pauses, then yields
  std::atomic<std::uint32_t> ready_{0};
  R value_{};
};

}  // namespace contend
