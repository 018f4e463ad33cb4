// CasCounter: increment by a compare-exchange loop, the shape of every lock-free update that is
// not a plain add. Progress: lock-free (some thread's CAS always succeeds), not wait-free: under
// contention a thread can fail repeatedly. Thread-safe: every member.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace contend {

class CasCounter {
 public:
  static constexpr std::string_view name = "cas";

  void increment() {
    // relaxed: as for AtomicCounter, the count guards no other data; the CAS itself makes the
    // read-modify-write atomic.
    std::uint64_t seen = count_.load(std::memory_order_relaxed);
    while (!count_.compare_exchange_weak(seen, seen + 1, std::memory_order_relaxed)) {
    }
  }

  std::uint64_t read() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> count_{0};
};

}  // namespace contend
