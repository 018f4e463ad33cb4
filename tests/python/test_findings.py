"""Findings are computed from the data: every comparative sentence follows the U-test on the
repetitions (direction, size, p-value), is written only when p < 0.05, and the README's findings
block is what the committed results give."""
import contextlib
import io
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
import pandas as pd  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402

from contend_lib import findings, findings_md, loader  # noqa: E402

SCHEMA1_RUN = helpers.FIXTURES / "schema1" / "intel-xeon-processor-2-80ghz-2c"


def _table(rows):
    return pd.DataFrame(rows, columns=["family", "workload", "impl", "threads", "ops_per_sec", "ns_per_op"])


def _reps(spec, tainted=None):
    """spec: {(family, workload, impl, threads): [ops per repetition]} -> (table, reps)."""
    rows = []
    for (family, workload, impl, threads), values in spec.items():
        for k, v in enumerate(values):
            row = {"machine": "m", "family": family, "workload": workload, "impl": impl, "threads": threads,
                   "repetition": k, "ops_per_sec": float(v), "ns_per_op": 1e9 / v, "source": "x"}
            if tainted is not None:
                row["tainted"] = (family, workload, impl, threads, k) in tainted
            rows.append(row)
    reps = pd.DataFrame(rows)
    return loader.aggregate(reps), reps


def _p(a, b):
    return mannwhitneyu(a, b, alternative="two-sided").pvalue


class Findings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = loader.load([helpers.FIXTURES / "machine_a"]).table

    def _ops(self, family, workload, impl, threads):
        t = self.t
        return t[(t.family == family) & (t.workload == workload) & (t.impl == impl)
                 & (t.threads == threads)].iloc[0]

    def test_padding_ratios(self):
        f = findings.padding(self.t)
        row = [r for r in f.rows if r[0] == "atomic increments" and r[1] == 2][0]
        expected = (self._ops("false_sharing", "atomic", "pad64", 2)["ops_per_sec"]
                    / self._ops("false_sharing", "atomic", "packed", 2)["ops_per_sec"])
        self.assertEqual(row[4], f"{expected:.2f}×")

    def test_no_comparative_sentence_without_repetitions(self):
        # Without the repetitions nothing can be tested, so nothing is claimed.
        self.assertEqual(findings.padding(self.t).sentences, [])
        self.assertEqual(findings.handoff_vs_floor(self.t).sentences, [])

    def test_oversubscription(self):
        rows = [("stacks", "pairs", "treiber", 1, 100, 1), ("stacks", "pairs", "treiber", 2, 150, 1),
                ("stacks", "pairs", "treiber", 4, 75, 1)]
        f = findings.oversubscription(_table(rows), hw_threads=2)
        self.assertEqual(f.rows, [["stacks", "pairs", "treiber", 2, 4, "150", "75", "-50%", "—"]])
        self.assertIn("0 of 1 designs lose throughput significantly", f.sentences[0])

    def test_absent_data_gives_no_finding(self):
        empty = _table([("stacks", "pairs", "treiber", 1, 100, 1)])
        self.assertIsNone(findings.padding(empty))
        self.assertIsNone(findings.channel_vs_mutex_map(empty))
        self.assertIsNone(findings.handoff_vs_floor(empty))


