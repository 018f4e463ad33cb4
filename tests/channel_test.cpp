// Every channel in ChannelTypes: each item sent is received exactly once, per-producer FIFO,
// close() wakes blocked receivers, send after close fails.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "contend/families.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

template <class Ch>
class TypedChannel : public ::testing::Test {};
TYPED_TEST_SUITE(TypedChannel, ToGTest<ChannelTypes>::type, ImplName);

TYPED_TEST(TypedChannel, SendAfterCloseFailsAndReceiveDrainsThenEnds) {
  TypeParam ch(16);
  ASSERT_TRUE(ch.send(1));
  ASSERT_TRUE(ch.try_send(2));
  ch.close();
  EXPECT_FALSE(ch.send(3));
  EXPECT_FALSE(ch.try_send(4));
  EXPECT_EQ(ch.receive(), std::optional<std::uint64_t>(1));
  EXPECT_EQ(ch.receive(), std::optional<std::uint64_t>(2));
  EXPECT_EQ(ch.receive(), std::nullopt);
  EXPECT_EQ(ch.try_receive(), std::nullopt);
}

TYPED_TEST(TypedChannel, CloseWakesABlockedReceiver) {
  TypeParam ch(16);
  std::atomic<bool> returned{false};
  std::optional<std::uint64_t> got = 99;
  std::thread receiver([&] {
    got = ch.receive();
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it block (not a timing assertion)
  EXPECT_FALSE(returned.load()) << "receive() returned from an empty open channel";
  ch.close();
  receiver.join();  // a hang here is the failure
  EXPECT_EQ(got, std::nullopt);
}

// n producers, m consumers; values encode (producer, sequence). Checks exactly-once delivery and,
// per consumer, that each producer's values arrive in increasing order (per-producer FIFO).
template <class Ch>
void exchange(std::size_t producers, std::size_t consumers, std::size_t capacity) {
  Ch ch(capacity);
  const std::size_t per_producer = scaled(20'000);
  constexpr std::uint64_t stride = 1ull << 32;
  std::vector<std::atomic<std::uint32_t>> seen(producers * per_producer);
  std::atomic<std::size_t> producers_left{producers};
  run_together(producers + consumers, [&](std::size_t t) {
    if (t < producers) {
      for (std::size_t i = 0; i < per_producer; ++i) ASSERT_TRUE(ch.send(t * stride + i));
      if (producers_left.fetch_sub(1) == 1) ch.close();  // the last sender closes, as in Go
      return;
    }
    std::vector<std::int64_t> last(producers, -1);
    while (std::optional<std::uint64_t> v = ch.receive()) {
      const std::size_t p = *v / stride, i = *v % stride;
      ASSERT_LT(p, producers);
      ASSERT_LT(i, per_producer);
      ASSERT_GT(static_cast<std::int64_t>(i), last[p]) << "producer " << p << " reordered";
      last[p] = static_cast<std::int64_t>(i);
      seen[p * per_producer + i].fetch_add(1, std::memory_order_relaxed);
    }
  });
  std::size_t lost = 0, duplicated = 0;
  for (const auto& s : seen) {
    lost += s.load() == 0;
    duplicated += s.load() > 1;
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
}

TYPED_TEST(TypedChannel, SpscEveryItemOnceInOrder) { exchange<TypeParam>(1, 1, 64); }

TYPED_TEST(TypedChannel, MpmcEveryItemOncePerProducerFifo) {
  if constexpr (!is_multi_producer<TypeParam>) {
    GTEST_SKIP() << TypeParam::name << " is single-producer, single-consumer";
  } else {
    const std::size_t half = stress_threads() / 2;
    exchange<TypeParam>(half, half, 64);
  }
}

TYPED_TEST(TypedChannel, MpscThroughATinyBufferEveryItemOnce) {
  if constexpr (!is_multi_producer<TypeParam>) {
    GTEST_SKIP() << TypeParam::name << " is single-producer, single-consumer";
  } else {
    exchange<TypeParam>(stress_threads() - 1, 1, 1);
  }
}

}  // namespace
}  // namespace contend::test
