"""Placement classes: found in the recorded floating-vCPU run, judged per repetition, and never
a reason to name a winner over a design left out (tests/python/fixtures/floating-zen4: the
r99-k1k-uniform maps of that run, and every probe of it as its calibration)."""
import contextlib
import io
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from contend_lib import findings  # noqa: E402
from contend_lib.loader import load, read_json, taint  # noqa: E402
from contend_lib.names import machine_slug  # noqa: E402
from contend_lib.placement import PREEMPTED, find_classes  # noqa: E402

from . import helpers  # noqa: E402

FLOATING = helpers.FIXTURES / "floating-zen4"
STABLE = helpers.REPO / "results" / "intel-xeon-processor-f6m167-2c"


def quietly(fn, *args):
    with contextlib.redirect_stderr(io.StringIO()):
        return fn(*args)


class FloatingClasses(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        probes = [p["ns"] for p in read_json(FLOATING / "placement.json")["probes"]]
        cls.placement = find_classes(probes)

    def test_three_classes_and_the_preempted_probes(self):
        self.assertEqual(self.placement.names(), ["14 ns", "34 ns", "154 ns"])
        self.assertEqual([c.count for c in self.placement.classes], [620, 3278, 1537])
        self.assertEqual(self.placement.preempted, 86)
        self.assertEqual(self.placement.dominant().name, "34 ns")

    def test_windows_cover_the_classes_without_overlap(self):
        windows = [self.placement.window(n) for n in self.placement.names()]
        self.assertEqual(windows[0][0], 0.0)
        for (_, hi), (lo, _) in zip(windows, windows[1:]):
            self.assertEqual(hi, lo)
        for c in self.placement.classes:
            self.assertEqual(self.placement.of(c.lo_ns), c.name)
            self.assertEqual(self.placement.of(c.hi_ns), c.name)
        self.assertEqual(self.placement.of(27_000.0), PREEMPTED)

    def test_a_class_is_never_taint_a_move_and_a_preemption_are(self):
        entry = {"probe_ns": 14.0, "probe_after_ns": 14.5}
        self.assertEqual(taint(entry, self.placement), (False, ""))
        moved, why = taint({"probe_ns": 34.0, "probe_after_ns": 155.0}, self.placement)
        self.assertTrue(moved)
        self.assertIn("moved", why)
        preempted, why = taint({"probe_ns": 300_000.0, "probe_after_ns": 34.0}, self.placement)
        self.assertTrue(preempted)
        self.assertIn("preempted", why)


class FloatingVerdicts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = quietly(load, [FLOATING])

    def test_figures_measured_in_the_dominant_class(self):
        self.assertEqual(self.rs.machines.iloc[0]["placement_measured"], "34 ns")
        kept = self.rs.kept_reps()
        self.assertTrue(set(kept["placement"]) <= {"34 ns", ""})
        excluded = self.rs.table[self.rs.table["excluded"]]
        self.assertTrue(len(excluded) > 0)
        self.assertTrue(all("in placement class 34 ns" in e for e in excluded["exclusion"]))

    def test_no_false_winner_over_an_excluded_design(self):
        table, reps = self.rs.table, self.rs.reps
        win = findings.all_findings(table, 2, reps)[0]
        row = next(r for r in win.rows if r[:3] == ["maps", "r99-k1k-uniform", 2])
        self.assertTrue(row[3].startswith("no verdict"), row)
        self.assertNotIn("channel_async", row[3])
        self.assertIn("cuckoo excluded", row[3])
        # Every left-out design is listed with its status.
        for impl in table[(table["workload"] == "r99-k1k-uniform") & (table["threads"] == 2)
                          & table["tainted"]]["impl"]:
            self.assertIn(impl, row[-1])

    def test_heatmap_holes_say_why(self):
        f = findings.channel_vs_mutex_map(findings.clean_table(self.rs.table), findings.clean_reps(self.rs.reps),
                                          self.rs.table, self.rs.reps)
        holes = f.heatmap.holes["channel"]
        ratio = f.heatmap.panels["channel"]
        for w in ratio.index:
            for t in ratio.columns:
                if ratio.loc[w, t] != ratio.loc[w, t]:  # NaN: a hole
                    self.assertRegex(holes.loc[w, t], r"^(channel|mutex) (excluded|tainted)$")


class StableMachine(unittest.TestCase):
    def test_one_class_nothing_waits_nothing_excluded(self):
        # The committed run of a guest whose vCPUs stay put: one class, no wait, no figure left out
        # for its class (before placement classes, the same machine's 704 figures had the same 4
        # tainted ones with and without them: placement changed no verdict there).
        rs = quietly(load, [STABLE])
        placement = rs.placements[rs.machines.index[0]]
        self.assertEqual(len(placement.classes), 1)
        self.assertEqual(placement.preempted, 0)
        self.assertFalse(rs.table["excluded"].any())
        self.assertFalse(rs.reps["other_class"].any())
        self.assertFalse(rs.reps["moved"].any())
        self.assertEqual(float(rs.reps["placement_wait_ms"].fillna(0).max()), 0.0)
        self.assertEqual(str(rs.machines.iloc[0]["placement_window_ns"]), "unknown")  # no --placement given


class Labels(unittest.TestCase):
    def test_labels_tell_generations_apart(self):
        self.assertEqual(machine_slug("AMD EPYC", 2, 25, 17), "amd-epyc-zen4-2c")
        self.assertEqual(machine_slug("AMD EPYC", 2, 25, 1), "amd-epyc-zen3-2c")
        self.assertEqual(machine_slug("Intel(R) Xeon(R) Processor", 2, "6", "167"),
                         "intel-xeon-processor-f6m167-2c")
        self.assertEqual(machine_slug("AMD EPYC", 2), "amd-epyc-2c")  # older results: still a label


if __name__ == "__main__":
    unittest.main()
