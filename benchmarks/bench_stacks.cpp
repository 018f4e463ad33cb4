// stacks/<workload>/<impl>: every stack in StackTypes.
//   pairs     every thread pushes then pops, over and over (the top is always contended);
//   prodcons  half the threads push, half pop (producers back off when the backlog passes 64k
//             values, so memory stays bounded).
// pairs: every push and every successful pop is an operation. prodcons has roles, as the
// channels do (timed_run.hpp's Role): an item counts once, when a consumer pops it, and fairness
// compares the producers' pushes with each other only, never a push rate with a pop rate, nor a
// consumer that found the stack empty (fairness_threads = producers). Self-check: what was popped
// (during the run and in a final drain) adds up, by count and by sum, to what was pushed.
// Extra counters:
//   eliminated_fraction  (elimination) share of the run's operations completed in the
//                        elimination array instead of on the head
//   lock_run_length      (mutex) operations per change of lock owner: how many operations in a
//                        row one thread performs while the lock's line stays in its cache, to
//                        set against the one head-line transfer per operation of the lock-free
//                        stacks. Counted under the lock on the mutex's own line (a thread-id
//                        compare and two increments), so the mutex row carries that small cost.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "barrier.hpp"
#include "family.hpp"
#include "peers.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

// Told of every acquisition of the mutex (MutexStack's Probe), under the lock.
struct RunLengthProbe {
  std::size_t owner = max_threads;  // no thread yet
  std::uint64_t acquisitions = 0, owner_changes = 0;
  void acquired() {
    const std::size_t me = this_thread_id();
    ++acquisitions;
    if (me != owner) {
      owner = me;
      ++owner_changes;
    }
  }
};

// The stack a registered implementation is measured as: the mutex stack with its probe.
template <class S>
using Measured =
    std::conditional_t<std::is_same_v<S, MutexStack<>>, MutexStack<std::uint64_t, RunLengthProbe>, S>;

struct Tally {
  std::atomic<std::uint64_t> pushed{0}, popped{0}, pushed_sum{0}, popped_sum{0};
  std::atomic<std::int64_t> backlog{0};
};

template <class S, bool prodcons>
void stack_workload(benchmark::State& state) {
  static std::unique_ptr<S> stack;
  static std::unique_ptr<Tally> tally;
  if (state.thread_index() == 0) {
    stack = std::make_unique<S>();
    tally = std::make_unique<Tally>();
  }
  const int producers = prodcons ? state.threads() / 2 : 0;
  run_timed(state,
            [&](int thread, Clock::time_point deadline) -> std::pair<std::uint64_t, Role> {
              std::uint64_t next = static_cast<std::uint64_t>(thread) << 40, pushes = 0, pops = 0,
                            push_sum = 0, pop_sum = 0;
              auto push = [&] {
                stack->push(next);
                push_sum += next++;
                ++pushes;
              };
              auto pop = [&] {
                if (std::optional<std::uint64_t> v = stack->pop()) {
                  pop_sum += *v;
                  ++pops;
                }
              };
              if constexpr (!prodcons) {
                repeat_until(deadline, 16, [&] {
                  push();
                  pop();
                });
              } else if (thread < producers) {
                repeat_until(deadline, 1, [&] {
                  if (tally->backlog.load(std::memory_order_relaxed) > (1 << 16)) {  // relaxed: a rough bound
                    std::this_thread::yield();
                    return;
                  }
                  for (int i = 0; i < 64; ++i) push();
                  tally->backlog.fetch_add(64, std::memory_order_relaxed);
                });
              } else {
                repeat_until(deadline, 1, [&] {
                  const std::uint64_t before = pops;
                  for (int i = 0; i < 64; ++i) pop();
                  tally->backlog.fetch_sub(static_cast<std::int64_t>(pops - before),
                                           std::memory_order_relaxed);
                });
              }
              // relaxed: read by thread 0 only after the end barrier, which orders them.
              tally->pushed.fetch_add(pushes, std::memory_order_relaxed);
              tally->popped.fetch_add(pops, std::memory_order_relaxed);
              tally->pushed_sum.fetch_add(push_sum, std::memory_order_relaxed);
              tally->popped_sum.fetch_add(pop_sum, std::memory_order_relaxed);
              if constexpr (prodcons) {
                return thread < producers ? std::pair{pushes, Role::producer} : std::pair{pops, Role::consumer};
              }
              return {pushes + pops, Role::worker};
            },
            {.producers = producers,
             .consumers = prodcons ? state.threads() - producers : 0,
             .blocking = blocking_of<S>});
  if (state.thread_index() == 0) {
    const double ops = static_cast<double>(tally->pushed + tally->popped);
    if constexpr (requires { stack->eliminated(); }) {
      state.counters["eliminated_fraction"] = ops > 0 ? static_cast<double>(stack->eliminated()) / ops : 0.0;
    }
    if constexpr (requires { stack->probe().owner_changes; }) {
      const RunLengthProbe& p = stack->probe();
      state.counters["lock_run_length"] =
          p.owner_changes > 0 ? static_cast<double>(p.acquisitions) / static_cast<double>(p.owner_changes)
                              : 0.0;
    }
    std::uint64_t popped = tally->popped, popped_sum = tally->popped_sum;
    while (std::optional<std::uint64_t> v = stack->pop()) {
      ++popped;
      popped_sum += *v;
    }
    check(state, popped == tally->pushed && popped_sum == tally->pushed_sum,
          std::to_string(tally->pushed.load()) + " pushed but " + std::to_string(popped) + " popped");
    stack.reset();
  }
}

// Thread ids (thread_id.hpp) are recycled, but their high-water mark only grows, and the hazard-
// pointer stacks scan that many slots per reclamation round: a stack measured at 1 thread after
// an 8-thread run scans 9 slots where the first one measured scanned 1 (a quarter slower on a
// 2-vCPU VM). Raising the mark once, before any run, to what the sweep will reach measures every
// implementation under the same one, as in a program that has had that many threads.
void raise_thread_id_high_water(int threads) {
  Barrier<> all(threads);  // not std::latch: barrier.hpp
  std::vector<std::jthread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      this_thread_id();
      all.arrive_and_wait();  // every id is held at once, so they are all distinct
    });
  }
}

}  // namespace

std::string family_name() { return "stacks"; }

void register_benchmarks() {
  add_peers_context<StackPeers>();
  const std::vector<int>& sweep = options().threads;
  if (!sweep.empty()) raise_thread_id_high_water(*std::max_element(sweep.begin(), sweep.end()) + 1);
  for_each_type(StackTypes{}, []<class S>() {
    add("stacks", "pairs", S::name, stack_workload<Measured<S>, false>);
    add("stacks", "prodcons", S::name, stack_workload<Measured<S>, true>, threads_at_least(2));
  });
}

}  // namespace contend::bench
