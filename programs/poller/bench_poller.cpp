// bench_poller: both poller designs, polls per second and CPU per poll, against a simulated poll
// and against a real HTTP server on loopback.
//   --quick          short runs, 2 repetitions (about 15 s in all)
//   --threads=1,2,4  worker counts (the poller's own threads; default 1, 2, 4, ... up to
//                    2 x cores, plus the core count, as the other benchmark binaries)
//   --pin=none|spread|compact  places the poller's threads, in the order they start
// Every repetition carries its interference (foreign load, steal; both designs block, so their
// parallelism is not judged) and the placement probe taken before it (run_quality.hpp).
//   --latency=on|off sample single polls' latency (default on): p50_ns .. max_ns per repetition,
//                    the service time of one call of the poll function as a worker makes it
//   --placement=LO:HI before each repetition, wait until the placement probe's median lies in
//                    [LO, HI) ns (at most PLACEMENT_WAIT_LIMIT, then run anyway; placement_wait.hpp)
// The probe is taken again after each run (probe_after_ns), before the counters are set.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "context.hpp"
#include "latency_counters.hpp"
#include "poller.hpp"
#include "polls.hpp"
#include "run_quality.hpp"
#include "test_server.hpp"
#include "thread_counts.hpp"

namespace {

using namespace std::chrono_literals;
using poller::Design;

std::chrono::milliseconds run_for = 1500ms;  // per benchmark; --quick shortens it
bool sample_latency = true;                   // --latency

// The sampled latency of one run's polls. The poller's workers are new threads each run: each
// starts its own sampler (the pacing, latency.hpp) on its first poll of a new run, and the samples
// go into one histogram under a lock: a sample is taken in about 1% of a worker's time, so the lock
// is rarely contended and never on the unsampled path.
struct PollLatency {
  std::mutex lock;
  contend::bench::Histogram all;
  std::atomic<unsigned> run{0};

  void start_run() {
    const std::lock_guard guard(lock);
    all.clear();
    run.fetch_add(1, std::memory_order_release);  // release: the cleared histogram before any poll of the run
  }
  poller::PollFn timed(poller::PollFn inner) {
    return [this, inner = std::move(inner)](const std::string& url) {
      thread_local unsigned seen = 0;
      contend::bench::LatencySampler& sampler = contend::bench::this_thread_sampler();
      const unsigned now_run = run.load(std::memory_order_acquire);  // acquire: pairs with start_run
      if (seen != now_run) {
        seen = now_run;
        sampler.start(sample_latency, contend::bench::sample_ticks());
      }
      if (!sampler.due(1)) return inner(url);
      const std::uint64_t t0 = contend::bench::sample_ticks();
      poller::PollResult r = inner(url);
      const std::uint64_t ns = sampler.record(t0, contend::bench::sample_ticks());
      const std::lock_guard guard(lock);
      all.record(ns);
      return r;
    };
  }
};

PollLatency& poll_latency() {
  static PollLatency l;
  return l;
}

std::uint64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

poller::TestServer& server() {
  static poller::TestServer s([](const std::string&) { return 200; });
  return s;
}

struct Workload {
  const char* name;
  bool loopback;
  poller::SimOptions sim;
};

// Every resource is due again at once (interval 0): the designs' coordination is the bottleneck
// for sim-0, the poll latency for the rest. Errors back off by 1 ms each.
void bench(benchmark::State& state, Workload w, Design d) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto workers = static_cast<std::size_t>(state.range(1));
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < n; ++i)
    urls.push_back(w.loopback ? server().url("/r" + std::to_string(i)) : "sim://r" + std::to_string(i));
  poller::PollFn poll = poll_latency().timed(
      w.loopback ? poller::PollFn([](const std::string& u) { return poller::http_head(u); })
                 : poller::simulated_poll(w.sim));
  poller::Config config;
  config.workers = workers;
  config.interval = 0ms;
  config.error_backoff = 1ms;
  config.report_every = 1h;

  std::uint64_t polls = 0, cpu_ns = 0, server_ns = 0;
  double wall_s = 0;
  for (auto _ : state) {
    poll_latency().start_run();
    auto p = poller::make_poller(d, urls, poll, config);
    const auto server0 = w.loopback ? server().cpu_ns() : 0;
    const std::string stat0 = contend::bench::proc_stat();
    const auto cpu0 = process_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    p->start();
    std::this_thread::sleep_for(run_for);
    const auto table = p->stop();
    wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto wall_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
    const auto run_cpu_ns = process_cpu_ns() - cpu0;
    cpu_ns += run_cpu_ns;
    contend::bench::report_quality(state, contend::bench::classify({
                                              .stat_before = stat0,
                                              .stat_after = contend::bench::proc_stat(),
                                              .process_cpu_ns = static_cast<std::int64_t>(run_cpu_ns),
                                              .wall_ns = wall_ns.count(),
                                              .parallelism_needed = 0,  // workers sleep in polls and channels
                                          }));
    if (w.loopback) server_ns += server().cpu_ns() - server0;
    for (const auto& [url, e] : table) polls += e.polls;
  }
  {
    const std::lock_guard guard(poll_latency().lock);  // the workers have stopped; for the analyzers
    contend::bench::report_latency(state, poll_latency().all);
  }
  const double ops = static_cast<double>(polls ? polls : 1);
  state.counters["ops"] = static_cast<double>(polls);
  state.counters["ops_per_sec"] = static_cast<double>(polls) / wall_s;
  state.counters["ns_per_op"] = wall_s * 1e9 / ops;
  // The whole process but the loopback server: the designs' threads and the HTTP client.
  state.counters["cpu_ns_per_op"] = static_cast<double>(cpu_ns - server_ns) / ops;
  if (w.loopback) state.counters["server_cpu_ns_per_op"] = static_cast<double>(server_ns) / ops;
  if (state.counters["tainted"] == 0) {  // a tainted run's label says why instead
    state.SetLabel(std::to_string(n) + " resources, " + std::to_string(workers) + " workers");
  }
}

