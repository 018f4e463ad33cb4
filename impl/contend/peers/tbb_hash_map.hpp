// Promises (oneTBB): atomic per-key insert/find/erase under per-element reader-writer locks; blocking.
// TbbHashMap: tbb::concurrent_hash_map (libtbb-dev) behind KeyValueMap. TBB promises:
// concurrent insert/find/erase on a chained hash table with a reader-writer lock per bucket and
// per element (accessors), linearizable per key; blocking (locks), never a global lock.
// (tbb::concurrent_unordered_map has no thread-safe erase, so it cannot be a KeyValueMap.)
// Thread-safe: every member.
#pragma once

#include <tbb/concurrent_hash_map.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class TbbHashMap {
 public:
  static constexpr std::string_view name = "tbb_hash_map";

  void put(const K& key, const V& value) {
    typename Map::accessor a;  // holds the element's write lock until a goes out of scope
    map_.insert(a, key);
    a->second = value;
  }

  std::optional<V> get(const K& key) const {
    typename Map::const_accessor a;  // the element's read lock
    if (!map_.find(a, key)) return std::nullopt;
    return a->second;
  }

  bool erase(const K& key) { return map_.erase(key); }

 private:
  using Map = tbb::concurrent_hash_map<K, V>;
  Map map_;
};

}  // namespace contend
