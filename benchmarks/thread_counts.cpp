#include "thread_counts.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace contend::bench {

std::vector<int> default_thread_counts() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> counts;
  for (int n = 1; n <= 2 * cores; n *= 2) counts.push_back(n);
  if (std::find(counts.begin(), counts.end(), cores) == counts.end()) counts.push_back(cores);
  std::sort(counts.begin(), counts.end());
  return counts;
}

std::optional<std::vector<int>> parse_thread_counts(const std::string& list, int max) {
  std::vector<int> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n < 1 || n > max) return std::nullopt;
    out.push_back(static_cast<int>(n));
  }
  if (out.empty() || list.back() == ',') return std::nullopt;
  return out;
}

}  // namespace contend::bench
