// The interference classifier on /proc/stat samples recorded on this machine
// (tests/fixtures/proc_stat: record.py, edit.py), never on live timings.
#include "interference.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace contend::bench {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "missing fixture " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One recorded sample: the two snapshots and its .meta (process_cpu_ns, wall_ns, parallelism_needed).
struct Sample {
  std::string before, after;
  std::map<std::string, std::int64_t> meta;

  explicit Sample(const std::string& name) {
    const std::string base = CONTEND_FIXTURES "/proc_stat/" + name;
    before = slurp(base + ".before");
    after = slurp(base + ".after");
    std::istringstream in(slurp(base + ".meta"));
    std::string key;
    for (std::int64_t value = 0; in >> key >> value;) meta[key] = value;
  }

  Interference classify(int needed = -1, const std::vector<int>& allowed = {}) const {
    return bench::classify(
        {.stat_before = before,
         .stat_after = after,
         .process_cpu_ns = meta.at("process_cpu_ns"),
         .wall_ns = meta.at("wall_ns"),
         .parallelism_needed = needed < 0 ? static_cast<int>(meta.at("parallelism_needed")) : needed},
        allowed);
  }
};

TEST(ProcStat, ParsesTheMachineLineAndCountsCpus) {
  const Sample quiet("quiet");
  const std::optional<ProcStat> before = parse_proc_stat(quiet.before), after = parse_proc_stat(quiet.after);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->cpus, 2);  // recorded on the 2-vCPU VM
  EXPECT_GT(after->busy, before->busy);
  EXPECT_GE(after->total, after->busy + after->steal);
}

TEST(ProcStat, RefusesTextWithoutACpuLine) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\nctxt 4\n"));
  EXPECT_FALSE(parse_proc_stat("cpu  1 2 3\n"));  // truncated line
}

TEST(Interference, UnreadableSnapshotsJudgeNothing) {
  const Interference r = classify(
      {.stat_before = "", .stat_after = "", .process_cpu_ns = 1, .wall_ns = 1, .parallelism_needed = 2});
  EXPECT_FALSE(r.valid);
  EXPECT_FALSE(r.tainted());
  EXPECT_EQ(r.label(), "");
}

TEST(Interference, QuietRunIsClean) {
  const Interference r = Sample("quiet").classify();
  ASSERT_TRUE(r.valid);
  EXPECT_FALSE(r.tainted()) << r.label() << " foreign " << r.foreign_cpu << " parallelism " << r.parallelism;
  EXPECT_LT(r.foreign_cpu + r.steal_cpu, TAINT_FOREIGN_CPU + r.resolution_cpu);
  EXPECT_GT(r.parallelism, 2 * TAINT_PARALLELISM_SHARE);
  EXPECT_EQ(r.label(), "");
}

TEST(Interference, ForeignHogTaintsByForeignLoad) {
  const Interference r = Sample("hog").classify();
  ASSERT_TRUE(r.valid);
  EXPECT_TRUE(r.taint_foreign);
  EXPECT_GT(r.foreign_cpu, 0.5);  // one busy loop that was not ours, on a 2-CPU machine
  EXPECT_NE(r.label().find("foreign load"), std::string::npos) << r.label();
}

TEST(Interference, StealTaintsByForeignLoad) {
  const Interference quiet = Sample("quiet").classify(), r = Sample("steal").classify();
  ASSERT_TRUE(r.valid);
  EXPECT_TRUE(r.taint_foreign);
  EXPECT_FALSE(r.taint_parallelism);
  // edit.py added 30 ticks (0.3 s) of steal over a ~1 s sample, nothing else.
  EXPECT_NEAR(r.steal_cpu, 0.3, r.resolution_cpu);
  EXPECT_DOUBLE_EQ(r.foreign_cpu, quiet.foreign_cpu);
  EXPECT_NE(r.label().find("steal 0.3"), std::string::npos) << r.label();
}

