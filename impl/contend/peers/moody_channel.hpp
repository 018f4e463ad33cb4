// Promises (moodycamel): lock-free MPMC queue, FIFO per producer only, not linearizable.
// MoodyChannel and BlockingMoodyChannel: moodycamel::ConcurrentQueue and
// BlockingConcurrentQueue behind the Go-like channel interface (closable_channel.hpp).
//
// Ordering: FIFO per producer thread only. Items from different producers interleave in no
// promised order, even when one send happens-before another. No producer or consumer tokens are
// used (the interface has nowhere to keep them), so each thread gets an implicit producer on its
// first send; tokens would be faster.
// Capacity: moodycamel queues are unbounded. The capacity is only preallocated; send() and
// try_send() allocate a new block when it runs out, so they never wait for space and never fail
// while the channel is open.
// Progress: lock-free send/try_*. Waiting (closable_channel.hpp, backoff.hpp): receive() spins for
// about one sleep/wake (spin_budget, 10 us), yields, then MoodyChannel keeps backing off (pauses, yields) while
// BlockingMoodyChannel sleeps on the queue's semaphore (whose wait first spins too: 10 000 loads,
// moodycamel's default MAX_SEMA_SPINS, kept as users get it), waking to look at the closed flag
// after 1 ms, then 2, 4 ... 64 ms while idle.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {

template <class T, class Queue>
class MoodyBackend {
 public:
  using value_type = T;
  explicit MoodyBackend(std::size_t capacity) : queue_(capacity) {}
  bool try_push(const T& v) { return queue_.enqueue(v); }
  bool try_pop(T& v) { return queue_.try_dequeue(v); }

 protected:
  Queue queue_;
};

template <class T>
class BlockingMoodyBackend : public MoodyBackend<T, moodycamel::BlockingConcurrentQueue<T>> {
 public:
  using MoodyBackend<T, moodycamel::BlockingConcurrentQueue<T>>::MoodyBackend;
  bool wait_pop(T& v, std::chrono::microseconds timeout) {
    return this->queue_.wait_dequeue_timed(v, timeout.count());
  }
};

}  // namespace detail

template <class T = std::uint64_t>
class MoodyChannel : public ClosableChannel<detail::MoodyBackend<T, moodycamel::ConcurrentQueue<T>>> {
 public:
  static constexpr std::string_view name = "moody";
  using ClosableChannel<detail::MoodyBackend<T, moodycamel::ConcurrentQueue<T>>>::ClosableChannel;
};

template <class T = std::uint64_t>
class BlockingMoodyChannel : public ClosableChannel<detail::BlockingMoodyBackend<T>> {
 public:
  static constexpr std::string_view name = "moody_blocking";
  static constexpr bool blocking = true;  // receive() sleeps on the queue's semaphore once idle
  using ClosableChannel<detail::BlockingMoodyBackend<T>>::ClosableChannel;
};

}  // namespace contend