std::vector<int> worker_counts = contend::bench::default_thread_counts();

void register_all() {
  const Workload workloads[] = {
      {"sim-0", false, {0us, 0.0, 1}},
      {"sim-1ms", false, {1000us, 0.0, 1}},
      {"sim-1ms-fail20", false, {1000us, 0.2, 1}},
      {"loopback", true, {}},
  };
  for (const auto& w : workloads)
    for (Design d : {Design::channel, Design::shared}) {
      const std::string name = std::string("poller/") + w.name + "/" + std::string(poller::to_string(d));
      auto* b = benchmark::RegisterBenchmark(name.c_str(), bench, w, d);
      for (int workers : worker_counts) b->Args({64, workers});
      b->ArgNames({"resources", "workers"})->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
      // Before each repetition: the placement probe; the poller's threads take the slots from 0.
      b->Setup([](const benchmark::State&) { contend::bench::before_repetition(0); });
    }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool quick = false, reps_given = false;
  contend::bench::Pin pin = contend::bench::Pin::none;
  std::optional<contend::bench::PlacementWindow> placement;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
      run_for = 250ms;
    } else if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      std::optional<std::vector<int>> counts = contend::bench::parse_thread_counts(argv[i] + 10, 256);
      if (!counts) {
        std::fprintf(stderr, "bench_poller: bad worker counts in '%s' (e.g. --threads=1,2,4)\n", argv[i]);
        return 2;
      }
      worker_counts = *counts;
    } else if (std::strncmp(argv[i], "--latency=", 10) == 0) {
      const std::string v = argv[i] + 10;
      if (v != "on" && v != "off") {
        std::fprintf(stderr, "bench_poller: bad value '%s' for --latency (on or off)\n", v.c_str());
        return 2;
      }
      sample_latency = v == "on";
    } else if (std::strncmp(argv[i], "--pin=", 6) == 0) {
      const std::optional<contend::bench::Pin> p = contend::bench::parse_pin(argv[i] + 6);
      if (!p) {
        std::fprintf(stderr, "bench_poller: bad value '%s' for --pin (none, spread or compact)\n",
                     argv[i] + 6);
        return 2;
      }
      pin = *p;
    } else if (std::strncmp(argv[i], "--placement=", 12) == 0) {
      placement = contend::bench::parse_placement_window(argv[i] + 12);
      if (!placement) {
        std::fprintf(stderr, "bench_poller: bad value '%s' for --placement (LO:HI in ns, 0 <= LO < HI)\n",
                     argv[i] + 12);
        return 2;
      }
    } else {
      reps_given = reps_given || std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0;
      args.push_back(argv[i]);
    }
  }
  // Repetitions give the medians and the spread the charts and comparisons need.
  static std::string reps = quick ? "--benchmark_repetitions=2" : "--benchmark_repetitions=3";
  static std::string aggregates = "--benchmark_display_aggregates_only=true";
  if (!reps_given) args.push_back(reps.data());
  args.push_back(aggregates.data());
  int n = static_cast<int>(args.size());
  poller::http_global_init();
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
  contend::bench::add_machine_context("poller", quick ? "quick" : "default",
                                      static_cast<double>(run_for.count()));
  contend::bench::setup_quality(pin, placement);
  contend::bench::add_quality_context(static_cast<double>(run_for.count()));
  contend::bench::add_latency_context(sample_latency);
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
