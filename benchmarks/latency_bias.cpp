// The bias of the latency sample's end: the sampler (latency.hpp, timed_run.hpp's repeat_until)
// ends a sample with a bare rdtsc, which the CPU may execute before the operation's last load has
// completed, so an operation of under ~100 ns may be reported shorter than it is. This program
// measures how much on the cache-line ping-pong (pingpong.hpp): two threads pinned to the first
// probe pair (run_quality.hpp's quality().probe_pairs: CPUs 0 and 1 of the allowed set on a
// machine of up to 4 CPUs) bounce a line, and the initiator times each round trip two ways:
//   bare:    rdtsc, round trip, rdtsc            (what the sampler does)
//   ordered: rdtsc, round trip, rdtscp; lfence   (the end waits for the round trip's last load)
// The start is the same bare read in both, so the difference is the end's alone; for the starts
// to be alike too, an untimed round trip precedes each timed one, as an untimed operation
// precedes the sampler's (repeat_until): back to back, the ordered end's lfence would also keep
// the next sample's start rdtsc from executing early (out of order, past a spin loop whose exit
// the branch predictor guessed), which a bare end does not, and the difference would mix the
// two. The two are
// interleaved in alternating blocks of BLOCK round trips, the first method alternating by pass,
// so drift and placement changes hit both alike. Ticks become ns with the sampler's own
// calibration (ns_per_tick()). The p50s are exact medians of the samples, not the histogram's
// bucket midpoints: the bias is smaller than a bucket (6.25%).
// Each pass first takes the placement probe of the measured pair (pair_latency_ns for
// PROBE_PER_PAIR), so every pass is recorded with the placement it ran in; the summary gives the
// bias per placement class when the passes fall into several (probe_ns split where one is more
// than CLASS_GAP times the one below, the rule of scripts/contend_lib/placement.py).
// The difference includes the ordered read's own extra cost (rdtscp and lfence take longer than a
// rdtsc whatever precedes them), not only what the bare end misses: each pass also times EMPTY
// back-to-back start/end pairs of each kind with nothing between them on the pinned initiator
// (bare_empty_ns, ordered_empty_ns), so the summary can say how much of the bias that cost is.
// A measurement, not a test: nothing here judges the size of the bias.
//   usage: latency_bias [--quick] [--passes=N] [--round_trips=N] [--json FILE]
// Defaults: 20 passes of 20 000 timed round trips per method (with the untimed ones, 1.6 million
// round trips: a fraction of a second where a round trip takes ~120-200 ns); --quick: 3 passes
// of 2 000.
// --json writes {"context": {...the machine context, "latency_clock", "latency_clock_ns",
// "ns_per_tick", "probe_pairs", "pair", "passes", "round_trips", "block_round_trips", "date"...},
// "passes": [{"t_ms", "probe_ns", "bare_p50_ns", "ordered_p50_ns", "bare_mean_ns",
// "ordered_mean_ns", "round_trips", "bare_empty_ns", "ordered_empty_ns"}]} whole or not at all
// (json_file.hpp): t_ms from the start to the pass's start, probe_ns the pass's placement probe
// (null if it could not pin), the p50s and means per round trip, round_trips the samples of each
// method, the empty figures the medians of the pairs with nothing timed.
// Where the kernel's clocksource is not tsc the sampler times with steady_clock and has no TSC
// calibration to convert with: the program says so in one line and exits 0 without measuring (and
// without writing --json's file).
// Exit 0 when measured (or nothing to measure with, above), 1 when fewer than 2 CPUs are allowed
// or the threads could not be pinned, 2 on bad input. Single-threaded apart from the two
// ping-pong threads of a pass and the probe's two.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "contend/cache_line.hpp"
#include "context.hpp"
#include "json_file.hpp"
#include "latency.hpp"
#include "pingpong.hpp"
#include "probe.hpp"
#include "program_args.hpp"
#include "run_quality.hpp"