class Significance(unittest.TestCase):
    A = [20, 21, 22, 23, 24]
    B = [10, 11, 12, 13, 14]

    def test_direction_size_and_p_when_significant(self):
        table, reps = _reps({("stacks", "pairs", "treiber", 2): self.A, ("stacks", "pairs", "boost", 2): self.B})
        text = findings.pair_sentence(reps, "stacks", "pairs", "treiber", "boost", [2])
        p = _p(self.A, self.B)
        self.assertLess(p, 0.05)
        self.assertIn(f"treiber is faster than boost at 2 threads: {22 / 12:.2f}× (22 vs 12 ops/s, p = {p:.3f})",
                      text)
        text = findings.pair_sentence(reps, "stacks", "pairs", "boost", "treiber", [2])
        self.assertIn(f"boost is slower than treiber at 2 threads: {12 / 22:.2f}×", text)

    def test_overlapping_repetitions_get_no_direction(self):
        a, b = [10, 12, 14, 16, 18], [11, 13, 15, 17, 19]
        table, reps = _reps({("stacks", "pairs", "treiber", 2): a, ("stacks", "pairs", "boost", 2): b})
        text = findings.pair_sentence(reps, "stacks", "pairs", "treiber", "boost", [2])
        self.assertGreaterEqual(_p(a, b), 0.05)
        self.assertNotIn("faster", text)
        self.assertNotIn("slower", text)
        self.assertIn(f"no significant difference between treiber and boost at 2 threads (p = {_p(a, b):.3f})", text)

    def test_three_repetitions_cannot_be_tested(self):
        table, reps = _reps({("poller", "sim-0", "shared", 2): [9, 10, 11],
                             ("poller", "sim-0", "channel", 2): [1, 2, 3]})
        text = findings.pair_sentence(reps, "poller", "sim-0", "shared", "channel", [2])
        self.assertIn("cannot be tested", text)
        self.assertNotIn("faster", text)

    def test_tainted_repetitions_left_out_unless_asked(self):
        tainted = {("stacks", "pairs", "treiber", 2, k) for k in range(5)}
        spec = {("stacks", "pairs", "treiber", 2): self.A, ("stacks", "pairs", "boost", 2): self.B,
                ("stacks", "pairs", "treiber", 1): self.A, ("stacks", "pairs", "boost", 1): self.B}
        table, reps = _reps(spec, tainted)
        table["tainted"] = (table["impl"] == "treiber") & (table["threads"] == 2)
        clean = findings.clean_reps(reps)
        self.assertIsNone(findings.compare_impls(clean, "stacks", "pairs", "treiber", "boost", 2))
        self.assertEqual(len(findings.clean_table(table)), 3)
        kept = findings.compare_impls(findings.clean_reps(reps, include_tainted=True), "stacks", "pairs",
                                      "treiber", "boost", 2)
        self.assertTrue(kept.significant)

    def test_handoff_vs_floor_only_when_significant(self):
        spec = {("baseline", "pingpong", "cache_line", 2): [50, 51, 52, 53, 54],
                ("channels", "pingpong", "moody", 2): [300, 310, 320, 330, 340],
                ("channels", "pingpong", "boost_spsc", 2): [40, 52, 60, 49, 55]}
        rows = []
        for (f, w, i, t), ns in spec.items():
            rows += [{"machine": "m", "family": f, "workload": w, "impl": i, "threads": t, "repetition": k,
                      "ops_per_sec": 1e9 / v, "ns_per_op": float(v), "source": "x"} for k, v in enumerate(ns)]
        reps = pd.DataFrame(rows)
        f = findings.handoff_vs_floor(loader.aggregate(reps), reps)
        text = " ".join(f.sentences)
        p = _p([300, 310, 320, 330, 340], [50, 51, 52, 53, 54])
        # One sentence for the table: only the channel the test separates from the floor counts.
        self.assertIn(f"1 of 2 channels' one-way hand-off is significantly above the 52 ns cache-line "
                      f"ping-pong floor, from {320 / 52:.1f}× (moody)", text)
        self.assertNotIn("boost_spsc", text)
        self.assertEqual(len(f.rows), 2)
        moody = next(r for r in f.rows if r[0] == "moody")
        self.assertEqual(moody[1:4], ["320", "52", f"{320 / 52:.1f}×"])  # the floor beside each row
        self.assertEqual(moody[-1], f"p = {p:.3f}")

    def test_map_heatmap_cells_and_summary(self):
        spec = {}
        for w in ("r0-k1m-uniform", "r90-k1k-uniform"):
            for t in (1, 2):
                spec[("maps", w, "mutex", t)] = self.B
                spec[("maps", w, "channel_async", t)] = (
                    self.A if (w, t) == ("r0-k1m-uniform", 2) else [0.5 * v for v in self.B])
        spec[("maps", "r90-k1k-uniform", "channel_async", 1)] = [10, 12, 14, 11, 13.5]  # overlaps mutex
        table, reps = _reps(spec)
        f = findings.channel_vs_mutex_map(table, reps)
        ratio = f.heatmap.panels["channel_async"]
        self.assertAlmostEqual(ratio.loc["r0-k1m-uniform", 2], 22 / 12)
        self.assertAlmostEqual(f.heatmap.p["channel_async"].loc["r0-k1m-uniform", 2], _p(self.A, self.B))
        self.assertEqual(len(f.sentences), 1)
        self.assertIn("channel_async is significantly faster than mutex in 1 of 4 configurations "
                      "(r0-k1m-uniform at 2 threads", f.sentences[0])
        self.assertIn("significantly slower in 2", f.sentences[0])
        self.assertIn("not significantly different in 1", f.sentences[0])


