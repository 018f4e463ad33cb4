// MutexStack: std::vector under a std::mutex. Progress: blocking. Thread-safe: every member.
// Exceptions: a pop that throws leaves the stack as it was: it builds its result in the caller's
// return object (by copy when T's move may throw) before removing the element. A push that throws
// leaves what std::vector::push_back promises (the stack as it was when T's move is noexcept or T
// is copyable).
// Allocation: a push allocates only when the vector grows past its capacity (amortised; the
// capacity is kept across pops).
// Probe (default: none) is told of every acquisition under the lock; the benchmark uses it to
// count how many operations in a row one thread performs while it keeps the lock's line.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace contend {

struct NoLockProbe {
  void acquired() {}
};

template <class T = std::uint64_t, class Probe = NoLockProbe>
class MutexStack {
 public:
  static constexpr std::string_view name = "mutex";
  static constexpr bool blocking = true;  // sleeps in futex(2) while another thread holds the lock

  void push(T value) {
    std::lock_guard lock(mutex_);
    probe_.acquired();
    items_.push_back(std::move(value));
  }

  std::optional<T> pop() {
    std::lock_guard lock(mutex_);
    probe_.acquired();
    std::optional<T> value;  // every return names it: built in the caller's return object (NRVO)
    if (items_.empty()) return value;
    value.emplace(std::move_if_noexcept(items_.back()));  // if this throws the item stays on the stack
    items_.pop_back();
    return value;
  }

  const Probe& probe() const { return probe_; }  // read it only when no thread is inside

 private:
  std::mutex mutex_;
  [[no_unique_address]] Probe probe_;  // beside the mutex: on the line the holder already owns
  std::vector<T> items_;
};

}  // namespace contend
