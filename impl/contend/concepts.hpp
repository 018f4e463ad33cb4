// The one interface every implementation sits behind: C++20 concepts, so the benchmarks call
// operations of a few nanoseconds without a virtual call. Keys, values and elements default to
// std::uint64_t. Every implementation also has `static constexpr std::string_view name`, the
// short name benchmarks and tests print (e.g. "mutex"), checked by `Named`.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>

namespace contend {

template <class T>
concept Named = requires {
  { T::name } -> std::convertible_to<std::string_view>;
};

// Extra threads a design starts for itself (the owner of a single-owner design), 0 for most.
template <class T>
inline constexpr int owner_threads_of = [] {
  if constexpr (requires { T::owner_threads; }) {
    return T::owner_threads;
  } else {
    return 0;
  }
}();

// Whether a design's threads may sleep (futex, condition variable, semaphore) by design: such a
// design uses less CPU than it has threads, so the benchmarks do not judge it by the parallelism
// it achieves. `static constexpr bool blocking = true` declares it; the default is spinning.
template <class T>
inline constexpr bool blocking_of = [] {
  if constexpr (requires { T::blocking; }) {
    return T::blocking;
  } else {
    return false;
  }
}();

template <class C>
concept Counter = requires(C& c) {
  c.increment();
  { c.read() } -> std::same_as<std::uint64_t>;
};

template <class M, class K = std::uint64_t, class V = std::uint64_t>
concept KeyValueMap = requires(M& m, const K& k, const V& v) {
  m.put(k, v);
  { m.get(k) } -> std::same_as<std::optional<V>>;
  { m.erase(k) } -> std::same_as<bool>;
};

template <class S, class T = std::uint64_t>
concept Stack = requires(S& s, T v) {
  s.push(v);
  { s.pop() } -> std::same_as<std::optional<T>>;
};

// Go-like channel: send blocks while full and fails once closed; receive blocks and returns
// nullopt once closed and drained. As in Go, close() belongs to the sending side after its
// last send: every send that happens-before close() is delivered. A send racing with close()
// is a program error (Go panics): it may be refused, delivered, or, on the lock-free backends,
// accepted and never received.
template <class Ch, class T = std::uint64_t>
concept Channel = requires(Ch& ch, T v) {
  { ch.send(v) } -> std::same_as<bool>;
  { ch.try_send(v) } -> std::same_as<bool>;
  { ch.receive() } -> std::same_as<std::optional<T>>;
  { ch.try_receive() } -> std::same_as<std::optional<T>>;
  ch.close();
};

}  // namespace contend
