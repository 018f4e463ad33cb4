// Every stack in StackTypes: LIFO alone, and under concurrent push/pop every value pushed is
// popped exactly once (nothing lost, nothing duplicated). Then EliminationStack's exchange array
// on its own, CombiningStack when a push throws inside the combiner, and CombiningStack and
// MutexStack when a copy of a popped value throws.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "contend/families.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

template <class S>
class TypedStack : public ::testing::Test {};
TYPED_TEST_SUITE(TypedStack, ToGTest<StackTypes>::type, ImplName);

TYPED_TEST(TypedStack, SingleThreadedLifo) {
  TypeParam stack;
  EXPECT_EQ(stack.pop(), std::nullopt);
  for (std::uint64_t v = 1; v <= 100; ++v) stack.push(v);
  for (std::uint64_t v = 100; v >= 1; --v) ASSERT_EQ(stack.pop(), std::optional<std::uint64_t>(v));
  EXPECT_EQ(stack.pop(), std::nullopt);
}

// Values encode (thread, sequence) so each is unique; seen[] counts how often each is popped.
void expect_each_popped_once(const std::vector<std::atomic<std::uint32_t>>& seen) {
  std::size_t lost = 0, duplicated = 0;
  for (const auto& s : seen) {
    lost += s.load() == 0;
    duplicated += s.load() > 1;
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
}

TYPED_TEST(TypedStack, ConcurrentPushPopPairsPopEveryValueOnce) {
  TypeParam stack;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(20'000);
  std::vector<std::atomic<std::uint32_t>> seen(threads * per_thread);
  run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < per_thread; ++i) {
      stack.push(t * per_thread + i);
      // Something is always there to pop: this thread just pushed and pops at most as many.
      std::optional<std::uint64_t> v = stack.pop();
      ASSERT_TRUE(v.has_value());
      ASSERT_LT(*v, seen.size());
      seen[*v].fetch_add(1, std::memory_order_relaxed);
    }
  });
  EXPECT_EQ(stack.pop(), std::nullopt);
  expect_each_popped_once(seen);
}

TYPED_TEST(TypedStack, ProducersAndConsumersPopEveryValueOnce) {
  TypeParam stack;
  const std::size_t producers = stress_threads() / 2, consumers = stress_threads() / 2;
  const std::size_t per_producer = scaled(20'000);
  const std::size_t total = producers * per_producer;
  std::vector<std::atomic<std::uint32_t>> seen(total);
  std::atomic<std::size_t> popped{0};
  run_together(producers + consumers, [&](std::size_t t) {
    if (t < producers) {
      for (std::size_t i = 0; i < per_producer; ++i) stack.push(t * per_producer + i);
      return;
    }
    while (popped.load(std::memory_order_relaxed) < total) {
      if (std::optional<std::uint64_t> v = stack.pop()) {
        ASSERT_LT(*v, total);
        seen[*v].fetch_add(1, std::memory_order_relaxed);
        popped.fetch_add(1, std::memory_order_relaxed);
      } else {
        std::this_thread::yield();
      }
    }
  });
  EXPECT_EQ(popped.load(), total);
  EXPECT_EQ(stack.pop(), std::nullopt);
  expect_each_popped_once(seen);
}

TYPED_TEST(TypedStack, DestroyedWhileHoldingValuesLeaksNothing) {
  // AddressSanitizer's leak check fails this test if the destructor leaks nodes.
  TypeParam stack;
  for (std::uint64_t v = 0; v < 1000; ++v) stack.push(v);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(stack.pop().has_value());
}

}  // namespace
}  // namespace contend::test

