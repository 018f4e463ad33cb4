"""Ratio table values, the Mann–Whitney significance test, the bootstrap interval, the per-family
summary, the filters and the tainted rows."""
import contextlib
import copy
import io
import json
import math
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import cli, compare, loader  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402

F = helpers.FIXTURES
REPS = 9  # enough for the U test to reach p < 0.05


def write_set(root, name, factors, reps=REPS):
    """A false_sharing result set cut from machine_a's: `reps` repetitions per configuration,
    each impl's ops/s scaled by factors[impl] (default 1), with the same small spread on every
    configuration, so factor 1 gives identical samples and 2 a certain difference."""
    doc = json.loads((F / "machine_a" / "false_sharing.json").read_text())
    firsts = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration" and b["repetition_index"] == 0]
    doc["benchmarks"] = []
    for entry in firsts:
        factor = factors.get(entry["name"].split("/")[2], 1.0)
        for k in range(reps):
            e = copy.deepcopy(entry)
            ops = entry["ops_per_sec"] * factor * (1 + 0.002 * k)
            e.update(repetition_index=k, repetitions=reps, ops_per_sec=ops, items_per_second=ops,
                     ns_per_op=1e9 / ops)
            doc["benchmarks"].append(e)
    folder = Path(root) / name
    folder.mkdir(parents=True)
    (folder / "false_sharing.json").write_text(json.dumps(doc))
    return folder


