// The single-owner designs (ChannelCounter, ChannelMap): requests in flight at close or
// destruction are all answered, nothing hangs, asynchronous writes are seen by any later read
// that happens-after them, whichever thread sent them, and with writers flooding the owner a
// query still waits at most one sweep (counted in requests) and the requests in flight stay
// within clients x capacity. A State that throws: the error reaches the client that sent the
// request, the owner goes on, and a call refused after close() still reports an earlier failed
// send. A query given to send() is refused.
#include "contend/single_owner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

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

// More writers than cores, so that they outpace the owner (the measurement used 4x).
std::size_t flooding_writers() { return 4 * std::max(1u, std::thread::hardware_concurrency()); }

// A State that checks the bounds from the owner's side. Writers bump `sent` after each send
// returns; the owner compares it with what it has applied. Results go to memory outliving the
// owner, written by the owner thread only and read after its join.
struct Flood {
  struct Request {
    RequestKind kind;
    std::uint64_t* applied;  // query: the writes applied when answered
  };
  struct Seen {
    std::uint64_t applied = 0, max_pending = 0;
  };
  const std::atomic<std::uint64_t>* sent;
  Seen* seen;
  Flood(const std::atomic<std::uint64_t>* s, Seen* out) : sent(s), seen(out) {}
  void apply(Request&) {
    ++seen->applied;
    // relaxed: a writer bumps `sent` only after the owner freed room for that request, so the
    // count exceeds what this thread has applied by at most one ring per writer in any case.
    const std::uint64_t s = sent->load(std::memory_order_relaxed);
    if (s > seen->applied) seen->max_pending = std::max(seen->max_pending, s - seen->applied);
  }
  void answer(Request& r) { *r.applied = seen->applied; }
};

