#include "interference.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace contend::bench {

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::optional<ProcStat> stat;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu ", 0) == 0) {
      // user nice system idle iowait irq softirq steal [guest guest_nice]
      unsigned long long v[8] = {};
      if (std::sscanf(line.c_str(), "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                      &v[4], &v[5], &v[6], &v[7]) != 8) {
        return std::nullopt;
      }
      stat = ProcStat{.busy = v[0] + v[1] + v[2] + v[5] + v[6],
                      .steal = v[7],
                      .total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]};
    } else if (stat && line.rfind("cpu", 0) == 0) {
      ++stat->cpus;
    }
  }
  return stat;
}

int parallelism_needed(bool blocking, int threads, int owner_threads, int logical_cpus) {
  if (blocking) return 0;
  return std::min(threads + owner_threads, std::max(1, logical_cpus));
}

Interference classify(const RunUsage& usage) {
  Interference r;
  r.parallelism_needed = usage.parallelism_needed;
  const std::optional<ProcStat> before = parse_proc_stat(usage.stat_before);
  const std::optional<ProcStat> after = parse_proc_stat(usage.stat_after);
  if (!before || !after || usage.wall_ns <= 0 || after->busy < before->busy || after->steal < before->steal) {
    return r;
  }
  const double wall = static_cast<double>(usage.wall_ns);
  const double tick = static_cast<double>(usage.tick_ns);
  const double busy_ns = static_cast<double>(after->busy - before->busy) * tick;
  r.foreign_cpu = std::max(0.0, busy_ns - static_cast<double>(usage.process_cpu_ns)) / wall;
  r.steal_cpu = static_cast<double>(after->steal - before->steal) * tick / wall;
  r.parallelism = static_cast<double>(usage.process_cpu_ns) / wall;
  r.resolution_cpu = static_cast<double>(std::max(before->cpus, after->cpus)) * tick / wall;
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
