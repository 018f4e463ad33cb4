// Time-bounded runs inside Google Benchmark.
//
// Google Benchmark gives every thread the same iteration count; with an unfair lock some threads
// finish early and the rest run uncontended, which flatters the lock. Here each registered
// benchmark does exactly one iteration, in which every thread works until a shared deadline and
// counts its own operations. The figures we report are computed from our own clocks:
// - ops_per_sec:   total operations of all threads / wall time of the run (aggregate throughput);
// - ns_per_op:     wall time / total operations (the inverse, for all threads together);
// - cpu_ns_per_op: CPU time of the whole process / total operations, so owner threads and
//                  spinning waiters are paid for, while time asleep in futex is not;
// - fairness_min_max, fairness_cv: spread of the per-thread counts (1 and 0 are perfectly fair),
//                  compared within a role (fairness.hpp: workers, or producers; never consumers);
//                  fairness_threads: how many threads they compared;
// - steal_pct:     share of the machine's CPU time the hypervisor gave to other guests meanwhile;
// - peak_rss_mb:   the process's peak resident set (VmHWM of /proc/self/status, MiB) over the
//                  run: the kernel's high-water mark is process-wide and only goes up, so it is
//                  reset to the current RSS just before the run (writing 5 to
//                  /proc/self/clear_refs) and read just after. It includes what the process
//                  already held when the run began (a prefilled map, memory the allocator kept),
//                  so it tells runs that grew memory from runs that did not. Where the reset is
//                  refused, it is the peak since the process started, which never goes down,
//                  and the run also has peak_rss_process_wide = 1;
// - foreign_cpu, steal_cpu, parallelism, parallelism_needed, foreign_resolution_cpu and the
//   tainted, taint_foreign, taint_parallelism flags (interference.hpp), with the reason as the
//   run's label;
// - probe_ns, probe_ns_<a>_<b>: the placement signature taken just before the run (probe.hpp);
// - p50_ns, p90_ns, p99_ns, p99.9_ns, max_ns, latency_samples: the sampled latency of single
//   operations of all threads together (latency.hpp; repeat_until times one call of `op` in every
//   few), when the run sampled any (--latency=off turns sampling off).
// - <event>_per_op: the whole process's perf event counts over the run / total operations, for
//   each event that is counted here (perf_events.hpp: context_switches, cpu_migrations,
//   page_faults, cycles, instructions, cache_misses, hitm); an event not available has no
//   counter (the context's events_not_available says why), never a zero.
// Google Benchmark's own items_per_second (total items / mean per-thread real time) is kept
// beside them as a cross-check.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "barrier.hpp"
#include "fairness.hpp"
#include "latency.hpp"
#include "options.hpp"
#include "perf_events.hpp"
#include "placement.hpp"

namespace contend::bench {

using Clock = std::chrono::steady_clock;

struct RunInfo {
  int owner_threads = 0;  // extra threads the design starts (not counted in /threads:N)
  int producers = 0;      // for producer/consumer workloads; 0 otherwise
  int consumers = 0;
  bool blocking = false;  // the design sleeps by design (blocking_of<T>): parallelism is not judged
};

class TimedRun {
 public:
  // Thread 0, before the benchmark loop (Google Benchmark's start barrier then publishes it).
  // `settle` runs once all threads have stopped, inside the timed region: designs that accept
  // work asynchronously (an owner thread with a backlog) finish it there, so that the backlog is
  // paid for in the run's time instead of hidden after it.
  void prepare(const benchmark::State& state, std::function<void()> settle = {});

  // Every thread, in the loop: waits for all, then returns the shared deadline.
  Clock::time_point begin();

  // Every thread, in the loop, when done, with its operation count, its role and its latency
  // samples.
  void end(int thread, std::uint64_t ops, Role role = Role::worker, const Histogram* latency = nullptr);

  // Every thread, after the loop. Thread 0 publishes the run's counters.
  void report(benchmark::State& state, std::uint64_t own_ops, const RunInfo& info = {});

  std::uint64_t total_ops() const;

