// SpscRing: our bounded ring for exactly one producer and one consumer, built to reach the
// hardware floor: a hand-off costs about one cache-line transfer (baseline/pingpong/cache_line).
//
// Layout. Each slot is one cache line holding (sequence, value): the producer writes a slot's value
// and then its sequence, the consumer reads both from the line it has to fetch anyway, so the item
// and the signal travel together. The producer's index and its cached copy of the consumer's index
// share the producer's line, which the consumer never touches; the consumer's index is alone on
// its line. The consumer never writes a slot, and the producer reads the consumer's index only when
// the ring looks full by its cached copy (lazily), so while the ring has room nothing but the slot
// lines moves between the cores. Fullness by index, emptiness by sequence: the consumer needs no
// producer index.
// Sequences: position p (0, 1, 2, ...) uses slot p % slots; the producer publishes it by storing
// p + 1 into the slot's sequence. Slot k holds k + 1 after its first use, k + slots + 1 after its
// second, and so on (0 initially): the consumer at position c waits for exactly c + 1.
// Single producer, single consumer: at most one thread may send and one receive, ever at a time;
// more is a data race (`single_producer`/`single_consumer` below let callers check).
// Ordering: FIFO. Capacity: exactly as asked (slots are rounded up to a power of two, the count of
// items in flight is not); send() waits while full (closable_channel.hpp: backoff).
// Progress: wait-free try_send/try_receive; send/receive wait as ClosableChannel says.
// Thread-safe: one sending and one receiving thread; T must be default-constructible and movable.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "contend/cache_line.hpp"
#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {

template <class T>
class SpscRingBackend {
 public:
  using value_type = T;

  explicit SpscRingBackend(std::size_t capacity)
      : capacity_(capacity),
        mask_(std::bit_ceil(capacity) - 1),
        slots_(std::make_unique<Slot[]>(mask_ + 1)) {}

  // Producer only.
  bool try_push(const T& v) {
    Producer& p = producer_;
    if (p.tail - p.cached_head >= capacity_) {
      // acquire: pairs with try_pop's release of head, so the consumer's read of the slot we are
      // about to overwrite happened before our write (no data race on `value`).
      p.cached_head = head_.value.load(std::memory_order_acquire);
      if (p.tail - p.cached_head >= capacity_) return false;
    }
    Slot& slot = slots_[p.tail & mask_];
    slot.value = v;
    // release: publishes `value` to the consumer's acquire load of the sequence.
    slot.sequence.store(p.tail + 1, std::memory_order_release);
    ++p.tail;
    return true;
  }

  // Consumer only.
  bool try_pop(T& v) {
    // relaxed: only this thread writes head.
    const std::uint64_t c = head_.value.load(std::memory_order_relaxed);
    Slot& slot = slots_[c & mask_];
    // acquire: pairs with try_push's release, so `value` is the one published for position c.
    if (slot.sequence.load(std::memory_order_acquire) != c + 1) return false;
    v = std::move(slot.value);
    // release: our read of `value` happens-before a producer that acquires this index reuses it.
    head_.value.store(c + 1, std::memory_order_release);
    return true;
  }

 private:
  struct alignas(cache_line_size) Slot {
    std::atomic<std::uint64_t> sequence{0};
    T value{};
  };
  struct Producer {
    std::uint64_t tail = 0;         // the next position to write
    std::uint64_t cached_head = 0;  // the consumer's index when last read (at most the real one)
  };

  // Read-only after construction (both threads read them: shared, never invalidated).
  const std::uint64_t capacity_;
  const std::uint64_t mask_;
  const std::unique_ptr<Slot[]> slots_;
  alignas(false_sharing_range) Producer producer_;
  Padded<std::atomic<std::uint64_t>> head_;  // the consumer's next position
};

}  // namespace detail

template <class T = std::uint64_t>
class SpscRing : public ClosableChannel<detail::SpscRingBackend<T>> {
 public:
  static constexpr std::string_view name = "ring";
  static constexpr bool single_producer = true;
  static constexpr bool single_consumer = true;
  using ClosableChannel<detail::SpscRingBackend<T>>::ClosableChannel;
};

}  // namespace contend
