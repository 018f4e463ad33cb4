// ClientSlots<Slot>: the per-thread slots through which client threads talk to one server thread
// (the single owner, the delegation server). A thread gets a Slot of its own on its first call to
// a server and keeps it until the thread exits; the slot is then reused by the next thread that
// registers. Slots are never moved or freed while the ClientSlots lives, so the server visits
// them (for_each) without locks, and a client's slot is a cache line (or several) no other
// client writes: the server and one client are the only parties on it.
// Doorbell: how the server sleeps when idle without costing the clients a shared
// read-modify-write while it is awake (see the class comment).
//
// Progress: mine() is wait-free after the thread's first call to this server (a thread-local
// lookup), and find() always is; the first call takes a mutex (once per thread and server, off
// the hot path). A first call that throws (bad_alloc, or length_error past max_clients) has
// registered nothing. Thread-safe: mine() and find() from any thread; for_each() and size() from the
// server thread (or anyone: they only read). At most max_clients threads may hold slots of one
// server at once.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "contend/futex.hpp"

namespace contend {

template <class Slot>
class ClientSlots {
 public:
  static constexpr std::size_t chunk_size = 64, max_chunks = 64;
  static constexpr std::size_t max_clients = chunk_size * max_chunks;

  ClientSlots() : shared_(std::make_shared<Shared>()) {}
  ClientSlots(const ClientSlots&) = delete;
  ClientSlots& operator=(const ClientSlots&) = delete;
  // Threads that used this server keep its slots' memory until they exit or register elsewhere
  // (their bindings hold the shared part), so a thread exiting after the server is safe.
  ~ClientSlots() { shared_->alive.store(false, std::memory_order_release); }  // release: pairs with prune()'s acquire

  // This thread's slot, registering it on the first call.
  Slot& mine() {
    if (Slot* slot = find()) return *slot;
    Bindings& b = bindings();
    b.prune();
    // Room first: once claim() has marked a slot in use, only its binding in this list gives it
    // back (at thread exit), so nothing may throw between the two. A bad_alloc here leaves nothing
    // claimed; the push_back below has room and cannot throw.
    if (b.list.size() == b.list.capacity()) b.list.reserve(2 * b.list.size() + 1);
    b.list.push_back(Binding{shared_, shared_->claim()});
    return b.remember(b.list.back());
  }

  // This thread's slot if it has registered one, else nullptr (registers nothing).
  Slot* find() {
    Bindings& b = bindings();
    if (b.last_shared == shared_.get()) return &b.last_entry->slot;
    for (const Binding& binding : b.list) {
      if (binding.shared.get() == shared_.get()) return &b.remember(binding);
    }
    return nullptr;
  }

  // Calls f(slot, index) for every slot ever registered, in registration order, in use or not
  // (a thread that exited may have left requests in its slot).
  template <class F>
  void for_each(F&& f) {
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) f(shared_->entry(i).slot, i);
  }

  // acquire: pairs with claim()'s release, so every slot below the count is constructed. Neither
  // is seq_cst: a Doorbell's last look that must find a slot registered just before it needs a
  // seq_cst fence before size() and one in the registering client after claim() (as SingleOwner
  // and DelegationServer have).
  std::size_t size() const { return shared_->count.load(std::memory_order_acquire); }

 private:
  struct Entry {
    Slot slot;
    std::atomic<bool> in_use{false};
  };
  struct Chunk {
    std::array<Entry, chunk_size> entries;
  };

  struct Shared {
    std::mutex mutex;  // registration only
    std::array<std::unique_ptr<Chunk>, max_chunks> chunks;
    std::atomic<std::size_t> count{0};
    std::atomic<bool> alive{true};

    Entry& entry(std::size_t i) { return chunks[i / chunk_size]->entries[i % chunk_size]; }

    Entry* claim() {
      const std::lock_guard lock(mutex);
      const std::size_t n = count.load(std::memory_order_relaxed);  // relaxed: written under this mutex only
      for (std::size_t i = 0; i < n; ++i) {
        bool free = false;
        // acquire: the exited thread's last writes to the slot (its indexes) happen-before our use.
        if (entry(i).in_use.compare_exchange_strong(free, true, std::memory_order_acquire)) return claimed(entry(i));
      }
      if (n == max_clients) throw std::length_error("more client threads at once than ClientSlots::max_clients");
      if (n % chunk_size == 0) chunks[n / chunk_size] = std::make_unique<Chunk>();
      Entry& e = entry(n);
      e.in_use.store(true, std::memory_order_relaxed);  // relaxed: published by the count's release below
      claimed(e);
      count.store(n + 1, std::memory_order_release);    // release: see size()
      return &e;
    }