TEST(Interference, SerializedSpinnersTaintByParallelism) {
  const Interference r = Sample("serialized").classify();
  ASSERT_TRUE(r.valid);
  EXPECT_TRUE(r.taint_parallelism);
  EXPECT_FALSE(r.taint_foreign) << r.label();
  EXPECT_LT(r.parallelism, 1.2);  // two threads that shared one CPU
  EXPECT_NE(r.label().find("parallelism"), std::string::npos) << r.label();
}

TEST(Interference, BlockingDesignIsNotJudgedByParallelism) {
  const Interference r = Sample("serialized").classify(parallelism_needed(true, 2, 0, 2));
  EXPECT_FALSE(r.taint_parallelism);
  EXPECT_EQ(r.parallelism_needed, 0);
}

// Built by hand: 2 CPUs, a 300 ms run of ours on both (60 ticks). The 10 ms tick can be off by
// one tick per CPU at the window's edges, so resolution is 2 ticks = 0.067 CPU and the taint
// needs more than 0.10 + 0.067 CPU = 5 ticks beyond our own time: 4 ticks (0.13 CPU, above the
// bare threshold) stay clean, 6 ticks (0.20 CPU) taint.
TEST(Interference, QuantizationAloneNeverTaints) {
  const std::string before =
      "cpu  100 0 0 1000 0 0 0 0 0 0\ncpu0 50 0 0 500 0 0 0 0 0 0\ncpu1 50 0 0 500 0 0 0 0 0 0\n";
  auto after = [](int busy_ticks) {
    return "cpu  " + std::to_string(100 + busy_ticks) +
           " 0 0 1000 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n";
  };
  const std::int64_t wall = 300'000'000, ours = 600'000'000;
  const std::string four = after(60 + 4), six = after(60 + 6);
  const Interference within = classify({before, four, ours, wall, 2});
  EXPECT_NEAR(within.resolution_cpu, 2 * 0.01 / 0.3, 1e-9);
  EXPECT_NEAR(within.foreign_cpu, 0.04 / 0.3, 1e-9);
  EXPECT_FALSE(within.tainted()) << within.label();
  const Interference beyond = classify({before, six, ours, wall, 2});
  EXPECT_NEAR(beyond.foreign_cpu, 0.2, 1e-9);
  EXPECT_TRUE(beyond.taint_foreign);
  EXPECT_FALSE(beyond.taint_parallelism);
}

TEST(ProcStat, ParsesEveryCpuLine) {
  const std::optional<ProcStat> hog = parse_proc_stat(Sample("hog").before);
  ASSERT_TRUE(hog);
  ASSERT_EQ(hog->per_cpu.size(), 2u);
  // The machine line is the sum of the cpuN lines, to a tick or two (the kernel sums them apart).
  EXPECT_NEAR(static_cast<double>(hog->per_cpu.at(0).busy + hog->per_cpu.at(1).busy),
              static_cast<double>(hog->busy), 2);
  EXPECT_EQ(hog->per_cpu.at(0).steal + hog->per_cpu.at(1).steal, hog->steal);
  EXPECT_EQ(ticks_of(*hog, {})->busy, hog->busy);
  EXPECT_EQ(ticks_of(*hog, {1})->busy, hog->per_cpu.at(1).busy);
  EXPECT_FALSE(ticks_of(*hog, {7}));  // no such line
}

TEST(ProcStat, AllowedCpusComeFromTheAffinityMask) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  CPU_SET(1, &mask);
  CPU_SET(3, &mask);
  CPU_SET(70, &mask);
  EXPECT_EQ(cpus_in_mask(mask), (std::vector<int>{1, 3, 70}));
  CPU_ZERO(&mask);
  EXPECT_TRUE(cpus_in_mask(mask).empty());
  EXPECT_FALSE(startup_allowed_cpus().empty());  // this process's own mask, read at start-up
}

