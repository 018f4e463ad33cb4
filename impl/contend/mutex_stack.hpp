// MutexStack: std::vector under a std::mutex. Progress: blocking. Thread-safe: every member.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace contend {

template <class T = std::uint64_t>
class MutexStack {
 public:
  static constexpr std::string_view name = "mutex";
  static constexpr bool blocking = true;  // sleeps in futex(2) while another thread holds the lock

  void push(T value) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(value));
  }

  std::optional<T> pop() {
    std::lock_guard lock(mutex_);
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.back());
    items_.pop_back();
    return value;
  }

 private:
  std::mutex mutex_;
  std::vector<T> items_;
};

}  // namespace contend
