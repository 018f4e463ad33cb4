// TreiberStack: our lock-free CAS stack (Treiber, 1986), with hazard pointers for memory
// reclamation (hazard_pointers.hpp). EliminationStack (elimination_stack.hpp) is the same stack
// with an elimination array behind a failed CAS; both are detail::HazardStack below.
//
// Why hazard pointers: a pop reads top->next before its CAS, so top must not be freed meanwhile
// (use-after-free), and must not be freed and reallocated at the same address (ABA: the CAS would
// succeed against a different node and install a stale next). A hazard on top prevents both at
// once: a protected node is never freed, so its address cannot come back. Tagged pointers with a
// double-width CAS stop ABA but not the use-after-free unless nodes are never freed (Boost's
// freelist); epochs free in batches but one stalled thread blocks all reclamation, while a
// stalled thread here pins at most one node.
//
// Progress: lock-free push and pop (a failed CAS means another thread's succeeded).
// Allocation: every push allocates one node (value + next pointer) with new; a pop retires it,
// and the popping thread frees it in a later scan, so the allocator's behaviour under contention
// (cross-thread frees included) is part of the cost: malloc and free took about a third of the
// samples of stacks/pairs at 2 threads under perf. CachedTreiberStack ("treiber_cached") is the
// same stack with a per-thread cache of node blocks in front of the heap (node_cache.hpp), so
// that the two rows show what the allocator costs.
// Exceptions: a push whose node allocation throws (bad_alloc) leaves the stack as it was. A pop
// allocates only before its unlink (room in the thread's retired list: prepare_retire in
// hazard_pointers.hpp), so one that throws bad_alloc leaves the stack as it was, and one that
// unlinked a node returns its value: nothing after the unlink can throw. The unlink cannot be
// undone (putting the node back could reopen ABA), so T's move constructor must be noexcept.
// Thread-safe: push, pop. Not thread-safe: destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "contend/hazard_pointers.hpp"
#include "contend/node_cache.hpp"
#include "contend/thread_id.hpp"

namespace contend {

// Test hook: called in pop() between reading top->next and the CAS, where ABA would strike.
struct NoStackHooks {
  static void before_pop_cas() {}
};

namespace detail {

template <class T>
struct StackNode {
  T value;
  StackNode* next;
};

// What a plain Treiber stack does after a failed CAS on the head: nothing but retry.
template <class Node>
struct RetryOnConflict {
  bool after_failed_push(Node*) { return false; }
  Node* after_failed_pop() { return nullptr; }
};

// The hazard-pointer Treiber stack. After a failed head CAS it asks Conflict for another way
// out: after_failed_push(n) returns true if Conflict took ownership of n (handed it to a pop);
// after_failed_pop() returns a node the caller now owns (never one that was in the stack), or
// nullptr to retry on the head. Alloc makes and frees nodes (node_cache.hpp).
template <class T, class Hooks, class Conflict, class Alloc = HeapNodes>
class HazardStack {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "pop moves the value out after the unlink, which cannot be undone: a throwing move would lose it");

 public:
  using Node = StackNode<T>;

  HazardStack() = default;
  HazardStack(const HazardStack&) = delete;
  HazardStack& operator=(const HazardStack&) = delete;

  ~HazardStack() {
    Node* n = head_.load(std::memory_order_relaxed);  // relaxed: no other thread may be here
    while (n != nullptr) Alloc::free(std::exchange(n, n->next));
  }

  void push(T value) {
    // relaxed: only a first guess for n->next; the CAS below checks it against the real head.
    Node* n = Alloc::template make<Node>(std::move(value), head_.load(std::memory_order_relaxed));
    // release: a pop that reads n (acquire) sees its value and next.
    // relaxed on failure: the reloaded head is only the next guess for n->next.
    while (!head_.compare_exchange_weak(n->next, n, std::memory_order_release, std::memory_order_relaxed)) {
      if (conflict_.after_failed_push(n)) return;
    }
  }

  std::optional<T> pop() {
    const std::size_t id = this_thread_id();
    // Room for the retire() after the unlink, made before it: a bad_alloc here changes nothing,
    // and after the unlink nothing can throw (the value would be lost with the exception).
    domain_.prepare_retire(id);
    for (;;) {
      // protect() ends with a seq_cst load of head_, which also acquires the pushed node.
      Node* top = domain_.protect(head_, id);
      if (top == nullptr) {
        domain_.clear(id);  // an earlier round of protect() may have left a hazard set
        return std::nullopt;
      }
      Node* next = top->next;  // safe: top is hazard-protected, and next never changes after push
      Hooks::before_pop_cas();
      Node* expected = top;
      // seq_cst: the unlink must precede (in the single total order) the retire's hazard scan;
      // relaxed on failure: we retry from protect().
      if (head_.compare_exchange_strong(expected, next, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        domain_.clear(id);
        T value = std::move(top->value);  // only the thread whose CAS won reads the value
        domain_.retire(top, id);
        return value;
      }
      if (Node* given = conflict_.after_failed_pop()) {
        domain_.clear(id);
        T value = std::move(given->value);
        Alloc::free(given);  // never reachable from head_, so no hazard can be guarding it
        return value;
      }
    }
  }

  // For tests: reclaim what this thread has retired now, and how much is still pending.
  void reclaim() { domain_.scan(this_thread_id()); }
  std::size_t retired_count() const { return domain_.retired_count(this_thread_id()); }

 protected:
  Conflict conflict_;

 private:
  std::atomic<Node*> head_{nullptr};
  HazardDomain<Node, Alloc> domain_;
};

}  // namespace detail

template <class T = std::uint64_t, class Hooks = NoStackHooks>
class TreiberStack : public detail::HazardStack<T, Hooks, detail::RetryOnConflict<detail::StackNode<T>>> {
 public:
  static constexpr std::string_view name = "treiber";
};

template <class T = std::uint64_t, class Hooks = NoStackHooks>
class CachedTreiberStack
    : public detail::HazardStack<T, Hooks, detail::RetryOnConflict<detail::StackNode<T>>, CachedNodes> {
 public:
  static constexpr std::string_view name = "treiber_cached";
};

}  // namespace contend
