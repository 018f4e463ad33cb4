// Every channel in ChannelTypes: each item sent is received exactly once, per-producer FIFO,
// close() wakes blocked receivers, send after close fails, an idle blocking receiver is asleep;
// SpscRing holds exactly its capacity.
#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "contend/spsc_ring.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

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

// 3: not a power of two (SpscRing rounds its slots up, not its capacity), and full most of the time.
TYPED_TEST(TypedChannel, SpscThroughATinyBufferEveryItemOnceInOrder) { exchange<TypeParam>(1, 1, 3); }

// A state, not a timing target: a receiver asleep uses next to no CPU however busy the machine is
// (a busy machine only lowers its share), while one that spins uses nearly all of its wall time.
// The bound is generous (half the window) so that wake-ups and the brief spin never matter.
TYPED_TEST(TypedChannel, IdleBlockingReceiverIsAsleep) {
  if constexpr (!blocking_of<TypeParam>) {
    GTEST_SKIP() << TypeParam::name << " spins by design";
  } else {
    TypeParam ch(16);
    std::int64_t cpu_ns = 0, wall_ns = 0;
    std::optional<std::uint64_t> got;
    std::thread receiver([&] {
      const auto wall_start = std::chrono::steady_clock::now();
      const std::int64_t cpu_start = thread_cpu_ns();
      got = ch.receive();
      cpu_ns = thread_cpu_ns() - cpu_start;
      wall_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall_start)
              .count();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(ch.send(7));
    ch.close();
    receiver.join();
    EXPECT_EQ(got, std::optional<std::uint64_t>(7));
    EXPECT_LT(cpu_ns, wall_ns / 2) << "an idle receiver used " << cpu_ns << " ns of CPU in " << wall_ns
                                   << " ns";
  }
}

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

TEST(SpscRing, HoldsExactlyItsCapacity) {
  SpscRing<> ring(3);
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.try_send(i));
  EXPECT_FALSE(ring.try_send(3)) << "a ring of capacity 3 took a 4th item";
  EXPECT_EQ(ring.try_receive(), std::optional<std::uint64_t>(0));
  EXPECT_TRUE(ring.try_send(3));
  EXPECT_FALSE(ring.try_send(4));
  for (std::uint64_t i = 1; i < 4; ++i) EXPECT_EQ(ring.try_receive(), std::optional<std::uint64_t>(i));
  EXPECT_EQ(ring.try_receive(), std::nullopt);
}

}  // namespace
}  // namespace contend::test
