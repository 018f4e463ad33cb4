// ClientSlots and Doorbell (client_slots.hpp): every thread gets a slot no other live thread has,
// slots of exited threads are reused, a thread may outlive the server it called, and a server
// that sleeps on its Doorbell misses no request.
#include "contend/client_slots.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace contend::test {
namespace {

struct alignas(64) Slot {
  std::atomic<std::uint64_t> owner_tag{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> served{0};  // the server's count of this slot's requests served
};

TEST(ClientSlots, LiveThreadsHoldDistinctSlotsAndTheirOwnOnEveryCall) {
  ClientSlots<Slot> slots;
  const std::size_t threads = stress_threads();
  std::vector<Slot*> got(threads);
  std::atomic<std::size_t> wrong{0};
  std::latch registered(static_cast<std::ptrdiff_t>(threads));  // nobody exits (freeing its slot) early
  run_together(threads, [&](std::size_t t) {
    got[t] = &slots.mine();
    registered.arrive_and_wait();
    got[t]->owner_tag.store(t + 1, std::memory_order_relaxed);  // relaxed: read by this thread
    for (int i = 0; i < 1000; ++i) {
      if (&slots.mine() != got[t] || got[t]->owner_tag.load(std::memory_order_relaxed) != t + 1) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_EQ(std::set<Slot*>(got.begin(), got.end()).size(), threads);
  EXPECT_EQ(slots.size(), threads);
}

TEST(ClientSlots, SlotsOfExitedThreadsAreReused) {
  ClientSlots<Slot> slots;
  for (int round = 0; round < 50; ++round) {
    std::thread([&] { slots.mine(); }).join();
    std::thread a([&] { slots.mine(); }), b([&] { slots.mine(); });
    a.join();
    b.join();
  }
  EXPECT_LE(slots.size(), 2u) << "every round had at most two live clients";
}

TEST(ClientSlots, AThreadMayOutliveTheServersItCalled) {
  // ASan would report the exiting thread's release of a freed slot.
  std::thread t([] {
    for (int i = 0; i < 100; ++i) {
      auto slots = std::make_unique<ClientSlots<Slot>>();
      slots->mine().published.store(1, std::memory_order_relaxed);  // relaxed: nobody else reads it
    }
  });
  t.join();
  SUCCEED();
}

TEST(ClientSlots, ForEachVisitsEveryRegisteredSlot) {
  ClientSlots<Slot> slots;
  run_together(5, [&](std::size_t) { slots.mine().published.fetch_add(1, std::memory_order_relaxed); });
  std::uint64_t total = 0;
  slots.for_each([&](Slot& s, std::size_t) { total += s.published.load(std::memory_order_relaxed); });
  EXPECT_EQ(total, 5u);
}

// A server that sleeps on its Doorbell whenever it finds nothing: clients publish one request at
// a time and wait for it to be served; a lost wake-up hangs the test (ctest's timeout fails it).
// A client that starts late may get the slot of one that finished: its counts go on from there.
TEST(Doorbell, ASleepingServerMissesNoRequest) {
  ClientSlots<Slot> slots;
  Doorbell bell;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> served{0};
  std::vector<std::uint64_t> done_per_slot(ClientSlots<Slot>::max_clients, 0);  // server-only
  auto sweep = [&] {
    bool any = false;
    slots.for_each([&](Slot& s, std::size_t i) {
      const std::uint64_t p = s.published.load(std::memory_order_seq_cst);  // seq_cst: Doorbell's rule
      if (p > done_per_slot[i]) {
        served.fetch_add(p - done_per_slot[i], std::memory_order_relaxed);  // relaxed: main reads it after join
        done_per_slot[i] = p;
        s.served.store(p, std::memory_order_release);  // release: its client waits on it
        any = true;
      }
    });
    return any;
  };
  std::thread server([&] {
    // seq_cst: the stop flag is work too, so it follows the Doorbell's rule.
    auto has_work = [&] { return sweep() || stop.load(std::memory_order_seq_cst); };
    while (!stop.load(std::memory_order_seq_cst)) {
      if (!sweep()) bell.sleep_unless(has_work);
    }
  });
  const std::size_t clients = 4;
  const std::uint64_t per_client = scaled(2000);
  run_together(clients, [&](std::size_t) {
    Slot& mine = slots.mine();
    const std::uint64_t base = mine.published.load(std::memory_order_relaxed);  // relaxed: ours since the claim
    for (std::uint64_t i = base + 1; i <= base + per_client; ++i) {
      mine.published.store(i, std::memory_order_seq_cst);  // seq_cst: Doorbell's rule
      bell.ring();
      // Wait until served; yields keep 2 vCPUs moving.
      while (mine.served.load(std::memory_order_acquire) < i) std::this_thread::yield();
    }
  });
  stop.store(true, std::memory_order_seq_cst);  // seq_cst: see has_work
  bell.wake();
  server.join();
  EXPECT_EQ(served.load(), clients * per_client);
}

}  // namespace
}  // namespace contend::test
