// The producers' backlog cap of the unbounded channels (benchmarks/backlog_cap.hpp): how often a
// producer checks, and that producers keeping to it never push the backlog past bound(), in a
// deterministic interleaving and with real threads.
#include "backlog_cap.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace contend::bench {
namespace {

TEST(BacklogCap, ChecksOftenEnoughToStayWithinHalfACapBeyondIt) {
  const BacklogCap small(2, 1, 64), large(3, 3, 8192), tiny(4, 4, 4);
  EXPECT_EQ(small.check_every(), 16u);
  EXPECT_EQ(small.bound(), 64u + 2 * 16);
  EXPECT_EQ(large.check_every(), 256u);  // at most 256 sends between two checks
  EXPECT_LE(large.bound(), 8192u * 3 / 2);
  EXPECT_EQ(tiny.check_every(), 1u);  // fewer items than producers: check before every send
  EXPECT_EQ(tiny.bound(), 4u + 4);
  EXPECT_TRUE(small.due(0));
  EXPECT_FALSE(small.due(1));
  EXPECT_TRUE(small.due(16));
}

TEST(BacklogCap, ProducersStopAtTheCapUntilConsumersCatchUp) {
  BacklogCap cap(3, 1, 64);
  std::vector<std::uint64_t> sent(3, 0);
  std::vector<bool> blocked(3, false);
  std::uint64_t received = 0, queued = 0, peak = 0;
  // Round robin, one send each, with no consumer: every producer ends up blocked at a check.
  auto run_producers = [&] {
    for (bool progress = true; progress;) {
      progress = false;
      for (int p = 0; p < 3; ++p) {
        auto& n = sent[static_cast<std::size_t>(p)];
        if (cap.due(n) && cap.over(p, n)) {
          blocked[static_cast<std::size_t>(p)] = true;
          continue;
        }
        blocked[static_cast<std::size_t>(p)] = false;
        ++n;
        ++queued;
        peak = std::max(peak, queued);
        progress = true;
      }
    }
  };
  run_producers();
  EXPECT_EQ(blocked, std::vector<bool>(3, true));
  EXPECT_GT(queued, cap.cap());  // it got there
  EXPECT_LE(peak, cap.bound());
  EXPECT_EQ(cap.backlog(), static_cast<std::int64_t>(queued));
  // The consumer takes 40: the producers move again, and stop again within the bound.
  received += 40;
  queued -= 40;
  cap.received(0, received);
  run_producers();
  EXPECT_LE(peak, cap.bound());
  EXPECT_GT(sent[0] + sent[1] + sent[2], cap.bound());
}

// Three producers and a slow consumer on a stand-in queue (a counter of queued items): the
// largest backlog any send saw stays within bound(). Without the cap it would reach every send.
TEST(BacklogCap, ThreadsKeepTheBacklogBounded) {
  constexpr int producers = 3;
  constexpr std::uint64_t per_producer = 20'000;
  BacklogCap cap(producers, 1, 64);
  std::atomic<std::int64_t> queued{0}, peak{0};
  std::atomic<int> done{0};
  std::vector<std::jthread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (std::uint64_t sent = 0; sent < per_producer; ++sent) {
        if (cap.due(sent)) {
          while (cap.over(p, sent)) std::this_thread::yield();
        }
        const std::int64_t now = queued.fetch_add(1) + 1;
        for (std::int64_t seen = peak.load(); now > seen && !peak.compare_exchange_weak(seen, now);) {
        }
      }
      cap.over(p, per_producer);  // publish the last sends
      done.fetch_add(1);
    });
  }
  threads.emplace_back([&] {
    std::uint64_t received = 0;
    while (received < producers * per_producer) {
      if (queued.load() > 0) {
        queued.fetch_sub(1);
        cap.received(0, ++received);
      } else {
        std::this_thread::yield();
      }
    }
  });
  threads.clear();  // join
  EXPECT_EQ(done.load(), producers);
  EXPECT_EQ(queued.load(), 0);
  EXPECT_LE(peak.load(), static_cast<std::int64_t>(cap.bound()));
  EXPECT_GE(peak.load(), 1);
}

}  // namespace
}  // namespace contend::bench
