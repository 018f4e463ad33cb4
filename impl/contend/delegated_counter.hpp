// DelegatedCounter: a counter owned by a delegation server (delegation.hpp, ffwd style): one
// dedicated thread holds the count; increment() and read() are synchronous requests written into
// the caller's own request line and answered in a response line shared by a group of clients.
// Progress: blocking. Thread-safe: every member. Not thread-safe: destruction (every call must
// have returned).
// Cost to know about: one extra thread that spins while there is work (it sleeps when idle); it
// needs a core of its own, so with threads >= cores it competes with the clients it serves.
#pragma once

#include <cstdint>
#include <string_view>

#include "contend/delegation.hpp"

namespace contend {

class DelegatedCounter {
 public:
  static constexpr std::string_view name = "delegated";
  static constexpr int owner_threads = 1;  // the server thread
  static constexpr bool blocking = true;   // an idle server and a long-waiting client sleep (Doorbell)

  void increment() { server_.call(Op::increment); }
  std::uint64_t read() { return server_.call(Op::read); }

  DelegationStats stats() const { return server_.stats(); }

 private:
  enum class Op : unsigned char { increment, read };
  struct State {
    std::uint64_t count = 0;
    std::uint64_t run(Op op) {
      if (op == Op::increment) ++count;
      return count;
    }
  };

  using Server = DelegationServer<State, Op, std::uint64_t>;
  Server server_;

 public:
  // Clients answered by one response line (several lines once there are more clients).
  static constexpr std::size_t clients_per_line = Server::clients_per_line;
};

}  // namespace contend