    // A Slot with on_claim() hears of each new holder, on the holder's thread, after the previous
    // holder's writes (the acquire above): to drop what was left for that holder. It must not
    // throw: the slot is marked in use already.
    static Entry* claimed(Entry& e) {
      if constexpr (requires { e.slot.on_claim(); }) e.slot.on_claim();
      return &e;
    }
  };

  struct Binding {
    std::shared_ptr<Shared> shared;
    Entry* entry;
  };

  // One thread's slots, one per server it has called; given back when the thread exits.
  struct Bindings {
    std::vector<Binding> list;
    const Shared* last_shared = nullptr;
    Entry* last_entry = nullptr;

    Slot& remember(const Binding& b) {
      last_shared = b.shared.get();
      last_entry = b.entry;
      return b.entry->slot;
    }
    // Drops the bindings of servers that no longer exist (a thread that creates many servers in
    // turn, like a test's main thread, would otherwise keep them all).
    void prune() {
      std::erase_if(list, [](const Binding& b) { return !b.shared->alive.load(std::memory_order_acquire); });
      last_shared = nullptr;
    }
    ~Bindings() {
      // release: this thread's last writes to its slots happen-before the next claimer's use.
      for (const Binding& b : list) b.entry->in_use.store(false, std::memory_order_release);
    }
  };

  static Bindings& bindings() {
    thread_local Bindings b;
    return b;
  }

  std::shared_ptr<Shared> shared_;
};

// Doorbell: the server's sleep and the clients' wake-up, with no shared read-modify-write on a
// client's path while the server is awake. The server announces that it is going to sleep, looks
// for work once more, and sleeps only if there is none; a client, after publishing its request,
// reads the announcement and rings only if the server announced sleep.
// Why no wake-up is lost (Dekker's pattern): the client's publishing store and its load of
// `asleep_` are seq_cst, and so are the server's store to `asleep_` and its last look for work
// (has_work() must read the clients' publication with seq_cst loads). In the single total order
// of seq_cst operations either the client's load comes after the server's store (it sees the
// announcement and rings) or the server's last look comes after the client's store (it sees the
// request and does not sleep). The sleep itself is futex(2) on `asleep_` (contend/futex.hpp, not
// std::atomic::wait, whose notify may skip the system call: docs/design-notes.md#lost-wake-up): a
// ringer clears the word before it calls futex_wake, and the kernel re-reads the word before it
// queues the server, so a ring between the server's last look and its sleep is never lost.
class Doorbell {
 public:
  // Client, after publishing a request with a seq_cst store. True if it woke the server.
  bool ring() {
    if (asleep_.load(std::memory_order_seq_cst) == 0) return false;  // seq_cst: see the class comment
    return wake();
  }

  // Wakes the server whatever it announced (shutdown). True if it was asleep or about to be.
  bool wake() {
    // seq_cst: as ring(); one ringer of many wins the exchange and makes the system call.
    if (asleep_.exchange(0, std::memory_order_seq_cst) == 0) return false;
    futex_wake(asleep_, 1);
    return true;
  }

  // Server: sleeps until rung unless has_work() (seq_cst loads) finds work after the announcement.
  template <class HasWork>
  void sleep_unless(HasWork&& has_work) {
    asleep_.store(1, std::memory_order_seq_cst);  // seq_cst: see the class comment
    if (has_work()) {
      // relaxed: only this thread acts on its own announcement; a ringer that saw it just makes
      // one spurious wake.
      asleep_.store(0, std::memory_order_relaxed);
      return;
    }
    // seq_cst: returns once a ringer cleared it (the kernel compares before it queues us).
    while (asleep_.load(std::memory_order_seq_cst) != 0) futex_wait(asleep_, 1);
  }

 private:
  std::atomic<std::uint32_t> asleep_{0};
};

}  // namespace contend
