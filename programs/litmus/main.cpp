// litmus: runs the memory-model litmus tests and prints one histogram per test and order.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "litmus.hpp"

namespace {

constexpr const char* kUsage =
    "usage: litmus [--trials N] [--quick] [--test NAME]... [--json FILE]\n"
    "              [--batch N] [--sync trial|batch] [--jitter N]\n"
    "  Runs the litmus tests SB, MP, LB, IRIW (relaxed, acq_rel, seq_cst) and publish\n"
    "  (relaxed = broken plain-flag publish, acq_rel = release/acquire publish), counting\n"
    "  every outcome. Classes: allowed (some interleaving gives it), interesting (permitted\n"
    "  by C++ for this order, seen only through reordering), forbidden (never permitted).\n"
    "  --trials N   trials per test and order (default 2000000; IRIW uses a quarter)\n"
    "  --quick      20000 trials: a smoke run for CI\n"
    "  --batch N    trials per tally batch (default 1024)\n"
    "  --sync M     trial: threads align before every trial (default); batch: only per batch\n"
    "  --jitter N   random 0..N spin delay before each trial body (default 32)\n"
    "  --test NAME  run only this test (repeatable)\n"
    "  --json FILE  also write the results as JSON (via FILE.tmp + rename)\n"
    "Exit status: 0, 1 if a forbidden outcome was observed, 2 on bad usage.\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "litmus: " << msg << " (try --help)\n";
  std::exit(2);
}

std::uint64_t parse_count(const std::string& flag, const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (!*text || *end || v == 0) usage_error(flag + " needs a positive integer, not '" + text + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  litmus::Options opt;
  bool trials_given = false;
  std::string json_path;
  std::vector<std::string_view> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--trials") {
      opt.trials = parse_count(a, value());
      trials_given = true;
    } else if (a == "--quick") {
      if (!trials_given) opt.trials = 20'000;
    } else if (a == "--batch")
      opt.batch = parse_count(a, value());
    else if (a == "--json")
      json_path = value();
    else if (a == "--jitter")
      opt.jitter = static_cast<unsigned>(parse_count(a, value()));
    else if (a == "--sync") {
      const std::string m = value();
      if (m == "trial")
        opt.sync = litmus::Sync::per_trial;
      else if (m == "batch")
        opt.sync = litmus::Sync::per_batch;
      else
        usage_error("--sync takes trial or batch, not '" + m + "'");
    } else if (a == "--test") {
      only.emplace_back(value());  // argv outlives main's use
      if (!litmus::find_test(only.back())) usage_error("unknown test '" + std::string(only.back()) + "'");
    } else
      usage_error("unknown argument '" + a + "'");
  }

  const auto ctx = litmus::machine_context();
  std::cout << "litmus on " << ctx.cpu_model << " (" << ctx.cores << " cores, " << ctx.kernel << ", "
            << ctx.compiler << ")\n\n";
  std::vector<litmus::Result> results;
  std::uint64_t forbidden = 0;
  for (const auto& t : litmus::tests()) {
    if (!only.empty() && std::find(only.begin(), only.end(), t.name) == only.end()) continue;
    litmus::Options o = opt;
    // Four threads on two cores take turns, so IRIW trials are far slower.
    if (t.name == "IRIW") o.trials = std::max<std::uint64_t>(1, opt.trials / 4);
    for (auto order : t.orders) {
      results.push_back(litmus::run(t.name, order, o));
      forbidden += results.back().count(litmus::Class::forbidden);
      std::cout << litmus::histogram(results.back(), ctx.cpu_model) << "\n" << std::flush;
    }
  }
  if (!json_path.empty()) {
    try {
      litmus::write_file_atomically(json_path, litmus::to_json(ctx, results));
    } catch (const std::exception& e) {
      std::cerr << "litmus: " << e.what() << "\n";
      return 2;
    }
  }
  if (forbidden) std::cerr << "litmus: " << forbidden << " forbidden outcome(s) observed!\n";
  return forbidden ? 1 : 0;
}
