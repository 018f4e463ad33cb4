"""Ratio table values and the Mann–Whitney significance test."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import compare, loader  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402

F = helpers.FIXTURES


class RatioTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        cls.ratios = compare.ratio_table(cls.rs)

    def _median(self, machine, **key):
        t = self.rs.table
        sel = t[(t.machine == machine) & (t.family == key["family"]) & (t.workload == key["workload"])
                & (t.impl == key["impl"]) & (t.threads == key["threads"])]
        self.assertEqual(len(sel), 1)
        return sel.iloc[0]["ops_per_sec"]

    def test_only_common_configurations(self):
        # machine_b's 8 and 16 thread runs have no partner in machine_a.
        self.assertEqual(set(self.ratios["threads"]), {1, 2, 4})
        self.assertEqual(len(self.ratios), len(self.rs.table[self.rs.table.machine == "machine_a"]))

    def test_ratio_is_b_over_a_median(self):
        key = dict(family="maps", workload="r90-k1k-uniform", impl="channel", threads=4)
        row = self.ratios[(self.ratios.family == "maps") & (self.ratios.workload == key["workload"])
                          & (self.ratios.impl == "channel") & (self.ratios.threads == 4)].iloc[0]
        a, b = self._median("machine_a", **key), self._median("machine_b", **key)
        self.assertAlmostEqual(row["ratio"], b / a, places=12)
        # Per core: machine_a has 2 cores, machine_b 8.
        self.assertAlmostEqual(row["per_core_ratio"], (b / 8) / (a / 2), places=12)
        self.assertEqual((row["reps_a"], row["reps_b"]), (3, 3))

    def test_p_values(self):
        # 3 vs 3 repetitions: the smallest two-sided exact p is 0.1 (fully separated samples).
        self.assertAlmostEqual(compare.p_value([1, 2, 3], [4, 5, 6]), 0.1)
        self.assertAlmostEqual(compare.p_value([1, 2, 3], [1, 2, 3]), 1.0)
        self.assertIsNone(compare.p_value([1.0], [2.0, 3.0]))
        ps = self.ratios["p_value"].dropna()
        self.assertEqual(len(ps), len(self.ratios))
        self.assertTrue(((ps >= 0.1 - 1e-12) & (ps <= 1)).all())

    def test_text_table_mentions_test_and_repetitions(self):
        text = compare.format_table(self.ratios, self.rs)
        self.assertIn("Mann–Whitney U", text)
        self.assertIn("compare.py wants at least 9", text)
        self.assertIn("B = machine_b vs A = machine_a", text)

    def test_nothing_in_common(self):
        rs = loader.load_sets([F / "machine_a", F / "disjoint"])
        with self.assertRaises(ContendError) as cm:
            compare.ratio_table(rs)
        self.assertIn("no benchmarks in common", cm.exception.what)

    def test_single_repetition_is_na(self):
        rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        rs.reps = rs.reps[~((rs.reps.machine == "machine_b") & (rs.reps.repetition > 0))]
        ratios = compare.ratio_table(rs)
        self.assertTrue(ratios["p_value"].isna().all())
        self.assertIn("n/a", compare.format_table(ratios, rs))


if __name__ == "__main__":
    unittest.main()
