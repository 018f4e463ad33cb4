// SingleOwner: the actor behind ChannelCounter and ChannelMap. One thread owns a State; clients
// never touch it, they send requests and the owner applies them. This is Go's "share memory by
// communicating" in C++, built so that the owner's wait and the clients' memory are bounded.
//
// Layout. Every client thread has a slot of its own (ClientSlots, client_slots.hpp) holding a
// bounded ring of `Capacity` requests. The client writes its ring cells and, on its own line, the
// count of requests it has published (`sent`); the owner writes, on another line, the count it has
// finished (`done`: applied, or answered for a query). A client reads `done` only when its ring
// looks full (back-pressure) or when it waits for a reply. Replies need no futex: the State writes
// the answer where the request points (the caller's stack) and the owner's store of `done` tells
// the waiting client, which spins, then yields, and sleeps (its slot's Doorbell) only past that
// budget. The owner sweeps the slots in registration order, taking at most a ring's content from
// each: the requests published when it looked.
//
// Ordering.
// - One client's requests are applied in the order it sent them (its ring is FIFO).
// - Writes from different threads are applied in sweep order, not in any promised order, even
//   when one happens-before the other (Go's channels would order those; per-client rings do not).
// - A query is answered only after the owner has visited every other client once since taking
//   it (it is held in its ring and answered on the owner's next visit to that client). So a query
//   sees every write that happens-before it, whichever thread sent it: that write was published
//   before the query was, so the owner's visit to its sender after taking the query finds it.
// Bounds, in requests. A client whose query waits sends nothing else (queries are synchronous),
// so the owner applies at most (clients - 1) x Capacity writes between taking a query and
// answering it; stats() reports clients x Capacity as the bound. Requests sent and not yet
// applied never exceed clients x Capacity: a client with a full ring waits (spins, then yields)
// until the owner frees a cell, so writers faster than the owner slow down instead of growing
// memory.
//
// Waking the owner. While a sweep finds work the owner never sleeps and a client's send is a
// store to its own line and a load of the Doorbell (no shared read-modify-write). An owner whose
// sweep finds nothing spins, then yields, then announces sleep on the Doorbell and sleeps unless
// a last seq_cst look finds a request; a client rings only when it sees the announcement.
//
// Shutdown. close() refuses new requests (send and call return false); requests already sent are
// still answered, because the owner runs until the destructor. A refused call is still the
// thread's next call, which reports its failed sends (see Exceptions). The destructor must not race with
// callers (as for any C++ object); it raises a stop flag and the owner exits only after a sweep
// that started after seeing the flag found nothing: no request is lost and no client is left
// waiting.
//
// Requests. send() takes writes only: a query needs its reply (the owner writes the answer where
// the request points, a stack frame that send() would have left) and must wait to see every
// write that happens-before it (see Ordering), so send() refuses one (std::invalid_argument).
//
// Exceptions. An exception thrown by the State's apply or answer does not end the owner thread:
// the owner keeps it in the request's slot and goes on with the next request. call() rethrows
// it: the call's own request's, or that of an earlier send() of the same thread (sends have no
// reply, so the next call reports them; that call's own request was still carried out). Of
// several failures before a call, the call reports the last; stats().failures counts them all,
// including those of a thread that exited before its next call (its successor in the slot does
// not get them). A call refused because of close() first waits for the thread's sends (the owner
// still answers them) and, if one failed, throws closed_error with that failure nested in it
// (std::rethrow_if_nested gives it back): the call was refused, and the failure is reported.
//
// Progress: blocking (a client waits when its ring is full and for replies; the owner sleeps when
// idle). A send with room in the ring is wait-free after the thread's first call (which registers
// its slot under a mutex). Thread-safe: send/call/close/stats from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <thread>
#include <utility>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"
#include "contend/client_slots.hpp"
#include "contend/errors.hpp"
#include "contend/thread_placement.hpp"

