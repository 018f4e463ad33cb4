// A failing allocation (std::bad_alloc, forced on demand by failing_new.cpp) in the structures
// that allocate around a change: nothing is lost and no slot is kept for good, whichever
// allocation fails (the sweeps fail a thread's 1st, 2nd, ... allocation until it makes fewer).
// - The hazard-pointer stacks (TreiberStack, CachedTreiberStack, EliminationStack): a pop that
//   meets a failing allocation either returns its value or throws and leaves the value on the
//   stack; with threads and random failures every value whose push returned is popped exactly
//   once, and none whose push threw.
// - ClientSlots, and through it SingleOwner (ChannelCounter) and DelegationServer
//   (DelegatedCounter): a registration that fails leaves no slot in use, so the slots of exited
//   threads are all reused, and a call that throws bad_alloc sent nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <vector>

#include "contend/channel_counter.hpp"
#include "contend/client_slots.hpp"
#include "contend/delegated_counter.hpp"
#include "contend/elimination_stack.hpp"
#include "contend/treiber_stack.hpp"
#include "failing_new.hpp"
#include "test_support.hpp"

namespace contend::test {
namespace {

// Runs body() on a new thread (new thread-locals: an empty retired list, node cache and slot
// bindings, so that every round allocates from the same start) with the thread's n-th allocation
// failing, for n = 1, 2, ... until a round makes fewer than n allocations; check(n) after each.
template <class Setup, class Body, class Check>
void sweep_failing_allocations(Setup&& setup, Body&& body, Check&& check) {
  for (std::uint64_t n = 1;; ++n) {
    setup();
    bool fired = false;
    std::thread([&] {
      const FailingAllocations failing(n);
      body();
      fired = nth_allocation_failed();
    }).join();
    check(n);
    if (!fired) break;
    ASSERT_LT(n, 10'000u) << "the rounds keep allocating";
  }
}

template <class S>
class HazardStackAllocationFailure : public ::testing::Test {};
using HazardStacks = TypeList<TreiberStack<>, CachedTreiberStack<>, EliminationStack<>>;
TYPED_TEST_SUITE(HazardStackAllocationFailure, ToGTest<HazardStacks>::type, ImplName);

TYPED_TEST(HazardStackAllocationFailure, APopThatMeetsAFailingAllocationKeepsItsValue) {
  constexpr std::uint64_t values = 300;  // pops enough for several hazard scans and list growths
  std::unique_ptr<TypeParam> stack;
  std::vector<std::uint32_t> popped;
  std::uint64_t failed_pops = 0;
  sweep_failing_allocations(
      [&] {
        stack = std::make_unique<TypeParam>();
        for (std::uint64_t v = 0; v < values; ++v) stack->push(v);
        popped.assign(values, 0);
      },
      [&] {
        for (std::uint64_t got = 0; got < values;) {
          try {
            const std::optional<std::uint64_t> v = stack->pop();
            if (!v.has_value()) return;  // dry early: values were lost
            ++popped[*v];
            ++got;
          } catch (const std::bad_alloc&) {
            ++failed_pops;  // the value must still be there: pop again
          }
        }
      },
      [&](std::uint64_t n) {
        std::uint64_t lost = 0, duplicated = 0;
        for (const std::uint32_t p : popped) {
          lost += p == 0;
          duplicated += p > 1;
        }
        EXPECT_EQ(lost, 0u) << "allocation " << n << " failing";
        EXPECT_EQ(duplicated, 0u) << "allocation " << n << " failing";
        EXPECT_FALSE(stack->pop().has_value());
      });
  EXPECT_GT(failed_pops, 0u) << "no pop met a failing allocation: the test tests nothing";
}

TYPED_TEST(HazardStackAllocationFailure, PushesAndPopsUnderRandomAllocationFailuresLoseNothing) {
  TypeParam stack;
  const std::size_t threads = stress_threads(), per_thread = scaled(20'000);
  std::vector<std::atomic<std::uint32_t>> pushed(threads * per_thread), popped(threads * per_thread);
  std::atomic<std::uint64_t> failures{0};
  auto count = [&](std::uint64_t v) {
    ASSERT_LT(v, popped.size());
    popped[v].fetch_add(1, std::memory_order_relaxed);
  };
  run_together(threads, [&](std::size_t t) {
    const FailingAllocations failing(8, t + 1);  // often: a cached stack allocates little
    for (std::size_t i = 0; i < per_thread; ++i) {
      const std::uint64_t v = t * per_thread + i;
      try {
        stack.push(v);
        pushed[v].store(1, std::memory_order_relaxed);
      } catch (const std::bad_alloc&) {
        failures.fetch_add(1, std::memory_order_relaxed);
      }
      try {
        if (const std::optional<std::uint64_t> got = stack.pop()) count(*got);
      } catch (const std::bad_alloc&) {
        failures.fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  while (const std::optional<std::uint64_t> v = stack.pop()) count(*v);
  expect_pushed_popped_once(pushed, popped);
  EXPECT_GT(failures.load(), 0u) << "no allocation failed: the test tests nothing";
}

struct alignas(64) Slot {
  std::uint64_t word = 0;
};

// Whichever allocation of a thread's first mine() fails, the thread can register again, and once
// it has exited a new thread gets its slot: one slot in all.
TEST(ClientSlots, ARegistrationThatMeetsAFailingAllocationLeavesNoSlotInUse) {
  std::unique_ptr<ClientSlots<Slot>> slots;
  bool threw = false;
  sweep_failing_allocations(
      [&] { slots = std::make_unique<ClientSlots<Slot>>(); },
      [&] {
        try {
          slots->mine();
        } catch (const std::bad_alloc&) {
          threw = true;
          slots->mine();  // the failure has happened: this registration succeeds
        }
      },
      [&](std::uint64_t n) {
        std::thread([&] { slots->mine(); }).join();
        EXPECT_EQ(slots->size(), 1u) << "allocation " << n << " failing left a slot in use for good";
      });
  EXPECT_TRUE(threw) << "no registration met a failing allocation: the test tests nothing";
}

// The servers register their clients through ClientSlots: a first call that throws bad_alloc has
// sent nothing, and the sweep's threads, which come one at a time, use one slot in all, which the
// main thread's read reuses once they have exited.
template <class Server>
void expect_calls_meeting_failing_allocations_keep_no_slot(Server& server) {
  std::uint64_t sent = 0, failed = 0;
  sweep_failing_allocations(
      [] {},
      [&] {
        try {
          server.increment();
          ++sent;
        } catch (const std::bad_alloc&) {
          ++failed;
        }
      },
      [](std::uint64_t) {});
  EXPECT_EQ(server.read(), sent) << "a call that threw was carried out, or one that returned was not";
  EXPECT_GT(failed, 0u) << "no call met a failing allocation: the test tests nothing";
}

TEST(ClientSlots, AServersFirstCallThatMeetsAFailingAllocationSendsNothingAndKeepsNoSlot) {
  ChannelCounter channel;
  expect_calls_meeting_failing_allocations_keep_no_slot(channel);
  // One slot: slots x the default ring capacity (256).
  EXPECT_EQ(channel.stats().query_wait_bound, 256u) << "a slot kept for good";
  DelegatedCounter delegated;
  expect_calls_meeting_failing_allocations_keep_no_slot(delegated);
  // One slot: (slots - 1) + (clients per line - 1).
  EXPECT_EQ(delegated.stats().query_wait_bound, DelegatedCounter::clients_per_line - 1) << "a slot kept for good";
}

}  // namespace
}  // namespace contend::test
