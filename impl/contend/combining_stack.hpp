// CombiningStack: a flat-combining stack (Hendler, Incze, Shavit, Tzafrir 2010). Each thread
// publishes its request (push v / pop) in its own publication record; whichever thread takes the
// combiner lock applies every published request to a plain std::vector and writes each result
// back, so the stack itself stays in the combiner's cache and one lock acquisition serves a
// whole batch. The bridge between MutexStack (one thread in, one operation) and the single-owner
// designs (one thread applies everyone's requests, for good).
//
// Waiting: a thread whose request is pending polls its own record (not the lock, whose line
// would otherwise leave the combiner's cache), tries the lock when it sees it free, and, when
// the combiner does not come (threads > cores: it may be descheduled), yields and then sleeps on
// the lock word (futex(2), contend/futex.hpp) until the combiner releases it.
//
// Exceptions: a request that throws inside the combiner (push_back growing the vector, or T's
// move) is finished with the exception instead of a result, and its own caller's push or pop
// rethrows it; the combiner goes on with the other requests and releases the lock as always. A
// push that throws leaves the stack as it was (the vector's strong guarantee when T's move is
// noexcept or T is copyable; otherwise what std::vector::push_back promises). A pop that throws
// leaves the stack as it was too, so an element is never lost between the stack and its caller
// (strong guarantee): when T's move constructor may throw, the combiner builds the result in
// pop's return object itself (std::move_if_noexcept: a copy when T is copyable) and removes the
// element only once that succeeded (a move-only T's throwing move must leave its source as it
// was, as std::vector requires); this relies on the named return value optimisation in
// pop_in_place(), which GCC and Clang apply and the tests check. With a noexcept move (the
// benchmarks' std::uint64_t) the result comes back through the caller's record, the line the
// combiner writes anyway, and the return from there cannot throw.
//
// Progress: blocking (a preempted combiner holds everyone up, as a preempted mutex holder does).
// Allocation: a push allocates only when the vector grows past its capacity (amortised, kept
// across pops); the records are allocated once per stack, one per thread id.
// Thread-safe: push, pop. Not thread-safe: destruction.
#pragma once

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"
#include "contend/futex.hpp"
#include "contend/thread_id.hpp"

namespace contend {

template <class T = std::uint64_t>
class CombiningStack {
 public:
  static constexpr std::string_view name = "combining";
  static constexpr bool blocking = true;  // waiters sleep on the combiner lock word (futex) after spinning

  CombiningStack() : records_(std::make_unique<Record[]>(max_threads)) {}
  CombiningStack(const CombiningStack&) = delete;
  CombiningStack& operator=(const CombiningStack&) = delete;

  void push(T value) {
    Record& r = records_[this_thread_id()];
    r.value = std::move(value);
    apply(r, push_request);
    rethrow_if_failed(r);
  }

  std::optional<T> pop() {
    if constexpr (in_place_pops) {
      return pop_in_place();  // a prvalue: no copy or move of the result here
    } else {
      return pop_through_record();
    }
  }

 private:
  // Whether the combiner builds a pop's result in the caller's return object (see Exceptions).
  static constexpr bool in_place_pops = !std::is_nothrow_move_constructible_v<T>;

  enum : std::uint32_t { idle, push_request, pop_request, done };
  enum : std::uint32_t { unlocked, locked, locked_with_sleepers };

  struct alignas(false_sharing_range) Record {
    std::atomic<std::uint32_t> state{idle};
    bool found = false;  // pop's result: whether value holds one
    T value{};           // push's argument, pop's result
    std::exception_ptr error;  // what the request threw in the combiner, instead of a result
    std::optional<T>* out = nullptr;  // pop's result, in the caller's frame (in_place_pops only)
  };

  // The element moves into the record, from which the return cannot throw (T's move is noexcept).
  std::optional<T> pop_through_record() {
    Record& r = records_[this_thread_id()];
    apply(r, pop_request);
    rethrow_if_failed(r);
    if (!r.found) return std::nullopt;
    return std::move(r.value);
  }

  // The combiner writes the element straight into `result`, which every return of this function
  // names, so that the compiler builds it in the caller's return object (NRVO): once the element
  // has left the stack no copy or move of it remains to fail. `out` costs the combiner a line of
  // the caller's stack, which is why a noexcept T goes through the record instead.
  std::optional<T> pop_in_place() {
    Record& r = records_[this_thread_id()];
    std::optional<T> result;
    r.out = &result;  // published with the request (apply's release store)
    apply(r, pop_request);
    rethrow_if_failed(r);
    return result;
  }

