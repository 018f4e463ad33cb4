// ChannelCounter: Go's channel counter. One owner thread holds the count; increment() is a
// message to it (fire-and-forget), read() is a request that waits for the reply.
// Progress: blocking. Thread-safe: every member; after close() both throw closed_error.
// Cost to know about: one extra thread, and increments are only *sent* when increment() returns;
// the owner applies them later. A read() sees every increment that happens-before it and waits
// for at most one sweep of the owner over the clients (single_owner.hpp: at most clients x
// capacity increments applied meanwhile); an incrementer that gets a ring's worth ahead of the
// owner waits for it.
#pragma once

#include <cstdint>
#include <string_view>

#include "contend/errors.hpp"
#include "contend/single_owner.hpp"

namespace contend {

class ChannelCounter {
 public:
  static constexpr std::string_view name = "channel";
  static constexpr int owner_threads = 1;  // the thread that owns the count
  static constexpr bool blocking = true;  // the idle owner and a reader waiting past its budget sleep (single_owner.hpp)

  void increment() {
    if (!owner_.send(Request{RequestKind::write, nullptr})) throw closed_error("ChannelCounter closed");
  }

  std::uint64_t read() {
    std::uint64_t count = 0;
    if (!owner_.call(Request{RequestKind::query, &count})) throw closed_error("ChannelCounter closed");
    return count;
  }

  void close() { owner_.close(); }

  OwnerStats stats() { return owner_.stats(); }

 private:
  struct Request {
    RequestKind kind;
    std::uint64_t* count;  // read(): where the owner writes the answer
  };
  struct State {
    std::uint64_t count = 0;
    void apply(Request&) { ++count; }
    void answer(Request& r) { *r.count = count; }
  };

  SingleOwner<State, Request> owner_;
};

}  // namespace contend
