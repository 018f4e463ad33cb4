#include "timed_run.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "options.hpp"

namespace contend::bench {
namespace {

std::int64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A shared VM loses its vCPUs to other guests; spinning designs suffer most when that happens,
// so every run reports how much of the machine was stolen while it ran.
CpuTicks cpu_ticks() {
  CpuTicks t;
  if (std::FILE* f = std::fopen("/proc/stat", "r")) {
    unsigned long long v[8] = {};
    if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                    &v[5], &v[6], &v[7]) == 8) {
      for (unsigned long long x : v) t.total += x;
      t.steal = v[7];
    }
    std::fclose(f);
  }
  return t;
}

}  // namespace

TimedRun& timed_run() {
  static TimedRun run;
  return run;
}

void TimedRun::prepare(const benchmark::State& state, std::function<void()> settle) {
  settle_ = std::move(settle);
  const auto n = static_cast<std::ptrdiff_t>(state.threads());
  start_ = std::make_unique<std::barrier<OnStart>>(n, OnStart{this});
  end_ = std::make_unique<std::barrier<OnEnd>>(n, OnEnd{this});
  ops_.assign(state.threads(), 0);
  roles_.assign(state.threads(), Role::worker);
}

void TimedRun::OnStart::operator()() noexcept {
  run->ticks_start_ = cpu_ticks();
  run->cpu_start_ns_ = process_cpu_ns();
  run->wall_start_ = Clock::now();
  run->deadline_ =
      run->wall_start_ + std::chrono::microseconds(static_cast<std::int64_t>(options().run_ms * 1000));
}

void TimedRun::OnEnd::operator()() noexcept {
  if (run->settle_) run->settle_();
  run->wall_end_ = Clock::now();
  run->cpu_end_ns_ = process_cpu_ns();
  run->ticks_end_ = cpu_ticks();
}

Clock::time_point TimedRun::begin() {
  start_->arrive_and_wait();
  return deadline_;
}

void TimedRun::end(int thread, std::uint64_t ops, Role role) {
  ops_[static_cast<std::size_t>(thread)] = ops;
  roles_[static_cast<std::size_t>(thread)] = role;
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

  std::vector<double> counted;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (roles_[i] != Role::consumer) counted.push_back(static_cast<double>(ops_[i]));
  }
  if (counted.empty()) counted.push_back(0);
  const double total = static_cast<double>(total_ops());
  const double wall_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wall_end_ - wall_start_).count());
  const double cpu_ns = static_cast<double>(cpu_end_ns_ - cpu_start_ns_);
  const double mean =
      std::accumulate(counted.begin(), counted.end(), 0.0) / static_cast<double>(counted.size());
  double var = 0;
  for (double c : counted) var += (c - mean) * (c - mean);
  var /= static_cast<double>(counted.size());
  const auto [lo, hi] = std::minmax_element(counted.begin(), counted.end());

  auto& c = state.counters;
  c["ops"] = total;
  c["ops_per_sec"] = total / wall_ns * 1e9;
  c["ns_per_op"] = total > 0 ? wall_ns / total : 0;
  c["cpu_ns_per_op"] = total > 0 ? cpu_ns / total : 0;
  c["wall_ms"] = wall_ns / 1e6;
  c["fairness_min_max"] = *hi > 0 ? *lo / *hi : 0;
  c["fairness_cv"] = mean > 0 ? std::sqrt(var) / mean : 0;
  c["owner_threads"] = info.owner_threads;
  c["producers"] = info.producers;
  c["consumers"] = info.consumers;
  // Coarse (the kernel counts in 10 ms ticks), but it tells a noisy run from a clean one.
  const std::uint64_t ticks = ticks_end_.total - ticks_start_.total;
  c["steal_pct"] = ticks > 0 ? 100.0 * static_cast<double>(ticks_end_.steal - ticks_start_.steal) /
                                   static_cast<double>(ticks)
                             : 0.0;
}

void check(benchmark::State& state, bool ok, const std::string& what) {
  if (!ok) state.SkipWithError(("self-check failed: " + what).c_str());
}

}  // namespace contend::bench
