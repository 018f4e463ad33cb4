// MutexCounter: a std::uint64_t under a std::mutex.
// Progress: blocking (a preempted holder stalls everyone). Thread-safe: every member.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

namespace contend {

class MutexCounter {
 public:
  static constexpr std::string_view name = "mutex";
  static constexpr bool blocking = true;  // sleeps in futex(2) while another thread holds the lock

  void increment() {
    std::lock_guard lock(mutex_);
    ++count_;
  }

  std::uint64_t read() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t count_ = 0;
};

}  // namespace contend
