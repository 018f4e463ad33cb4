// Promises (libcuckoo): linearizable operations under striped spinlocks (two buckets per op); blocking.
// CuckooMap: libcuckoo::cuckoohash_map (libcuckoo-dev) behind KeyValueMap. libcuckoo promises:
// a concurrent cuckoo hash table with fine-grained striped spinlocks (each operation locks at most
// two buckets; resizing locks them all), linearizable operations; blocking (spinlocks).
// Thread-safe: every member.
#pragma once

#include <cstdint>
#include <libcuckoo/cuckoohash_map.hh>
#include <optional>
#include <string_view>

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class CuckooMap {
 public:
  static constexpr std::string_view name = "cuckoo";

  void put(const K& key, const V& value) { map_.insert_or_assign(key, value); }

  std::optional<V> get(const K& key) const {
    V value;
    if (map_.find(key, value)) return value;
    return std::nullopt;
  }

  bool erase(const K& key) { return map_.erase(key); }

 private:
  libcuckoo::cuckoohash_map<K, V> map_;
};

}  // namespace contend
