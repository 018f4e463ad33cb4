// main() of every benchmark binary: our options, then Google Benchmark with our defaults.
//   --quick          short runs and fewer workloads (CI and smoke tests: about a minute in all)
//   --threads=1,2,3  thread counts to sweep (also CONTEND_THREADS); default 1,2,4,.. up to
//                    2 x cores, plus the core count
//   --run_ms=N       length of each time-bounded run (default 300, quick 50)
//   --think=N        local work between increments in counters/think<N> (default 100)
//   --pin=none|spread|compact  where threads run (default none: the scheduler's placement)
//   --latency=on|off sample single operations' latency (default on; off for the paired runs
//                    that measure what sampling costs)
//   --placement=LO:HI before each repetition, wait (up to PLACEMENT_WAIT_LIMIT) until the placement
//                    probe's median lies in [LO, HI) ns (placement_wait.hpp)
// Repetitions default to 5 (quick: 2); --benchmark_repetitions overrides.
// Environment: CONTEND_THREADS (as --threads); CONTEND_HEARTBEAT=FILE, where each repetition's
// start and end are written for contend run's watchdog (heartbeat.hpp); CONTEND_TEST_HANG=REGEX,
// for tests only, makes the matching benchmarks hang forever (test_hang.hpp).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "context.hpp"
#include "family.hpp"
#include "heartbeat.hpp"
#include "json_file.hpp"
#include "latency_counters.hpp"
#include "options.hpp"
#include "perf_events.hpp"
#include "run_quality.hpp"
#include "test_hang.hpp"
#include "thread_counts.hpp"

