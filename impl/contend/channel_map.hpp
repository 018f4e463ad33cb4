// ChannelMap: one owner thread owns a std::unordered_map; clients send requests over a moodycamel
// channel and get replies (single_owner.hpp has the ordering and shutdown rules). The owner
// drains requests in batches. get(), put() and erase() wait for the owner's reply, which lives on
// the caller's stack (no heap allocation per operation). put_async() and erase_async() send
// without waiting, like the map manager goroutine of the Go seed: a later get() from any thread
// that happens-after them sees them. Writes to one key from different threads are applied in no
// promised order, even when one happens-before the other (single_owner.hpp): only one client's
// own writes keep their order.
// Progress: blocking. Thread-safe: every member; after close() every call throws closed_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "contend/errors.hpp"
#include "contend/reply.hpp"
#include "contend/single_owner.hpp"

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class ChannelMap {
 public:
  static constexpr std::string_view name = "channel";
  static constexpr int owner_threads = 1;  // the thread that owns the map
  static constexpr bool blocking = true;  // the owner and waiting clients sleep in futex(2) (single_owner.hpp, reply.hpp)

  void put(const K& key, const V& value) {
    Reply<bool> done;
    send(Request{RequestKind::write, Op::put, key, value, &done, nullptr});
    done.wait();
  }

  void put_async(const K& key, const V& value) {
    send(Request{RequestKind::write, Op::put, key, value, nullptr, nullptr});
  }

  std::optional<V> get(const K& key) {
    Reply<std::optional<V>> reply;
    send(Request{RequestKind::query, Op::get, key, V{}, nullptr, &reply});
    return reply.wait();
  }

  bool erase(const K& key) {
    Reply<bool> erased;
    send(Request{RequestKind::write, Op::erase, key, V{}, &erased, nullptr});
    return erased.wait();
  }

  void erase_async(const K& key) { send(Request{RequestKind::write, Op::erase, key, V{}, nullptr, nullptr}); }

  void close() { owner_.close(); }

 private:
  enum class Op : unsigned char { put, erase, get };
  struct Request {
    RequestKind kind;
    Op op;
    K key;
    V value;
    Reply<bool>* done;               // put/erase: null when asynchronous
    Reply<std::optional<V>>* found;  // get
  };
  struct State {
    std::unordered_map<K, V> map;
    void apply(Request& r) {
      bool result = true;
      if (r.op == Op::put) {
        map.insert_or_assign(r.key, r.value);
      } else {
        result = map.erase(r.key) != 0;
      }
      if (r.done != nullptr) r.done->set(result);
    }
    void answer(Request& r) {
      auto it = map.find(r.key);
      r.found->set(it == map.end() ? std::nullopt : std::optional<V>(it->second));
    }
  };

  void send(const Request& r) {
    if (!owner_.send(r)) throw closed_error("ChannelMap closed");
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
