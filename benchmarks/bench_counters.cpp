// counters/<workload>/<impl>: every Counter in CounterTypes.
//   increment   every thread increments as fast as it can (maximum contention);
//   think<N>    N iterations of local work between increments (contention dialled down);
//   read_heavy  9 reads per increment.
// Self-check: the final read() equals the increments done. Designs with an owner report its
// statistics (owner_stats.hpp).
#include <memory>
#include <string>

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "family.hpp"
#include "local_work.hpp"
#include "owner_stats.hpp"
#include "timed_run.hpp"

namespace contend::bench {
namespace {

enum class Mix { increment, think, read_heavy };

template <class C, Mix mix>
void counter_workload(benchmark::State& state) {
  static std::unique_ptr<C> counter;
  static OwnerStats<C> owner_stats;
  if (state.thread_index() == 0) {
    counter = std::make_unique<C>();
    owner_stats.start(*counter);
  }
  const int think = options().think;
  constexpr std::uint64_t reads_per_increment = 9;
  run_timed(
      state,
      [&](int, Clock::time_point deadline) -> std::uint64_t {
        if constexpr (mix == Mix::increment) {
          return repeat_until(deadline, 64, [&] { counter->increment(); });
        } else if constexpr (mix == Mix::think) {
          std::uint64_t seed = 1;
          return repeat_until(deadline, 8, [&] {
            counter->increment();
            seed = local_work(seed, think);
          });
        } else {
          const std::uint64_t rounds = repeat_until(deadline, 1, [&] {
            counter->increment();
            for (std::uint64_t r = 0; r < reads_per_increment; ++r) benchmark::DoNotOptimize(counter->read());
          });
          return rounds * (1 + reads_per_increment);
        }
      },
      {.owner_threads = owner_threads_of<C>, .blocking = blocking_of<C>},
      [] { benchmark::DoNotOptimize(counter->read()); });  // ChannelCounter: wait out the owner's backlog

  if (state.thread_index() == 0) {
    const std::uint64_t ops = timed_run().total_ops();
    const std::uint64_t increments = mix == Mix::read_heavy ? ops / (1 + reads_per_increment) : ops;
    const std::uint64_t seen = counter->read();
    check(state, seen == increments,
          "counter reads " + std::to_string(seen) + " after " + std::to_string(increments) + " increments");
    owner_stats.report(state, *counter);
    counter.reset();
  }
}

}  // namespace

std::string family_name() { return "counters"; }

void register_benchmarks() {
  for_each_type(CounterTypes{}, []<class C>() {
    add("counters", "increment", C::name, counter_workload<C, Mix::increment>);
    add("counters", "think" + std::to_string(options().think), C::name, counter_workload<C, Mix::think>);
    add("counters", "read_heavy", C::name, counter_workload<C, Mix::read_heavy>);
  });
}

}  // namespace contend::bench