namespace contend::bench {
namespace {

Options parsed;

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "bench_" << family_name() << ": error: " << message << " (see --help)\n";
  std::exit(2);
}

std::vector<int> parse_threads(const std::string& list) {
  std::optional<std::vector<int>> counts = parse_thread_counts(list);
  if (!counts)
    usage_error("--threads needs whole numbers from 1 to 1024, comma-separated, not '" + list + "'");
  return *counts;
}

double number(const std::string& text, const char* flag, double min, double max) {
  const std::optional<double> v = parse_number(text, min, max);
  if (!v) usage_error(std::string("bad value '") + text + "' for " + flag);
  return *v;
}

// Takes our flags out of argv; leaves Google Benchmark's.
std::vector<char*> parse(int argc, char** argv) {
  std::vector<char*> rest{argv[0]};
  bool run_ms_given = false, reps_given = false;
  if (const char* env = std::getenv("CONTEND_THREADS")) parsed.threads = parse_threads(env);
  if (std::string why; !test_hang().configure_from_env(&why)) usage_error(why);
  if (!heartbeat().open_from_env())
    usage_error(std::string("cannot open the heartbeat file CONTEND_HEARTBEAT='") + std::getenv("CONTEND_HEARTBEAT") +
                "'");
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag) { return arg.substr(std::strlen(flag)); };
    if (arg == "--quick") {
      parsed.quick = true;
    } else if (arg.rfind("--threads=", 0) == 0) {
      parsed.threads = parse_threads(value("--threads="));
    } else if (arg.rfind("--run_ms=", 0) == 0) {
      parsed.run_ms = number(value("--run_ms="), "--run_ms", 1, 3'600'000);  // up to an hour
      run_ms_given = true;
    } else if (arg.rfind("--think=", 0) == 0) {
      parsed.think = static_cast<int>(number(value("--think="), "--think", 0, 1e9));
    } else if (arg.rfind("--pin=", 0) == 0) {
      const std::optional<Pin> pin = parse_pin(value("--pin="));
      if (!pin) usage_error("bad value '" + value("--pin=") + "' for --pin (none, spread or compact)");
      parsed.pin = *pin;
    } else if (arg.rfind("--latency=", 0) == 0) {
      const std::string v = value("--latency=");
      if (v != "on" && v != "off") usage_error("bad value '" + v + "' for --latency (on or off)");
      parsed.latency = v == "on";
    } else if (arg.rfind("--placement=", 0) == 0) {
      parsed.placement = parse_placement_window(value("--placement="));
      if (!parsed.placement)
        usage_error("bad value '" + value("--placement=") + "' for --placement (LO:HI in ns, 0 <= LO < HI)");
    } else if (arg == "--help" || arg == "-h") {
      std::cout
          << "bench_" << family_name() << ": contend benchmarks, family '" << family_name() << "'\n"
          << "  --quick          short runs, fewer workloads (about a minute for all families)\n"
          << "  --threads=LIST   thread counts, e.g. 1,2,4 (default: powers of 2 up to 2 x cores, plus "
             "cores)\n"
          << "  --run_ms=N       length of each time-bounded run in ms (default 300, quick 50)\n"
          << "  --think=N        local-work iterations between increments for counters/think<N>\n"
          << "  --pin=MODE       where threads run: none (default: the scheduler decides), spread\n"
             "                   (one CPU per physical core first, then SMT siblings) or compact\n"
             "                   (the SMT siblings of a core first); owner threads follow the run's\n"
             "                   threads\n"
          << "  --latency=on|off sample the latency of single operations (default on: p50_ns .. max_ns;\n"
             "                   sampling takes about 1% of each thread's time)\n"
          << "  --placement=LO:HI  before each repetition, probe every " << PLACEMENT_POLL.count()
          << " ms until the placement probe's\n"
             "                   median lies in [LO, HI) ns, for at most "
          << PLACEMENT_WAIT_LIMIT.count() << " ms, then run anyway\n"
             "                   (counters placement_wait_ms, placement_missed)\n"
          << "  --benchmark_*    Google Benchmark's own flags (--benchmark_filter, --benchmark_out, ...);\n"
             "                   --benchmark_enable_random_interleaving=true shuffles the repetitions of\n"
             "                   all benchmarks, so that drift spreads over every design\n";
      std::exit(0);
    } else {
      reps_given = reps_given || arg.rfind("--benchmark_repetitions", 0) == 0;
      if (arg.rfind("--benchmark_min_time", 0) == 0) {
        usage_error("runs are time-bounded: use --run_ms=N instead of --benchmark_min_time");
      }
      if (arg.rfind("--", 0) == 0 && arg.rfind("--benchmark_", 0) != 0 && arg.rfind("--v", 0) != 0) {
        usage_error("unknown option '" + arg + "'");
      }
      rest.push_back(argv[i]);
    }
  }
  if (parsed.threads.empty()) parsed.threads = default_thread_counts();
  if (parsed.quick && !run_ms_given) parsed.run_ms = 50;
  setup_quality(parsed.pin, parsed.placement);
  // Each benchmark is one time-bounded iteration; a tiny min_time stops Google Benchmark from
  // re-running it with more iterations (and keeps "iterations:1" out of the names).
  static std::string reps = "--benchmark_repetitions=" + std::to_string(parsed.quick ? 2 : 5);
  static std::string min_time = "--benchmark_min_time=0.000001";
  static std::string aggregates = "--benchmark_display_aggregates_only=true";
  if (!reps_given) rest.push_back(reps.data());
  rest.push_back(min_time.data());
  rest.push_back(aggregates.data());
  return rest;
}

}  // namespace

const Options& options() { return parsed; }

}  // namespace contend::bench

int main(int argc, char** argv) {
  using namespace contend::bench;
  std::vector<char*> args = parse(argc, argv);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
  // The event counters count the threads started after them (inherit): open them before
  // register_benchmarks(), which starts the owner threads of some designs.
  open_process_events();
  add_machine_context(family_name(), options().quick ? "quick" : "default", options().run_ms);
  add_quality_context(options().run_ms);
  add_latency_context(options().latency);
  add_event_context(*process_events());
  register_benchmarks();
  heartbeat().begin();  // the watchdog judges each repetition from here on (heartbeat.hpp)
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
