// Promises (Boost.Lockfree): linearizable MPMC FIFO (Michael-Scott, tagged pointers), lock-free.
// BoostQueueChannel: boost::lockfree::queue (Michael–Scott MPMC queue with tagged pointers and a
// node freelist) behind the Go-like channel interface (closable_channel.hpp).
// Ordering: FIFO (linearizable) across all producers. Capacity: bounded; all nodes are
// preallocated and send() waits (spinning with backoff) while they are all in use.
// Progress: lock-free try_send/try_receive; send/receive spin with backoff. T must be trivially
// copyable and destructible (a Boost requirement).
#pragma once

#include <boost/lockfree/queue.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {
template <class T>
class BoostQueueBackend {
 public:
  using value_type = T;
  explicit BoostQueueBackend(std::size_t capacity) : queue_(capacity) {}
  bool try_push(const T& v) { return queue_.bounded_push(v); }  // never allocates
  bool try_pop(T& v) { return queue_.pop(v); }

 private:
  boost::lockfree::queue<T> queue_;
};
}  // namespace detail

template <class T = std::uint64_t>
class BoostQueueChannel : public ClosableChannel<detail::BoostQueueBackend<T>> {
 public:
  static constexpr std::string_view name = "boost_queue";
  using ClosableChannel<detail::BoostQueueBackend<T>>::ClosableChannel;
};

}  // namespace contend
