// Interference with one time-bounded run: how much of the machine something other than this
// process used meanwhile (foreign load), what the hypervisor stole, and whether our threads ran
// as much in parallel as the design needs. A pure function of two /proc/stat snapshots and our
// own clocks, so it is tested on recorded samples (tests/fixtures/proc_stat/).
//
// Resolution. /proc/stat counts in ticks of 1/USER_HZ s (10 ms). Over a window each CPU's count
// can be off by up to one tick (where the window's edges fall between ticks), so the foreign
// and steal figures are exact only to resolution_cpu = allowed CPUs x 10 ms / wall: 0.067 CPU
// for a 300 ms run on 2 CPUs, 0.4 CPU for a --quick 50 ms run. The foreign taint is raised
// only when foreign + steal exceeds TAINT_FOREIGN_CPU by more than that, so quantization alone
// never taints a run (and a short run sees only a large intruder). A design whose threads sleep
// and wake faster than the tick is sampled by the tick: its busy ticks scatter further (about
// sqrt(ticks) per CPU), so for blocking designs the figure is rougher than the bound says.
// Our own CPU time comes from CLOCK_PROCESS_CPUTIME_ID (nanoseconds), as does parallelism.
//
// Allowed CPUs. A process confined to a cpuset (a container's --cpuset-cpus, taskset) can only be
// slowed by load on the CPUs it may use, so busy and steal time are summed over the "cpuN" lines
// of those CPUs only (read from the affinity mask at start-up, before any thread is pinned), and
// the resolution counts those CPUs only. Load on the CPUs it cannot use never taints a run.
#pragma once

#include <sched.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contend::bench {

// A run is tainted when other processes and the hypervisor took more than this (in CPUs,
// beyond the resolution above) while it ran.
inline constexpr double TAINT_FOREIGN_CPU = 0.10;
// ... or when a spinning design achieved less than this share of the parallelism it needs
// (its threads then shared CPUs and contended less than the figure claims).
inline constexpr double TAINT_PARALLELISM_SHARE = 0.80;
// The unit of /proc/stat: 1/USER_HZ, 100 on every Linux architecture's ABI.
inline constexpr std::int64_t PROC_STAT_TICK_NS = 10'000'000;

// One line of /proc/stat, in ticks.
struct CpuTicks {
  std::uint64_t busy = 0;   // user + nice + system + irq + softirq (guest time is inside user)
  std::uint64_t steal = 0;  // taken by the hypervisor for other guests
  std::uint64_t total = 0;  // every state, idle included
};

// The machine-wide "cpu" line of /proc/stat, how many "cpuN" lines follow it, and those lines.
struct ProcStat {
  std::uint64_t busy = 0;   // as in CpuTicks, for the whole machine
  std::uint64_t steal = 0;
  std::uint64_t total = 0;
  int cpus = 0;
  std::map<int, CpuTicks> per_cpu;  // the well-formed "cpuN" lines, by N
};

// nullopt if the text has no well-formed "cpu" line.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The ticks of the CPUs in `allowed` (summed "cpuN" lines), or of the whole machine (the "cpu"
// line) when `allowed` is empty; nullopt when none of the allowed CPUs has a line.
std::optional<CpuTicks> ticks_of(const ProcStat& stat, const std::vector<int>& allowed);

// The CPUs set in an affinity mask (sched_getaffinity's), in increasing order.
std::vector<int> cpus_in_mask(const cpu_set_t& mask);

// The CPUs this process was allowed when it started (its affinity mask, read once at static
// initialisation, before --pin narrows any thread's mask); empty if it could not be read.
const std::vector<int>& startup_allowed_cpus();

// What a spinning design must use: its threads plus the threads it starts, capped at the CPUs
// it may run on. 0 for a blocking design, which sleeps by design.
int parallelism_needed(bool blocking, int threads, int owner_threads, int logical_cpus);

struct RunUsage {
  std::string_view stat_before, stat_after;  // /proc/stat text around the run
  std::int64_t process_cpu_ns = 0;           // this process's CPU time over the run
  std::int64_t wall_ns = 0;
  int parallelism_needed = 0;  // parallelism_needed() above
  std::int64_t tick_ns = PROC_STAT_TICK_NS;
};

struct Interference {
  double foreign_cpu = 0;     // busy allowed CPUs that were not ours (never below 0)
  double steal_cpu = 0;       // allowed CPUs stolen by the hypervisor
  double parallelism = 0;     // our CPU time / wall time
  double resolution_cpu = 0;  // quantization bound of foreign_cpu + steal_cpu (see above),
                              // over the allowed CPUs
  int parallelism_needed = 0;
  bool taint_foreign = false, taint_parallelism = false;
  bool valid = false;  // false if a snapshot could not be parsed: nothing is judged then

  bool tainted() const { return taint_foreign || taint_parallelism; }
  // "" when clean, else e.g. "tainted: foreign load 0.31 CPU; parallelism 1.02 of 2".
  std::string label() const;
};

// `allowed_cpus`: the CPUs the process may use (startup_allowed_cpus()); empty: the whole machine.
Interference classify(const RunUsage& usage, const std::vector<int>& allowed_cpus = {});

}  // namespace contend::bench
