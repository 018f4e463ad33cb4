// SingleOwner: the actor behind ChannelCounter and ChannelMap. One thread owns a State; clients
// never touch it, they send requests over a moodycamel ConcurrentQueue and the owner applies
// them. This is Go's "share memory by communicating" in C++.
//
// Ordering. moodycamel keeps FIFO per producer thread only. So:
// - writes are applied in the order dequeued: one client's writes in the order it sent them, but
//   writes from different threads in no promised order, even when one happens-before the other
//   (Go's channels would order those; this queue does not);
// - queries (reads) are answered only after the owner has drained the queue, i.e. after a
//   try_dequeue_bulk that returned 0 ("every producer stream looked empty when checked"). So a
//   read sees every write that happens-before it, whichever thread sent that write. (It must be
//   the plain queue's bulk dequeue: BlockingConcurrentQueue's returns 0 whenever its semaphore is
//   0, which can happen while a write enqueued before the query is still in the queue.)
// Reads can wait behind a long burst of asynchronous writes; that is the design's real latency.
//
// Waking the owner. An eventcount: every send bumps `wake_` and notifies; the idle owner reads
// `wake_`, drains, and sleeps only if `wake_` still holds what it read, so a send can never slip
// in between its last look at the queue and its sleep. The owner spins a little before sleeping.
//
// Shutdown. close() refuses new requests (send returns false); requests already sent are still
// answered, because the owner runs until the destructor. The destructor must not race with
// callers (as for any C++ object); it sends a stop message, the owner drains everything sent
// before it and exits: no request is lost and no client is left waiting.
//
// Progress: blocking (clients wait for the owner's reply; the owner sleeps when idle).
// Thread-safe: send/close from any thread.
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"
#include "contend/thread_placement.hpp"

namespace contend {

enum class RequestKind : unsigned char { write, query, stop };

// State must provide: void apply(Request&) for writes (it replies itself if the write is
// synchronous) and void answer(Request&) for queries. Request must have a `RequestKind kind`.
template <class State, class Request>
class SingleOwner {
 public:
  template <class... Args>
  explicit SingleOwner(Args&&... args) : state_(std::forward<Args>(args)...), owner_([this] { run(); }) {}

  SingleOwner(const SingleOwner&) = delete;
  SingleOwner& operator=(const SingleOwner&) = delete;

  ~SingleOwner() {
    Request stop{};
    stop.kind = RequestKind::stop;
    push(stop);
    owner_.join();
  }

  // False once closed: the request was not sent.
  bool send(const Request& request) {
    // acquire: pairs with close(); a client that sees "open" sends while the owner still runs.
    if (closed_.load(std::memory_order_acquire)) return false;
    push(request);
    return true;
  }

  // release: pairs with send()'s acquire.
  void close() { closed_.store(true, std::memory_order_release); }

 private:
  static constexpr std::size_t batch_size = 256;
  static constexpr int idle_spins = 256, idle_yields = 32;  // ~8 us of pauses, then yields

  void push(const Request& request) {
    if (!queue_.enqueue(request)) throw std::bad_alloc();  // enqueue fails only when allocation does
    // seq_cst: the owner's load of wake_ and this increment are ordered, so either the owner's
    // drain sees the request or its wait() sees a changed value and returns.
    wake_.value.fetch_add(1, std::memory_order_seq_cst);
    wake_.value.notify_one();  // no system call unless the owner is asleep
  }

  void run() {
    const thread_placement::LibraryThread placed;  // lets a benchmark's --pin place the owner
    std::vector<Request> batch(batch_size);
    std::vector<Request> queries;
    bool stopping = false;
    for (;;) {
      const std::uint32_t seen = wake_.value.load(std::memory_order_seq_cst);  // seq_cst: see push()
      bool any = false;
      while (std::size_t n = queue_.try_dequeue_bulk(batch.begin(), batch_size)) {
        any = true;
        for (std::size_t i = 0; i < n; ++i) {
          switch (batch[i].kind) {
            case RequestKind::write:
              state_.apply(batch[i]);
              break;
            case RequestKind::query:
              queries.push_back(batch[i]);
              break;
            case RequestKind::stop:
              stopping = true;
              break;
          }
        }
      }
      for (Request& q : queries) state_.answer(q);
      queries.clear();
      if (stopping) return;
      if (!any) idle(seen);
    }
  }

  // Waits awake a little before sleeping (a busy client's next request is usually a few hundred
  // ns away; a futex wake-up costs microseconds): see wait_awake in backoff.hpp for why it yields.
  void idle(std::uint32_t seen) {
    // relaxed: only a hint to stop waiting; the drain that follows re-checks the queue.
    if (wait_awake([&] { return wake_.value.load(std::memory_order_relaxed) != seen; }, idle_spins,
                   idle_yields)) {
      return;
    }
    wake_.value.wait(seen, std::memory_order_seq_cst);  // seq_cst: see push()
  }

  State state_;
  std::atomic<bool> closed_{false};
  moodycamel::ConcurrentQueue<Request> queue_;
  Padded<std::atomic<std::uint32_t>> wake_;  // its own line: every send writes it
  std::thread owner_;                        // last: starts after everything it uses is constructed
};

}  // namespace contend
