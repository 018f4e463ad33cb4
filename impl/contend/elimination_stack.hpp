// EliminationStack: the elimination-backoff stack (Hendler, Shavit, Yerushalmi 2004) over our
// hazard-pointer Treiber stack (treiber_stack.hpp). A push and a pop that both failed their CAS
// on the head may meet in a small elimination array and hand the value over directly, without
// touching the head again: the pair cancels out, which is linearizable (the push immediately
// followed by the pop). The head CAS is always tried first, so when nothing collides (one thread)
// the array is never touched and the stack costs what TreiberStack costs. On a failed CAS the
// wait in the array also acts as backoff: with few threads the others' CAS then succeed, so the
// stack gains even where almost nothing is eliminated (bench_stacks reports the fraction).
//
// Progress: lock-free push and pop. An exchange completes in one CAS on a slot; a thread that
// offered in a slot waits there a bounded number of polls, then withdraws (or finds its offer
// taken) and goes back to the head. Reclamation: as TreiberStack (hazard pointers); a node handed
// over in the array was never in the stack, so its new owner frees it directly.
// Allocation: every push allocates one node with new, whether it lands in the stack or is
// eliminated (the node carries the value through the array); the pop frees it (at once when
// eliminated, else after a hazard scan).
// Exceptions: as TreiberStack's (treiber_stack.hpp); an eliminated pop allocates nothing.
// eliminated() counts the operations (pushes and pops) completed in the array, per thread, so a
// run can report the eliminated fraction. Thread-safe: push, pop, eliminated().
// Not thread-safe: destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"
#include "contend/thread_id.hpp"
#include "contend/treiber_stack.hpp"

namespace contend {

namespace detail {

// One slot holds a word: empty (0), a waiting pop (pop_waiting), a push's offered node (its
// pointer), the same node handed to a waiting pop (pointer | delivered), or taken (the offered
// node was taken by a pop; its pusher empties the slot). Nodes are at least 8-byte aligned, so
// the low bits are free for the sentinels and the tag.
template <class Node>
class EliminationArray {
 public:
  EliminationArray() : eliminated_(std::make_unique<Padded<std::atomic<std::uint64_t>>[]>(max_threads)) {}

  // The pusher's n failed its CAS: true if a pop took n here (the push is then complete).
  bool after_failed_push(Node* n) {
    Slot& slot = pick();
    const auto offer = reinterpret_cast<std::uintptr_t>(n);
    std::uintptr_t seen = slot.word.load(std::memory_order_relaxed);  // relaxed: a guess for the CAS
    if (seen == pop_waiting) {
      // release: the waiting pop (acquire) sees n's value. relaxed on failure: nothing was handed over.
      if (slot.word.compare_exchange_strong(seen, offer | delivered, std::memory_order_release,
                                            std::memory_order_relaxed)) {
        return count();
      }
      return crowded();
    }
    // release: a pop that takes the offer (acquire) sees n's value. relaxed on failure: no offer made.
    if (seen != empty || !slot.word.compare_exchange_strong(seen, offer, std::memory_order_release,
                                                            std::memory_order_relaxed)) {
      return crowded();
    }
    for (int i = 0; i < polls; ++i) {
      // relaxed: a pop's taking needs no ordering for us; we neither read nor free n afterwards.
      if (slot.word.load(std::memory_order_relaxed) == taken) break;
      Backoff::cpu_relax();
    }
    std::uintptr_t expected = offer;
    // relaxed: withdrawing publishes nothing; n is still ours.
    if (slot.word.compare_exchange_strong(expected, empty, std::memory_order_relaxed)) return lonely();
    // A pop took n (slot == taken, only ever set over our offer): free the slot for others.
    slot.word.store(empty, std::memory_order_relaxed);  // relaxed: no data travels with it
    return count();
  }

