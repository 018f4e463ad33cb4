// DelegationServer<State, Request, Result>: delegation in the style of ffwd (Roghanchi et al.,
// SOSP'17, "ffwd: delegation is (much) faster than you think"). One dedicated server thread owns
// State and runs every operation on it; a client thread writes its request into a request line of
// its own and waits for the answer. Nothing is shared between clients but the response lines.
//
// Layout (as ffwd's `struct request` / `struct server_response`):
// - Request line, one per client (its ClientSlots slot, one false_sharing_range block): a toggle
//   word the client flips to publish a request, the request itself, and the client's Doorbell.
//   Only that client and the server touch it.
// - Response line, one per group of `clients_per_line` clients (one block): a word of toggle
//   bits, one per client of the group, and one Result per client. The server runs every pending
//   request of a group into a private buffer, then writes the group's results and toggles into
//   the line at once, so one line transfer answers the group (ffwd's batched responses). Client
//   k of a group is answered when bit k of the line's toggles equals its request toggle.
// Synchronous only: a client has at most one request outstanding (call() returns its answer).
//
// Waiting: the server polls every request line; once a pass finds nothing it keeps polling for
// the measured budget of every waiter here (wait_awake in backoff.hpp: about one futex
// sleep/wake, from baseline/pingpong/futex), then sleeps on its Doorbell (client_slots.hpp:
// clients pay no shared read-modify-write while it is awake). A client waits on its response line
// for the same budget, then sleeps on the Doorbell in its request line, which the server rings
// after publishing its answer.
// Lines are false_sharing_range (128) bytes where ffwd's are 64: the project's unit for data
// written by different threads (cache_line.hpp), so a response line holds twice ffwd's clients.
//
// Progress: blocking (a client waits for the server thread; the server never waits for a client).
// A request waits at most one poll pass: between the server's last look at a client's line and
// the publication of its answer the server runs at most (clients - 1) + (clients_per_line - 1)
// other requests (stats().query_wait_max measures it, query_wait_bound is that bound).
// Exceptions: State::run may throw; the server keeps the exception in the client's request line,
// answers the request with it and goes on, and that client's call() rethrows it.
// Thread-safe: call() and stats() from any thread. Not thread-safe: destruction (every client
// call must have returned). State::run runs on the server thread only.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"
#include "contend/client_slots.hpp"
#include "contend/thread_placement.hpp"

namespace contend {

// What the server measured (see the header comment); exact once every client call has returned.
struct DelegationStats {
  std::uint64_t query_wait_max = 0;    // most other requests run between a look at a line and its answer
  std::uint64_t query_wait_bound = 0;  // (clients - 1) + (clients_per_line - 1)
  std::uint64_t wakeups = 0;           // requests whose client had to wake the sleeping server
  std::uint64_t sends = 0;             // requests served
};

// State: default-constructible, `Result run(const Request&)` (server thread only).
template <class State, class Request, class Result>
class DelegationServer {
 public:
  static constexpr std::size_t clients_per_line = std::min<std::size_t>(
      64, (false_sharing_range - sizeof(std::uint64_t)) / sizeof(Result));  // 64 toggle bits at most
  static_assert(clients_per_line >= 1, "a Result must fit in a response line with its toggles");

  DelegationServer()
      : lines_(std::make_unique<ResponseLine[]>(line_count)),
        toggles_(line_count, 0),
        last_look_(ClientSlots<Slot>::max_clients, 0),
        server_([this] { serve(); }) {}
  DelegationServer(const DelegationServer&) = delete;
  DelegationServer& operator=(const DelegationServer&) = delete;

  ~DelegationServer() {
    stop_.store(true, std::memory_order_seq_cst);  // seq_cst: work for the Doorbell (see has_work())
    bell_.wake();
    server_.join();
  }