namespace contend {

enum class RequestKind : unsigned char { write, query };

// What the owner measured, for the benchmarks' counters (read while the owner runs: every field
// is a snapshot, exact once the clients have stopped).
struct OwnerStats {
  std::uint64_t query_wait_max = 0;    // most writes applied between taking a query and answering it
  std::uint64_t query_wait_bound = 0;  // the promised bound: clients x Capacity
  std::uint64_t wakeups = 0;           // sends that woke a sleeping owner
  std::uint64_t sends = 0;             // requests sent
  std::uint64_t failures = 0;          // requests on which the State threw
};

// State must provide: void apply(Request&) for writes and void answer(Request&) for queries,
// writing any result where the request points; either may throw (see Exceptions). Request must
// have a `RequestKind kind` and be copyable. Capacity: requests per client ring.
template <class State, class Request, std::size_t Capacity = 256>
class SingleOwner {
  static_assert(Capacity > 0);

 public:
  static constexpr std::size_t capacity = Capacity;

  template <class... Args>
  explicit SingleOwner(Args&&... args) : state_(std::forward<Args>(args)...), owner_([this] { run(); }) {}

  SingleOwner(const SingleOwner&) = delete;
  SingleOwner& operator=(const SingleOwner&) = delete;

  ~SingleOwner() {
    control_.value.stop.store(true, std::memory_order_seq_cst);  // seq_cst: it is work for the Doorbell's last look
    bell_.value.wake();
    owner_.join();
  }

  // Sends a write without waiting for the owner. False once closed: the request was not sent.
  // Throws std::invalid_argument, sending nothing, if the request is a query (see Requests).
  bool send(const Request& request) {
    if (request.kind == RequestKind::query) {
      throw std::invalid_argument("SingleOwner::send: a query needs a reply; send it with call()");
    }
    return publish(request) != 0;
  }

  // Sends and waits until the owner has applied or answered the request (the State has written
  // its result). Rethrows what the State threw on this request or on an earlier send() of this
  // thread (see Exceptions). False once closed: the request was not sent (or closed_error with an
  // earlier send's failure nested, see refuse()).
  bool call(const Request& request) {
    const std::uint64_t ticket = publish(request);
    if (ticket == 0) return refuse();
    Slot& slot = slots_.mine();
    wait_done(slot, ticket);
    rethrow_if_failed(slot);
    return true;
  }

  // release: pairs with publish()'s acquire.
  void close() { control_.value.closed.store(true, std::memory_order_release); }

  OwnerStats stats() {
    OwnerStats s;
    slots_.for_each([&](Slot& slot, std::size_t) {
      // relaxed: counters, exact once their writers have stopped (the caller joined them).
      s.sends += slot.client.sent.load(std::memory_order_relaxed);
      s.wakeups += slot.client.wakeups.load(std::memory_order_relaxed);
    });
    s.query_wait_max = query_wait_max_.value.load(std::memory_order_relaxed);  // relaxed: a counter, as above
    s.failures = failures_.value.load(std::memory_order_relaxed);              // relaxed: a counter, as above
    s.query_wait_bound = slots_.size() * Capacity;
    return s;
  }

 private:
  struct alignas(false_sharing_range) ClientSide {  // written by the client (bell: by a waker too)
    std::atomic<std::uint64_t> sent{0};     // requests published
    std::uint64_t done_seen = 0;            // the client's last look at `done`
    std::atomic<std::uint64_t> wakeups{0};  // sends that woke the owner
    bool introduced = false;                // this slot has published before (see publish())
    std::uint64_t held_from = 0;            // `sent` when this thread claimed the slot
    Doorbell reply_bell;                    // the client sleeps here past its reply budget
  };
  struct alignas(false_sharing_range) OwnerSide {  // written by the owner (and `error` reset by its client)
    std::atomic<std::uint64_t> done{0};  // requests applied or answered: the reply signal
    bool holding = false;                // ring[done] is a query taken, answered on the next visit
    std::uint64_t held_at = 0;           // applied_ when it was taken
    // The last exception the State threw on this slot's requests, and that request's ticket. The
    // client takes it (rethrow_if_failed) when every request it sent is done.
    std::exception_ptr error;
    std::uint64_t error_ticket = 0;
  };
  struct Slot {
    ClientSide client;
    OwnerSide owner;
    alignas(false_sharing_range) std::array<Request, Capacity> ring;
    // ClientSlots calls it on the claiming thread, after the previous holder's writes: errors of
    // tickets up to here were the previous holder's. relaxed: only the holder writes `sent`.
    void on_claim() { client.held_from = client.sent.load(std::memory_order_relaxed); }
  };
  struct Control {  // written by close() and the destructor only; clients and the owner read it
    std::atomic<bool> closed{false};
    std::atomic<bool> stop{false};
  };