namespace {

namespace bench = contend::bench;
using Clock = std::chrono::steady_clock;

constexpr int DEFAULT_PASSES = 20, QUICK_PASSES = 3;
constexpr int DEFAULT_ROUND_TRIPS = 20'000, QUICK_ROUND_TRIPS = 2'000;
constexpr int BLOCK = 250;         // round trips of one method before switching to the other
constexpr int WARM_UP = 1000;      // untimed round trips before each pass's first block
constexpr int EMPTY = 1000;        // empty start/end pairs of each kind per pass
constexpr double CLASS_GAP = 1.5;  // scripts/contend_lib/placement.py's

struct Args {
  int passes = DEFAULT_PASSES, round_trips = DEFAULT_ROUND_TRIPS;
  bool quick = false, passes_given = false, round_trips_given = false;
  std::string json;  // "" = no file
};

constexpr const char* PROGRAM = "latency_bias";

Args parse(int argc, char** argv) {
  Args a;
  bench::parse_flags(
      argc, argv, PROGRAM,
      "latency_bias: how much the latency sample's bare rdtsc end under-reports the cache-line\n"
      "ping-pong, against an end ordered after the round trip (rdtscp; lfence)\n"
      "  --passes=N         passes, each with its placement probe (1 to 1000, default 20)\n"
      "  --round_trips=N    round trips per pass per method (100 to 10000000, default 20000)\n"
      "  --quick            3 passes of 2000 unless --passes / --round_trips say otherwise\n"
      "  --json FILE        also write the passes and the machine context as JSON\n",
      {bench::switch_flag("--quick", [&] { a.quick = true; }),
       bench::whole_flag("--passes", 1, 1000,
                         [&](int n) {
                           a.passes = n;
                           a.passes_given = true;
                         }),
       bench::whole_flag("--round_trips", 100, 10'000'000,
                         [&](int n) {
                           a.round_trips = n;
                           a.round_trips_given = true;
                         }),
       bench::text_flag("--json", "a file name", [&](const std::string& file) { a.json = file; })});
  if (a.quick && !a.passes_given) a.passes = QUICK_PASSES;
  if (a.quick && !a.round_trips_given) a.round_trips = QUICK_ROUND_TRIPS;
  return a;
}

bool pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

#if defined(__x86_64__) || defined(__i386__)
constexpr bool HAVE_TSC = true;
// The ordered end: rdtscp waits until every earlier instruction has executed and every earlier
// load is globally visible; the lfence keeps later instructions from starting before the read.
inline std::uint64_t ordered_ticks() {
  unsigned aux = 0;
  const std::uint64_t t = __builtin_ia32_rdtscp(&aux);
  _mm_lfence();
  return t;
}
#else
constexpr bool HAVE_TSC = false;
inline std::uint64_t ordered_ticks() { return bench::sample_ticks(); }
#endif

// One block of `count` timed round trips, each after an untimed one (above), appended to
// `ticks`. The start is the sampler's read
// (sample_ticks(): a bare rdtsc where this program measures); the end the sampler's or the
// ordered one. The signal fences only keep the compiler from moving the reads across the round
// trip; they emit no instruction.
template <bool Ordered>
std::uint64_t timed_block(std::atomic<std::uint64_t>& flag, std::uint64_t n, int count,
                          std::vector<std::uint64_t>& ticks) {
  for (int i = 0; i < count; ++i) {
    n = bench::pingpong_round_trip(flag, n);  // untimed
    const std::uint64_t t0 = bench::sample_ticks();
    std::atomic_signal_fence(std::memory_order_seq_cst);
    n = bench::pingpong_round_trip(flag, n);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const std::uint64_t t1 = Ordered ? ordered_ticks() : bench::sample_ticks();
    ticks.push_back(t1 > t0 ? t1 - t0 : 0);  // t1 < t0 cannot happen on one pinned CPU
  }
  return n;
}

struct Samples {
  bool pinned = false;
  std::vector<std::uint64_t> bare, ordered;              // ticks per round trip
  std::vector<std::uint64_t> bare_empty, ordered_empty;  // ticks with nothing between the reads
};

// `count` start/end pairs with nothing between them, appended to `ticks`.
template <bool Ordered>
void empty_pairs(int count, std::vector<std::uint64_t>& ticks) {
  for (int i = 0; i < count; ++i) {
    const std::uint64_t t0 = bench::sample_ticks();
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const std::uint64_t t1 = Ordered ? ordered_ticks() : bench::sample_ticks();
    ticks.push_back(t1 > t0 ? t1 - t0 : 0);
  }
}

// `round_trips` round trips of each method between threads pinned to `pair`, in alternating
// blocks; `ordered_first` picks the method of the first block.
Samples measure(bench::CpuPair pair, int round_trips, bool ordered_first) {
  Samples s;
  s.bare.reserve(static_cast<std::size_t>(round_trips));  // no allocation inside a sample
  s.ordered.reserve(static_cast<std::size_t>(round_trips));
  s.bare_empty.reserve(EMPTY);
  s.ordered_empty.reserve(EMPTY);
  contend::Padded<std::atomic<std::uint64_t>> flag;
  std::atomic<int> pinned{0};  // answerer: 1 pinned, -1 failed
  std::thread answerer([&] {
    const bool ok = pin_self(pair.second);
    pinned.store(ok ? 1 : -1, std::memory_order_release);  // release: before the ball moves
    if (ok) bench::pingpong_answer(flag.value);
  });
  std::thread initiator([&] {
    int answerer_pinned = 0;
    // acquire: the answerer's pinning (and its result) happened before the first round trip.
    while ((answerer_pinned = pinned.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
    if (!pin_self(pair.first)) {
      if (answerer_pinned == 1) bench::pingpong_finish(flag.value);
      return;
    }
    if (answerer_pinned != 1) return;
    empty_pairs<false>(EMPTY, s.bare_empty);  // while the answerer spins on its own copy of the line
    empty_pairs<true>(EMPTY, s.ordered_empty);
    std::uint64_t n = 0;
    for (int i = 0; i < WARM_UP; ++i) n = bench::pingpong_round_trip(flag.value, n);
    const auto left = [&](const std::vector<std::uint64_t>& v) {
      return std::min(BLOCK, round_trips - static_cast<int>(v.size()));
    };
    while (left(s.bare) > 0 || left(s.ordered) > 0) {
      if (ordered_first) {
        n = timed_block<true>(flag.value, n, left(s.ordered), s.ordered);
        n = timed_block<false>(flag.value, n, left(s.bare), s.bare);
      } else {
        n = timed_block<false>(flag.value, n, left(s.bare), s.bare);
        n = timed_block<true>(flag.value, n, left(s.ordered), s.ordered);
      }
    }
    bench::pingpong_finish(flag.value);
    s.pinned = true;
  });
  initiator.join();
  answerer.join();
  return s;
}

struct Pass {
  double t_ms = 0, probe_ns = 0;  // probe_ns 0: not pinned
  double bare_p50_ns = 0, ordered_p50_ns = 0, bare_mean_ns = 0, ordered_mean_ns = 0;
  int round_trips = 0;
  double bare_empty_ns = 0, ordered_empty_ns = 0;
};

// Exact median and mean, in ns, of samples in ticks.
std::pair<double, double> p50_and_mean(const std::vector<std::uint64_t>& ticks) {
  std::vector<double> ns;
  ns.reserve(ticks.size());
  double sum = 0;
  for (std::uint64_t t : ticks) {
    ns.push_back(bench::ticks_to_ns(t));
    sum += ns.back();
  }
  return {bench::median(ns), ns.empty() ? 0 : sum / static_cast<double>(ns.size())};
}

// The whole file or nothing (json_file.hpp).
bool write_json(const std::string& path, const Args& args, bench::CpuPair pair,
                const std::vector<Pass>& passes) {
  std::map<std::string, std::string> context =
      bench::machine_context("latency_bias", args.quick ? "quick" : "default", 0);
  context.erase("run_ms");  // no timed run: a pass is a count of round trips
  context["date"] = bench::local_date();
  context["latency_clock"] = bench::sample_clock_name();
  context["latency_clock_ns"] = bench::json_fixed(bench::clock_read_ns(), 1);
  context["ns_per_tick"] = bench::json_fixed(bench::ns_per_tick(), 6);
  context["probe_pairs"] = bench::describe_pairs(bench::quality().probe_pairs);
  context["probe_us_per_pair"] = std::to_string(bench::PROBE_PER_PAIR.count());
  context["pair"] = bench::describe_pairs({pair});
  context["passes"] = std::to_string(args.passes);
  context["round_trips"] = std::to_string(args.round_trips);
  context["block_round_trips"] = std::to_string(BLOCK);
  std::ostringstream out;
  out << "{\n  \"context\": " << bench::json_context_object(context) << ",\n  \"passes\": [";
  const char* sep = "\n";
  for (const Pass& p : passes) {
    out << sep << "    {\"t_ms\": " << bench::json_fixed(p.t_ms, 3) << ", \"probe_ns\": " << bench::json_ns_or_null(p.probe_ns)
        << ", \"bare_p50_ns\": " << bench::json_fixed(p.bare_p50_ns, 2)
        << ", \"ordered_p50_ns\": " << bench::json_fixed(p.ordered_p50_ns, 2)
        << ", \"bare_mean_ns\": " << bench::json_fixed(p.bare_mean_ns, 2)
        << ", \"ordered_mean_ns\": " << bench::json_fixed(p.ordered_mean_ns, 2) << ", \"round_trips\": " << p.round_trips
        << ", \"bare_empty_ns\": " << bench::json_fixed(p.bare_empty_ns, 2)
        << ", \"ordered_empty_ns\": " << bench::json_fixed(p.ordered_empty_ns, 2) << "}";
    sep = ",\n";
  }
  out << "\n  ]\n}\n";
  return bench::write_file_whole(path, out.str());
}

// "N passes: bias +X ns per sample (ordered p50 - bare p50, median over passes), ordered/bare p50 R".
void print_bias(const char* label, const std::vector<const Pass*>& passes) {
  std::vector<double> bias, ratio, read_cost;
  for (const Pass* p : passes) {
    bias.push_back(p->ordered_p50_ns - p->bare_p50_ns);
    if (p->bare_p50_ns > 0) ratio.push_back(p->ordered_p50_ns / p->bare_p50_ns);
    read_cost.push_back(p->ordered_empty_ns - p->bare_empty_ns);
  }
  std::printf(
      "%s%zu pass(es): bias %+.1f ns per sample (ordered p50 - bare p50, median over passes), "
      "ordered/bare p50 %.3f; the ordered end's own extra cost with nothing timed %+.1f ns\n",
      label, passes.size(), bench::median(bias), bench::median(ratio), bench::median(read_cost));
}

// The bias over all passes, then per placement class when the probes fall into several: sorted
// probe_ns split where one is more than CLASS_GAP times the one before (passes whose probe could
// not pin are in the overall figure only).
void print_summary(const std::vector<Pass>& passes) {
  std::vector<const Pass*> all, probed;
  for (const Pass& p : passes) {
    all.push_back(&p);
    if (p.probe_ns > 0) probed.push_back(&p);
  }
  print_bias("all: ", all);
  std::sort(probed.begin(), probed.end(),
            [](const Pass* a, const Pass* b) { return a->probe_ns < b->probe_ns; });
  std::vector<std::vector<const Pass*>> classes;
  for (const Pass* p : probed) {
    if (classes.empty() || p->probe_ns > classes.back().back()->probe_ns * CLASS_GAP) classes.emplace_back();
    classes.back().push_back(p);
  }
  if (classes.size() < 2) return;
  for (const auto& c : classes) {
    std::vector<double> probes;
    for (const Pass* p : c) probes.push_back(p->probe_ns);
    const std::string label = "placement class ~" + bench::json_fixed(bench::median(probes), 1) + " ns probe: ";
    print_bias(label.c_str(), c);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  if (!args.json.empty() && !bench::json_destination_ok(args.json))
    bench::usage_error(PROGRAM, "no directory for --json file '" + args.json + "'");
  if (!HAVE_TSC || std::string(bench::sample_clock_name()) != "tsc") {
    std::printf(
        "latency_bias: the sample clock is %s (the kernel's clocksource is not tsc): no bare rdtsc end "
        "to measure, nothing measured\n",
        bench::sample_clock_name());
    return 0;
  }
  bench::setup_quality(bench::Pin::none);  // the benchmarks' probe pairs; nothing pinned
  const std::vector<bench::CpuPair>& pairs = bench::quality().probe_pairs;
  if (pairs.empty()) {
    std::fprintf(stderr, "latency_bias: error: %zu allowed CPU(s): no pair to measure\n",
                 bench::allowed_cpus().size());
    return 1;
  }
  const bench::CpuPair pair = pairs.front();
  bench::clock_read_ns();  // measured before the passes, not between them
  std::printf(
      "latency_bias: CPUs %d-%d, %d pass(es) of %d round trips per method, sample clock tsc at %.4f "
      "ns/tick\n",
      pair.first, pair.second, args.passes, args.round_trips, bench::ns_per_tick());
  std::vector<Pass> passes;
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < args.passes; ++i) {
    Pass p;
    p.t_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    p.probe_ns = bench::pair_latency_ns(pair, bench::PROBE_PER_PAIR);
    const Samples s = measure(pair, args.round_trips, i % 2 == 1);
    if (!s.pinned) {
      std::fprintf(stderr, "latency_bias: error: could not pin the ping-pong threads to CPUs %d and %d\n",
                   pair.first, pair.second);
      return 1;
    }
    std::tie(p.bare_p50_ns, p.bare_mean_ns) = p50_and_mean(s.bare);
    std::tie(p.ordered_p50_ns, p.ordered_mean_ns) = p50_and_mean(s.ordered);
    p.round_trips = args.round_trips;
    p.bare_empty_ns = p50_and_mean(s.bare_empty).first;
    p.ordered_empty_ns = p50_and_mean(s.ordered_empty).first;
    std::printf(
        "pass %d at %.0f ms: probe %s ns, p50 bare %.1f ns, ordered %.1f ns (%+.1f); mean bare %.1f ns, "
        "ordered %.1f ns; empty bare %.1f ns, ordered %.1f ns\n",
        i + 1, p.t_ms, bench::json_ns_or_null(p.probe_ns).c_str(), p.bare_p50_ns, p.ordered_p50_ns,
        p.ordered_p50_ns - p.bare_p50_ns, p.bare_mean_ns, p.ordered_mean_ns, p.bare_empty_ns,
        p.ordered_empty_ns);
    passes.push_back(p);
  }
  print_summary(passes);
  if (!args.json.empty() && !write_json(args.json, args, pair, passes)) {
    std::fprintf(stderr, "latency_bias: error: could not write '%s'\n", args.json.c_str());
    return 2;
  }
  return 0;
}