  // Google Benchmark's Setup callback of every benchmark (family.hpp): runs before each
  // repetition, on the main thread, before the run's threads start and after the previous
  // run's design was destroyed, so no benchmark thread spins meanwhile (an owner kept across
  // runs, like a prefilled ChannelMap's, is asleep: it sleeps after ~10 us without requests).
  // Takes the placement probe and places the library's threads for a run of state.threads().
  static void before_repetition(const benchmark::State& state);

 private:
  struct OnStart {
    TimedRun* run;
    void operator()() noexcept;
  };
  struct OnEnd {
    TimedRun* run;
    void operator()() noexcept;
  };

  // Not std::barrier: its libstdc++ 12 wait may lose a wake-up (barrier.hpp).
  std::unique_ptr<Barrier<OnStart>> start_;
  std::unique_ptr<Barrier<OnEnd>> end_;
  std::vector<std::uint64_t> ops_;
  std::vector<Role> roles_;
  std::vector<Histogram> latency_;  // per thread, merged by report()
  std::function<void()> settle_;
  Clock::time_point wall_start_, wall_end_, deadline_;
  std::int64_t cpu_start_ns_ = 0, cpu_end_ns_ = 0;
  std::string stat_start_, stat_end_;  // /proc/stat around the run
  EventSnapshot events_start_, events_end_;  // perf event counts around the run
  bool peak_rss_reset_ = false;              // the high-water mark was reset at the run's start
  double peak_rss_mb_ = 0;                   // and read at its end
};

// The one TimedRun of the binary: benchmarks run one at a time.
TimedRun& timed_run();

// Runs `work(thread, deadline) -> ops` as one time-bounded run on every thread.
// `work(thread, deadline)` returns the thread's count, or a std::pair of count and Role.
template <class Work>
void run_timed(benchmark::State& state, Work&& work, const RunInfo& info = {},
               std::function<void()> settle = {}) {
  if (state.max_iterations != 1) {  // the static state of a workload serves exactly one iteration
    state.SkipWithError("contend runs are one time-bounded iteration; do not set an iteration count");
    return;
  }
  TimedRun& run = timed_run();
  place_benchmark_thread(state.thread_index());  // --pin; before the run's clocks start
  if (state.thread_index() == 0) run.prepare(state, std::move(settle));
  std::uint64_t ops = 0;
  for (auto _ : state) {
    const Clock::time_point deadline = run.begin();
    LatencySampler& sampler = this_thread_sampler();
    sampler.start(options().latency, sample_ticks());
    Role role = Role::worker;
    if constexpr (std::is_same_v<decltype(work(0, deadline)), std::pair<std::uint64_t, Role>>) {
      std::tie(ops, role) = work(state.thread_index(), deadline);
    } else {
      ops = work(state.thread_index(), deadline);
    }
    run.end(state.thread_index(), ops, role, &sampler.histogram());
    if (role == Role::producer) ops = 0;  // an item counts once, at its consumer
  }
  run.report(state, ops, info);
}

// Runs `op()` in batches of `batch` until the deadline; returns the number of calls. When the
// thread's sampler is due, one call of the batch is timed with the sample clock: the second when
// there is one, because the first follows the deadline's steady_clock read, which delays a
// cache-line hand-off right after it (latency.hpp).
template <class Op>
std::uint64_t repeat_until(Clock::time_point deadline, int batch, Op&& op) {
  LatencySampler& sampler = this_thread_sampler();
  std::uint64_t ops = 0;
  do {
    int i = 0;
    if (sampler.due(static_cast<std::uint64_t>(batch))) {
      if (batch > 1) {
        op();
        ++i;
      }
      const std::uint64_t t0 = sample_ticks();
      op();
      sampler.record(t0, sample_ticks());
      ++i;
    }
    for (; i < batch; ++i) op();
    ops += static_cast<std::uint64_t>(batch);
  } while (Clock::now() < deadline);
  return ops;
}

// Fails the run (Google Benchmark's SkipWithError) when a self-check does not hold.
void check(benchmark::State& state, bool ok, const std::string& what);

}  // namespace contend::bench
