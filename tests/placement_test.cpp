// The sysfs topology parser, the --pin placement plan, the --pin parser and the placement
// probe's pair selection, on a synthetic 2 sockets x 32 cores x 2 SMT tree
// (tests/fixtures/sysfs-2x32x2, written by tests/fixtures/make_sysfs.py).
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

#include "probe.hpp"
#include "topology.hpp"

namespace contend::bench {
namespace {

const Topology& big() {
  static const Topology t = read_topology(CONTEND_FIXTURES "/sysfs-2x32x2");
  return t;
}

std::vector<int> all_cpus(const Topology& t) {
  std::vector<int> ids;
  for (const LogicalCpu& c : t.cpus) ids.push_back(c.id);
  return ids;
}

std::pair<int, int> core_of(int cpu) {
  const LogicalCpu* c = big().find(cpu);
  EXPECT_NE(c, nullptr) << cpu;
  return c ? std::pair{c->package, c->core} : std::pair{-1, -1};
}

TEST(Topology, ReadsTheSyntheticTree) {
  const Topology& t = big();
  ASSERT_EQ(t.cpus.size(), 128u);  // cpuidle/ is not a CPU
  EXPECT_EQ(t.cores(), 64);
  EXPECT_EQ(t.sockets(), 2);
  EXPECT_EQ(all_cpus(t).front(), 0);
  EXPECT_EQ(all_cpus(t).back(), 127);  // sorted by number, not by name (cpu100 < cpu11)
  EXPECT_EQ(core_of(70), (std::pair{0, 6}));
  EXPECT_EQ(core_of(6), core_of(70));  // SMT siblings
  EXPECT_EQ(core_of(33), (std::pair{1, 1}));
  EXPECT_EQ(t.description().substr(0, 21), "cpu0=s0c0 cpu1=s0c1 c");
}

TEST(Topology, MissingTreeIsEmpty) {
  const Topology t = read_topology(CONTEND_FIXTURES "/no-such-tree");
  EXPECT_TRUE(t.cpus.empty());
  EXPECT_EQ(t.cores(), 0);
}

TEST(Placement, SpreadTakesEveryCoreBeforeAnySibling) {
  const std::vector<int> order = placement_order(big(), Pin::spread, all_cpus(big()));
  ASSERT_EQ(order.size(), 128u);
  EXPECT_EQ(std::set<int>(order.begin(), order.end()).size(), 128u);  // each CPU once
  std::set<std::pair<int, int>> first_half;
  for (std::size_t i = 0; i < 64; ++i) first_half.insert(core_of(order[i]));
  EXPECT_EQ(first_half.size(), 64u);  // 64 threads on 64 distinct cores
  EXPECT_EQ((std::vector<int>(order.begin(), order.begin() + 3)), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(order[64], 64);  // then the second sibling of the first core
}

TEST(Placement, CompactFillsACoreBeforeTheNext) {
  const std::vector<int> order = placement_order(big(), Pin::compact, all_cpus(big()));
  ASSERT_EQ(order.size(), 128u);
  EXPECT_EQ(std::set<int>(order.begin(), order.end()).size(), 128u);
  for (std::size_t i = 0; i < order.size(); i += 2) EXPECT_EQ(core_of(order[i]), core_of(order[i + 1])) << i;
  EXPECT_EQ((std::vector<int>(order.begin(), order.begin() + 4)), (std::vector<int>{0, 64, 1, 65}));
}

TEST(Placement, OnlyAllowedCpusAndNoneForNone) {
  const std::vector<int> allowed{1, 65, 2, 66};  // two cores, both siblings of each
  EXPECT_EQ(placement_order(big(), Pin::spread, allowed), (std::vector<int>{1, 2, 65, 66}));
  EXPECT_EQ(placement_order(big(), Pin::compact, allowed), (std::vector<int>{1, 65, 2, 66}));
  EXPECT_TRUE(placement_order(big(), Pin::none, allowed).empty());
  // A CPU sysfs does not describe is a core of its own, never dropped.
  EXPECT_EQ(placement_order(Topology{}, Pin::spread, {0, 1}), (std::vector<int>{0, 1}));
}

TEST(PinOption, ParsesTheThreeModesAndNothingElse) {
  for (Pin p : {Pin::none, Pin::spread, Pin::compact}) EXPECT_EQ(parse_pin(to_string(p)), p);
  for (const char* bad : {"", "Spread", "spread ", "compact,spread", "1", "scatter"}) {
    EXPECT_FALSE(parse_pin(bad)) << "'" << bad << "'";
  }
}

TEST(ProbePairs, AllPairsUpToFourCpus) {
  EXPECT_TRUE(probe_pairs(big(), {0}).empty());
  EXPECT_EQ(probe_pairs(big(), {0, 1}), (std::vector<CpuPair>{{0, 1}}));
  EXPECT_EQ(probe_pairs(big(), {0, 1, 64, 65}),
            (std::vector<CpuPair>{{0, 1}, {0, 64}, {0, 65}, {1, 64}, {1, 65}, {64, 65}}));
}

TEST(ProbePairs, BigMachineSamplesSiblingCoreSocketAndFar) {
  const std::vector<CpuPair> pairs = probe_pairs(big(), all_cpus(big()));
  // cpu0 with its SMT sibling, another core of socket 0, a CPU of socket 1, then a quarter-way
  // CPU not already taken (32 and 64 are; 96, three quarters along, is next).
  EXPECT_EQ(pairs, (std::vector<CpuPair>{{0, 64}, {0, 1}, {0, 32}, {0, 96}}));
  EXPECT_EQ(describe_pairs(pairs), "0-64,0-1,0-32,0-96");
}

TEST(ProbePairs, BigMachineWithoutTopologyStillGetsFourDistinctPairs) {
  std::vector<int> cpus(16);
  std::iota(cpus.begin(), cpus.end(), 0);
  const std::vector<CpuPair> pairs = probe_pairs(Topology{}, cpus);
  EXPECT_EQ(pairs, (std::vector<CpuPair>{{0, 4}, {0, 8}, {0, 12}, {0, 1}}));
}

// Live, but asserting no time: every allowed pair is pinned and measured, a pair with a CPU the
// process may not use is reported as 0 and left out of the median. (Also runs the ping-pong
// under the sanitizers.)
TEST(Probe, MeasuresAllowedPairsAndSkipsOthers) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "needs two CPUs";
  const CpuPair good{allowed[0], allowed[1]}, bad{allowed[0], CPU_SETSIZE - 1};
  const ProbeResult r = run_probe({good, bad, good}, std::chrono::microseconds(200));
  ASSERT_EQ(r.pair_ns.size(), 3u);
  EXPECT_GT(r.pair_ns[0], 0);
  EXPECT_EQ(r.pair_ns[1], 0);
  EXPECT_GT(r.pair_ns[2], 0);
  EXPECT_EQ(r.median_ns, median({r.pair_ns[0], r.pair_ns[2]}));
  EXPECT_EQ(run_probe({}).median_ns, 0);
}

TEST(Median, OddEvenEmpty) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
}

}  // namespace
}  // namespace contend::bench
