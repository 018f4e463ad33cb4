#include "timed_run.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "interference.hpp"
#include "latency_counters.hpp"
#include "options.hpp"
#include "run_quality.hpp"

namespace contend::bench {
namespace {

std::int64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The process's event counts (perf_events.hpp); empty when the binary did not open them.
EventSnapshot event_snapshot() {
  const EventCounters* events = process_events();
  return events ? events->snapshot() : EventSnapshot{};
}

// <event>_per_op for every event counted in both snapshots; nothing for the others.
void report_events(benchmark::State& state, const EventSnapshot& before, const EventSnapshot& after,
                   double total) {
  const EventCounters* events = process_events();
  if (events == nullptr) return;
  for (const auto& [name, value] : per_op(events->events(), before, after, total)) state.counters[name] = value;
}

// Resets the kernel's resident-set high-water mark (VmHWM) to the current RSS (Linux >= 4.0).
bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

// VmHWM in MiB; getrusage's ru_maxrss (never reset) where /proc/self/status has none.
double peak_rss_mb() {
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    unsigned long long kb = 0;
    bool found = false;
    while (!found && std::fgets(line, sizeof line, f) != nullptr) {
      found = std::sscanf(line, "VmHWM: %llu kB", &kb) == 1;
    }
    std::fclose(f);
    if (found) return static_cast<double>(kb) / 1024.0;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kB on Linux
}

}  // namespace

TimedRun& timed_run() {
  static TimedRun run;
  return run;
}

void TimedRun::prepare(const benchmark::State& state, std::function<void()> settle) {
  settle_ = std::move(settle);
  const auto n = static_cast<std::ptrdiff_t>(state.threads());
  start_ = std::make_unique<Barrier<OnStart>>(n, OnStart{this});
  end_ = std::make_unique<Barrier<OnEnd>>(n, OnEnd{this});
  ops_.assign(state.threads(), 0);
  roles_.assign(state.threads(), Role::worker);
  latency_.assign(static_cast<std::size_t>(state.threads()), Histogram{});
}

void TimedRun::OnStart::operator()() noexcept {
  run->peak_rss_reset_ = reset_peak_rss();
  run->events_start_ = event_snapshot();
  run->stat_start_ = proc_stat();
  run->cpu_start_ns_ = process_cpu_ns();
  run->wall_start_ = Clock::now();
  run->deadline_ =
      run->wall_start_ + std::chrono::microseconds(static_cast<std::int64_t>(options().run_ms * 1000));
}

void TimedRun::OnEnd::operator()() noexcept {
  if (run->settle_) run->settle_();
  run->wall_end_ = Clock::now();
  run->cpu_end_ns_ = process_cpu_ns();
  run->stat_end_ = proc_stat();
  run->events_end_ = event_snapshot();
  run->peak_rss_mb_ = peak_rss_mb();
}

Clock::time_point TimedRun::begin() {
  start_->arrive_and_wait();
  return deadline_;
}

void TimedRun::end(int thread, std::uint64_t ops, Role role, const Histogram* latency) {
  ops_[static_cast<std::size_t>(thread)] = ops;
  roles_[static_cast<std::size_t>(thread)] = role;
  if (latency) latency_[static_cast<std::size_t>(thread)] = *latency;
  end_->arrive_and_wait();
}

std::uint64_t TimedRun::total_ops() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (roles_[i] != Role::producer) total += ops_[i];
  }
  return total;
}

void TimedRun::report(benchmark::State& state, std::uint64_t own_ops, const RunInfo& info) {
  state.SetItemsProcessed(static_cast<std::int64_t>(own_ops));
  if (state.thread_index() != 0) return;  // counters are summed over threads: set them once

  const double total = static_cast<double>(total_ops());
  const double wall_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wall_end_ - wall_start_).count());
  const double cpu_ns = static_cast<double>(cpu_end_ns_ - cpu_start_ns_);
  const Fairness fair = fairness_of(ops_, roles_);

  auto& c = state.counters;
  c["ops"] = total;
  c["ops_per_sec"] = total / wall_ns * 1e9;
  c["ns_per_op"] = total > 0 ? wall_ns / total : 0;
  c["cpu_ns_per_op"] = total > 0 ? cpu_ns / total : 0;
  c["wall_ms"] = wall_ns / 1e6;
  c["fairness_min_max"] = fair.min_max;
  c["fairness_cv"] = fair.cv;
  c["fairness_threads"] = fair.threads;
  c["owner_threads"] = info.owner_threads;
  c["producers"] = info.producers;
  c["consumers"] = info.consumers;
  c["peak_rss_mb"] = peak_rss_mb_;
  if (!peak_rss_reset_) c["peak_rss_process_wide"] = 1;
  report_events(state, events_start_, events_end_, total);
  // Coarse (the kernel counts in 10 ms ticks), but it tells a noisy run from a clean one.
  const std::optional<ProcStat> before = parse_proc_stat(stat_start_), after = parse_proc_stat(stat_end_);
  // Signed: iowait in /proc/stat may go backwards (proc(5)), so a near-idle window can shrink.
  const double ticks =
      before && after ? static_cast<double>(after->total) - static_cast<double>(before->total) : 0;
  c["steal_pct"] =
      ticks > 0 ? 100.0 * (static_cast<double>(after->steal) - static_cast<double>(before->steal)) / ticks
                : 0.0;

  Histogram latency;
  for (const Histogram& h : latency_) latency.merge(h);
  report_latency(state, latency);
  report_quality(state, classify({
                            .stat_before = stat_start_,
                            .stat_after = stat_end_,
                            .process_cpu_ns = cpu_end_ns_ - cpu_start_ns_,
                            .wall_ns = static_cast<std::int64_t>(wall_ns),
                            .parallelism_needed = parallelism_needed(
                                info.blocking, state.threads(), info.owner_threads, quality().allowed_cpus),
                        },
                        // Load on CPUs outside the process's cpuset cannot slow it.
                        startup_allowed_cpus()));
}

void TimedRun::before_repetition(const benchmark::State& state) { bench::before_repetition(state.threads()); }

void check(benchmark::State& state, bool ok, const std::string& what) {
  if (!ok) state.SkipWithError(("self-check failed: " + what).c_str());
}

}  // namespace contend::bench
