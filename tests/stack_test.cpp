// Every stack in StackTypes: LIFO alone, and under concurrent push/pop every value pushed is
// popped exactly once (nothing lost, nothing duplicated). Then EliminationStack's exchange array
// on its own.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <optional>
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

}  // namespace
}  // namespace contend::test
