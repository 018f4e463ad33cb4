// ClosableChannel: Go-like send/receive/close over a queue that only offers try_push/try_pop
// (the lock-free queues). One template, so every adapter has the same close semantics:
// - send() retries with Backoff while the queue is full and returns false once closed;
// - receive() returns items until the channel is closed *and* drained, then nullopt;
// - close() belongs to the sending side after its last send (as in Go): items sent before it
//   are all delivered. A send racing with close is a program error (Go panics); here it may be
//   refused, delivered, or accepted after the receivers have finished, and so never received.
// Waiting (backoff.hpp): receive() first waits awake (spins for about one sleep/wake, then yields:
// wait_awake), so a partner on another core hands over at cache speed; then it keeps backing off
// (Backoff: pauses, then yields), or, with a Backend that has wait_pop(T&, microseconds) (the
// blocking moodycamel queue), sleeps. The backend cannot be woken without an item, so a sleeper
// looks at the closed flag after each timed wait: 1 ms first, doubling up to 64 ms while the
// channel stays idle, so close() reaches it within its current period while an idle receiver
// wakes up at most 16 times a second (well under 1% of a CPU).
// Progress: the backend's for try_send/try_receive; send/receive spin or block while full/empty.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"

namespace contend {

template <class Backend>
concept BlockingBackend = requires(Backend& b, typename Backend::value_type& v) {
  { b.wait_pop(v, std::chrono::microseconds(1)) } -> std::same_as<bool>;
};

template <class Backend>
class ClosableChannel {
 public:
  using value_type = typename Backend::value_type;

  explicit ClosableChannel(std::size_t capacity) : backend_(checked(capacity)) {}

  bool send(value_type value) {
    Backoff backoff;
    while (!closed()) {
      if (backend_.try_push(value)) return true;
      backoff.pause();
    }
    return false;
  }

  bool try_send(value_type value) { return !closed() && backend_.try_push(value); }

  std::optional<value_type> receive() {
    value_type value{};  // {}: g++ cannot prove a failed pop leaves it unread
    bool got = false;
    wait_awake([&] { return (got = backend_.try_pop(value)) || closed(); });
    Backoff backoff;
    std::chrono::microseconds sleep = first_sleep;
    for (;;) {
      if (got || backend_.try_pop(value)) return value;
      if (closed()) {
        // Every send happens-before close (see above), so one more look finds what is left.
        if (backend_.try_pop(value)) return value;
        return std::nullopt;
      }
      if constexpr (BlockingBackend<Backend>) {
        got = backend_.wait_pop(value, sleep);
        sleep = std::min(2 * sleep, longest_sleep);
      } else {
        backoff.pause();
      }
    }
  }

  std::optional<value_type> try_receive() {
    value_type value{};  // {}: g++ cannot prove a failed pop leaves it unread
    if (backend_.try_pop(value)) return value;
    return std::nullopt;
  }

  // release: pairs with closed()'s acquire, so a receiver that sees the flag sees every item
  // sent before close().
  void close() { closed_.store(true, std::memory_order_release); }

  bool closed() const { return closed_.load(std::memory_order_acquire); }  // acquire: see close()

 private:
  static constexpr std::chrono::microseconds first_sleep{1000}, longest_sleep{64000};

  static std::size_t checked(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("channel capacity must be at least 1");
    return capacity;
  }

  Backend backend_;
  // Own line: read on every send and by every waiting receiver, written once.
  alignas(false_sharing_range) std::atomic<bool> closed_{false};
};

}  // namespace contend
