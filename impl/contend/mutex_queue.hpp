// MutexQueue: a bounded std::deque under a std::mutex with two condition variables, the
// textbook blocking channel. Ordering: FIFO across all producers. Capacity: bounded; send()
// waits while full, receive() waits while empty, close() wakes everyone.
// Waiting (backoff.hpp): spin, yield, then sleep. Before taking the condition-variable path a
// waiter waits awake (wait_awake) until an atomic hint of the queue's state (item count and
// closed flag, written under the mutex) says it may proceed *and* it got the mutex by try_lock:
// a waiter that blocked in lock() would sleep in futex(2) behind a holder that releases it in
// nanoseconds. The hint only decides when to try; the decision is taken under the mutex, as in
// the textbook, so a stale hint costs a retry or a sleep, never a lost wake-up (every change
// notifies its condition variable, and close() notifies all). An idle waiter sleeps on the
// condition variable after about 10 us (spin_budget) + 8 yields.
// Progress: blocking. Thread-safe: every member. T only needs to be movable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "contend/backoff.hpp"
#include "contend/cache_line.hpp"

namespace contend {

template <class T = std::uint64_t>
class MutexQueue {
 public:
  static constexpr std::string_view name = "mutex_queue";
  static constexpr bool blocking = true;  // sleeps on its condition variables while full or empty

  explicit MutexQueue(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("channel capacity must be at least 1");
  }

  bool send(T value) {
    std::unique_lock lock =
        lock_when([&](std::size_t hint) { return (hint & closed_bit) || hint < capacity_; });
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    return push_locked(lock, std::move(value));
  }

  bool try_send(T value) {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) return false;
    return push_locked(lock, std::move(value));
  }

  std::optional<T> receive() {
    std::unique_lock lock = lock_when([](std::size_t hint) { return hint != 0; });
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return pop_locked(lock);
  }

  std::optional<T> try_receive() {
    std::unique_lock lock(mutex_);
    return pop_locked(lock);
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      publish_hint();
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  bool push_locked(std::unique_lock<std::mutex>& lock, T&& value) {
    if (closed_) return false;
    items_.push_back(std::move(value));
    publish_hint();
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop_locked(std::unique_lock<std::mutex>& lock) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> value(std::move(items_.front()));
    items_.pop_front();
    publish_hint();
    lock.unlock();
    not_full_.notify_one();
    return value;
  }

  // The mutex, held, once ready(hint) held when it was taken by try_lock within the spin and
  // yield budget; otherwise the mutex taken by lock() (the caller then waits on its condition).
  template <class Ready>
  std::unique_lock<std::mutex> lock_when(Ready ready) {
    std::unique_lock lock(mutex_, std::defer_lock);
    // relaxed: a hint only; what it hints at is checked again under the mutex.
    wait_awake([&] { return ready(hint_.load(std::memory_order_relaxed)) && lock.try_lock(); });
    if (!lock.owns_lock()) lock.lock();
    return lock;
  }

  // Under the mutex, after every change. relaxed: see lock_when.
  void publish_hint() { hint_.store(items_.size() | (closed_ ? closed_bit : 0), std::memory_order_relaxed); }

  static constexpr std::size_t closed_bit = std::size_t{1} << (8 * sizeof(std::size_t) - 1);

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
  // items_.size() | closed_bit once closed. Own line: spinning waiters read only this line, which
  // changes only when the state does, not the mutex's or the deque's.
  alignas(false_sharing_range) std::atomic<std::size_t> hint_{0};
};

}  // namespace contend
