// DelegatedMap: a std::unordered_map owned by a delegation server (delegation.hpp, ffwd style):
// one dedicated thread holds the map; put(), get() and erase() are synchronous requests written
// into the caller's own request line and answered in a response line shared by a group of
// clients. Every call waits for its answer, so a client's operations apply in its program order
// and a call that happens-before another is applied before it. What the map throws on the server
// thread (insert_or_assign's bad_alloc) is rethrown by the call that asked; the server goes on.
// Progress: blocking. Thread-safe: every member. Not thread-safe: destruction (every call must
// have returned).
// Cost to know about: one extra thread that spins while there is work (it sleeps when idle); it
// needs a core of its own, so with threads >= cores it competes with the clients it serves.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "contend/delegation.hpp"

namespace contend {

template <class K = std::uint64_t, class V = std::uint64_t>
class DelegatedMap {
 public:
  static constexpr std::string_view name = "delegated";
  static constexpr int owner_threads = 1;  // the server thread
  static constexpr bool blocking = true;   // an idle server and a long-waiting client sleep (Doorbell)

  void put(const K& key, const V& value) { server_.call(Request{Op::put, key, value}); }

  std::optional<V> get(const K& key) {
    const Result r = server_.call(Request{Op::get, key, V{}});
    return r.flag ? std::optional<V>(r.value) : std::nullopt;
  }

  bool erase(const K& key) { return server_.call(Request{Op::erase, key, V{}}).flag; }

  DelegationStats stats() const { return server_.stats(); }

 private:
  enum class Op : unsigned char { put, get, erase };
  struct Request {
    Op op = Op::get;
    K key{};
    V value{};
  };
  struct Result {
    V value{};
    bool flag = false;  // get: found; erase: erased
  };
  struct State {
    std::unordered_map<K, V> map;
    Result run(const Request& r) {
      switch (r.op) {
        case Op::put:
          map.insert_or_assign(r.key, r.value);
          return {};
        case Op::erase:
          return {V{}, map.erase(r.key) != 0};
        case Op::get:
          break;
      }
      auto it = map.find(r.key);
      return it == map.end() ? Result{} : Result{it->second, true};
    }
  };

  using Server = DelegationServer<State, Request, Result>;
  Server server_;

 public:
  // Clients answered by one response line (several lines once there are more clients).
  static constexpr std::size_t clients_per_line = Server::clients_per_line;
};

}  // namespace contend
