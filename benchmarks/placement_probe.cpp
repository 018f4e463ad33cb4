// The placement probe alone, over time: the benchmarks' own probe (probe.hpp's run_probe on the
// probe pairs run_quality.hpp chooses, PROBE_PER_PAIR a pair) taken every --interval_ms for
// --seconds. On a VM whose vCPUs move it shows which placements the machine offers (SMT siblings,
// one CCX, CCDs apart, a descheduled vCPU) and how often each comes round: what a --placement
// window is chosen from, and what the analysis clusters probe_ns into placement classes with.
//   usage: placement_probe [--quick] [--seconds=S] [--interval_ms=I] [--json FILE]
// Defaults: 2 s, a probe every 20 ms (--quick: 0.5 s). A probe that overruns its slot (a
// descheduled vCPU) skips the slots it covered rather than catching up with a burst. Without
// --json one line per probe; with it a summary line and
// {"context": {...the machine context, "probe_pairs", "probe_us_per_pair", "probe_seconds",
// "probe_interval_ms", "date"...}, "probes": [{"t_ms", "ns", "pair_ns": [...]}]} written whole or
// not at all (json_file.hpp): t_ms from the start to the probe's start, ns the median over the
// pairs, pair_ns in the order of probe_pairs; null for a pair (or a probe) not measured.
// Exit 0 when a probe measured something, 1 when none did or fewer than 2 CPUs are allowed, 2 on
// bad input. Single-threaded apart from the two probe threads of the pair being measured.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "context.hpp"
#include "json_file.hpp"
#include "probe.hpp"
#include "program_args.hpp"
#include "run_quality.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace bench = contend::bench;

constexpr double DEFAULT_SECONDS = 2;
constexpr double QUICK_SECONDS = 0.5;
constexpr double DEFAULT_INTERVAL_MS = 20;

struct Args {
  double seconds = DEFAULT_SECONDS;
  double interval_ms = DEFAULT_INTERVAL_MS;
  bool quick = false, seconds_given = false;
  std::string json;  // "" = no file
};

constexpr const char* PROGRAM = "placement_probe";

Args parse(int argc, char** argv) {
  Args a;
  bench::parse_flags(
      argc, argv, PROGRAM,
      "placement_probe: the benchmarks' placement probe, taken again and again\n"
      "  --seconds=S        how long to probe (default 2)\n"
      "  --interval_ms=I    one probe every I ms (default 20)\n"
      "  --quick            0.5 s unless --seconds says otherwise\n"
      "  --json FILE        write the probes and the machine context as JSON instead of one\n"
      "                     line per probe\n",
      {bench::switch_flag("--quick", [&] { a.quick = true; }),
       bench::number_flag("--seconds", 0.01, 86'400,  // up to a day
                          [&](double s) {
                            a.seconds = s;
                            a.seconds_given = true;
                          }),
       bench::number_flag("--interval_ms", 1, 3'600'000, [&](double ms) { a.interval_ms = ms; }),
       bench::text_flag("--json", "a file name", [&](const std::string& file) { a.json = file; })});
  if (a.quick && !a.seconds_given) a.seconds = QUICK_SECONDS;
  return a;
}

struct Probe {
  double t_ms = 0;
  bench::ProbeResult result;
};

// The whole file or nothing (json_file.hpp).
bool write_json(const std::string& path, const Args& args, const std::vector<Probe>& probes) {
  const double per_pair_ms = static_cast<double>(bench::PROBE_PER_PAIR.count()) / 1000;
  std::map<std::string, std::string> context =
      bench::machine_context("placement_probe", args.quick ? "quick" : "default", per_pair_ms);
  context["run_ms"] = bench::json_fixed(per_pair_ms, 3);  // one pair's ping-pong, as core_to_core's
  context["date"] = bench::local_date();
  context["probe_pairs"] = bench::describe_pairs(bench::quality().probe_pairs);
  context["probe_us_per_pair"] = std::to_string(bench::PROBE_PER_PAIR.count());
  context["probe_seconds"] = bench::json_fixed(args.seconds, 3);
  context["probe_interval_ms"] = bench::json_fixed(args.interval_ms, 3);
  std::ostringstream out;
  out << "{\n  \"context\": " << bench::json_context_object(context) << ",\n  \"probes\": [";
  const char* sep = "\n";
  for (const Probe& p : probes) {
    out << sep << "    {\"t_ms\": " << bench::json_fixed(p.t_ms, 3) << ", \"ns\": " << bench::json_ns_or_null(p.result.median_ns)
        << ", \"pair_ns\": [";
    const char* pair_sep = "";
    for (double ns : p.result.pair_ns) {
      out << pair_sep << bench::json_ns_or_null(ns);
      pair_sep = ", ";
    }
    out << "]}";
    sep = ",\n";
  }
  out << "\n  ]\n}\n";
  return bench::write_file_whole(path, out.str());
}

void print_probe(const Probe& p, const std::vector<bench::CpuPair>& pairs) {
  std::printf("%9.1f ms  %9s ns ", p.t_ms, bench::json_ns_or_null(p.result.median_ns).c_str());
  for (std::size_t i = 0; i < pairs.size() && i < p.result.pair_ns.size(); ++i) {
    std::printf(" %d-%d %s", pairs[i].first, pairs[i].second, bench::json_ns_or_null(p.result.pair_ns[i]).c_str());
  }
  std::printf("\n");
}

void print_summary(const std::vector<Probe>& probes) {
  std::vector<double> medians;
  for (const Probe& p : probes) {
    if (p.result.median_ns > 0) medians.push_back(p.result.median_ns);
  }
  if (medians.empty()) {
    std::printf("%zu probes, none measured (no thread could be pinned)\n", probes.size());
    return;
  }
  const auto [lo, hi] = std::minmax_element(medians.begin(), medians.end());
  std::printf("%zu probes, %zu measured: median %.1f ns, lowest %.1f ns, highest %.1f ns\n", probes.size(),
              medians.size(), bench::median(medians), *lo, *hi);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  if (!args.json.empty() && !bench::json_destination_ok(args.json))
    bench::usage_error(PROGRAM, "no directory for --json file '" + args.json + "'");
  bench::setup_quality(bench::Pin::none);  // the benchmarks' probe pairs; nothing pinned
  const std::vector<bench::CpuPair>& pairs = bench::quality().probe_pairs;
  if (pairs.empty()) {
    std::fprintf(stderr, "placement_probe: error: %zu allowed CPU(s): no pair to probe\n",
                 bench::allowed_cpus().size());
    return 1;
  }
  const auto interval = std::chrono::duration<double, std::milli>(args.interval_ms);
  const auto length = std::chrono::duration<double>(args.seconds);
  const Clock::time_point start = Clock::now();
  std::vector<Probe> probes;
  bool any = false;
  for (long long slot = 0; slot * interval < length;) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(slot * interval));
    Probe p;
    p.t_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    p.result = bench::run_probe(pairs);
    any = any || p.result.median_ns > 0;
    if (args.json.empty()) print_probe(p, pairs);
    probes.push_back(std::move(p));
    // The next slot not yet begun: an overrun skips slots instead of bunching probes together.
    const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    slot = std::max(slot + 1, static_cast<long long>(std::ceil(elapsed / args.interval_ms)));
  }
  if (!args.json.empty()) {
    print_summary(probes);
    if (!write_json(args.json, args, probes)) {
      std::fprintf(stderr, "placement_probe: error: could not write '%s'\n", args.json.c_str());
      return 2;
    }
  }
  return any ? 0 : 1;
}
