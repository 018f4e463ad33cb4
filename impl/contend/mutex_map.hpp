// MutexMap: std::unordered_map under one std::mutex.
// Progress: blocking. Thread-safe: every member.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class MutexMap {
 public:
  static constexpr std::string_view name = "mutex";
  static constexpr bool blocking = true;  // sleeps in futex(2) while another thread holds the lock

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
  mutable std::mutex mutex_;
  std::unordered_map<K, V> map_;
};

}  // namespace contend