def run_main(*argv):
    """The CLI in this process (so a test can patch it); returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


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
        self.assertTrue(ratios["ci_low"].isna().all())
        self.assertIn("n/a", compare.format_table(ratios, rs))

    def test_discarded_repetitions_are_not_data(self):
        rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        rs.reps["discarded"] = (rs.reps.machine == "machine_b") & (rs.reps.repetition > 0)
        ratios = compare.ratio_table(rs)
        self.assertTrue(ratios["p_value"].isna().all())

    def test_interval_lies_within_the_extreme_ratios(self):
        # A median of a resample lies between the sample's min and max, so every bootstrap ratio
        # lies within [min B / max A, max B / min A].
        reps = self.rs.reps.groupby(["machine"] + compare.CONFIG)["ops_per_sec"]
        lo, hi = reps.min(), reps.max()
        for r in self.ratios.itertuples():
            k = (r.family, r.workload, r.impl, r.threads)
            with self.subTest(config=k):
                self.assertLessEqual(r.ci_low, r.ci_high)
                self.assertGreaterEqual(r.ci_low, lo[("machine_b",) + k] / hi[("machine_a",) + k] * (1 - 1e-12))
                self.assertLessEqual(r.ci_high, hi[("machine_b",) + k] / lo[("machine_a",) + k] * (1 + 1e-12))

    def test_interval_is_reproducible(self):
        again = compare.ratio_table(self.rs)
        self.assertTrue(np.array_equal(again["ci_low"].to_numpy(), self.ratios["ci_low"].to_numpy()))
        self.assertTrue(np.array_equal(again["ci_high"].to_numpy(), self.ratios["ci_high"].to_numpy()))

    def test_summary_geomean_matches_rows(self):
        summ = compare.summary(self.ratios)
        self.assertEqual(list(summ["family"]), [f for f in compare.FAMILIES if f in set(self.ratios.family)])
        for r in summ.itertuples():
            rows = self.ratios[self.ratios.family == r.family]
            self.assertEqual(r.rows, len(rows))
            self.assertAlmostEqual(r.geomean, math.exp(np.log(rows["ratio"]).mean()), places=12)
            self.assertEqual(r.changed, 0)  # 3 vs 3 repetitions: p >= 0.1
        text = compare.format_summary(summ)
        self.assertIn("geo-mean B/A", text)

    def test_per_core_columns_only_when_core_counts_differ(self):
        self.assertIn("B/A /core", compare.format_table(self.ratios, self.rs))
        with tempfile.TemporaryDirectory() as d:
            rs = loader.load_sets([write_set(d, "before", {}), write_set(d, "after", {"packed": 2.0})])
        text = compare.format_table(compare.ratio_table(rs), rs)
        self.assertNotIn("/core", text)
        self.assertNotIn("per core", text)


class Changes(unittest.TestCase):
    """9 repetitions a side: packed twice as fast in B, pad64 half, pad128 identical."""

    @classmethod
    def setUpClass(cls):
        with tempfile.TemporaryDirectory() as d:
            cls.rs = loader.load_sets([write_set(d, "before", {}),
                                       write_set(d, "after", {"packed": 2.0, "pad64": 0.5})])
        cls.ratios = compare.ratio_table(cls.rs)

    def test_summary_counts_changes(self):
        (r,) = compare.summary(self.ratios).itertuples()
        self.assertEqual((r.family, r.rows, r.changed, r.up, r.down), ("false_sharing", 18, 12, 6, 6))
        self.assertAlmostEqual(r.geomean, 1.0, places=12)  # 2x and 0.5x over 6 rows each cancel

    def test_changed_keeps_only_significant_rows(self):
        changed = compare.select(self.ratios, changed=True)
        self.assertEqual(set(changed["impl"]), {"packed", "pad64"})
        self.assertEqual(len(changed), 12)
        self.assertTrue((changed["p_value"] < compare.ALPHA).all())
        self.assertIn("no row changed significantly",
                      compare.format_table(compare.select(self.ratios[self.ratios.impl == "pad128"], changed=True),
                                           self.rs, changed=True))

    def test_sort_by_effect(self):
        effect = np.abs(np.log(compare.select(self.ratios, sort="effect")["ratio"].to_numpy()))
        self.assertTrue((np.diff(effect) <= 1e-12).all(), effect)
        self.assertEqual(len(effect), len(self.ratios))

    def test_interval_excludes_one_for_a_real_change(self):
        moved = self.ratios[self.ratios.impl != "pad128"]
        self.assertTrue(((moved.ci_high < 1) | (moved.ci_low > 1)).all())
        same = self.ratios[self.ratios.impl == "pad128"]
        self.assertTrue(((same.ci_low <= 1) & (same.ci_high >= 1)).all())

    def test_cli_changed_and_sorted(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = write_set(d, "before", {}), write_set(d, "after", {"packed": 2.0, "pad64": 0.5})
            code, out, err = run_main("compare", a, b, "--changed", "--sort", "effect", "--out", Path(d) / "c")
        self.assertEqual(code, 0, err)
        table = out.split("\n\n")[0]
        self.assertIn("packed", table)
        self.assertNotIn("pad128", table)
        self.assertIn("summary, B = after vs A = before", out)

    def test_ratio_chart_one_panel_per_b(self):
        fig = compare.ratio_chart(self.ratios, "false_sharing", "atomic")
        self.assertEqual(len(fig.axes), 1)
        self.assertIn("B ÷ A", fig.axes[0].get_ylabel())
        self.assertEqual(self._hollow(fig), [])
        compare.style.close(fig)

    def test_ratio_chart_draws_tainted_points_hollow(self):
        fig = compare.ratio_chart(self.ratios.assign(tainted=self.ratios.impl == "packed"), "false_sharing", "atomic")
        self.assertEqual(self._hollow(fig), [[1, 2, 4]])  # packed's three thread counts
        compare.style.close(fig)

    @staticmethod
    def _hollow(fig):
        return [list(line.get_xdata()) for line in fig.axes[0].lines if line.get_markerfacecolor() == "white"]


class SameSet(unittest.TestCase):
    def test_identical(self):
        rs = loader.load_sets([F / "machine_a", F / "machine_a"])
        self.assertTrue(compare.identical(rs, *rs.machines.index))
        rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        self.assertFalse(compare.identical(rs, *rs.machines.index))

    def test_cli_warns(self):
        with tempfile.TemporaryDirectory() as d:
            a = write_set(d, "before", {})
            proc = helpers.run_cli("compare", a, a, "--out", Path(d) / "c")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("contend: warning:", proc.stderr)
        self.assertIn("same measurements", proc.stderr)


class Tainted(unittest.TestCase):
    def test_absent_column_is_clean(self):
        rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        ratios = compare.ratio_table(rs)
        self.assertFalse(ratios["tainted"].any())
        kept, left_out = compare.leave_out_tainted(ratios)
        self.assertEqual((len(kept), left_out), (len(ratios), 0))

    def test_tainted_rows_left_out(self):
        rs = loader.load_sets([F / "machine_a", F / "machine_b"])
        rs.table["tainted"] = (rs.table.machine == "machine_b") & (rs.table.impl == "mutex")
        ratios = compare.ratio_table(rs)
        kept, left_out = compare.leave_out_tainted(ratios)
        self.assertEqual(left_out, int((ratios.impl == "mutex").sum()))
        self.assertGreater(left_out, 0)
        self.assertNotIn("mutex", set(kept["impl"]))

    def _patched_load(self, *argv, impls=("packed",)):
        real = loader.load_sets

        def tainting(paths):
            rs = real(paths)
            rs.table["tainted"] = rs.table.impl.isin(impls)
            return rs

        with mock.patch.object(loader, "load_sets", tainting):
            return run_main(*argv)

    def test_cli_says_how_many_and_include_tainted_keeps_them(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = write_set(d, "before", {}), write_set(d, "after", {"packed": 2.0})
            code, out, err = self._patched_load("compare", a, b, "--out", Path(d) / "c")
            self.assertEqual(code, 0, err)
            self.assertIn("left out 6 row(s)", out)
            self.assertNotIn(" packed ", out.split("\n\n")[0])
            code, out, err = self._patched_load("compare", a, b, "--out", Path(d) / "c", "--include-tainted")
            self.assertEqual(code, 0, err)
            self.assertNotIn("left out", out)
            self.assertIn(" packed ", out.split("\n\n")[0])


    def test_cli_all_tainted_is_one_line(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = write_set(d, "before", {}), write_set(d, "after", {"packed": 2.0})
            code, out, err = self._patched_load("compare", a, b, "--out", Path(d) / "c",
                                                impls=("packed", "pad64", "pad128"))
            self.assertFalse((Path(d) / "c").exists())
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("all 18 rows in common are tainted", err)


class Help(unittest.TestCase):
    def test_help_says_what_the_ratio_is(self):
        proc = helpers.run_cli("compare", "--help")
        text = " ".join(proc.stdout.split())
        self.assertIn("medians of ops_per_sec", text)
        self.assertIn("95% bootstrap interval", text)
        for option in ("--changed", "--sort", "--include-tainted"):
            self.assertIn(option, text)


if __name__ == "__main__":
    unittest.main()
