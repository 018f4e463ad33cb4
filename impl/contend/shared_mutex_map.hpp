// SharedMutexMap: std::unordered_map under a std::shared_mutex; get() takes it shared, so readers
// run in parallel. Even a shared lock is a write to the lock's cache line (a reader count), so
// readers still contend on one line.
// Progress: blocking. Thread-safe: every member.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class SharedMutexMap {
 public:
  static constexpr std::string_view name = "shared_mutex";
  static constexpr bool blocking = true;  // sleeps in futex(2) while a writer holds the lock

  void put(const K& key, const V& value) {
    std::unique_lock lock(mutex_);
    map_.insert_or_assign(key, value);
  }

  std::optional<V> get(const K& key) const {
    std::shared_lock lock(mutex_);
    auto it = map_.find(key);
    return it == map_.end() ? std::nullopt : std::optional<V>(it->second);
  }

  bool erase(const K& key) {
    std::unique_lock lock(mutex_);
    return map_.erase(key) != 0;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<K, V> map_;
};

}  // namespace contend
