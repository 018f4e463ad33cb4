// Hazard pointers (Michael, 2004), one domain per data structure, one hazard per thread.
//
// A reader publishes the node it is about to dereference in its hazard slot; a node removed from
// the structure is retired, and freed only once no slot holds it. Freeing is amortised: a
// thread scans all slots when its retired list reaches twice the number of thread ids in use,
// so each scan frees at least half of what it looks at.
//
// Slots are indexed by this_thread_id() (small, dense, recycled), so a thread needs no
// registration and an operation costs one store to publish and one to clear.
// Nodes are freed through Alloc::free (node_cache.hpp: plain delete, or a per-thread cache).
// Exceptions: retire() allocates nothing and cannot throw, so that a structure can retire a node
// after unlinking it (when a failure could no longer be undone): prepare_retire(), called before
// the unlink, makes room in the thread's retired list (it may throw bad_alloc, while nothing has
// changed yet), and a scan keeps the hazards it collects on the stack. Alloc::free must not throw.
// Not thread-safe: destruction (frees every retired node; no thread may still be inside).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "contend/cache_line.hpp"
#include "contend/node_cache.hpp"
#include "contend/thread_id.hpp"

namespace contend {

template <class Node, class Alloc = HeapNodes>
class HazardDomain {
 public:
  HazardDomain() : slots_(std::make_unique<Slot[]>(max_threads)) {}
  HazardDomain(const HazardDomain&) = delete;
  HazardDomain& operator=(const HazardDomain&) = delete;

  ~HazardDomain() {
    for (std::size_t i = 0; i < max_threads; ++i) {
      for (Node* n : slots_[i].retired) Alloc::free(n);
    }
  }

  // Loads src and protects the pointer it holds: once this returns p, p is not freed until
  // clear(). Returns nullptr (unprotected) when src holds nullptr.
  Node* protect(const std::atomic<Node*>& src, std::size_t id) {
    std::atomic<Node*>& hazard = slots_[id].hazard;
    Node* p = src.load(std::memory_order_relaxed);  // relaxed: only a guess, validated below
    for (;;) {
      if (p == nullptr) return nullptr;
      // seq_cst store then seq_cst load: the store must be visible before we re-read src
      // (store->load order, which only seq_cst gives), else a scan could miss it.
      hazard.store(p, std::memory_order_seq_cst);
      Node* again = src.load(std::memory_order_seq_cst);
      if (again == p) return p;  // still reachable after publishing: no scan can free it now
      p = again;
    }
  }

  // release: our reads of the node happen-before a scanner that sees the slot empty frees it.
  void clear(std::size_t id) { slots_[id].hazard.store(nullptr, std::memory_order_release); }

  // Makes room in this thread's retired list for its next retire(). Throws bad_alloc (having
  // changed nothing) only when the list is full, about once per doubling of its length.
  void prepare_retire(std::size_t id) {
    std::vector<Node*>& retired = slots_[id].retired;
    if (retired.size() == retired.capacity()) retired.reserve(std::max(2 * retired.capacity(), scan_threshold()));
  }

  // n must already be unreachable from the structure, and this thread must have called
  // prepare_retire() since its last retire(): the list then has room, so nothing here allocates.
  void retire(Node* n, std::size_t id) noexcept {
    std::vector<Node*>& retired = slots_[id].retired;
    retired.push_back(n);
    if (retired.size() >= scan_threshold()) scan(retired);
  }

  // Frees what this thread retired and no thread protects. Exposed for tests.
  void scan(std::size_t id) { scan(slots_[id].retired); }

  std::size_t retired_count(std::size_t id) const { return slots_[id].retired.size(); }

 private:
  struct alignas(false_sharing_range) Slot {
    std::atomic<Node*> hazard{nullptr};
    std::vector<Node*> retired;  // touched only by the thread holding this id
  };

  static std::size_t scan_threshold() { return 2 * ThreadIds::instance().high_water() + 16; }

  // Allocates nothing (see Exceptions): the hazards go to an array on the stack (8 KiB, once
  // every scan_threshold() retires), and erasing from the retired list keeps its capacity.
  void scan(std::vector<Node*>& retired) noexcept {
    std::array<Node*, max_threads> hazards;
    std::size_t count = 0;
    const std::size_t ids = ThreadIds::instance().high_water();
    for (std::size_t i = 0; i < ids; ++i) {
      // seq_cst: pairs with protect()'s seq_cst store/load; the node was unlinked (seq_cst CAS)
      // before this load, so a reader whose hazard we miss will fail its validation.
      if (Node* h = slots_[i].hazard.load(std::memory_order_seq_cst)) hazards[count++] = h;
    }
    const auto end = hazards.begin() + count;
    std::sort(hazards.begin(), end);
    auto keep = std::partition(retired.begin(), retired.end(), [&](Node* n) {
      return std::binary_search(hazards.begin(), end, n);
    });
    for (auto it = keep; it != retired.end(); ++it) Alloc::free(*it);
    retired.erase(keep, retired.end());
  }

  std::unique_ptr<Slot[]> slots_;
};

}  // namespace contend