  // Client: returns the request's ticket (sent count after it), 0 if closed.
  std::uint64_t publish(const Request& request) {
    // acquire: pairs with close(); a client that sees "open" sends while the owner still runs.
    if (control_.value.closed.load(std::memory_order_acquire)) return 0;
    Slot& slot = slots_.mine();
    ClientSide& c = slot.client;
    // relaxed: only this thread writes `sent` (a previous holder's writes reach it through the
    // slot's claim, client_slots.hpp).
    const std::uint64_t index = c.sent.load(std::memory_order_relaxed);
    if (index - c.done_seen >= Capacity) wait_for_room(slot, index);
    slot.ring[index % Capacity] = request;
    if (!c.introduced) {
      // The owner's last look before sleeping must see this slot registered, not only its
      // requests: the registration's release store is no seq_cst operation, so a fence here and
      // one in has_work() make the pair a Dekker handshake. Once per slot, not per send.
      c.introduced = true;
      std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    c.sent.store(index + 1, std::memory_order_seq_cst);  // seq_cst: the Doorbell's rule (publish, then look)
    if (bell_.value.ring()) {
      // relaxed: a counter only this thread writes; stats() sums it.
      c.wakeups.store(c.wakeups.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    return index + 1;
  }

  // Back-pressure: the ring is full until the owner frees a cell. The owner is awake (it has this
  // client's requests), so waiting awake is right: spin, then yield the core it may need.
  void wait_for_room(Slot& slot, std::uint64_t index) {
    Backoff backoff;
    // acquire: the owner's reads of the freed cells happen-before this client overwrites them.
    while (index - (slot.client.done_seen = slot.owner.done.load(std::memory_order_acquire)) >= Capacity) {
      backoff.pause();
    }
  }

  // Waits until `done` reaches the ticket: spins and yields (an awake owner answers within one
  // sweep), then sleeps on the slot's Doorbell, which the owner rings after each store of `done`.
  void wait_done(Slot& slot, std::uint64_t ticket) {
    // acquire: pairs with the owner's store of `done`, so the State's result is visible.
    auto done = [&] { return slot.owner.done.load(std::memory_order_acquire) >= ticket; };
    if (!wait_awake(done)) {  // the measured budget: about one sleep/wake (backoff.hpp)
      // seq_cst: the Doorbell's rule (the owner stores `done`, then looks at the bell).
      auto done_sc = [&] { return slot.owner.done.load(std::memory_order_seq_cst) >= ticket; };
      while (!done_sc()) slot.client.reply_bell.sleep_unless(done_sc);  // a wake-up may be for an earlier store
    }
    slot.client.done_seen = ticket;
  }

  // A call after close(): nothing is sent, but the call still reports what this thread's earlier
  // sends threw, as any call does (see Exceptions). A thread without a slot has sent nothing, and
  // registers none here.
  bool refuse() {
    Slot* slot = slots_.find();
    if (slot == nullptr) return false;
    // relaxed: only this thread writes `sent`.
    wait_done(*slot, slot->client.sent.load(std::memory_order_relaxed));
    try {
      rethrow_if_failed(*slot);
    } catch (...) {
      std::throw_with_nested(closed_error("closed; an earlier send of this thread failed (nested)"));
    }
    return false;
  }

  // After wait_done: every request of this slot is done (this thread sent the last), so the owner
  // writes `error` no more until our next publish (whose store of `sent` orders our reset before
  // that), and its store of `done`, which we acquired, published any error before it.
  void rethrow_if_failed(Slot& slot) {
    OwnerSide& o = slot.owner;
    if (!o.error) return;
    std::exception_ptr error = std::exchange(o.error, nullptr);
    // An earlier ticket's error belongs to the thread that held the slot before us.
    if (o.error_ticket > slot.client.held_from) std::rethrow_exception(error);
  }

  void run() {
    const thread_placement::LibraryThread placed;  // lets a benchmark's --pin place the owner
    for (;;) {
      // acquire: pairs with the destructor's store; every send before it is visible to the sweep.
      const bool stopping = control_.value.stop.load(std::memory_order_acquire);
      if (sweep()) continue;
      if (stopping) return;  // a whole sweep after seeing the flag found nothing: all answered
      idle();
    }
  }

  // One pass over every slot registered by its end; true if it found work or holds a query.
  bool sweep() {
    bool any = false;
    std::size_t visited = 0;
    // Slots registered during the pass are visited in it too, so a query taken in this pass has
    // every slot registered before it was sent visited before its answer (see visit()).
    while (slots_.size() > visited) {
      const std::size_t from = visited;
      slots_.for_each([&](Slot& slot, std::size_t i) {
        if (i >= from) any |= visit(slot);
        visited = i + 1;
      });
    }
    return any || holding_ != 0;
  }

  // Answers the query this slot's client waits on (taken on the previous visit: every other slot
  // has been visited since), then applies the requests published when it looks, up to the next
  // query, which it takes and holds.
  bool visit(Slot& slot) {
    OwnerSide& o = slot.owner;
    const std::uint64_t first = o.done.load(std::memory_order_relaxed);  // relaxed: only this thread writes it
    std::uint64_t done = first;
    if (o.holding) {
      guarded(o, done + 1, [&] { state_.answer(slot.ring[done % Capacity]); });
      const std::uint64_t waited = applied_ - o.held_at;
      // relaxed: a counter only this thread writes; stats() reads it.
      if (waited > query_wait_max_.value.load(std::memory_order_relaxed)) {
        query_wait_max_.value.store(waited, std::memory_order_relaxed);
      }
      o.holding = false;
      --holding_;
      ++done;
    }
    // acquire: pairs with the client's store, so the cells below it are written.
    const std::uint64_t sent = slot.client.sent.load(std::memory_order_acquire);
    bool took = false;
    while (done != sent) {
      Request& r = slot.ring[done % Capacity];
      if (r.kind == RequestKind::query) {
        o.holding = took = true;
        o.held_at = applied_;
        ++holding_;
        break;  // its client sends nothing more until answered
      }
      guarded(o, done + 1, [&] { state_.apply(r); });
      ++applied_;
      ++done;
    }
    if (done == first) return took;
    // seq_cst: releases the cells and the State's results to the client, and is the Doorbell's
    // "publish, then look" for the client's reply bell.
    o.done.store(done, std::memory_order_seq_cst);
    slot.client.reply_bell.ring();
    return true;
  }

  // Runs the State on the request with this ticket. What it throws is kept for the request's client
  // (its next call() rethrows it) instead of ending the owner thread; the request counts as done.
  template <class Run>
  void guarded(OwnerSide& o, std::uint64_t ticket, Run&& run) noexcept {
    try {
      run();
    } catch (...) {
      o.error = std::current_exception();  // plain: published by the store of `done` after it
      o.error_ticket = ticket;
      // relaxed: a counter only this thread writes; stats() reads it.
      failures_.value.store(failures_.value.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }

  // Nothing found: wait awake a little (a busy client's next request is usually a few hundred ns
  // away, a futex wake-up costs microseconds; wait_awake in backoff.hpp says why it yields), then
  // sleep on the Doorbell.
  void idle() {
    // acquire while awake: only a hint to sweep again, which re-reads everything.
    if (wait_awake([&] { return has_work(std::memory_order_acquire); })) return;
    bell_.value.sleep_unless([&] {
      // seq_cst fence: pairs with publish()'s fence, for slots registered since the last sweep.
      std::atomic_thread_fence(std::memory_order_seq_cst);
      return has_work(std::memory_order_seq_cst);  // seq_cst: the Doorbell's rule
    });
  }

  bool has_work(std::memory_order order) {
    if (control_.value.stop.load(order)) return true;
    bool found = false;
    slots_.for_each([&](Slot& slot, std::size_t) {
      // relaxed for `done`: only this thread writes it.
      found |= slot.client.sent.load(order) != slot.owner.done.load(std::memory_order_relaxed);
    });
    return found;
  }

  State state_;                                     // the owner thread's only
  std::uint64_t applied_ = 0;                       // owner-only: writes applied so far
  std::size_t holding_ = 0;                         // owner-only: queries held
  Padded<std::atomic<std::uint64_t>> query_wait_max_;  // owner-written; stats() reads it
  Padded<std::atomic<std::uint64_t>> failures_;        // owner-written; stats() reads it
  Padded<Control> control_;                         // never written by the owner
  Padded<Doorbell> bell_;                           // the owner writes it only to go to sleep
  ClientSlots<Slot> slots_;
  std::thread owner_;  // last: starts after everything it uses is constructed
};

}  // namespace contend
