// Sleeping on a 32-bit word until it changes, and waking the sleepers: Linux's futex(2), called
// directly, instead of std::atomic<T>::wait/notify_*.
//
// Why not std::atomic::wait/notify (docs/design-notes.md#lost-wake-up): libstdc++ 12's
// notify_one/notify_all skip FUTEX_WAKE when a waiter count of their own reads zero, and nothing
// orders the caller's store to the word before that load: a release store (or release RMW)
// followed by a seq_cst load of another object is the store->load pair that both the C++ model
// and x86-TSO let reorder. A waiter that has counted itself in and then reads the old word sleeps,
// and the notifier, having read the count before the increment, skips the wake: a lost wake-up.
// The litmus test `wake` shows the pair reordering on real hardware (acq_rel: libstdc++'s orders).
// What keeps libstdc++ from hanging in practice is only timing (its waiter spins ~16 rounds and
// the kernel re-reads the word before sleeping); a wake-up that must not be lost does not rest
// on timing here.
//
// - futex_wait / futex_wake: the system calls alone. The kernel re-reads the word under its
//   bucket lock before queueing the sleeper, so a waker that changes the word and then always
//   calls futex_wake can never lose a sleeper (the protocol of kernel/futex/core.c). Designs
//   whose own state says when somebody sleeps (a lock word's "locked with sleepers", a doorbell's
//   "asleep") use these.
// - WakeWord: a word plus a count of the threads that may be asleep on it, so that a wake costs
//   no system call while nobody sleeps; the skip is made safe by a seq_cst fence on each side
//   (Dekker; the argument is at wake()).
//
// Progress: futex_wait and WakeWord::wait_while block; the rest is wait-free (one system call).
// Thread-safe: every function and member. Linux only (futex(2)).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "contend/backoff.hpp"

namespace contend {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "futex(2) sleeps on the atomic's own 32-bit object representation");

// Sleeps while `word` holds `expected` (the kernel compares and queues atomically). Returns at once
// when it does not; may return spuriously (a signal, a stale wake): callers re-check and loop.
inline void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

// Wakes up to `n` threads asleep in futex_wait on `word` (INT_MAX: all of them).
inline void futex_wake(const std::atomic<std::uint32_t>& word, int n) noexcept {
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

// A 32-bit word to sleep on until it changes. Change it with store() (or through word() with any
// atomic operation, then call wake_one()/wake_all()); wait with wait_while(old).
class WakeWord {
 public:
  explicit WakeWord(std::uint32_t initial = 0) noexcept : value_(initial) {}
  WakeWord(const WakeWord&) = delete;
  WakeWord& operator=(const WakeWord&) = delete;

  std::uint32_t load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    return value_.load(order);
  }
  std::atomic<std::uint32_t>& word() noexcept { return value_; }

  // Stores `value` and wakes one sleeper (if any). `order`: the store's, for the data it publishes.
  void store_and_wake_one(std::uint32_t value, std::memory_order order = std::memory_order_release) noexcept {
    value_.store(value, order);
    wake(1);
  }
  void store_and_wake_all(std::uint32_t value, std::memory_order order = std::memory_order_release) noexcept {
    value_.store(value, order);
    wake(INT_MAX);
  }

  // After the caller changed the word itself (an exchange, a fetch_add): wake one or all sleepers.
  void wake_one() noexcept { wake(1); }
  void wake_all() noexcept { wake(INT_MAX); }

  // Returns the word's value once it differs from `old`: checks it `spins` times with the CPU's
  // pause hint between, then sleeps until woken (re-checking after every return of the system
  // call). `order` is the load's: acquire to see what the changer published before its store.
  std::uint32_t wait_while(std::uint32_t old, int spins = 0,
                           std::memory_order order = std::memory_order_acquire) const noexcept {
    std::uint32_t now = value_.load(order);
    for (int i = 0; i < spins && now == old; ++i) {
      Backoff::cpu_relax();
      now = value_.load(order);
    }
    while (now == old) {
      // relaxed: the fence below orders the count before our next read of the word (see wake()).
      sleepers_.fetch_add(1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (value_.load(order) == old) futex_wait(value_, old);
      // relaxed: leaving needs no order: we read the word again below, and count in (and fence)
      // afresh before any further sleep.
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      now = value_.load(order);
    }
    return now;
  }

 private:
  // Why no wake-up is lost (Dekker, with C++20's fence rules): the waker changes the word, then
  // a seq_cst fence, then reads sleepers_; a waiter counts itself into sleepers_, then a seq_cst
  // fence, then reads the word (and the kernel reads it once more before queueing it). Both
  // fences are in the single total order S. If the waker's fence comes first, the waiter's read
  // after its own fence sees the new word (or a later one) and it does not sleep; if the
  // waiter's comes first, the waker's read after its fence sees the waiter's increment (or a
  // later count, which still includes it until the waiter has stopped waiting) and calls
  // futex_wake, which finds the waiter queued or makes its futex_wait return at once.
  void wake(int n) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_relaxed) != 0) futex_wake(value_, n);  // relaxed: the fence orders it
  }

  std::atomic<std::uint32_t> value_;
  mutable std::atomic<std::uint32_t> sleepers_{0};  // threads between counting in and out of a sleep
};

}  // namespace contend