  // Runs r on the server's State and returns its result, or rethrows what State::run threw.
  Result call(const Request& r) {
    Slot& slot = slots_.mine();
    if (slot.index == Slot::unknown) {  // this thread has just registered the slot (its first holder)
      slot.index = index_of(slot);
      // seq_cst fence: pairs with has_work()'s, so that the server's last look before sleeping
      // finds this new slot or this call sees its announcement (the argument is at has_work()).
      // Once per slot, not per call.
      std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    const std::size_t k = slot.index % clients_per_line;
    const ResponseLine& line = lines_[slot.index / clients_per_line];
    slot.request = r;  // plain: the server reads it only after seeing the toggle below (acquire)
    // relaxed: only this thread writes it.
    const std::uint64_t toggle = slot.toggle.load(std::memory_order_relaxed) ^ 1;
    // seq_cst: a release (the request above happens-before the server's read of it) and the
    // Doorbell's publishing store, ordered before ring()'s load of the server's announcement.
    slot.toggle.store(toggle, std::memory_order_seq_cst);
    // relaxed: a statistic (see stats()), counted on the system call's path only.
    if (bell_.ring()) wakeups_.value.fetch_add(1, std::memory_order_relaxed);
    // seq_cst: acquire (the server wrote results[k] before the toggles) and the client Doorbell's
    // last look for work, which must be seq_cst (client_slots.hpp).
    auto answered = [&] { return ((line.toggles.load(std::memory_order_seq_cst) >> k) & 1) == toggle; };
    if (!wait_awake(answered)) {
      while (!answered()) slot.bell.sleep_unless(answered);
    }
    // plain: written before the toggles we acquired; rewritten only after our next request (whose
    // toggle store orders our reset of `error` before the server's next write of it).
    if (slot.error) std::rethrow_exception(std::exchange(slot.error, nullptr));
    return line.results[k];
  }

  DelegationStats stats() const {
    const std::size_t clients = slots_.size();
    // relaxed: the server stores query_wait_max_ and sends_ before publishing the answers they
    // count (its release store of a line's toggles), and a client adds to wakeups_ before its call
    // returns, so a caller that happens-after every call's return sees them all.
    return {query_wait_max_.value.load(std::memory_order_relaxed),
            clients == 0 ? 0 : (clients - 1) + (clients_per_line - 1),
            wakeups_.value.load(std::memory_order_relaxed), sends_.value.load(std::memory_order_relaxed)};
  }

 private:
  // A client's request line. `index` is the slot's position, found on first use by its first
  // holder and kept for the next (positions never change); only the holding thread touches it.
  struct alignas(false_sharing_range) Slot {
    static constexpr std::size_t unknown = ~std::size_t{0};
    std::atomic<std::uint64_t> toggle{0};
    Request request{};
    Doorbell bell;  // the client sleeps here; the server rings it after answering
    std::size_t index = unknown;
    std::exception_ptr error;  // what State::run threw on the last request, until the client takes it
  };

  struct alignas(false_sharing_range) ResponseLine {
    std::atomic<std::uint64_t> toggles{0};  // bit k: the toggle of the last answered request of client k
    std::array<Result, clients_per_line> results{};
  };

  static constexpr std::size_t line_count =
      (ClientSlots<Slot>::max_clients + clients_per_line - 1) / clients_per_line;

  // Positions of the requests the server ran for the current group, before it publishes them.
  struct Batch {
    std::size_t group = 0;
    std::uint64_t served_bits = 0;
    std::array<Result, clients_per_line> results{};
    std::array<Slot*, clients_per_line> slots{};
    std::array<std::uint64_t, clients_per_line> waited{};     // others run from its last look to its run
    std::array<std::uint64_t, clients_per_line> served_at{};  // served_ right after its own run
  };

  std::size_t index_of(const Slot& mine) {
    std::size_t found = Slot::unknown;
    slots_.for_each([&](Slot& s, std::size_t i) {
      if (&s == &mine) found = i;
    });
    return found;
  }

  void serve() {
    const thread_placement::LibraryThread placed;  // lets a benchmark's --pin place the server
    for (;;) {
      if (pass()) continue;
      // relaxed: stop carries no data (every client call has returned, so the pass above found
      // all there was); a late sight only costs one more pass.
      auto stopping = [this] { return stop_.load(std::memory_order_relaxed); };
      if (stopping()) return;
      // Poll awake for the budget (each look is a pass, which serves what it finds), then sleep.
      if (!wait_awake([&] { return pass() || stopping(); })) bell_.sleep_unless([this] { return has_work(); });
    }
  }

  // One poll pass over every request line; true if it ran any request.
  bool pass() {
    const std::uint64_t before = served_;
    Batch& batch = batch_;  // a member: not rebuilt on every (often empty) pass
    batch.group = 0;
    slots_.for_each([&](Slot& s, std::size_t i) {
      const std::size_t group = i / clients_per_line;
      if (group != batch.group) {
        publish(batch);
        batch.group = group;
      }
      if (i >= known_) {  // first look at a new client: its wait starts now
        last_look_[i] = served_;
        known_ = i + 1;
      }
      const std::size_t k = i % clients_per_line;
      // acquire: the client wrote its request before this toggle (its seq_cst store).
      if (s.toggle.load(std::memory_order_acquire) == ((toggles_[group] >> k) & 1)) {
        last_look_[i] = served_;
        return;
      }
      batch.waited[k] = served_ - last_look_[i];
      try {
        batch.results[k] = state_.run(s.request);
      } catch (...) {
        // plain: published to the client with the answer (the line's toggles, in publish()).
        s.error = std::current_exception();
        batch.results[k] = Result{};
      }
      batch.slots[k] = &s;
      batch.served_bits |= std::uint64_t{1} << k;
      last_look_[i] = ++served_;
      batch.served_at[k] = served_;
    });
    publish(batch);
    return served_ != before;
  }

  // Writes the batch's results and toggles into its response line (one line transfer answers the
  // group), then wakes those of its clients that went to sleep.
  void publish(Batch& batch) {
    if (batch.served_bits == 0) return;
    ResponseLine& line = lines_[batch.group];
    // relaxed: only this thread writes it.
    std::uint64_t wait_max = query_wait_max_.value.load(std::memory_order_relaxed);
    for (std::size_t k = 0; k < clients_per_line; ++k) {
      if ((batch.served_bits >> k & 1) == 0) continue;
      line.results[k] = batch.results[k];  // plain: client k reads it only after the toggles below
      wait_max = std::max(wait_max, batch.waited[k] + (served_ - batch.served_at[k]));
    }
    // relaxed: published by the toggles' store below (see stats()).
    query_wait_max_.value.store(wait_max, std::memory_order_relaxed);
    sends_.value.store(served_, std::memory_order_relaxed);
    toggles_[batch.group] ^= batch.served_bits;
    // seq_cst: a release (the results above happen-before a client's read of them) and each
    // waiting client's Doorbell publication, ordered before ring()'s load of its announcement.
    line.toggles.store(toggles_[batch.group], std::memory_order_seq_cst);
    for (std::size_t k = 0; k < clients_per_line; ++k) {
      if ((batch.served_bits >> k & 1) != 0) batch.slots[k]->bell.ring();
    }
    batch.served_bits = 0;
  }

  // The server Doorbell's last look: any pending request, or stop. seq_cst loads (client_slots.hpp).
  // The Doorbell's Dekker argument covers the slots this look finds, but it finds them through
  // slots_.size(), an acquire load of the count that claim() wrote with a release store: neither
  // is seq_cst, so by themselves they could let this look read the old count while the newly
  // registered client's seq_cst load of `asleep_` (in ring()) reads 0, and nobody would wake the
  // server (C++ allows it, as do POWER and AArch64 with RCpc loads; x86 does not). Hence two seq_cst
  // fences: call()'s, after the client's count store (claim()) and before its load of `asleep_`,
  // and this one, after the server's seq_cst store of `asleep_` (sleep_unless) and before its
  // load of the count. In the single total order S of seq_cst operations and fences: if the
  // client's fence precedes this one, the count load sees the client's count store or a later one
  // ([atomics.order]: a store before fence X, a load after fence Y, X before Y in S), so this look
  // visits the new slot and the Doorbell's argument covers its toggle. Otherwise this fence
  // precedes the client's, so our store of `asleep_` (before this fence) precedes the client's
  // load of it (after its fence) in S: the client sees the announcement and rings.
  bool has_work() {
    std::atomic_thread_fence(std::memory_order_seq_cst);  // seq_cst: see above
    bool work = stop_.load(std::memory_order_seq_cst);
    slots_.for_each([&](Slot& s, std::size_t i) {
      const std::size_t k = i % clients_per_line;
      work = work || s.toggle.load(std::memory_order_seq_cst) != ((toggles_[i / clients_per_line] >> k) & 1);
    });
    return work;
  }

  // Client side, read by the server.
  ClientSlots<Slot> slots_;
  std::unique_ptr<ResponseLine[]> lines_;
  Doorbell bell_;  // the server sleeps here
  std::atomic<bool> stop_{false};
  Padded<std::atomic<std::uint64_t>> wakeups_;  // written by clients, on the wake path only

  // Server thread only (stats also read through the atomics below).
  State state_{};
  std::vector<std::uint64_t> toggles_;    // what each response line's toggles hold
  std::vector<std::uint64_t> last_look_;  // served_ when the server last looked at each request line
  std::size_t known_ = 0;                 // request lines looked at so far
  std::uint64_t served_ = 0;
  Batch batch_;
  Padded<std::atomic<std::uint64_t>> query_wait_max_, sends_;

  std::thread server_;  // last: starts once everything above is constructed
};

}  // namespace contend
