// ChannelMap: one owner thread owns a std::unordered_map; clients send requests through their
// own bounded rings and get replies (single_owner.hpp has the ordering, bounds and shutdown
// rules). get(), get_many(), put() and erase() wait for the owner, which writes the result on the
// caller's stack (no heap allocation per operation). put_async() and erase_async() send without
// waiting, like the map manager goroutine of the Go seed: a later get() from any thread that
// happens-after them sees them, and waits for at most one sweep of the owner. Writes to one key
// from different threads are applied in no promised order, even when one happens-before the
// other: only one client's own writes keep their order.
// Errors: what the map throws on the owner thread (insert_or_assign's bad_alloc) does not end it.
// put(), get(), get_many() and erase() rethrow their own request's; put_async() and erase_async()
// have no reply, so their errors are thrown by the same thread's next synchronous call (which
// was still carried out); stats().failures counts every failed request (single_owner.hpp).
// Progress: blocking. Thread-safe: every member; after close() every call throws closed_error,
// and the first synchronous one carries, nested (std::rethrow_if_nested), the error of an earlier
// put_async() or erase_async() of the thread that no call has reported yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "contend/errors.hpp"
#include "contend/single_owner.hpp"

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class ChannelMap {
 public:
  static constexpr std::string_view name = "channel";
  static constexpr int owner_threads = 1;  // the thread that owns the map
  static constexpr bool blocking = true;  // the idle owner and a client waiting past its budget sleep (single_owner.hpp)

  void put(const K& key, const V& value) { call(Request{RequestKind::write, Op::put, key, value}); }

  void put_async(const K& key, const V& value) { send(Request{RequestKind::write, Op::put, key, value}); }

  std::optional<V> get(const K& key) {
    std::optional<V> found;
    get_many(std::span<const K>(&key, 1), std::span<std::optional<V>>(&found, 1));
    return found;
  }

  // Reads every key in one request: out[i] is the value of keys[i] (nullopt if absent), all read
  // at one point of the owner's order. out.size() must equal keys.size().
  void get_many(std::span<const K> keys, std::span<std::optional<V>> out) {
    if (out.size() != keys.size()) throw std::invalid_argument("ChannelMap::get_many: out.size() != keys.size()");
    Request r{RequestKind::query, Op::get};
    r.keys = keys.data();
    r.found = out.data();
    r.count = keys.size();
    call(r);
  }

  bool erase(const K& key) {
    bool erased = false;
    Request r{RequestKind::write, Op::erase, key};
    r.erased = &erased;
    call(r);
    return erased;
  }

  void erase_async(const K& key) { send(Request{RequestKind::write, Op::erase, key}); }

  void close() { owner_.close(); }

  OwnerStats stats() { return owner_.stats(); }

 private:
  enum class Op : unsigned char { put, erase, get };
  struct Request {
    RequestKind kind;
    Op op;
    K key{};                       // put, erase
    V value{};                     // put
    bool* erased = nullptr;        // erase(): where the owner writes the result
    const K* keys = nullptr;       // get: `count` keys and their results, on the caller's stack
    std::optional<V>* found = nullptr;
    std::size_t count = 0;
  };
  struct State {
    std::unordered_map<K, V> map;
    void apply(Request& r) {
      if (r.op == Op::put) {
        map.insert_or_assign(r.key, r.value);
        return;
      }
      const bool erased = map.erase(r.key) != 0;
      if (r.erased != nullptr) *r.erased = erased;
    }
    void answer(Request& r) {
      for (std::size_t i = 0; i < r.count; ++i) {
        auto it = map.find(r.keys[i]);
        r.found[i] = it == map.end() ? std::nullopt : std::optional<V>(it->second);
      }
    }
  };

  void send(const Request& r) {
    if (!owner_.send(r)) throw closed_error("ChannelMap closed");
  }
  void call(const Request& r) {
    if (!owner_.call(r)) throw closed_error("ChannelMap closed");
  }

  SingleOwner<State, Request> owner_;
};

// The same map measured through put_async: writers do not wait for the owner.
template <class K = std::uint64_t, class V = std::uint64_t>
class AsyncChannelMap : public ChannelMap<K, V> {
 public:
  static constexpr std::string_view name = "channel_async";
  void put(const K& key, const V& value) { this->put_async(key, value); }
};

}  // namespace contend