namespace contend::test {
namespace {

// The elimination array alone: a pusher offers nodes until each is taken, a popper takes until it
// has them all; every node crosses exactly once, with its value, and both sides count it.
TEST(EliminationArray, EveryOfferedNodeIsTakenOnceWithItsValue) {
  using Node = detail::StackNode<std::uint64_t>;
  detail::EliminationArray<Node> array;
  const std::size_t n = scaled(2'000);
  std::vector<std::atomic<std::uint32_t>> seen(n);
  run_together(2, [&](std::size_t t) {
    if (t == 0) {
      for (std::uint64_t i = 0; i < n; ++i) {
        Node* node = new Node{i, nullptr};
        while (!array.after_failed_push(node)) std::this_thread::yield();  // false: still ours
      }
      return;
    }
    for (std::size_t got = 0; got < n;) {
      if (Node* node = array.after_failed_pop()) {
        ASSERT_LT(node->value, n);
        seen[node->value].fetch_add(1, std::memory_order_relaxed);
        delete node;
        ++got;
      }
    }
  });
  expect_each_popped_once(seen);
  EXPECT_EQ(array.eliminated(), 2 * n);  // one push and one pop per node
}

// A value whose move constructor throws when it is poisoned: the combiner's items_.push_back
// moves it, so a poisoned push throws inside combine(), on whichever thread combines. Its move
// assignment never throws: push() moves its argument into its record with it.
struct Fragile {
  std::uint64_t value = 0;
  bool poisoned = false;
  Fragile() = default;
  Fragile(std::uint64_t v, bool p) : value(v), poisoned(p) {}
  Fragile(Fragile&& o) : value(o.value), poisoned(o.poisoned) {
    if (o.poisoned) throw std::runtime_error("poisoned value moved");
  }
  Fragile& operator=(Fragile&& o) noexcept {
    value = o.value;
    poisoned = o.poisoned;
    return *this;
  }
};

TEST(CombiningStack, AThrowingPushReachesItsCallerAndReleasesTheLock) {
  within(std::chrono::seconds(60), "a push after a throwing one waited for the combiner lock forever", [] {
    CombiningStack<Fragile> stack;
    stack.push(Fragile{1, false});
    EXPECT_THROW(stack.push(Fragile{2, true}), std::runtime_error);
    stack.push(Fragile{3, false});
    std::optional<Fragile> top = stack.pop();
    ASSERT_TRUE(top.has_value());
    EXPECT_EQ(top->value, 3u);
    top = stack.pop();
    ASSERT_TRUE(top.has_value());
    EXPECT_EQ(top->value, 1u) << "the failed push left nothing behind";
    EXPECT_FALSE(stack.pop().has_value());
  });
}

// Every thread pushes values of its own, every fifth poisoned: each thread gets exactly the
// exceptions of its own poisoned pushes (whoever combined them), nobody is left waiting on the
// lock, and the stack holds exactly the values whose push returned.
TEST(CombiningStack, EachThrowingPushReachesItsOwnCallerWhoeverCombines) {
  within(std::chrono::seconds(240), "threads waited for the combiner lock forever", [] {
    CombiningStack<Fragile> stack;
    const std::size_t threads = stress_threads(), per_thread = scaled(20'000);
    std::vector<std::size_t> thrown(threads, 0);
    run_together(threads, [&](std::size_t t) {
      for (std::size_t i = 0; i < per_thread; ++i) {
        try {
          stack.push(Fragile{t * per_thread + i, i % 5 == 0});
        } catch (const std::runtime_error&) {
          ++thrown[t];
        }
      }
    });
    const std::size_t poisoned = (per_thread + 4) / 5;
    for (std::size_t t = 0; t < threads; ++t) EXPECT_EQ(thrown[t], poisoned) << "thread " << t;
    std::vector<std::atomic<std::uint32_t>> seen(threads * per_thread);
    std::size_t popped = 0;
    while (std::optional<Fragile> v = stack.pop()) {
      ASSERT_LT(v->value, seen.size());
      ASSERT_NE(v->value % per_thread % 5, 0u) << "a poisoned value was pushed";
      seen[v->value].fetch_add(1, std::memory_order_relaxed);
      ++popped;
    }
    EXPECT_EQ(popped, threads * (per_thread - poisoned));
    for (std::size_t v = 0; v < seen.size(); ++v) {
      ASSERT_EQ(seen[v].load(), v % per_thread % 5 == 0 ? 0u : 1u) << "value " << v;
    }
  });
}

// A value whose copies and moves (constructions and assignments) throw on demand, leaving their
// source as it was: fail_in(n) makes the n-th of them from now throw (once), fail_one_in(8) one
// in 8 of them, picked by a hash of their count (a fixed period locks onto the same copy of
// every round), 0: none. The combiner may be another thread, so the counts are shared.
struct Brittle {
  static inline std::atomic<std::uint64_t> countdown{0}, one_in{0}, copies{0};
  static void fail_in(std::uint64_t n) { countdown.store(n); }
  static bool fired() { return countdown.load() == 0; }
  static void fail_one_in(std::uint64_t k) { one_in.store(k); }
  static void copied() {
    if (countdown.load() != 0 && countdown.fetch_sub(1) == 1) throw std::runtime_error("brittle value copied");
    const std::uint64_t k = one_in.load();
    if (k != 0 && (copies.fetch_add(1) * 0x9e3779b97f4a7c15u >> 32) % k == 0) {
      throw std::runtime_error("brittle value copied");
    }
  }

  std::uint64_t value = 0;
  Brittle() = default;
  explicit Brittle(std::uint64_t v) : value(v) {}
  Brittle(const Brittle& o) : value(o.value) { copied(); }
  Brittle(Brittle&& o) : value(o.value) { copied(); }
  Brittle& operator=(const Brittle& o) {
    copied();
    value = o.value;
    return *this;
  }
  Brittle& operator=(Brittle&& o) {
    copied();
    value = o.value;
    return *this;
  }
};

// Whichever copy or move of the top value throws, pop keeps it: the stack still holds it (the
// failed pop threw), or pop returned it. The n-th copy is made to fail for n = 1, 2, ... until a
// pop makes fewer than n.
template <class S>
void expect_pop_keeps_the_value_whichever_copy_throws() {
  for (std::uint64_t n = 1;; ++n) {
    S stack;
    stack.push(Brittle{1});
    stack.push(Brittle{2});
    Brittle::fail_in(n);
    std::uint64_t expect_next = 1;
    try {
      const std::optional<Brittle> top = stack.pop();  // a prvalue: no copy of ours
      ASSERT_TRUE(top.has_value());
      EXPECT_EQ(top->value, 2u) << "copy " << n << " failing";
    } catch (const std::runtime_error&) {
      expect_next = 2;
    }
    const bool fired = Brittle::fired();
    Brittle::fail_in(0);
    for (; expect_next >= 1; --expect_next) {
      const std::optional<Brittle> v = stack.pop();
      ASSERT_TRUE(v.has_value()) << "copy " << n << " failing lost value " << expect_next;
      EXPECT_EQ(v->value, expect_next) << "copy " << n << " failing";
    }
    EXPECT_FALSE(stack.pop().has_value());
    if (!fired) break;
  }
}

TEST(CombiningStack, APopWhoseCopyOfTheValueThrowsLeavesItOnTheStack) {
  expect_pop_keeps_the_value_whichever_copy_throws<CombiningStack<Brittle>>();
}

TEST(MutexStack, APopWhoseCopyOfTheValueThrowsLeavesItOnTheStack) {
  expect_pop_keeps_the_value_whichever_copy_throws<MutexStack<Brittle>>();
}

// CachedNodes (the cached Treiber stack's allocator): a node whose constructor throws (a push
// whose copy of the value throws) gives its block back, so that the cache does not lose a block,
// nor the heap leak one, per failed push.
TEST(CachedNodes, ANodeWhoseConstructorThrowsGivesItsBlockBack) {
  struct Node {
    explicit Node(bool fail) {
      if (fail) throw std::runtime_error("node constructor");
    }
    std::uint64_t payload[4] = {};
  };
  std::thread([] {  // a thread of its own: its cache starts empty
    Node* first = CachedNodes::make<Node>(false);
    CachedNodes::free(first);  // its block is now the cache's only one
    EXPECT_THROW(CachedNodes::make<Node>(true), std::runtime_error);
    Node* again = CachedNodes::make<Node>(false);
    EXPECT_EQ(again, first) << "the block the throwing make took was not given back";
    CachedNodes::free(again);
  }).join();
}

// The same with threads, so that a pop is often served by another thread's combiner: every value
// whose push returned is popped exactly once (by a pop that returned it, or by the drain after),
// whatever copies failed on the way; a value whose push threw is never popped.
TEST(CombiningStack, PopsAndPushesWhoseCopiesThrowLoseNothingWhoeverCombines) {
  within(std::chrono::seconds(240), "threads waited for the combiner lock forever", [] {
    CombiningStack<Brittle> stack;
    const std::size_t threads = stress_threads(), per_thread = scaled(10'000);
    std::vector<std::atomic<std::uint32_t>> pushed(threads * per_thread), popped(threads * per_thread);
    auto count_pop = [&](const std::optional<Brittle>& v) {
      ASSERT_TRUE(v.has_value());
      ASSERT_LT(v->value, popped.size());
      popped[v->value].fetch_add(1, std::memory_order_relaxed);
    };
    Brittle::fail_one_in(8);
    run_together(threads, [&](std::size_t t) {
      for (std::size_t i = 0; i < per_thread; ++i) {
        const std::uint64_t v = t * per_thread + i;
        try {
          stack.push(Brittle{v});
          pushed[v].store(1, std::memory_order_relaxed);
        } catch (const std::runtime_error&) {
        }
        try {
          if (std::optional<Brittle> got = stack.pop()) count_pop(got);
        } catch (const std::runtime_error&) {
        }
      }
    });
    Brittle::fail_one_in(0);
    while (std::optional<Brittle> v = stack.pop()) count_pop(v);
    expect_pushed_popped_once(pushed, popped);
  });
}

}  // namespace
}  // namespace contend::test
