// Promises (xenium): linearizable MPMC FIFO (Michael-Scott), lock-free, epoch reclamation.
// XeniumQueueChannel: xenium::michael_scott_queue (libxenium-dev) over xenium's epoch-based
// reclamation, behind the Go-like channel interface (closable_channel.hpp).
// xenium promises: the lock-free Michael-Scott MPMC queue (1996), linearizable FIFO, push and
// try_pop lock-free; nodes are reclaimed by epochs (a stalled thread delays reclamation, never
// correctness).
// Allocation: every push allocates a node (unbounded: the capacity is ignored).
// Thread-safe: every member of the channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <xenium/michael_scott_queue.hpp>
#include <xenium/reclamation/generic_epoch_based.hpp>

#include "contend/closable_channel.hpp"

namespace contend {

namespace detail {

template <class T>
class XeniumQueueBackend {
 public:
  using value_type = T;
  explicit XeniumQueueBackend(std::size_t /*capacity: unbounded*/) {}
  bool try_push(const T& v) {
    queue_.push(v);
    return true;
  }
  bool try_pop(T& v) { return queue_.try_pop(v); }

 private:
  xenium::michael_scott_queue<T, xenium::policy::reclaimer<xenium::reclamation::epoch_based<>>> queue_;
};

}  // namespace detail

template <class T = std::uint64_t>
class XeniumQueueChannel : public ClosableChannel<detail::XeniumQueueBackend<T>> {
 public:
  static constexpr std::string_view name = "xenium_ms_queue";
  using ClosableChannel<detail::XeniumQueueBackend<T>>::ClosableChannel;
};

}  // namespace contend
