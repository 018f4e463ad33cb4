// ChannelCounter: Go's channel counter. One owner thread holds the count; increment() is a
// message to it (fire-and-forget), read() is a request that waits for the reply.
// Progress: blocking. Thread-safe: every member; after close() both throw closed_error.
// Cost to know about: one extra thread, and increments are only *sent* when increment() returns;
// the owner applies them later, so the work of a burst shows up in the owner's CPU time and in
// the latency of the next read(), which waits until the owner has caught up.
#pragma once

#include <cstdint>
#include <string_view>

#include "contend/errors.hpp"
#include "contend/reply.hpp"
#include "contend/single_owner.hpp"

namespace contend {

class ChannelCounter {
 public:
  static constexpr std::string_view name = "channel";
  static constexpr int owner_threads = 1;  // the thread that owns the count
  static constexpr bool blocking = true;  // the owner and waiting readers sleep in futex(2) (single_owner.hpp, reply.hpp)

  void increment() {
    if (!owner_.send(Request{RequestKind::write, nullptr})) throw closed_error("ChannelCounter closed");
  }

  std::uint64_t read() {
    Reply<std::uint64_t> reply;
    if (!owner_.send(Request{RequestKind::query, &reply})) throw closed_error("ChannelCounter closed");
    return reply.wait();
  }

  void close() { owner_.close(); }

 private:
  struct Request {
    RequestKind kind;
    Reply<std::uint64_t>* reply;
  };
  struct State {
    std::uint64_t count = 0;
    void apply(Request&) { ++count; }
    void answer(Request& r) { r.reply->set(count); }
  };

  SingleOwner<State, Request> owner_;
};

}  // namespace contend
