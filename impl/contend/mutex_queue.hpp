// MutexQueue: a bounded std::deque under a std::mutex with two condition variables, the
// textbook blocking channel. Ordering: FIFO across all producers. Capacity: bounded; send()
// sleeps while full, receive() sleeps while empty, close() wakes everyone.
// Progress: blocking (every wake-up is a futex call: microseconds, not nanoseconds).
// Thread-safe: every member. T only needs to be movable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

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
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    return push_locked(lock, std::move(value));
  }

  bool try_send(T value) {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) return false;
    return push_locked(lock, std::move(value));
  }

  std::optional<T> receive() {
    std::unique_lock lock(mutex_);
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
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  bool push_locked(std::unique_lock<std::mutex>& lock, T&& value) {
    if (closed_) return false;
    items_.push_back(std::move(value));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop_locked(std::unique_lock<std::mutex>& lock) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> value(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return value;
  }

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace contend
