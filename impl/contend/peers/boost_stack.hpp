// Promises (Boost.Lockfree): linearizable LIFO; lock-free while its freelist has nodes; never frees a node.
// BoostStack: adapter over boost::lockfree::stack. Boost avoids ABA with tagged pointers and
// never frees a node while the stack lives: popped nodes go to a freelist and are reused (that
// freelist reads a node's next field racily by design; tests/tsan.supp names it).
// Progress: lock-free while the freelist has nodes; push() allocates (and may lock inside the
// allocator) once the initial reserve is used up. Thread-safe: push, pop.
#pragma once

#include <boost/lockfree/stack.hpp>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string_view>

namespace contend {

template <class T = std::uint64_t>
class BoostStack {
 public:
  static constexpr std::string_view name = "boost";

  explicit BoostStack(std::size_t reserve = 1024) : stack_(reserve) {}

  void push(T value) {
    if (!stack_.push(value)) throw std::bad_alloc();  // push fails only when allocation does
  }

  std::optional<T> pop() {
    T value;
    if (stack_.pop(value)) return value;
    return std::nullopt;
  }

 private:
  boost::lockfree::stack<T> stack_;
};

}  // namespace contend
