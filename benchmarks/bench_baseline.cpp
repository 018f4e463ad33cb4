// baseline/<what>/<how>: the physical floor, measured in the same run as everything else.
//   increment/uncontended  each thread increments its own padded atomic (threads:1)
//   increment/contended    all threads increment one atomic
//   pingpong/cache_line    two threads hand one cache line back and forth through a spinning
//                          atomic flag; ns_per_op is the one-way hand-off latency. No hand-off
//                          between two threads can beat it; channels/pingpong is judged by it.
//   pingpong/futex         the same, but each side sleeps in futex(2) as soon as the ball is not
//                          there, and is woken by the other (contend::WakeWord, no spin): ns_per_op
//                          is the one-way sleep-to-wake hand-off, what a blocking channel pays per
//                          item at best and what the spin budgets in backoff.hpp are measured
//                          against. Until 2026-12 it slept in std::atomic::wait, whose libstdc++ 12
//                          notify may skip the wake-up (contend/futex.hpp), and whose spin (12 pauses,
//                          4 yields) caught most balls awake on some CPUs, so it did not always sleep.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "contend/cache_line.hpp"
#include "contend/futex.hpp"
#include "family.hpp"
#include "pingpong.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

void increment(benchmark::State& state, bool contended) {
  static std::unique_ptr<Padded<std::atomic<std::uint64_t>>[]> slots;
  if (state.thread_index() == 0)
    slots = std::make_unique<Padded<std::atomic<std::uint64_t>>[]>(state.threads());
  run_timed(state, [&](int thread, Clock::time_point deadline) {
    std::atomic<std::uint64_t>& target = slots[contended ? 0 : static_cast<std::size_t>(thread)].value;
    return repeat_until(deadline, 64,
                        [&] { target.fetch_add(1, std::memory_order_relaxed); });  // relaxed: a tally
  });
  if (state.thread_index() == 0) {
    std::uint64_t sum = 0;
    for (int t = 0; t < state.threads(); ++t) sum += slots[static_cast<std::size_t>(t)].value;
    check(state, sum == timed_run().total_ops(), "lost increments");
  }
}

void cache_line_pingpong(benchmark::State& state) {
  static Padded<std::atomic<std::uint64_t>> flag;
  if (state.thread_index() == 0) flag.value = 0;
  run_timed(state, [&](int thread, Clock::time_point deadline) -> std::pair<std::uint64_t, Role> {
    if (thread == 0) {
      std::uint64_t n = 0;
      // Batches of 32 round trips keep the clock read (tens of ns) out of the latency.
      const std::uint64_t rounds =
          repeat_until(deadline, 32, [&] { n = pingpong_round_trip(flag.value, n); });
      pingpong_finish(flag.value);
      return {2 * rounds, Role::worker};
    }
    pingpong_answer(flag.value);
    return {0, Role::consumer};
  });
}

// Odd: the ball is with the answerer; even: with the initiator. Every hand-off is a store of the
// next value and a wake of the other side, which sleeps (spins = 0) until the value moves on.
void futex_pingpong(benchmark::State& state) {
  static Padded<WakeWord> flag;
  constexpr std::uint32_t stop = ~std::uint32_t{0};  // odd, so the answerer wakes up and sees it
  if (state.thread_index() == 0) flag.value.word().store(0, std::memory_order_relaxed);  // relaxed: before the start barrier
  // release/acquire: a real hand-off of data, as in cache_line_pingpong.
  auto hand_over = [](std::uint32_t to) { flag.value.store_and_wake_one(to, std::memory_order_release); };
  auto sleep_while = [](std::uint32_t seen) { return flag.value.wait_while(seen, 0, std::memory_order_acquire); };
  run_timed(state,
            [&](int thread, Clock::time_point deadline) -> std::pair<std::uint64_t, Role> {
              if (thread == 0) {
                // n never reaches `stop`: a run is far shorter than 2^31 round trips of microseconds.
                std::uint32_t n = 0;
                const std::uint64_t rounds = repeat_until(deadline, 8, [&] {
                  hand_over(n + 1);
                  n = sleep_while(n + 1);
                });
                hand_over(stop);
                return {2 * rounds, Role::worker};
              }
              for (std::uint32_t mine = 0;;) {  // the value this side wrote last
                const std::uint32_t seen = sleep_while(mine);
                if (seen == stop) return {0, Role::consumer};
                hand_over(mine = seen + 1);
              }
            },
            // blocking: both threads sleep by design, so the run's parallelism is not judged.
            {.blocking = true});
}

}  // namespace

std::string family_name() { return "baseline"; }

void register_benchmarks() {
  add("baseline", "increment", "uncontended", [](benchmark::State& s) { increment(s, false); }, {1});
  add("baseline", "increment", "contended", [](benchmark::State& s) { increment(s, true); });
  add("baseline", "pingpong", "cache_line", cache_line_pingpong, {2});
  add("baseline", "pingpong", "futex", futex_pingpong, {2});
}

}  // namespace contend::bench