  static constexpr int spins = 128, yields = 16, lock_check_period = 16;

  void apply(Record& r, std::uint32_t request) {
    // release: the combiner that reads the request (acquire) sees r.value.
    r.state.store(request, std::memory_order_release);
    for (int round = 0;; round = std::min(round + 1, spins + yields)) {  // capped: no overflow asleep
      // acquire: the combiner's result in r is visible once we see done.
      if (r.state.load(std::memory_order_acquire) == done) break;
      // Look at the lock only now and then while spinning: each look pulls its line away from
      // the combiner, which writes it twice a pass.
      if (round < spins && round % lock_check_period != 0) {
        Backoff::cpu_relax();
        continue;
      }
      std::uint32_t l = lock_.load(std::memory_order_relaxed);  // relaxed: the CAS decides
      // acquire: the combiner that last released the lock (release in unlock) left the stack and
      // every record it served visible to us.
      if (l == unlocked &&
          lock_.compare_exchange_strong(l, locked, std::memory_order_acquire, std::memory_order_relaxed)) {
        combine();  // our own request is published, so this pass serves it
        unlock();
        break;
      }
      if (round < spins) {
        Backoff::cpu_relax();
      } else if (round < spins + yields) {
        std::this_thread::yield();
      } else if (l != unlocked) {
        // Sleep until the holder unlocks: it sees locked_with_sleepers and wakes us. relaxed:
        // the flag carries no data (the result comes through r.state).
        if (l == locked_with_sleepers ||
            lock_.compare_exchange_strong(l, locked_with_sleepers, std::memory_order_relaxed)) {
          // A combiner may have served us after we read the lock: then do not sleep through
          // another combiner's pass. acquire: as above, the result in r.
          if (r.state.load(std::memory_order_acquire) == done) break;
          futex_wait(lock_, locked_with_sleepers);  // the kernel compares before it queues us
        }
      }
    }
    // The record stays `done` until our next request overwrites it: a store of `idle` here would
    // pull the line back from the combiner only to publish on it again a moment later.
  }

  // Under the lock: applies every published request, in thread-id order. Throws nothing: a request
  // that throws is finished with its exception, which its owner rethrows (the combiner may be
  // another thread, and must release the lock for the others whatever happens).
  void combine() noexcept {
    const std::size_t ids = ThreadIds::instance().high_water();
    for (std::size_t i = 0; i < ids; ++i) {
      Record& r = records_[i];
      // acquire: the owner's r.value (push argument) is visible.
      const std::uint32_t s = r.state.load(std::memory_order_acquire);
      if (s != push_request && s != pop_request) continue;
      try {
        if (s == push_request) {
          items_.push_back(std::move(r.value));
        } else {
          r.found = false;
          if (!items_.empty()) {
            // If this throws the item stays on the stack: it is removed only after.
            if constexpr (in_place_pops) {
              r.out->emplace(std::move_if_noexcept(items_.back()));
            } else {
              r.value = std::move(items_.back());
              r.found = true;
            }
            items_.pop_back();
          }
        }
      } catch (...) {
        r.error = std::current_exception();
      }
      r.state.store(done, std::memory_order_release);  // release: the owner reads our result (or error)
    }
  }

  // After apply(): the exception the combiner caught for this request, if any. The record is
  // ours until our next request is published, so no combiner writes `error` meanwhile.
  static void rethrow_if_failed(Record& r) {
    if (r.error) std::rethrow_exception(std::exchange(r.error, nullptr));
  }

  void unlock() {
    // release: the next combiner sees items_ as we left it. A sleeper is queued only while the
    // word reads locked_with_sleepers (the kernel compares before it queues), and then this
    // exchange reads it and wakes them all: futex(2) directly, never std::atomic::notify_all,
    // which may skip the system call (contend/futex.hpp).
    if (lock_.exchange(unlocked, std::memory_order_release) == locked_with_sleepers) futex_wake(lock_, INT_MAX);
  }

  // Three lines: the lock word (written by every acquisition), the vector's pointers (written
  // by the combiner on every push and pop) and the records' address (read by every operation,
  // never written): sharing a line, every operation's read of records_ missed after each
  // combiner's write to the others.
  alignas(false_sharing_range) std::atomic<std::uint32_t> lock_{unlocked};
  alignas(false_sharing_range) std::vector<T> items_;  // only touched under lock_
  alignas(false_sharing_range) std::unique_ptr<Record[]> records_;
};

}  // namespace contend
