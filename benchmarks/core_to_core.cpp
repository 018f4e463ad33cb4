// The core-to-core latency map: the one-way latency of a cache line bounced between two pinned
// threads (probe.hpp's pair_latency_ns, the placement probe's own code) for every unordered pair
// of the CPUs this process may run on. It says what a hand-off between two threads costs on this
// CPU before any data structure is involved: SMT siblings, cores of one package, packages apart.
//   usage: core_to_core [--quick] [--per_pair_us=N] [--passes=N] [--json FILE]
// One direction per pair: the initiator runs on the lower-numbered CPU a, the answerer on b. A
// round trip moves the line a -> b and b -> a, so a <- b would time the same two transfers with
// the other thread's clock; measuring it too would double the time for nothing.
// Default time per pair: 1 ms (the placement probe's PROBE_PER_PAIR, a few hundred samples of 32
// round trips) until the pairs would take more than 20 s of ping-pong, then shrunk to fit 20 s,
// never below 100 us (about 15 samples): 2 CPUs take about 1 ms, 16 CPUs (120 pairs) 0.12 s,
// 128 CPUs (8 128 pairs) 8 s, 256 CPUs (32 640 pairs) 20 s at 0.6 ms, plus two thread starts
// per pair (about 0.1 ms each pair). --quick (what `contend run --quick` passes): 200 us a pair.
// --passes=N (1 to 1000, default 1) measures the whole map N times, each pass at that time per
// pair: on a VM whose vCPUs move, one map is one moment's placement, and the passes show which
// pairs change class over time.
// --json writes {"context": {...the machine context...}, "cpus": [...], "per_pair_us": N,
// "pairs": [{"a", "b", "ns", "relation"}]} whole or not at all (temp file + rename); ns is null
// for a pair whose threads could not be pinned, relation "smt" (same core), "core" (another core
// of the same package) or "package" (another package), null when sysfs does not say. These
// top-level fields are the first pass's; with --passes=N > 1 the file also has "passes":
// [{"t_ms", "pair_latency_ns": [{"a", "b", "ns", "relation"}]}], every pass (the first too), t_ms
// from the first pass's start to this one's, pair_latency_ns the shape of "pairs".
// Exit 0 when at least one pair was measured, 1 when none was or fewer than 2 CPUs are allowed,
// 2 on bad input. Single-threaded apart from the two probe threads of the pair being measured.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "context.hpp"
#include "json_file.hpp"
#include "probe.hpp"
#include "program_args.hpp"
#include "topology.hpp"

