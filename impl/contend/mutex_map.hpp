// MutexMap: std::unordered_map under one lock, std::mutex by default. The lock is a template
// parameter so that a better lock can be set against the same map (peers/absl_mutex.hpp,
// tbb::spin_mutex in families.hpp): does it change the verdict against the other designs?
// A Lock is BasicLockable (lock/unlock); MapLockName<Lock> names the map ("mutex", ...).
// Progress: blocking. Thread-safe: every member.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace contend {

// The name of a MutexMap over Lock; the header that brings in a lock specialises it.
template <class Lock>
inline constexpr std::string_view map_lock_name = Lock::map_name;
template <>
inline constexpr std::string_view map_lock_name<std::mutex> = "mutex";

// Whether a waiter for Lock sleeps (futex) rather than spins: the benchmarks judge a sleeping
// design by foreign load only, since it uses less CPU than its thread count by design.
template <class Lock>
inline constexpr bool map_lock_blocks = true;  // std::mutex, absl::Mutex: spin briefly, then sleep

template <class K = std::uint64_t, class V = std::uint64_t, class Lock = std::mutex>
class MutexMap {
 public:
  static constexpr std::string_view name = map_lock_name<Lock>;
  static constexpr bool blocking = map_lock_blocks<Lock>;

  void put(const K& key, const V& value) {
    std::lock_guard lock(mutex_);
    map_.insert_or_assign(key, value);
  }

  std::optional<V> get(const K& key) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(key);
    return it == map_.end() ? std::nullopt : std::optional<V>(it->second);
  }

  bool erase(const K& key) {
    std::lock_guard lock(mutex_);
    return map_.erase(key) != 0;
  }

 private:
  mutable Lock mutex_;
  std::unordered_map<K, V> map_;
};

}  // namespace contend
