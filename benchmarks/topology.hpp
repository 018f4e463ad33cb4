// The CPU topology from sysfs (which logical CPU sits on which core of which package), and the
// order in which --pin=spread|compact hands CPUs to threads. The parser takes the sysfs root, so
// it is tested on a synthetic tree (tests/fixtures/sysfs-2x32x2, 2 sockets x 32 cores x 2 SMT).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contend::bench {

struct LogicalCpu {
  int id = 0, package = 0, core = 0;  // core: core_id, unique within its package
};

struct Topology {
  std::vector<LogicalCpu> cpus;  // by id

  int cores() const;    // distinct (package, core)
  int sockets() const;  // distinct packages
  const LogicalCpu* find(int id) const;
  // "cpu0=s0c0 cpu1=s0c1 ..." (the context's "topology" key).
  std::string description() const;
};

// Reads <root>/cpuN/topology/{physical_package_id,core_id} for every cpuN directory; root is
// normally /sys/devices/system/cpu. CPUs without topology files (offline) are left out.
Topology read_topology(const std::string& root = "/sys/devices/system/cpu");

// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> allowed_cpus();

enum class Pin { none, spread, compact };

std::optional<Pin> parse_pin(std::string_view text);  // "none" | "spread" | "compact"
std::string_view to_string(Pin pin);

// The CPUs in the order threads take them: thread i of a run goes to order[i % size], the
// threads the library starts to the slots after the run's threads. Only CPUs in `allowed`.
// - spread:  one CPU of each physical core first (cores in the order of their first CPU),
//            then the second SMT sibling of each core, and so on;
// - compact: all SMT siblings of a core before the next core.
// Empty for Pin::none (nothing is placed).
std::vector<int> placement_order(const Topology& topology, Pin pin, const std::vector<int>& allowed);

}  // namespace contend::bench