namespace {

using contend::bench::CpuPair;

constexpr double DEFAULT_PER_PAIR_US = 1000;   // the placement probe's PROBE_PER_PAIR
constexpr double DEFAULT_TOTAL_US = 20'000'000;  // the default shrinks past this much ping-pong
constexpr double FLOOR_PER_PAIR_US = 100;      // about 15 samples of 32 round trips
constexpr double QUICK_PER_PAIR_US = 200;
constexpr std::size_t MATRIX_MAX_CPUS = 16;     // wider matrices do not fit a terminal
constexpr int MAX_PASSES = 1000;

struct Args {
  std::optional<double> per_pair_us;  // nullopt: the default for the machine's pair count
  int passes = 1;
  bool quick = false;
  std::string json;                   // "" = no file
};

constexpr const char* PROGRAM = "core_to_core";

Args parse(int argc, char** argv) {
  namespace bench = contend::bench;
  Args a;
  bench::parse_flags(
      argc, argv, PROGRAM,
      "core_to_core: one-way cache-line latency between every pair of allowed CPUs\n"
      "  --per_pair_us=N    ping-pong time per pair in microseconds (default 1000, shrunk to\n"
      "                     fit 20 s in all when there are many pairs, never below 100)\n"
      "  --quick            200 us per pair unless --per_pair_us says otherwise\n"
      "  --passes=N         measure the whole map N times (1 to 1000, default 1); the JSON's\n"
      "                     top level keeps the first, \"passes\" has them all\n"
      "  --json FILE        also write the pairs and the machine context as JSON\n",
      {bench::switch_flag("--quick", [&] { a.quick = true; }),
       bench::number_flag("--per_pair_us", 10, 100'000, [&](double us) { a.per_pair_us = us; }),
       bench::whole_flag("--passes", 1, MAX_PASSES, [&](int n) { a.passes = n; }),
       bench::text_flag("--json", "a file name", [&](const std::string& file) { a.json = file; })});
  return a;
}

double default_per_pair_us(std::size_t pairs) {
  if (pairs == 0) return DEFAULT_PER_PAIR_US;
  return std::clamp(DEFAULT_TOTAL_US / static_cast<double>(pairs), FLOOR_PER_PAIR_US, DEFAULT_PER_PAIR_US);
}

// "smt", "core", "package", or "" when sysfs does not place both CPUs.
std::string relation(const contend::bench::Topology& topology, CpuPair pair) {
  const contend::bench::LogicalCpu* a = topology.find(pair.first);
  const contend::bench::LogicalCpu* b = topology.find(pair.second);
  if (!a || !b) return "";
  if (a->package != b->package) return "package";
  return a->core == b->core ? "smt" : "core";
}

struct Measured {
  CpuPair pair;
  double ns = 0;  // 0: not pinned (null in the JSON)
  std::string relation;
};

// One measurement of every pair.
struct Pass {
  double t_ms = 0;  // from the first pass's start
  std::vector<Measured> pairs;
};

// [{"a", "b", "ns", "relation"}, ...], one pair a line, indented as a top-level member's value.
void write_pairs(std::ostringstream& out, const std::vector<Measured>& pairs, const char* indent) {
  out << "[";
  const char* sep = "\n";
  for (const Measured& m : pairs) {
    out << sep << indent << "    {\"a\": " << m.pair.first << ", \"b\": " << m.pair.second
        << ", \"ns\": " << contend::bench::json_ns_or_null(m.ns)
        << ", \"relation\": " << (m.relation.empty() ? "null" : contend::bench::json_quoted(m.relation)) << "}";
    sep = ",\n";
  }
  out << "\n" << indent << "  ]";
}

// The whole file or nothing (json_file.hpp).
bool write_json(const std::string& path, const Args& args, double per_pair_us, const std::vector<int>& cpus,
                const std::vector<Pass>& passes) {
  std::map<std::string, std::string> context =
      contend::bench::machine_context("core_to_core", args.quick ? "quick" : "default", per_pair_us / 1000);
  context["run_ms"] = contend::bench::json_fixed(per_pair_us / 1000, 3);  // one pair's ping-pong (machine_context rounds to 1 ms)
  context["date"] = contend::bench::local_date();
  std::ostringstream out;
  out << "{\n  \"context\": " << contend::bench::json_context_object(context) << ",\n  \"cpus\": [";
  const char* sep = "";
  for (int cpu : cpus) {
    out << sep << cpu;
    sep = ", ";
  }
  out << "],\n  \"per_pair_us\": " << contend::bench::json_fixed(per_pair_us, 0) << ",\n  \"pairs\": ";
  write_pairs(out, passes.front().pairs, "");
  if (passes.size() > 1) {
    out << ",\n  \"passes\": [";
    sep = "\n";
    for (const Pass& p : passes) {
      out << sep << "    {\"t_ms\": " << contend::bench::json_fixed(p.t_ms, 3) << ", \"pair_latency_ns\": ";
      write_pairs(out, p.pairs, "    ");
      out << "}";
      sep = ",\n";
    }
    out << "\n  ]";
  }
  out << "\n}\n";
  return contend::bench::write_file_whole(path, out.str());
}

void print_matrix(const std::vector<int>& cpus, const std::vector<Measured>& pairs) {
  std::map<CpuPair, double> ns;
  for (const Measured& m : pairs) ns[m.pair] = m.ns;
  std::printf("one-way ns  ");
  for (int b : cpus) std::printf("%7s", ("cpu" + std::to_string(b)).c_str());
  std::printf("\n");
  for (int a : cpus) {
    std::printf("%-12s", ("cpu" + std::to_string(a)).c_str());
    for (int b : cpus) {
      if (a == b) {
        std::printf("%7s", "-");
        continue;
      }
      const double v = ns[{std::min(a, b), std::max(a, b)}];
      std::printf("%7s", v > 0 ? contend::bench::json_fixed(v, 1).c_str() : "n/a");
    }
    std::printf("\n");
  }
}

void print_summary(const std::vector<Measured>& pairs) {
  std::vector<const Measured*> measured;
  for (const Measured& m : pairs) {
    if (m.ns > 0) measured.push_back(&m);
  }
  if (measured.empty()) {
    std::printf("no pair could be measured (no thread could be pinned)\n");
    return;
  }
  std::vector<double> values;
  for (const Measured* m : measured) values.push_back(m->ns);
  const auto by_ns = [](const Measured* x, const Measured* y) { return x->ns < y->ns; };
  const Measured* best = *std::min_element(measured.begin(), measured.end(), by_ns);
  const Measured* worst = *std::max_element(measured.begin(), measured.end(), by_ns);
  std::printf("%zu of %zu pairs measured: median %.1f ns, best %d-%d %.1f ns, worst %d-%d %.1f ns\n",
              measured.size(), pairs.size(), contend::bench::median(values), best->pair.first,
              best->pair.second, best->ns, worst->pair.first, worst->pair.second, worst->ns);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  if (!args.json.empty() && !contend::bench::json_destination_ok(args.json))
    contend::bench::usage_error(PROGRAM, "no directory for --json file '" + args.json + "'");
  const std::vector<int> cpus = contend::bench::allowed_cpus();
  if (cpus.size() < 2) {
    std::fprintf(stderr, "core_to_core: error: %zu allowed CPU(s): no pair to measure\n", cpus.size());
    return 1;
  }
  const contend::bench::Topology topology = contend::bench::read_topology();
  std::vector<Measured> pairs;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    for (std::size_t j = i + 1; j < cpus.size(); ++j) {
      const CpuPair pair{cpus[i], cpus[j]};
      pairs.push_back({pair, 0, relation(topology, pair)});
    }
  }
  const double per_pair_us =
      args.per_pair_us.value_or(args.quick ? QUICK_PER_PAIR_US : default_per_pair_us(pairs.size()));
  const double measured_pairs = static_cast<double>(pairs.size()) * args.passes;
  if (measured_pairs > 1000) {  // say how long the wait will be when it is more than a moment
    std::fprintf(stderr, "core_to_core: %zu pairs of %zu CPUs, %d pass(es), %.0f us each: about %.0f s\n",
                 pairs.size(), cpus.size(), args.passes, per_pair_us, measured_pairs * (per_pair_us + 100) / 1e6);
  }
  const auto budget = std::chrono::microseconds(static_cast<long long>(std::llround(per_pair_us)));
  bool any = false;
  std::vector<Pass> passes;
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < args.passes; ++pass) {
    Pass p{std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(), pairs};
    for (Measured& m : p.pairs) {
      m.ns = contend::bench::pair_latency_ns(m.pair, budget);
      any = any || m.ns > 0;
    }
    if (pass == 0 && cpus.size() <= MATRIX_MAX_CPUS) print_matrix(cpus, p.pairs);
    if (args.passes > 1) std::printf("pass %d at %.0f ms: ", pass + 1, p.t_ms);
    print_summary(p.pairs);
    passes.push_back(std::move(p));
  }
  if (!args.json.empty() && !write_json(args.json, args, per_pair_us, cpus, passes)) {
    std::fprintf(stderr, "core_to_core: error: could not write '%s'\n", args.json.c_str());
    return 2;
  }
  return any ? 0 : 1;
}