  // The popper failed its CAS: a node a push handed over here (now the caller's), or nullptr.
  Node* after_failed_pop() {
    Slot& slot = pick();
    std::uintptr_t seen = slot.word.load(std::memory_order_acquire);  // acquire: see the node's value
    if (seen != empty && seen != pop_waiting && seen != taken && (seen & delivered) == 0) {
      // acquire: the offer's value (published by the pusher's release CAS) is ours to read.
      // relaxed on failure: the offer went elsewhere and we read nothing of it.
      if (slot.word.compare_exchange_strong(seen, taken, std::memory_order_acquire,
                                            std::memory_order_relaxed)) {
        count();
        return reinterpret_cast<Node*>(seen);
      }
      crowded();
      return nullptr;
    }
    // relaxed: publishing a wait carries no data.
    if (seen != empty || !slot.word.compare_exchange_strong(seen, pop_waiting, std::memory_order_relaxed,
                                                            std::memory_order_relaxed)) {
      crowded();
      return nullptr;
    }
    for (int i = 0; i < polls; ++i) {
      // acquire: a delivery's release CAS published the node's value.
      if (slot.word.load(std::memory_order_acquire) != pop_waiting) break;
      Backoff::cpu_relax();
    }
    std::uintptr_t expected = pop_waiting;
    // acquire on failure: the slot then holds a delivery, whose node we read (and on success
    // too: a failure order may not be stronger than the success order).
    if (slot.word.compare_exchange_strong(expected, empty, std::memory_order_acquire)) {
      lonely();
      return nullptr;
    }
    // Only a push changes a waiting pop's slot, and only to a delivery for us.
    slot.word.store(empty, std::memory_order_relaxed);  // relaxed: no data travels with it
    count();
    return reinterpret_cast<Node*>(expected & ~delivered);
  }

  // Operations completed in the array so far, all threads together.
  std::uint64_t eliminated() const {
    std::uint64_t sum = 0;
    const std::size_t ids = ThreadIds::instance().high_water();
    // relaxed: a statistic; callers read it after joining the threads that wrote it.
    for (std::size_t i = 0; i < ids; ++i) sum += eliminated_[i].value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  static_assert(alignof(Node) >= 4, "the slot tags use a node pointer's two low bits");
  static constexpr std::uintptr_t empty = 0, pop_waiting = 1, taken = 2, delivered = 1;
  static constexpr int polls = 64;  // about a cross-core hand-off or two: long enough to meet a partner
  static constexpr std::size_t max_slots = 16;

  struct alignas(false_sharing_range) Slot {
    std::atomic<std::uintptr_t> word{empty};
  };

  // The range of slots this thread picks from, adapted as in HSY: it doubles when the slot was
  // busy (many threads in the array: spread out) and halves when no partner came (few threads:
  // gather, so that the ones there meet). Per thread and node type, shared by the stacks a thread
  // uses: a hint, never a correctness matter.
  static std::size_t& range() {
    thread_local std::size_t r = 1;
    return r;
  }
  static bool crowded() {
    range() = range() * 2 > max_slots ? max_slots : range() * 2;
    return false;
  }
  static bool lonely() {
    range() = range() > 1 ? range() / 2 : 1;
    return false;
  }

  // A random slot in this thread's range.
  Slot& pick() {
    thread_local std::uint32_t rng = static_cast<std::uint32_t>(this_thread_id()) * 2654435761u + 1;
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return slots_[rng % range()];
  }

  bool count() {
    auto& c = eliminated_[this_thread_id()].value;
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // relaxed: one writer
    return true;
  }

  Slot slots_[max_slots];
  std::unique_ptr<Padded<std::atomic<std::uint64_t>>[]> eliminated_;
};

}  // namespace detail

template <class T = std::uint64_t, class Hooks = NoStackHooks>
class EliminationStack
    : public detail::HazardStack<T, Hooks, detail::EliminationArray<detail::StackNode<T>>> {
 public:
  static constexpr std::string_view name = "elimination";

  std::uint64_t eliminated() const { return this->conflict_.eliminated(); }
};

}  // namespace contend
