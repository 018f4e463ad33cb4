// The owner statistics of the single-owner designs (ChannelMap, ChannelCounter, Delegated*) as
// benchmark counters, for any type with a `stats()` member (the others report nothing):
//   query_wait_max    the most writes the owner applied between taking a query and answering it,
//                     in requests, since the design was built (a bound must hold at all times, so
//                     a design kept across runs, like bench_maps' prefilled maps, reports its
//                     worst so far: never less than this run's);
//   query_wait_bound  the bound the design promises, in requests (clients x capacity);
//   wakeups_per_op    sends of this run that had to wake a sleeping owner / sends of this run.
// Not thread-safe: thread 0 calls start() before the run and report() after it.
#pragma once

#include <benchmark/benchmark.h>

#include <type_traits>
#include <utility>

namespace contend::bench {

template <class T>
concept HasOwnerStats = requires(T& t) { t.stats(); };

// What stats() returns, or an empty struct for the types without it.
template <class T>
struct OwnerSnapshot {
  struct type {};
};
template <HasOwnerStats T>
struct OwnerSnapshot<T> {
  using type = std::remove_cvref_t<decltype(std::declval<T&>().stats())>;
};

template <class T>
class OwnerStats {
 public:
  // Sends and wakeups count from the design's construction: the run's share is after - before.
  void start(T& design) {
    if constexpr (HasOwnerStats<T>) before_ = design.stats();
  }

  void report(benchmark::State& state, T& design) const {
    if constexpr (HasOwnerStats<T>) {
      const auto now = design.stats();
      const double sends = static_cast<double>(now.sends - before_.sends);
      state.counters["query_wait_max"] = static_cast<double>(now.query_wait_max);
      state.counters["query_wait_bound"] = static_cast<double>(now.query_wait_bound);
      state.counters["wakeups_per_op"] = sends > 0 ? static_cast<double>(now.wakeups - before_.wakeups) / sends : 0;
    }
  }

 private:
  typename OwnerSnapshot<T>::type before_{};
};

}  // namespace contend::bench
