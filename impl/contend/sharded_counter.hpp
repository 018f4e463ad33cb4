// ShardedCounter: one slot per thread, read() sums the slots. PackedShardedCounter puts the slots
// side by side, so threads on different cores write the same cache line (false sharing);
// PaddedShardedCounter gives each slot its own 128-byte block (see cache_line.hpp).
// Progress: wait-free increment; read() is a sum of relaxed loads, so it is not a snapshot while
// increments run (it is exact once they have finished and happen-before the read).
// Thread-safe: every member. A thread's slot is its this_thread_id() modulo the slot count.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "contend/cache_line.hpp"
#include "contend/thread_id.hpp"

namespace contend {

template <std::size_t Align>
class ShardedCounter {
 public:
  static constexpr std::string_view name = Align > alignof(std::uint64_t) ? "sharded_padded"
                                                                          : "sharded_packed";

  static std::size_t default_slots() {
    return 2 * std::max<std::size_t>(1, std::thread::hardware_concurrency());
  }

  explicit ShardedCounter(std::size_t slots = default_slots())
      : slot_count_(slots), slots_(make_slots(slots)) {}

  void increment() { increment_at(this_thread_id()); }

  // relaxed: each slot is a plain tally that guards no other data. It is a fetch_add, not a
  // load+store, because two threads can map to one slot when there are more threads than slots.
  void increment_at(std::size_t index) {
    slots_[index % slot_count_].value.fetch_add(1, std::memory_order_relaxed);
  }

  std::uint64_t read() const {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < slot_count_; ++i) {
      sum += slots_[i].value.load(std::memory_order_relaxed);  // relaxed: see increment_at
    }
    return sum;
  }

  std::size_t slots() const { return slot_count_; }

 private:
  using Slot = Padded<std::atomic<std::uint64_t>, Align>;

  static std::unique_ptr<Slot[]> make_slots(std::size_t slots) {
    if (slots == 0) throw std::invalid_argument("ShardedCounter: slot count must be at least 1");
    return std::make_unique<Slot[]>(slots);
  }

  std::size_t slot_count_;
  std::unique_ptr<Slot[]> slots_;
};

using PackedShardedCounter = ShardedCounter<alignof(std::atomic<std::uint64_t>)>;
using PaddedShardedCounter = ShardedCounter<false_sharing_range>;

}  // namespace contend
