// AtomicCounter: one std::atomic<std::uint64_t> incremented with fetch_add.
// Progress: wait-free on x86-64 (one `lock xadd`); lock-free elsewhere. Thread-safe: every member.
// Order is a template parameter so the relaxed and seq_cst variants can be measured side by side
// (on x86-64 both compile to the same `lock xadd`; on ARM they differ).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace contend {

template <std::memory_order Order = std::memory_order_relaxed>
class AtomicCounter {
 public:
  static_assert(Order == std::memory_order_relaxed || Order == std::memory_order_seq_cst,
                "AtomicCounter is measured with relaxed or seq_cst");
  static constexpr std::string_view name =
      Order == std::memory_order_relaxed ? "atomic_relaxed" : "atomic_seq_cst";

  // relaxed suffices: the count publishes no other data, it only has to lose no increment,
  // which atomicity alone guarantees.
  void increment() { count_.fetch_add(1, Order); }

  std::uint64_t read() const { return count_.load(Order); }

 private:
  std::atomic<std::uint64_t> count_{0};
};

using RelaxedAtomicCounter = AtomicCounter<std::memory_order_relaxed>;
using SeqCstAtomicCounter = AtomicCounter<std::memory_order_seq_cst>;

}  // namespace contend
