"""The stack targets are computed from the table: met, not met and not measured, by hand."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
import pandas as pd  # noqa: E402

from contend_lib import targets  # noqa: E402

COLUMNS = ["machine", "family", "workload", "impl", "threads", "ops_per_sec", "fairness"]


def _table(ops, fairness=None, machine="m1"):
    """ops: {(impl, threads): ops_per_sec}; fairness: {(impl, threads): min/max}, default 1.0."""
    fairness = fairness or {}
    rows = [[machine, "stacks", "pairs", impl, t, v, fairness.get((impl, t), 1.0)] for (impl, t), v in ops.items()]
    rows.append([machine, "maps", "pairs", "elimination", 2, 1.0, 1.0])  # another family: ignored
    return pd.DataFrame(rows, columns=COLUMNS)


# elimination: 1 thread 0.95x treiber (met), 2 threads 1.5x (met), 4 threads 0.8x (not met).
# combining: 2 threads 2x treiber but 0.5x mutex; 4 threads 0.9x treiber (the worst); fairness
# 0.9 at 2 threads, 0.7 at 4 (the worst).
OPS = {
    ("treiber", 1): 100e6, ("elimination", 1): 95e6, ("mutex", 1): 110e6, ("combining", 1): 90e6,
    ("treiber", 2): 10e6, ("elimination", 2): 15e6, ("mutex", 2): 40e6, ("combining", 2): 20e6,
    ("treiber", 4): 10e6, ("elimination", 4): 8e6, ("mutex", 4): 50e6, ("combining", 4): 9e6,
}
FAIR = {("combining", 2): 0.9, ("combining", 4): 0.7}


class Targets(unittest.TestCase):
    def setUp(self):
        self.rows = {r["target"].split(" (")[0]: r for r in targets.evaluate(_table(OPS, FAIR))}

    def _get(self, prefix):
        hits = [r for t, r in self.rows.items() if t.startswith(prefix)]
        self.assertEqual(len(hits), 1, prefix)
        return hits[0]

    def test_every_row_has_the_contract_fields(self):
        for r in self.rows.values():
            self.assertEqual(set(r) - {"tried"}, {"target", "measured", "ratio", "met"})

    def test_what_was_tried_stands_beside_a_gap_only(self):
        for r in self.rows.values():
            self.assertEqual("tried" in r, r["met"] is False and r["target"].startswith("combining"), r["target"])
        met = targets.evaluate(_table({**OPS, ("combining", 2): 30e6, ("combining", 4): 12e6},
                                      {("combining", 2): 0.9, ("combining", 4): 0.9}))
        self.assertFalse(any("tried" in r for r in met if r["target"].startswith("combining")))

    def test_elimination_targets(self):
        r = self._get("elimination >= 1.0x treiber at 2 threads")
        self.assertAlmostEqual(r["ratio"], 1.5)
        self.assertIs(r["met"], True)
        r = self._get("elimination >= 0.9x treiber at 1 thread")
        self.assertAlmostEqual(r["ratio"], 0.95)
        self.assertIs(r["met"], True)
        r = self._get("elimination >= 1.0x treiber at the top of the sweep")
        self.assertIn("4 threads", r["target"])
        self.assertAlmostEqual(r["ratio"], 0.8)
        self.assertIs(r["met"], False)

    def test_distance_from_the_mutex_is_reported_without_a_verdict(self):
        r = self._get("elimination vs mutex")
        self.assertAlmostEqual(r["ratio"], 15 / 40)
        self.assertIsNone(r["met"])

    def test_combining_targets_take_the_worst_thread_count(self):
        r = self._get("combining >= 1.0x treiber")
        self.assertAlmostEqual(r["ratio"], 0.9)
        self.assertIs(r["met"], False)
        self.assertIn("4 threads", r["measured"])
        r = self._get("combining >= 0.6x mutex")
        self.assertAlmostEqual(r["ratio"], 0.5)
        self.assertIs(r["met"], False)
        r = self._get("combining fairness")
        self.assertAlmostEqual(r["ratio"], 0.7)
        self.assertIs(r["met"], False)

    def test_all_met(self):
        ops = dict(OPS)
        ops[("elimination", 4)] = 12e6
        ops[("combining", 4)] = 11e6
        ops[("combining", 2)] = 30e6
        rows = targets.evaluate(_table(ops, {("combining", 2): 0.9, ("combining", 4): 0.85}))
        self.assertTrue(all(r["met"] for r in rows if r["met"] is not None))
        self.assertEqual(sum(r["met"] is None for r in rows), 1)  # only the distance row

    def test_missing_rows_are_not_measured(self):
        rows = targets.evaluate(_table({("treiber", 1): 1e6}))
        for r in rows:
            self.assertIsNone(r["met"])
            self.assertIsNone(r["ratio"])
            self.assertTrue(r["measured"].startswith("not measured"))

    def test_one_machine_at_a_time(self):
        both = pd.concat([_table(OPS), _table(OPS, machine="m2")])
        with self.assertRaises(ValueError):
            targets.evaluate(both)


if __name__ == "__main__":
    unittest.main()