TEST(SingleOwner, FloodingWritersNeitherDelayAQueryPastOneSweepNorRunAheadOfTheOwner) {
  constexpr std::size_t capacity = 16;  // small, so that every writer's ring fills up often
  const std::size_t writers = flooding_writers();
  const std::uint64_t per_writer = scaled(10'000);
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::size_t> writing{writers};
  Flood::Seen seen;
  OwnerStats stats;
  std::uint64_t queries = 0;
  {
    SingleOwner<Flood, Flood::Request, capacity> owner(&sent, &seen);
    run_together(writers + 1, [&](std::size_t t) {
      if (t < writers) {
        for (std::uint64_t i = 0; i < per_writer; ++i) {
          ASSERT_TRUE(owner.send({RequestKind::write, nullptr}));
          sent.fetch_add(1, std::memory_order_release);  // release: the reader's acquire orders this send before its query
        }
        writing.fetch_sub(1);
        return;
      }
      do {
        // acquire: every send counted here happens-before the query below.
        const std::uint64_t before = sent.load(std::memory_order_acquire);
        std::uint64_t applied = 0;
        ASSERT_TRUE(owner.call({RequestKind::query, &applied}));
        ASSERT_GE(applied, before) << "a query missed writes that happened before it";
        ++queries;
      } while (writing.load() != 0);
    });
    stats = owner.stats();
  }
  EXPECT_EQ(seen.applied, writers * per_writer);
  // In flight (sent, not applied): at most one ring per writer.
  EXPECT_LE(seen.max_pending, writers * capacity);
  // The reader's query waited at most one visit to every other slot: (slots - 1) x capacity
  // writes, within the reported bound of slots x capacity (a writer that finished early may have
  // left its slot to a later thread, so there may be fewer slots than threads).
  EXPECT_LE(stats.query_wait_bound, (writers + 1) * capacity);
  EXPECT_LE(stats.query_wait_max, stats.query_wait_bound - capacity);
  EXPECT_EQ(stats.sends, writers * per_writer + queries);
  EXPECT_LE(stats.wakeups, stats.sends);
}

TEST(ChannelMap, FloodingAsyncWritersStillLetAGetSeeWhatHappenedBeforeItWithinTheBound) {
  ChannelMap<> map;
  const std::size_t writers = flooding_writers();
  const std::uint64_t per_writer = scaled(10'000);
  std::vector<std::atomic<std::uint64_t>> published(writers);
  std::atomic<std::size_t> writing{writers};
  std::uint64_t gets = 0;
  run_together(writers + 1, [&](std::size_t t) {
    if (t < writers) {
      for (std::uint64_t i = 1; i <= per_writer; ++i) {
        map.put_async(t, i);
        published[t].store(i, std::memory_order_release);  // release: the put happens-before a get that sees i
      }
      writing.fetch_sub(1);
      return;
    }
    for (std::size_t w = 0; writing.load() != 0; w = (w + 1) % writers, ++gets) {
      const std::uint64_t seen = published[w].load(std::memory_order_acquire);
      const std::optional<std::uint64_t> v = map.get(w);
      ASSERT_GE(v.value_or(0), seen) << "a get missed writer " << w << "'s put that happened before it";
    }
  });
  const OwnerStats stats = map.stats();
  EXPECT_LE(stats.query_wait_max, stats.query_wait_bound);
  EXPECT_EQ(stats.sends, writers * per_writer + gets);
  for (std::uint64_t w = 0; w < writers; ++w) EXPECT_EQ(map.get(w), std::optional<std::uint64_t>(per_writer));
}

// A State whose first write blocks until the test opens the gate: with the owner stuck, every
// writer can send exactly one ring's worth and no more.
struct Gated {
  struct Request {
    RequestKind kind;
  };
  const std::atomic<bool>* open;
  std::uint64_t* applied;
  Gated(const std::atomic<bool>* o, std::uint64_t* out) : open(o), applied(out) {}
  void apply(Request&) {
    while (!open->load(std::memory_order_acquire)) std::this_thread::yield();  // acquire: pairs with the test's store
    ++*applied;
  }
  void answer(Request&) {}
};

TEST(SingleOwner, AFullRingHoldsItsWriterBackUntilTheOwnerFreesRoom) {
  constexpr std::size_t capacity = 8;
  const std::size_t writers = 4;
  const std::uint64_t per_writer = 3 * capacity;
  std::atomic<bool> open{false};
  std::atomic<std::uint64_t> sent{0};
  std::uint64_t applied = 0;  // owner-only; read after its join
  {
    SingleOwner<Gated, Gated::Request, capacity> owner(&open, &applied);
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < writers; ++t) {
      threads.emplace_back([&] {
        for (std::uint64_t i = 0; i < per_writer; ++i) {
          ASSERT_TRUE(owner.send({RequestKind::write}));
          sent.fetch_add(1);
        }
      });
    }
    // The owner applies nothing while the gate is shut, so the writers stop at a ring each.
    while (sent.load() < writers * capacity) std::this_thread::yield();
    for (int i = 0; i < 1000; ++i) std::this_thread::yield();  // time to overrun, if they could
    EXPECT_EQ(sent.load(), writers * capacity) << "a writer sent past its ring while the owner was stuck";
    open.store(true, std::memory_order_release);
  }
  EXPECT_EQ(applied, writers * per_writer);
}

TEST(ChannelMap, GetManyAnswersEveryKeyAsGetDoes) {
  ChannelMap<> map;
  for (std::uint64_t k = 0; k < 100; k += 3) map.put(k, k * 10);
  map.erase_async(9);
  std::vector<std::uint64_t> keys;
  for (std::uint64_t k = 0; k < 40; ++k) keys.push_back(k);
  std::vector<std::optional<std::uint64_t>> out(keys.size(), 777);
  map.get_many(keys, out);
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(out[i], map.get(keys[i])) << "key " << keys[i];
  EXPECT_EQ(out[3], std::optional<std::uint64_t>(30));
  EXPECT_EQ(out[9], std::nullopt);
  EXPECT_EQ(out[4], std::nullopt);
  std::vector<std::optional<std::uint64_t>> short_out(3);
  EXPECT_THROW(map.get_many(keys, short_out), std::invalid_argument);
}

TEST(ChannelCounter, StatsCountEverySendAndNoWaitWithOneClient) {
  ChannelCounter counter;
  for (int i = 0; i < 10; ++i) counter.increment();
  EXPECT_EQ(counter.read(), 10u);
  const OwnerStats stats = counter.stats();
  EXPECT_EQ(stats.sends, 11u);
  EXPECT_LE(stats.wakeups, stats.sends);
  EXPECT_EQ(stats.query_wait_max, 0u) << "the only client's query waited on writes nobody else sent";
  EXPECT_EQ(stats.query_wait_bound, 256u);  // one client x the default capacity
}

// A State whose apply and answer throw on demand (as insert_or_assign may throw bad_alloc).
struct Fallible {
  struct Request {
    RequestKind kind;
    std::uint64_t add = 0;
    bool fail = false;
    std::uint64_t* sum = nullptr;  // query: where the owner writes the sum
  };
  std::uint64_t sum = 0;
  void apply(Request& r) {
    if (r.fail) throw std::runtime_error("apply failed");
    sum += r.add;
  }
  void answer(Request& r) {
    if (r.fail) throw std::runtime_error("answer failed");
    *r.sum = sum;
  }
};

TEST(SingleOwner, AThrowingStateReachesTheClientThatSentTheRequestAndTheOwnerGoesOn) {
  SingleOwner<Fallible, Fallible::Request> owner;
  auto sum = [&] {
    std::uint64_t s = 0;
    owner.call({RequestKind::query, 0, false, &s});
    return s;
  };
  // Synchronous: the call's own failure comes back through its reply.
  EXPECT_THROW(owner.call({RequestKind::write, 5, true}), std::runtime_error);
  EXPECT_THROW(owner.call({RequestKind::query, 0, true}), std::runtime_error);
  EXPECT_EQ(sum(), 0u) << "the failed write changed nothing";
  // Asynchronous: a failed send surfaces at the same client's next call, once; the writes sent
  // after it are applied.
  ASSERT_TRUE(owner.send({RequestKind::write, 1, false}));
  ASSERT_TRUE(owner.send({RequestKind::write, 7, true}));
  ASSERT_TRUE(owner.send({RequestKind::write, 7, true}));
  ASSERT_TRUE(owner.send({RequestKind::write, 2, false}));
  EXPECT_THROW(sum(), std::runtime_error);
  EXPECT_EQ(sum(), 3u);
  EXPECT_EQ(owner.stats().failures, 4u) << "every request the State threw on";
  // Another client's failures stay its own: this thread's calls see none of them.
  std::thread([&] {
    ASSERT_TRUE(owner.send({RequestKind::write, 100, true}));
    EXPECT_THROW(owner.call({RequestKind::write, 0, false}), std::runtime_error);
  }).join();
  EXPECT_EQ(sum(), 3u);
  // A thread that exits with a failure unreported leaves it behind: the next thread to take its
  // slot does not get it (only stats() counts it).
  std::thread([&] { ASSERT_TRUE(owner.send({RequestKind::write, 100, true})); }).join();
  std::thread([&] { EXPECT_EQ(sum(), 3u); }).join();
  EXPECT_EQ(owner.stats().failures, 6u);
}

// The map itself: insert_or_assign throws on the owner thread (here a value's copy, as bad_alloc).
TEST(ChannelMap, AnInsertThatThrowsReachesTheClientThatSentIt) {
  ThrowsInTheOwner::client_thread();
  ChannelMap<std::uint64_t, ThrowsInTheOwner> map;
  EXPECT_THROW(map.put(1, {1, true}), std::runtime_error);
  EXPECT_EQ(map.get(1), std::nullopt);
  map.put_async(2, {2, true});
  map.put_async(3, {3, false});
  EXPECT_THROW(map.get(3), std::runtime_error) << "the failed put_async is reported by the next call";
  EXPECT_EQ(map.get(2), std::nullopt);
  EXPECT_EQ(map.get(3), std::optional<ThrowsInTheOwner>({3, false}));
  EXPECT_EQ(map.stats().failures, 2u);
}

// close() refuses the call but not the report: the failed put_async comes nested in the call's
// closed_error (std::rethrow_if_nested), once, and a later call throws a bare closed_error.
TEST(ChannelMap, AFailedPutAsyncIsReportedByTheNextCallEvenAfterClose) {
  ThrowsInTheOwner::client_thread();
  ChannelMap<std::uint64_t, ThrowsInTheOwner> map;
  map.put_async(1, {1, true});
  map.close();
  try {
    map.get(1);
    ADD_FAILURE() << "a get after close() returned";
  } catch (const closed_error& e) {
    EXPECT_THROW(std::rethrow_if_nested(e), std::runtime_error) << "the failed put_async went unreported";
  }
  try {
    map.get(1);
    ADD_FAILURE() << "a get after close() returned";
  } catch (const closed_error& e) {
    EXPECT_NO_THROW(std::rethrow_if_nested(e)) << "the failure was reported twice";
  }
  EXPECT_THROW(map.put_async(2, {2, false}), closed_error);
  EXPECT_EQ(map.stats().failures, 1u);
}

// The same in SingleOwner, with the sends still in flight when close() comes: the refused call
// waits for them and reports the failure. A thread with nothing sent, or whose slot's failure was
// left by a thread that exited, gets a plain refusal, and a refused call registers no slot.
TEST(SingleOwner, ACallRefusedAfterCloseStillReportsAnEarlierFailedSend) {
  SingleOwner<Fallible, Fallible::Request> owner;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(owner.send({RequestKind::write, 1, false}));
  ASSERT_TRUE(owner.send({RequestKind::write, 7, true}));
  owner.close();
  std::uint64_t s = 0;
  try {
    owner.call({RequestKind::query, 0, false, &s});
    ADD_FAILURE() << "a call after close() was not refused with the failed send";
  } catch (const closed_error& e) {
    EXPECT_THROW(std::rethrow_if_nested(e), std::runtime_error) << "the failed send went unreported";
  }
  EXPECT_FALSE(owner.call({RequestKind::query, 0, false, &s})) << "reported once";
  EXPECT_EQ(owner.stats().failures, 1u);
  const std::uint64_t bound = owner.stats().query_wait_bound;
  std::thread([&] { EXPECT_FALSE(owner.call({RequestKind::query, 0, false, &s})); }).join();
  EXPECT_EQ(owner.stats().query_wait_bound, bound) << "a refused call registered a slot";
}

TEST(SingleOwner, ManyClientsSendingFailingWritesEachSeeOnlyTheirOwn) {
  SingleOwner<Fallible, Fallible::Request> owner;
  const std::size_t clients = stress_threads(), per_client = scaled(5'000);
  std::atomic<std::uint64_t> wrong{0};
  run_together(clients, [&](std::size_t t) {
    for (std::size_t i = 0; i < per_client; ++i) {
      const bool fail = t % 2 == 0 && i % 100 == 0;  // only even clients fail
      ASSERT_TRUE(owner.send({RequestKind::write, 1, fail}));
      if (i % 100 == 99) {
        std::uint64_t s = 0;
        try {
          owner.call({RequestKind::query, 0, false, &s});
          if (t % 2 == 0) wrong.fetch_add(1);  // its failed send went unreported
        } catch (const std::runtime_error&) {
          if (t % 2 == 1) wrong.fetch_add(1);  // another client's failure
        }
      }
    }
  });
  EXPECT_EQ(wrong.load(), 0u);
}

// send() has no reply: a query given to it would be answered into a stack frame that is gone,
// and need not see a write that happened before it. It is refused, and nothing is sent.
TEST(SingleOwner, SendRefusesAQuery) {
  SingleOwner<Fallible, Fallible::Request> owner;
  std::uint64_t s = 0;
  EXPECT_THROW(owner.send({RequestKind::query, 0, false, &s}), std::invalid_argument);
  EXPECT_EQ(owner.stats().sends, 0u);
  ASSERT_TRUE(owner.send({RequestKind::write, 4, false}));
  ASSERT_TRUE(owner.call({RequestKind::query, 0, false, &s}));
  EXPECT_EQ(s, 4u);
}

}  // namespace
}  // namespace contend::test
