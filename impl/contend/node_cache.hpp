// Node allocation policies for the node-based stacks (treiber_stack.hpp): HeapNodes (new and
// delete on every push and reclaimed node) and CachedNodes (a per-thread cache of free node
// blocks in front of the heap, so that a thread that reclaims nodes reuses them for its next
// pushes without the allocator's locks or its cross-thread frees).
//
// A node comes back into a cache only once hazard-pointer reclamation has found it unprotected,
// which is the same condition under which it could be freed and handed out again by malloc, so
// the cache adds no ABA risk. Each thread has its own cache per node type (thread_local), bounded
// (a thread that only pops sends the overflow back to the heap); the cache frees what it holds
// when its thread exits. Thread-safe: every function (each thread touches only its own cache).
// Exceptions: make() may throw (bad_alloc, or what Node's constructor throws: then its block goes
// back to the cache, or to the heap); free() never does, because it runs where a node has just left
// a structure (a hazard scan after the unlink) and in destructors: it allocates nothing (a cache
// reserves all its room when its thread first uses it, or, if that fails, keeps no blocks and
// hands every one back to the heap).
// Progress: as the allocator's (a cache hit or miss takes no lock of ours). Not safe: a stack with
// CachedNodes of static storage duration, destroyed after the main thread's thread_locals (its
// frees would reach a destroyed cache): give such a stack automatic or dynamic storage.
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace contend {

struct HeapNodes {
  template <class Node, class... Args>
  static Node* make(Args&&... args) {
    return new Node{std::forward<Args>(args)...};
  }
  template <class Node>
  static void free(Node* n) {
    delete n;
  }
};

struct CachedNodes {
  static constexpr std::size_t capacity = 1024;  // blocks kept per thread and node type

  template <class Node, class... Args>
  static Node* make(Args&&... args) {
    std::vector<void*>& blocks = cache<Node>().blocks;
    void* p = nullptr;
    if (blocks.empty()) {
      p = ::operator new(sizeof(Node));
    } else {
      p = blocks.back();
      blocks.pop_back();
    }
    try {
      return new (p) Node{std::forward<Args>(args)...};
    } catch (...) {
      give_back(blocks, p);  // a constructor that throws must not take the block with it
      throw;
    }
  }

  template <class Node>
  static void free(Node* n) {
    n->~Node();
    give_back(cache<Node>().blocks, n);
  }

 private:
  // An unconstructed block back to the cache, or to the heap when the cache is full.
  static void give_back(std::vector<void*>& blocks, void* p) noexcept {
    if (blocks.size() < blocks.capacity()) {  // never past the room reserved: no allocation here
      blocks.push_back(p);
    } else {
      ::operator delete(p);
    }
  }

  struct Cache {
    std::vector<void*> blocks;
    // noexcept: a thread's first use may be a free() (see Exceptions).
    Cache() noexcept {
      try {
        blocks.reserve(capacity);
      } catch (const std::bad_alloc&) {
      }
    }
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;
    ~Cache() {
      for (void* p : blocks) ::operator delete(p);
    }
  };

  template <class Node>
  static Cache& cache() {
    thread_local Cache c;
    return c;
  }
};

}  // namespace contend
