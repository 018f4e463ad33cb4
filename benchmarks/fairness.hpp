// Fairness of one time-bounded run: the spread of the per-thread counts, compared within a role
// only. Workers are compared with workers and producers with producers (what each managed to
// send); consumers are left out, as a consumer's count is what the producers gave it (a consumer
// that found the stack or channel empty is not treated unfairly by the design under test). When
// a run has both workers and producers, each group is judged alone and the worse one is reported.
// A pure function, unit-tested in tests/fairness_test.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace contend::bench {

// How a thread's count enters the figures. In producer/consumer workloads an item is counted
// once, when received (consumer), while fairness compares what the producers managed to send.
enum class Role : unsigned char {
  worker,    // counted in the total and in fairness (among workers)
  producer,  // in fairness only (among producers)
  consumer,  // in the total only
};

struct Fairness {
  double min_max = 0;  // lowest count / highest count: 1 is perfectly fair, 0 is a starved thread
  double cv = 0;       // standard deviation / mean of the counts: 0 is perfectly fair
  int threads = 0;     // how many threads were compared (the producers in producer/consumer runs)
};

inline Fairness fairness_of(const std::vector<std::uint64_t>& ops, const std::vector<Role>& roles) {
  Fairness worst{.min_max = 1, .cv = 0, .threads = 0};
  bool any = false;
  for (Role role : {Role::worker, Role::producer}) {
    std::vector<double> counts;
    for (std::size_t i = 0; i < ops.size() && i < roles.size(); ++i) {
      if (roles[i] == role) counts.push_back(static_cast<double>(ops[i]));
    }
    if (counts.empty()) continue;
    double mean = 0;
    for (double c : counts) mean += c;
    mean /= static_cast<double>(counts.size());
    double var = 0;
    for (double c : counts) var += (c - mean) * (c - mean);
    var /= static_cast<double>(counts.size());
    const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
    worst.min_max = std::min(worst.min_max, *hi > 0 ? *lo / *hi : 0.0);
    worst.cv = std::max(worst.cv, mean > 0 ? std::sqrt(var) / mean : 0.0);
    worst.threads += static_cast<int>(counts.size());
    any = true;
  }
  return any ? worst : Fairness{};
}

}  // namespace contend::bench
