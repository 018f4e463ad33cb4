// SingleOwner: the actor behind ChannelCounter and ChannelMap. One thread owns a State; clients
// never touch it, they send requests over a moodycamel BlockingConcurrentQueue and the owner
// applies them. This is Go's "share memory by communicating" in C++.
//
// Ordering. moodycamel keeps FIFO per producer thread only, so a request can overtake an earlier
// one from another thread. Writes are applied in the order dequeued (FIFO per client); queries
// (reads) are answered only after the owner has seen the queue empty, so a read sees every write
// that happens-before it, whoever sent that write. (try_dequeue returns false only when every
// producer stream looked empty, and a completed enqueue is visible to a dequeue it happens-before.)
// Reads can wait behind a long burst of asynchronous writes; that is the design's real latency.
//
// Shutdown. close() refuses new requests (send returns false); requests already sent are still
// answered, because the owner runs until the destructor. The destructor must not race with
// callers (as for any C++ object); it sends a stop message, the owner drains everything sent
// before it and exits: no request is lost and no client is left waiting.
//
// Progress: blocking (clients wait for the owner's reply; the owner sleeps when idle).
// Thread-safe: send/close from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

#include <concurrentqueue/blockingconcurrentqueue.h>

namespace contend {

enum class RequestKind : unsigned char { write, query, stop };

// State must provide: void apply(Request&) for writes (it replies itself if the write is
// synchronous) and void answer(Request&) for queries. Request must have a `RequestKind kind`.
template <class State, class Request>
class SingleOwner {
 public:
  template <class... Args>
  explicit SingleOwner(Args&&... args)
      : state_(std::forward<Args>(args)...), owner_([this] { run(); }) {}

  SingleOwner(const SingleOwner&) = delete;
  SingleOwner& operator=(const SingleOwner&) = delete;

  ~SingleOwner() {
    Request stop{};
    stop.kind = RequestKind::stop;
    queue_.enqueue(stop);
    owner_.join();
  }

  // False once closed: the request was not sent.
  bool send(const Request& request) {
    // acquire: pairs with close(); a client that sees "open" sends while the owner still runs.
    if (closed_.load(std::memory_order_acquire)) return false;
    queue_.enqueue(request);
    return true;
  }

  // release: pairs with send()'s acquire.
  void close() { closed_.store(true, std::memory_order_release); }

  bool closed() const { return closed_.load(std::memory_order_acquire); }  // acquire: as in send()

 private:
  static constexpr std::size_t batch_size = 256;

  void run() {
    std::vector<Request> batch(batch_size);
    std::vector<Request> queries;
    bool stopping = false;
    for (;;) {
      std::size_t n = queue_.wait_dequeue_bulk(batch.begin(), batch_size);
      while (n != 0) {
        for (std::size_t i = 0; i < n; ++i) {
          switch (batch[i].kind) {
            case RequestKind::write: state_.apply(batch[i]); break;
            case RequestKind::query: queries.push_back(batch[i]); break;
            case RequestKind::stop: stopping = true; break;
          }
        }
        n = queue_.try_dequeue_bulk(batch.begin(), batch_size);
      }
      for (Request& q : queries) state_.answer(q);
      queries.clear();
      if (stopping) return;
    }
  }

  State state_;
  std::atomic<bool> closed_{false};
  moodycamel::BlockingConcurrentQueue<Request> queue_;
  std::thread owner_;  // last: starts after everything it uses is constructed
};

}  // namespace contend