// The recorded hog sample: our busy loop and a foreign one on a 2-CPU machine, each CPU ~100
// ticks busy. Read as a process confined to one CPU (a synthetic mask of {0} or {1}) whose
// intruder ran on the other, the foreign load is outside its cpuset and must not taint it; with
// both CPUs allowed it is the machine-wide verdict.
TEST(Interference, LoadOutsideTheCpusetDoesNotTaint) {
  const Sample hog("hog");
  const Interference machine = hog.classify(), both = hog.classify(-1, {0, 1});
  EXPECT_TRUE(machine.taint_foreign);
  EXPECT_TRUE(both.taint_foreign);
  EXPECT_DOUBLE_EQ(both.foreign_cpu, machine.foreign_cpu);
  EXPECT_DOUBLE_EQ(both.resolution_cpu, machine.resolution_cpu);
  for (int cpu : {0, 1}) {
    const Interference confined = hog.classify(-1, {cpu});
    ASSERT_TRUE(confined.valid);
    EXPECT_FALSE(confined.tainted()) << "cpu " << cpu << ": " << confined.label();
    EXPECT_LT(confined.foreign_cpu, 0.05) << "cpu " << cpu;
    // One CPU's line: half the machine-wide resolution.
    EXPECT_DOUBLE_EQ(confined.resolution_cpu, machine.resolution_cpu / 2);
  }
}

// Built by hand: 4 CPUs, the process allowed {1, 3}, a 300 ms run of ours on both (60 ticks).
// Load and steal on cpu0 and cpu2 are somebody else's problem; on cpu3 they are ours.
TEST(Interference, OnlyTheAllowedCpusCount) {
  auto stat = [](int c0, int c1, int c2, int c3, int steal0, int steal3) {
    auto line = [](const std::string& name, int busy, int steal) {
      return name + " " + std::to_string(busy) + " 0 0 1000 0 0 0 " + std::to_string(steal) + " 0 0\n";
    };
    return line("cpu ", c0 + c1 + c2 + c3, steal0 + steal3) + line("cpu0", c0, steal0) + line("cpu1", c1, 0) +
           line("cpu2", c2, 0) + line("cpu3", c3, steal3);
  };
  const std::string before = stat(0, 0, 0, 0, 0, 0);
  const std::int64_t wall = 300'000'000, ours = 600'000'000;
  const std::vector<int> allowed{1, 3};
  const Interference busy_elsewhere =
      classify({before, stat(30, 30, 30, 30, 20, 0), ours, wall, 2}, allowed);
  ASSERT_TRUE(busy_elsewhere.valid);
  EXPECT_NEAR(busy_elsewhere.resolution_cpu, 2 * 0.01 / 0.3, 1e-9);  // 2 allowed CPUs, not 4
  EXPECT_NEAR(busy_elsewhere.foreign_cpu, 0, 1e-9);
  EXPECT_NEAR(busy_elsewhere.steal_cpu, 0, 1e-9);
  EXPECT_FALSE(busy_elsewhere.tainted()) << busy_elsewhere.label();
  // The same sample judged machine-wide is tainted by cpu0's and cpu2's load.
  EXPECT_TRUE(classify({before, stat(30, 30, 30, 30, 20, 0), ours, wall, 2}).taint_foreign);
  const Interference busy_here =
      classify({before, stat(0, 30, 0, 36, 0, 0), ours, wall, 2}, allowed);
  EXPECT_NEAR(busy_here.foreign_cpu, 0.2, 1e-9);
  EXPECT_TRUE(busy_here.taint_foreign);
  const Interference stolen_here =
      classify({before, stat(0, 30, 0, 30, 0, 12), ours, wall, 2}, allowed);
  EXPECT_NEAR(stolen_here.steal_cpu, 0.4, 1e-9);
  EXPECT_TRUE(stolen_here.taint_foreign);
  // An allowed set none of whose CPUs has a line judges nothing.
  EXPECT_FALSE(classify({before, before, ours, wall, 2}, {9}).valid);
}

TEST(Interference, ParallelismNeededIsThreadsPlusOwnersCappedAtCpus) {
  EXPECT_EQ(parallelism_needed(false, 1, 0, 2), 1);
  EXPECT_EQ(parallelism_needed(false, 1, 1, 2), 2);
  EXPECT_EQ(parallelism_needed(false, 8, 1, 2), 2);
  EXPECT_EQ(parallelism_needed(false, 4, 0, 0), 1);  // unknown CPU count: at least one
  EXPECT_EQ(parallelism_needed(true, 8, 1, 2), 0);
}

}  // namespace
}  // namespace contend::bench
