// Promises (Boost.Lockfree): wait-free FIFO ring for exactly one producer and one consumer.
// BoostSpscChannel: boost::lockfree::spsc_queue (a ring buffer) behind the Go-like channel
// interface (closable_channel.hpp).
// Single producer, single consumer: at most one thread may send and one receive, ever at a time;
// more is a data race (`single_producer`/`single_consumer` below let callers check).
// Ordering: FIFO. Capacity: bounded ring; send() spins with backoff while it is full.
// Progress: wait-free try_send/try_receive.
#pragma once

#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {
template <class T>
class BoostSpscBackend {
 public:
  using value_type = T;
  explicit BoostSpscBackend(std::size_t capacity) : queue_(capacity) {}
  bool try_push(const T& v) { return queue_.push(v); }
  bool try_pop(T& v) { return queue_.pop(v); }

 private:
  boost::lockfree::spsc_queue<T> queue_;
};
}  // namespace detail

template <class T = std::uint64_t>
class BoostSpscChannel : public ClosableChannel<detail::BoostSpscBackend<T>> {
 public:
  static constexpr std::string_view name = "boost_spsc";
  static constexpr bool single_producer = true;
  static constexpr bool single_consumer = true;
  using ClosableChannel<detail::BoostSpscBackend<T>>::ClosableChannel;
};

}  // namespace contend