class RecordedSchema1Run(unittest.TestCase):
    """The claims the issue found wrong, checked against the committed JSON."""

    @classmethod
    def setUpClass(cls):
        cls.rs = loader.load([SCHEMA1_RUN])

    def _values(self, impl, threads):
        r = self.rs.reps
        return r[(r.workload == "r0-k1m-uniform") & (r.impl == impl) & (r.threads == threads)]["ops_per_sec"]

    def test_channel_async_wins_r0_k1m_only_where_the_u_test_says(self):
        text = findings.pair_sentence(self.rs.reps, "maps", "r0-k1m-uniform", "channel_async", "mutex", [2, 4])
        for t in (2, 4):
            p = _p(self._values("channel_async", t), self._values("mutex", t))
            claimed = f"channel_async is faster than mutex at {t} threads" in text
            self.assertEqual(claimed, p < 0.05, f"{t} threads, p = {p:.3f}: {text}")

    def test_sharded_padded_not_said_to_scale_past_the_cores(self):
        md = findings_md.readme_markdown(self.rs, self.rs.machines.index[0], "results/x")
        self.assertIn("sharded_padded from 2 to 4 threads: no significant change", md)


class Readme(unittest.TestCase):
    def test_command_prints_the_block(self):
        out = io.StringIO()
        args = SimpleNamespace(results=[str(SCHEMA1_RUN)], markdown=True, include_tainted=False)
        with redirect_stdout(out):
            self.assertEqual(findings_md.command(args), 0)
        folder, block = findings_md.readme_block(out.getvalue())
        self.assertEqual(folder, "tests/python/fixtures/schema1/intel-xeon-processor-2-80ghz-2c")
        self.assertEqual(block, out.getvalue())

    def test_findings_blocks_match_committed_results(self):
        files = sorted((helpers.REPO / "results").glob("*/FINDINGS.md"))
        self.assertTrue(files, "no results/<label>/FINDINGS.md: paste the output of "
                               "`scripts/contend findings results/<label> --markdown` into one")
        for path in files:
            found = findings_md.readme_block(path.read_text(encoding="utf-8"))
            self.assertIsNotNone(found, f"{path} has no generated findings block")
            folder, block = found
            self.assertEqual(folder, str(path.parent.relative_to(helpers.REPO)))
            with committed(folder) as results:
                rs = loader.load([results])
                expected = findings_md.readme_markdown(rs, rs.machines.index[0], folder)
            self.assertEqual(block, expected, f"{path}'s findings block differs from what "
                                              f"`scripts/contend findings {folder} --markdown` gives")

    def test_readme_headline_matches_committed_results(self):
        from contend_lib import headline
        text = (helpers.REPO / "README.md").read_text(encoding="utf-8")
        found = headline.block(text)
        self.assertIsNotNone(found, "README.md has no generated headline: paste the output of "
                                    "`scripts/contend findings results/<label> --headline` into it")
        folder, block = found
        with committed(folder) as path:
            rs = loader.load([path])
            expected = headline.markdown(rs, rs.machines.index[0], folder)
        self.assertEqual(block, expected, "README.md's headline differs from what "
                                          f"`scripts/contend findings {folder} --headline` gives")

    def test_readme_is_a_door(self):
        text = (helpers.REPO / "README.md").read_text(encoding="utf-8")
        self.assertLess(len(text.splitlines()), 200)
        for link in ("docs/methodology.md", "docs/placement.md", "docs/implementations.md", "docs/commands.md",
                     "docs/results-format.md", "docs/design-notes.md", "CONTRIBUTING.md"):
            self.assertIn(link, text)
            self.assertTrue((helpers.REPO / link).is_file(), link)


@contextlib.contextmanager
def committed(folder):
    """The result folder as committed: a user who ran `scripts/contend run` on a CPU with the same
    label has replaced the working tree's copy (the README's first command, then its second), so
    a changed folder is read from git's HEAD instead."""
    changed = subprocess.run(["git", "-C", str(helpers.REPO), "status", "--porcelain", "--", folder],
                             capture_output=True, text=True)
    if changed.returncode != 0 or not changed.stdout.strip():
        yield helpers.REPO / folder  # not a git checkout, or the folder is as committed
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(helpers.REPO), "archive", "HEAD", folder],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp) / folder


if __name__ == "__main__":
    unittest.main()
