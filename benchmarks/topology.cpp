#include "topology.hpp"

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace contend::bench {
namespace {

std::optional<int> read_int(const std::filesystem::path& path) {
  std::ifstream in(path);
  int v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

// "cpu12" -> 12; nullopt for "cpufreq", "cpuidle" and the like.
std::optional<int> cpu_number(const std::string& name) {
  if (name.size() < 4 || name.rfind("cpu", 0) != 0) return std::nullopt;
  if (!std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoi(name.substr(3));
}

}  // namespace

int Topology::cores() const {
  std::set<std::pair<int, int>> seen;
  for (const LogicalCpu& c : cpus) seen.insert({c.package, c.core});
  return static_cast<int>(seen.size());
}

int Topology::sockets() const {
  std::set<int> seen;
  for (const LogicalCpu& c : cpus) seen.insert(c.package);
  return static_cast<int>(seen.size());
}

const LogicalCpu* Topology::find(int id) const {
  for (const LogicalCpu& c : cpus) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string Topology::description() const {
  std::ostringstream out;
  for (const LogicalCpu& c : cpus)
    out << (&c == cpus.data() ? "" : " ") << "cpu" << c.id << "=s" << c.package << "c" << c.core;
  return out.str();
}

Topology read_topology(const std::string& root) {
  Topology t;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::optional<int> id = cpu_number(entry.path().filename().string());
    if (!id) continue;
    const std::optional<int> package = read_int(entry.path() / "topology" / "physical_package_id");
    const std::optional<int> core = read_int(entry.path() / "topology" / "core_id");
    if (package && core) t.cpus.push_back({*id, *package, *core});
  }
  std::sort(t.cpus.begin(), t.cpus.end(),
            [](const LogicalCpu& a, const LogicalCpu& b) { return a.id < b.id; });
  return t;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out;
}

std::optional<Pin> parse_pin(std::string_view text) {
  if (text == "none") return Pin::none;
  if (text == "spread") return Pin::spread;
  if (text == "compact") return Pin::compact;
  return std::nullopt;
}

std::string_view to_string(Pin pin) {
  switch (pin) {
    case Pin::none:
      return "none";
    case Pin::spread:
      return "spread";
    case Pin::compact:
      return "compact";
  }
  return "none";
}

std::vector<int> placement_order(const Topology& topology, Pin pin, const std::vector<int>& allowed) {
  if (pin == Pin::none) return {};
  // The allowed CPUs of each core, cores in the order of their first allowed CPU. A CPU that
  // sysfs does not describe counts as a core of its own.
  std::vector<std::vector<int>> cores;
  std::map<std::pair<int, int>, std::size_t> index;
  for (int cpu : allowed) {
    const LogicalCpu* c = topology.find(cpu);
    const std::pair<int, int> key = c ? std::pair{c->package, c->core} : std::pair{-1, -1 - cpu};
    auto [it, fresh] = index.try_emplace(key, cores.size());
    if (fresh) cores.emplace_back();
    cores[it->second].push_back(cpu);
  }
  std::vector<int> order;
  if (pin == Pin::compact) {
    for (const auto& core : cores) order.insert(order.end(), core.begin(), core.end());
    return order;
  }
  for (std::size_t sibling = 0; order.size() < allowed.size(); ++sibling) {
    for (const auto& core : cores) {
      if (sibling < core.size()) order.push_back(core[sibling]);
    }
  }
  return order;
}

}  // namespace contend::bench
