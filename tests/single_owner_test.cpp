// The single-owner designs (ChannelCounter, ChannelMap): requests in flight at close or
// destruction are all answered, nothing hangs, and asynchronous writes are seen by any later
// read that happens-after them, whichever thread sent them.
#include "contend/single_owner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "contend/channel_counter.hpp"
#include "contend/channel_map.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

TEST(ChannelMap, AsyncWritesFromManyThreadsAreAllAppliedBeforeALaterGet) {
  ChannelMap<> map;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(10'000);
  run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < per_thread; ++i) map.put_async(t * per_thread + i, t);
  });
  // These gets come from another thread than the puts: moodycamel alone would not order them.
  for (std::uint64_t key = 0; key < threads * per_thread; ++key) {
    ASSERT_EQ(map.get(key), std::optional<std::uint64_t>(key / per_thread)) << "key " << key;
  }
}

// A State that tallies into memory outliving the owner, so the effect of destruction is visible.
struct Tally {
  struct Request {
    RequestKind kind;
  };
  std::uint64_t* applied;
  explicit Tally(std::uint64_t* out) : applied(out) {}
  void apply(Request&) { ++*applied; }
  void answer(Request&) {}
};

TEST(SingleOwner, DestructionWithAsyncRequestsInFlightAppliesThemAll) {
  for (int round = 0; round < 10; ++round) {
    std::uint64_t applied = 0;  // written by the owner thread only; read after its join
    const std::size_t threads = stress_threads(), per_thread = scaled(5'000);
    {
      SingleOwner<Tally, Tally::Request> owner(&applied);
      run_together(threads, [&](std::size_t) {
        for (std::size_t i = 0; i < per_thread; ++i) ASSERT_TRUE(owner.send({RequestKind::write}));
      });
    }  // destruction right after the senders finish: most requests are still queued
    ASSERT_EQ(applied, threads * per_thread) << "round " << round;
  }
}

TEST(ChannelMap, GetSeesAnAsyncWriteFromAnotherThreadThatHappenedBeforeIt) {
  // A writer sends put_async(key, i) and then publishes i; a reader that has seen i published
  // (so the put happens-before its get) must read a value of at least i. A single writer keeps
  // its own writes in order, so the value only grows.
  ChannelMap<> map;
  map.put(0, 0);
  std::atomic<std::uint64_t> published{0};
  const std::uint64_t writes = scaled(50'000);
  run_together(3, [&](std::size_t t) {
    if (t == 0) {
      for (std::uint64_t i = 1; i <= writes; ++i) {
        map.put_async(0, i);
        published.store(i, std::memory_order_release);
      }
      return;
    }
    for (std::uint64_t seen = 0; seen < writes;) {
      seen = published.load(std::memory_order_acquire);
      const std::optional<std::uint64_t> v = map.get(0);
      ASSERT_TRUE(v.has_value());
      ASSERT_GE(*v, seen) << "a get missed a put that happened before it";
    }
  });
}

TEST(ChannelCounter, ReadSeesEveryIncrementThatHappenedBeforeIt) {
  ChannelCounter counter;
  std::atomic<std::uint64_t> published{0};
  const std::uint64_t increments = scaled(50'000);
  run_together(3, [&](std::size_t t) {
    if (t == 0) {
      for (std::uint64_t i = 1; i <= increments; ++i) {
        counter.increment();
        published.store(i, std::memory_order_release);
      }
      return;
    }
    for (std::uint64_t seen = 0; seen < increments;) {
      seen = published.load(std::memory_order_acquire);
      ASSERT_GE(counter.read(), seen) << "a read missed increments that happened before it";
    }
  });
}

TEST(ChannelCounter, ReadAfterIncrementsFromOtherThreadsSeesThemAll) {
  ChannelCounter counter;
  const std::size_t threads = stress_threads();
  const std::size_t per_thread = scaled(20'000);
  run_together(threads, [&](std::size_t) {
    for (std::size_t i = 0; i < per_thread; ++i) counter.increment();
  });
  EXPECT_EQ(counter.read(), threads * per_thread);
}

TEST(SingleOwner, CloseWhileClientsWaitAnswersEveryRequestAndRefusesLaterOnes) {
  ChannelMap<> map;
  ChannelCounter counter;
  const std::size_t clients = stress_threads();
  std::atomic<std::size_t> answered{0}, refused{0};
  run_together(clients + 1, [&](std::size_t t) {
    if (t == clients) {  // closes both while the clients are busy
      while (answered.load() < clients * 10) std::this_thread::yield();
      map.close();
      counter.close();
      return;
    }
    for (std::size_t i = 0;; ++i) {
      try {
        map.put(t, i);
        ASSERT_EQ(map.get(t), std::optional<std::uint64_t>(i));
        counter.increment();
        counter.read();
        answered.fetch_add(1);
      } catch (const closed_error&) {
        refused.fetch_add(1);
        return;  // every client ends here: none is left waiting on a reply
      }
    }
  });
  EXPECT_EQ(refused.load(), clients);
  EXPECT_THROW(map.get(0), closed_error);
  EXPECT_THROW(counter.read(), closed_error);
}

TEST(SingleOwner, DestructionRightAfterAsyncIncrementsDoesNotHang) {
  for (int round = 0; round < 20; ++round) {
    auto counter = std::make_unique<ChannelCounter>();
    run_together(4, [&](std::size_t) {
      for (int i = 0; i < 1000; ++i) counter->increment();
    });
    counter.reset();  // the owner drains 4000 increments and exits; a hang fails by timeout
  }
}

}  // namespace
}  // namespace contend::test
