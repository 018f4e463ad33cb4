// Every sleep of the library and its wake-up (docs/design-notes.md#lost-wake-up): WakeWord
// (contend/futex.hpp: the baseline's futex ping-pong and the harness's barrier), the Doorbell of
// the single owner and the delegation server (client_slots.hpp), and the combining stack's lock
// word (combining_stack.hpp). Each runs its sleeping path many times against its waker, bounded by
// within(): a lost wake-up fails the test with its name instead of hanging it. A lost wake-up is a
// race, so a pass is evidence, not proof; the proof is the ordering argument beside each wake.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "contend/client_slots.hpp"
#include "contend/combining_stack.hpp"
#include "contend/futex.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

TEST(Futex, WaitReturnsAtOnceWhenTheWordDiffers) {
  std::atomic<std::uint32_t> word{7};
  within(std::chrono::seconds(10), "futex_wait slept on a word that did not hold the expected value",
         [&] { futex_wait(word, 8); });
}

// Two threads hand a WakeWord back and forth, each sleeping as soon as the ball is not there (no
// spin), as baseline/pingpong/futex does: every hand-off goes through the sleep and the wake.
TEST(WakeWord, APingPongThatSleepsOnEveryHandOffLosesNoWakeUp) {
  const std::uint32_t rounds = static_cast<std::uint32_t>(scaled(20'000));
  within(std::chrono::seconds(120), "both sides of the WakeWord ping-pong asleep: a lost wake-up", [&] {
    WakeWord word;
    std::thread answerer([&] {
      for (std::uint32_t mine = 0;;) {
        const std::uint32_t seen = word.wait_while(mine);
        if (seen == UINT32_MAX) return;
        word.store_and_wake_one(mine = seen + 1);
      }
    });
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < rounds; ++i) {
      word.store_and_wake_one(n + 1);
      n = word.wait_while(n + 1);
      ASSERT_EQ(n, 2 * (i + 1)) << "the answerer answers every ball once";
    }
    word.store_and_wake_one(UINT32_MAX);
    answerer.join();
  });
}

// Many threads asleep on one word, one store and wake_all: every round, every waiter wakes.
TEST(WakeWord, WakeAllWakesEveryWaiterEveryRound) {
  const std::size_t waiters = stress_threads();
  const std::uint32_t rounds = static_cast<std::uint32_t>(scaled(2'000));
  within(std::chrono::seconds(120), "a waiter of WakeWord::wake_all slept through its round", [&] {
    WakeWord phase;
    std::atomic<std::size_t> woken{0};
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < waiters; ++t) {
      pool.emplace_back([&] {
        for (std::uint32_t r = 0; r < rounds; ++r) {
          EXPECT_EQ(phase.wait_while(r), r + 1);
          woken.fetch_add(1, std::memory_order_acq_rel);  // acq_rel: the main thread counts us in
        }
      });
    }
    for (std::uint32_t r = 0; r < rounds; ++r) {
      phase.store_and_wake_all(r + 1);
      // The next round starts once every waiter has seen this one, so each sees every value.
      while (woken.load(std::memory_order_acquire) < (r + 1) * waiters) std::this_thread::yield();
    }
  });
}

// The Doorbell's server sleeps whenever it finds no request; clients ring after each one. Rounds
// of one request each, so the server falls asleep between most of them.
TEST(WakeUp, TheDoorbellsServerIsWokenForEveryRequest) {
  struct Slot {
    std::atomic<std::uint64_t> published{0};
    std::atomic<std::uint64_t> served{0};
  };
  const std::uint64_t requests = scaled(20'000);
  within(std::chrono::seconds(120), "the Doorbell's server slept through a request", [&] {
    Slot slot;
    Doorbell bell;
    std::atomic<bool> stop{false};
    std::thread server([&] {
      std::uint64_t done = 0;
      // seq_cst: the Doorbell's rule (its class comment): the last look reads with seq_cst.
      auto has_work = [&] {
        return slot.published.load(std::memory_order_seq_cst) > done || stop.load(std::memory_order_seq_cst);
      };
      while (!stop.load(std::memory_order_seq_cst)) {
        const std::uint64_t p = slot.published.load(std::memory_order_seq_cst);
        if (p > done) {
          done = p;
          slot.served.store(p, std::memory_order_release);  // release: the client waits on it
        } else {
          bell.sleep_unless(has_work);
        }
      }
    });
    for (std::uint64_t i = 1; i <= requests; ++i) {
      slot.published.store(i, std::memory_order_seq_cst);  // seq_cst: the Doorbell's rule
      bell.ring();
      while (slot.served.load(std::memory_order_acquire) < i) std::this_thread::yield();
    }
    stop.store(true, std::memory_order_seq_cst);
    bell.wake();
    server.join();
  });
}

// A value whose move, when asked to, announces that it started and then takes 20 ms: the
// combiner moving it holds the lock that long, far longer than a waiter's spins and yields.
struct Slow {
  static std::atomic<std::uint32_t>& moving() {
    static std::atomic<std::uint32_t> m{0};
    return m;
  }
  std::uint64_t value = 0;
  bool slow = false;
  Slow() = default;
  Slow(std::uint64_t v, bool s) : value(v), slow(s) {}
  Slow(Slow&& o) noexcept : value(o.value), slow(o.slow) {
    if (slow) {
      slow = false;  // once: a later move (the vector growing, the pop) is quick
      moving().fetch_add(1, std::memory_order_release);  // release: the waiters start after it
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  Slow& operator=(Slow&& o) noexcept {
    value = o.value;
    slow = o.slow;
    return *this;
  }
};

// Each round: one thread's push holds the combiner lock for 20 ms (its value's move); the others
// publish their pushes meanwhile, spin, yield and fall asleep on the lock word; its unlock must
// wake them all. Every value pushed is popped exactly once.
TEST(WakeUp, CombiningStackWaitersAsleepOnTheLockWordAreWoken) {
  const std::size_t threads = stress_threads();
  const std::uint32_t rounds = static_cast<std::uint32_t>(scaled(20));
  within(std::chrono::seconds(240), "a combining stack waiter slept on the lock word forever", [&] {
    CombiningStack<Slow> stack;
    std::vector<std::atomic<std::uint32_t>> seen(rounds * threads);
    for (std::uint32_t r = 0; r < rounds; ++r) {
      run_together(threads, [&](std::size_t t) {
        if (t == 0) {
          stack.push(Slow{r * threads, true});
          return;
        }
        while (Slow::moving().load(std::memory_order_acquire) <= r) std::this_thread::yield();
        stack.push(Slow{r * threads + t, false});  // the lock is held: this one sleeps
      });
    }
    while (std::optional<Slow> v = stack.pop()) seen[v->value].fetch_add(1, std::memory_order_relaxed);
    for (std::size_t v = 0; v < seen.size(); ++v) ASSERT_EQ(seen[v].load(), 1u) << "value " << v;
  });
}

}  // namespace
}  // namespace contend::test
