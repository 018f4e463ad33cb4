#include "interference.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace contend::bench {

namespace {

// user nice system idle iowait irq softirq steal [guest guest_nice], after the line's name.
std::optional<CpuTicks> parse_ticks(const char* fields) {
  unsigned long long v[8] = {};
  if (std::sscanf(fields, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &v[6], &v[7]) != 8) {
    return std::nullopt;
  }
  return CpuTicks{.busy = v[0] + v[1] + v[2] + v[5] + v[6],
                  .steal = v[7],
                  .total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]};
}

std::vector<int> read_startup_mask() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) return {};
  return cpus_in_mask(mask);
}

// Static initialisation: before main(), so before any thread is pinned.
const std::vector<int> startup_mask = read_startup_mask();

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::optional<ProcStat> stat;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu ", 0) == 0) {
      const std::optional<CpuTicks> t = parse_ticks(line.c_str() + 3);
      if (!t) return std::nullopt;
      stat.emplace();
      stat->busy = t->busy;
      stat->steal = t->steal;
      stat->total = t->total;
    } else if (stat && line.rfind("cpu", 0) == 0) {
      ++stat->cpus;
      int id = -1, used = 0;
      if (std::sscanf(line.c_str(), "cpu%d%n", &id, &used) == 1 && id >= 0) {
        if (const std::optional<CpuTicks> t = parse_ticks(line.c_str() + used)) stat->per_cpu[id] = *t;
      }
    }
  }
  return stat;
}

std::optional<CpuTicks> ticks_of(const ProcStat& stat, const std::vector<int>& allowed) {
  if (allowed.empty()) return CpuTicks{.busy = stat.busy, .steal = stat.steal, .total = stat.total};
  std::optional<CpuTicks> sum;
  for (int cpu : allowed) {
    const auto it = stat.per_cpu.find(cpu);
    if (it == stat.per_cpu.end()) continue;
    if (!sum) sum = CpuTicks{};
    sum->busy += it->second.busy;
    sum->steal += it->second.steal;
    sum->total += it->second.total;
  }
  return sum;
}

std::vector<int> cpus_in_mask(const cpu_set_t& mask) {
  std::vector<int> out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &mask)) out.push_back(cpu);
  }
  return out;
}

const std::vector<int>& startup_allowed_cpus() { return startup_mask; }

int parallelism_needed(bool blocking, int threads, int owner_threads, int logical_cpus) {
  if (blocking) return 0;
  return std::min(threads + owner_threads, std::max(1, logical_cpus));
}

Interference classify(const RunUsage& usage, const std::vector<int>& allowed_cpus) {
  Interference r;
  r.parallelism_needed = usage.parallelism_needed;
  const std::optional<ProcStat> before_stat = parse_proc_stat(usage.stat_before);
  const std::optional<ProcStat> after_stat = parse_proc_stat(usage.stat_after);
  if (!before_stat || !after_stat) return r;
  const std::optional<CpuTicks> before = ticks_of(*before_stat, allowed_cpus);
  const std::optional<CpuTicks> after = ticks_of(*after_stat, allowed_cpus);
  if (!before || !after || usage.wall_ns <= 0 || after->busy < before->busy || after->steal < before->steal) {
    return r;
  }
  // Each counted line can be off by a tick at either edge: the allowed CPUs' lines, or every
  // CPU's when the machine line is used.
  int counted_cpus = std::max(before_stat->cpus, after_stat->cpus);
  if (!allowed_cpus.empty()) {
    counted_cpus = static_cast<int>(std::count_if(allowed_cpus.begin(), allowed_cpus.end(), [&](int cpu) {
      return before_stat->per_cpu.contains(cpu) || after_stat->per_cpu.contains(cpu);
    }));
  }
  const double wall = static_cast<double>(usage.wall_ns);
  const double tick = static_cast<double>(usage.tick_ns);
  const double busy_ns = static_cast<double>(after->busy - before->busy) * tick;
  r.foreign_cpu = std::max(0.0, busy_ns - static_cast<double>(usage.process_cpu_ns)) / wall;
  r.steal_cpu = static_cast<double>(after->steal - before->steal) * tick / wall;
  r.parallelism = static_cast<double>(usage.process_cpu_ns) / wall;
  r.resolution_cpu = static_cast<double>(counted_cpus) * tick / wall;
  r.taint_foreign = r.foreign_cpu + r.steal_cpu > TAINT_FOREIGN_CPU + r.resolution_cpu;
  r.taint_parallelism =
      usage.parallelism_needed > 0 && r.parallelism < usage.parallelism_needed * TAINT_PARALLELISM_SHARE;
  r.valid = true;
  return r;
}

std::string Interference::label() const {
  if (!tainted()) return "";
  char buffer[160];
  std::string out = "tainted: ";
  if (taint_foreign) {
    std::snprintf(buffer, sizeof buffer, "foreign load %.2f CPU, steal %.2f CPU", foreign_cpu, steal_cpu);
    out += buffer;
  }
  if (taint_parallelism) {
    std::snprintf(buffer, sizeof buffer, "%sparallelism %.2f of %d", taint_foreign ? "; " : "", parallelism,
                  parallelism_needed);
    out += buffer;
  }
  return out;
}

}  // namespace contend::bench
