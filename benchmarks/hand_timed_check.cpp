// A hand-timed loop, outside Google Benchmark, to check what the harness reports: N threads
// increment one atomic for a fixed time; aggregate operations per second = total increments /
// wall time between a common start and the last thread's stop. Compare with
// baseline/increment/contended/real_time/threads:N (ops_per_sec and Google Benchmark's own
// items_per_second) from the same machine; `contend run` runs both and sets them side by side.
//   usage: hand_timed_check [--threads=1,2] [--run_ms=N] [--repetitions=N] [--json FILE]
//          hand_timed_check [threads] [milliseconds]          (the older positional form)
// --json writes {"context": {...}, "runs": [{"threads", "ops_per_sec", "repetition", and the
// interference of the run: foreign_cpu, steal_cpu, parallelism, parallelism_needed, tainted,
// label}]} whole or not at all (temp file + rename). Exit 1 if a count is lost, 2 on bad input.
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "barrier.hpp"
#include "context.hpp"
#include "interference.hpp"
#include "json_file.hpp"
#include "program_args.hpp"
#include "thread_counts.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using contend::bench::Interference;

struct Args {
  std::vector<int> threads{2};
  double run_ms = 1000;
  int repetitions = 1;
  std::string json;  // "" = no file
};

constexpr const char* PROGRAM = "hand_timed_check";

Args parse(int argc, char** argv) {
  namespace bench = contend::bench;
  Args a;
  bench::parse_flags(
      argc, argv, PROGRAM,
      "hand_timed_check: N threads increment one atomic for a fixed time, timed by hand\n"
      "  --threads=LIST     thread counts, e.g. 1,2 (default 2)\n"
      "  --run_ms=N         length of each run in ms (default 1000)\n"
      "  --repetitions=N    runs of each thread count (default 1)\n"
      "  --json FILE        also write the runs and the machine context as JSON\n",
      {bench::text_flag(
           "--threads", "whole numbers from 1 to 1024, comma-separated",
           [&](const std::string& list) { a.threads = *bench::parse_thread_counts(list); },
           [](const std::string& list) { return bench::parse_thread_counts(list).has_value(); }),
       bench::number_flag("--run_ms", 1, 3'600'000, [&](double ms) { a.run_ms = ms; }),
       bench::whole_flag("--repetitions", 1, 1000, [&](int n) { a.repetitions = n; }),
       bench::text_flag("--json", "a file name", [&](const std::string& file) { a.json = file; }),
       // The older positional form: hand_timed_check [threads] [milliseconds].
       bench::whole_flag("threads", 1, 1024, [&](int n) { a.threads = {n}; }),
       bench::number_flag("milliseconds", 1, 3'600'000, [&](double ms) { a.run_ms = ms; })});
  return a;
}

std::int64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string proc_stat() {
  std::ifstream in("/proc/stat");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  int threads = 0, repetition = 0;
  double ops_per_sec = 0;
  Interference interference;
  bool counted = true;  // every increment is in the counter
};

Run run_once(int threads, double run_ms) {
  alignas(128) std::atomic<std::uint64_t> counter{0};
  std::vector<std::uint64_t> done(static_cast<std::size_t>(threads));
  contend::bench::Barrier<> start(threads + 1);  // not std::latch: barrier.hpp
  Clock::time_point deadline;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      std::uint64_t n = 0;
      do {
        for (int i = 0; i < 64; ++i) counter.fetch_add(1, std::memory_order_relaxed);  // relaxed: a tally
        n += 64;
      } while (Clock::now() < deadline);
      done[static_cast<std::size_t>(t)] = n;
    });
  }
  const std::string stat_before = proc_stat();
  const std::int64_t cpu_before = process_cpu_ns();
  const Clock::time_point begin = Clock::now();
  deadline = begin + std::chrono::microseconds(static_cast<std::int64_t>(run_ms * 1000));  // before the start barrier
  start.arrive_and_wait();
  for (auto& th : pool) th.join();
  const Clock::time_point end = Clock::now();
  const std::int64_t cpu_ns = process_cpu_ns() - cpu_before;
  const std::string stat_after = proc_stat();
  const double seconds = std::chrono::duration<double>(end - begin).count();
  std::uint64_t total = 0;
  for (std::uint64_t n : done) total += n;

  Run r;
  r.threads = threads;
  r.ops_per_sec = static_cast<double>(total) / seconds;
  r.counted = total == counter.load();
  const int cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  r.interference = contend::bench::classify({
      .stat_before = stat_before,
      .stat_after = stat_after,
      .process_cpu_ns = cpu_ns,
      .wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(end - begin).count(),
      .parallelism_needed = contend::bench::parallelism_needed(false, threads, 0, cpus),
  });
  std::printf("threads=%d increments=%llu (counter %llu) wall=%.3f s  ops_per_sec=%.4g  ns_per_op=%.3f%s%s\n",
              threads, static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(counter.load()), seconds, r.ops_per_sec,
              seconds * 1e9 / static_cast<double>(total), r.interference.tainted() ? "  " : "",
              r.interference.label().c_str());
  return r;
}

// The whole file or nothing (json_file.hpp).
bool write_json(const std::string& path, const Args& args, const std::vector<Run>& runs) {
  std::map<std::string, std::string> context =
      contend::bench::machine_context("hand_timed", "default", args.run_ms);
  context["repetitions"] = std::to_string(args.repetitions);
  std::ostringstream out;
  out.precision(17);
  out << "{\n  \"context\": " << contend::bench::json_context_object(context) << ",\n  \"runs\": [";
  const char* sep = "\n";
  for (const Run& r : runs) {
    const Interference& in = r.interference;
    out << sep << "    {\"threads\": " << r.threads << ", \"ops_per_sec\": " << r.ops_per_sec
        << ", \"repetition\": " << r.repetition << ", \"foreign_cpu\": " << in.foreign_cpu
        << ", \"steal_cpu\": " << in.steal_cpu << ", \"parallelism\": " << in.parallelism
        << ", \"parallelism_needed\": " << in.parallelism_needed
        << ", \"tainted\": " << (in.tainted() ? 1 : 0) << ", \"label\": " << contend::bench::json_quoted(in.label()) << "}";
    sep = ",\n";
  }
  out << "\n  ]\n}\n";
  return contend::bench::write_file_whole(path, out.str());
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  if (!args.json.empty() && !contend::bench::json_destination_ok(args.json))
    contend::bench::usage_error(PROGRAM, "no directory for --json file '" + args.json + "'");
  std::vector<Run> runs;
  bool all_counted = true;
  for (int rep = 0; rep < args.repetitions; ++rep) {
    for (int threads : args.threads) {
      runs.push_back(run_once(threads, args.run_ms));
      runs.back().repetition = rep;
      all_counted = all_counted && runs.back().counted;
    }
  }
  if (!args.json.empty() && !write_json(args.json, args, runs)) {
    std::fprintf(stderr, "hand_timed_check: error: could not write '%s'\n", args.json.c_str());
    return 2;
  }
  return all_counted ? 0 : 1;
}
