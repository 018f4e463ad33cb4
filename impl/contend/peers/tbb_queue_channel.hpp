// Promises (oneTBB): concurrent push/try_pop, FIFO per producer only, no blocking operations.
// TbbQueueChannel and TbbBoundedQueueChannel: tbb::concurrent_queue and
// tbb::concurrent_bounded_queue (libtbb-dev) behind the Go-like channel interface
// (closable_channel.hpp).
// TBB promises: a queue that many threads may push to and pop from at once, whose only ordering
// guarantee is that values one thread pushes and another pops come out in the order pushed
// (FIFO per producer); concurrent_queue is unbounded with no blocking operations,
// concurrent_bounded_queue adds a capacity and blocking push/pop. Only try_push/try_pop are used
// here, so send() spins with backoff while the bounded queue is full (the capacity is the
// channel's). Progress: TBB promises none beyond "no blocking operations" (a pop may wait for a
// slot's push in progress).
// Allocation: pages of items, allocated as the queue grows (the unbounded queue ignores the
// capacity). Thread-safe: every member of the channel.
#pragma once

#include <tbb/concurrent_queue.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {

template <class T>
class TbbQueueBackend {
 public:
  using value_type = T;
  explicit TbbQueueBackend(std::size_t /*capacity: unbounded*/) {}
  bool try_push(const T& v) {
    queue_.push(v);
    return true;
  }
  bool try_pop(T& v) { return queue_.try_pop(v); }

 private:
  tbb::concurrent_queue<T> queue_;
};

template <class T>
class TbbBoundedQueueBackend {
 public:
  using value_type = T;
  explicit TbbBoundedQueueBackend(std::size_t capacity) {
    queue_.set_capacity(static_cast<std::ptrdiff_t>(capacity));
  }
  bool try_push(const T& v) { return queue_.try_push(v); }
  bool try_pop(T& v) { return queue_.try_pop(v); }

 private:
  tbb::concurrent_bounded_queue<T> queue_;
};

}  // namespace detail

template <class T = std::uint64_t>
class TbbQueueChannel : public ClosableChannel<detail::TbbQueueBackend<T>> {
 public:
  static constexpr std::string_view name = "tbb_queue";
  using ClosableChannel<detail::TbbQueueBackend<T>>::ClosableChannel;
};

template <class T = std::uint64_t>
class TbbBoundedQueueChannel : public ClosableChannel<detail::TbbBoundedQueueBackend<T>> {
 public:
  static constexpr std::string_view name = "tbb_bounded_queue";
  using ClosableChannel<detail::TbbBoundedQueueBackend<T>>::ClosableChannel;
};

}  // namespace contend
