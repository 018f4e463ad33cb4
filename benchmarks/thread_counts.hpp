// The thread counts every benchmark binary sweeps by default, and the parser of --threads=LIST.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace contend::bench {

// 1, 2, 4, ... up to 2 x hardware_concurrency, plus the core count itself: every sweep goes past
// the cores, since oversubscription is a case users hit.
std::vector<int> default_thread_counts();

// "1,2,4" -> {1, 2, 4}; nullopt if any item is not a whole number in [1, max].
std::optional<std::vector<int>> parse_thread_counts(const std::string& list, int max = 1024);

}  // namespace contend::bench
