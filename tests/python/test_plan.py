"""--budget's plan on a synthetic 2 sockets x 32 cores x 2 SMT machine (a sysfs tree made here)."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
from synthetic import make_sysfs  # noqa: E402

helpers.import_lib()
from contend_lib import plan  # noqa: E402

SHARED_FIXTURE = helpers.REPO / "tests" / "fixtures" / "sysfs-2x32x2"
FAMILIES = {"baseline": 2, "counters": 21, "false_sharing": 6, "maps": 40, "stacks": 6, "channels": 20}


def listing(threads, per_family=FAMILIES):
    """What --benchmark_list_tests prints on that machine: every benchmark at every count."""
    return [f"{family}/w/impl{i}/real_time/threads:{t}" for family, n in per_family.items()
            for i in range(n) for t in threads]


class Topology(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_read_synthetic_machine(self):
        root = make_sysfs(self.tmp.name)
        self.assertEqual(plan.read_topology(root), plan.Topology(logical=128, cores=64, sockets=2))

    def test_shared_fixture_if_present(self):
        if not SHARED_FIXTURE.is_dir():
            self.skipTest("tests/fixtures/sysfs-2x32x2 not in this tree")
        root = SHARED_FIXTURE / "devices" / "system" / "cpu"
        root = root if root.is_dir() else SHARED_FIXTURE
        self.assertEqual(plan.read_topology(root), plan.Topology(128, 64, 2))

    def test_no_sysfs_falls_back_to_the_cpu_count(self):
        t = plan.read_topology(Path(self.tmp.name) / "nothing")
        self.assertEqual(t.logical, t.cores)
        self.assertGreaterEqual(t.logical, 1)

    def test_default_threads_match_the_binaries(self):
        # benchmarks/thread_counts.cpp: powers of two up to 2 x hardware threads, plus those.
        self.assertEqual(plan.default_threads(128), [1, 2, 4, 8, 16, 32, 64, 128, 256])
        self.assertEqual(plan.default_threads(6), [1, 2, 4, 6, 8])


class Plan(unittest.TestCase):
    topo = plan.Topology(128, 64, 2)
    threads = plan.default_threads(128)
    names = listing(threads)

    def plan(self, minutes, repetitions=5, run_ms=300):
        return plan.plan(self.topo, self.names, minutes, run_ms, repetitions)

    def test_full_sweep_fits_a_big_budget(self):
        p = self.plan(10_000)
        self.assertEqual((p.repetitions, p.threads, p.dropped), (5, self.threads, []))
        self.assertIn("it fits, nothing dropped", p.line(self.topo))
        # what the plan leaves out is said: the waits and re-runs on top, bounded by the cap
        self.assertIn("waits for the placement class and re-runs at most 30% more", p.line(self.topo))
        # 95 benchmarks x 9 thread counts x 5 repetitions x (0.3 s + overhead)
        self.assertEqual(p.benchmarks, 95 * 9)
        self.assertAlmostEqual(p.full_seconds, 95 * 9 * 5 * (0.3 + plan.OVERHEAD_S))

    def test_repetitions_go_first(self):
        full = self.plan(10_000).full_seconds
        p = self.plan(full / 60 * 0.7)  # 5 -> 3 repetitions is 60%
        self.assertEqual(p.repetitions, 3)
        self.assertEqual(p.dropped, [])
        self.assertTrue(p.fits)
        self.assertIn("3 repetitions instead of 5:", p.line(self.topo))

    def test_then_thread_counts_evenly_then_oversubscription(self):
        full = self.plan(10_000).full_seconds
        expected_drops = [32, 8, 4, 16, 256]
        for k in range(1, len(expected_drops) + 1):
            kept = len(self.threads) - k
            budget = full * 3 / 5 * (kept + 0.5) / len(self.threads) / 60
            with self.subTest(drops=k):
                p = self.plan(budget)
                self.assertEqual(p.repetitions, 3)
                self.assertEqual(p.dropped, sorted(expected_drops[:k]))
                self.assertTrue(p.fits)
                self.assertLessEqual(p.seconds, budget * 60)

    def test_the_questions_are_never_dropped(self):
        p = self.plan(0.5)
        self.assertEqual(p.threads, [1, 2, 64, 128])  # one thread, two, the cores, the hardware threads
        self.assertFalse(p.fits)
        line = p.line(self.topo)
        self.assertIn("budget 0.5 min: 128 logical CPUs (2 x 32 cores x 2), 855 benchmarks", line)
        self.assertIn("3 repetitions instead of 5 and threads 1,2,64,128 (dropped 4,8,16,32,256)", line)
        self.assertIn("this is the smallest sweep that answers the questions, running it anyway", line)

    def test_quick_mode_keeps_its_two_repetitions(self):
        p = plan.plan(self.topo, self.names, 0.5, 50, 2)
        self.assertEqual(p.repetitions, 2)

    def test_explicit_threads_only_are_planned(self):
        p = plan.plan(self.topo, listing([1, 2, 3, 64]), 0.5, 300, 5)
        self.assertEqual(p.threads, [1, 2, 64])
        self.assertEqual(p.dropped, [3])

    def test_workers_count_as_threads(self):
        self.assertEqual(plan.threads_of("poller/sim-0/channel/workers:8/real_time"), 8)
        self.assertEqual(plan.threads_of("baseline/increment/contended/real_time/threads:16"), 16)
        self.assertEqual(plan.threads_of("baseline/pingpong/cache_line/real_time"), 1)


if __name__ == "__main__":
    unittest.main()
