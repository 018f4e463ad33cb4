"""The core-to-core latency map (core_map.py): the heatmap drawn from a synthetic 64-CPU result
and from a 2-CPU one, the summary and its sentence, a broken core_to_core.json as one line, and
the map where it is used: plot's chart files, the report's section, compare's hand-off rows."""
import contextlib
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

helpers.import_lib()
from contend_lib import cli, core_map, loader, plot, report, style  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402


def write_map(folder, doc):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "core_to_core.json").write_text(json.dumps(doc))
    return folder


def result_folder(root, name, doc=None):
    """A small consistent result set (baseline and channels ping-pong among it), with `doc` as
    its core_to_core.json when given."""
    folder = synthetic.write(Path(root) / name, synthetic.docs(synthetic.consistent()))
    return write_map(folder, doc) if doc is not None else folder


def run_main(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


class SixtyFourCpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = synthetic.core_to_core_doc()
        cls.fig = core_map.heatmap(cls.doc)

    @classmethod
    def tearDownClass(cls):
        style.close(cls.fig)

    def image(self):
        (img,) = self.fig.axes[0].images
        return np.ma.filled(np.ma.asarray(img.get_array()).astype(float), np.nan)

    def test_image_is_64_by_64_symmetric_with_blanks(self):
        m = self.image()
        self.assertEqual(m.shape, (64, 64))
        self.assertTrue(np.isnan(np.diag(m)).all(), "the diagonal is drawn")
        a, b = synthetic.NULL_PAIR
        self.assertTrue(np.isnan(m[a, b]) and np.isnan(m[b, a]), "the unpinned pair is drawn")
        self.assertEqual(int(np.isnan(m).sum()), 64 + 2)
        self.assertTrue(np.array_equal(m, m.T, equal_nan=True))
        self.assertEqual((m[0, 32], m[0, 1], m[0, 16], m[5, 50]), (15.0, 60.0, 150.0, 180.0))

    def test_no_cell_figures_and_thinned_ticks_at_64(self):
        ax = self.fig.axes[0]
        self.assertEqual(len(ax.texts), 0)
        labels = [t.get_text() for t in ax.get_xticklabels()]
        self.assertEqual(labels, [str(c) for c in range(0, 64, 4)])
        self.assertIn("every 4th", ax.get_xlabel())
        self.assertEqual(len(self.fig.axes), 2)  # the heatmap and its colour bar
        self.assertIn("ns", self.fig.axes[1].get_ylabel())

    def test_summary_known_values(self):
        s = core_map.summary(self.doc)
        self.assertEqual((s.cpus, s.pairs, s.measured), (64, 2016, 2015))
        self.assertEqual(s.median_ns, 150.0)
        self.assertEqual((s.worst.a, s.worst.b, s.worst.ns), (5, 50, 180.0))
        self.assertEqual((s.best.a, s.best.b, s.best.ns), (0, 32, 15.0))
        self.assertEqual(s.relations, {"smt": 15.0, "core": 60.0, "package": 150.0})

    def test_sentence(self):
        text = core_map.sentence(self.doc)
        self.assertEqual(text, "Median pair 150 ns one way over 2015 pairs of 64 CPUs; best 0–32 at 15 ns, "
                               "worst 5–50 at 180 ns (1.20× the median); medians: SMT siblings 15 ns, cores "
                               "of one package 60 ns, across packages 150 ns; 1 pair could not be pinned.")
        self.assertEqual(core_map.short(self.doc), "150/180 ns")

    def test_same_doc_same_bytes(self):
        drawn = []
        for _ in range(2):
            fig = core_map.heatmap(self.doc)
            drawn.append((style.png_bytes(fig), self._svg(fig)))
            style.close(fig)
        self.assertTrue(drawn[0] == drawn[1], "two drawings of the same map differ")

    @staticmethod
    def _svg(fig):
        buf = io.BytesIO()
        style.save(fig, buf, "svg")
        return buf.getvalue()


class TwoCpus(unittest.TestCase):
    def test_annotated_2_by_2(self):
        fig = core_map.heatmap(synthetic.core_to_core_two(61.0))
        try:
            ax = fig.axes[0]
            self.assertEqual(ax.images[0].get_array().shape, (2, 2))
            self.assertEqual(sorted(t.get_text() for t in ax.texts), ["61 ns", "61 ns"])
            self.assertEqual([t.get_text() for t in ax.get_xticklabels()], ["0", "1"])
        finally:
            style.close(fig)

    def test_sentence_names_the_one_pair(self):
        self.assertEqual(core_map.sentence(synthetic.core_to_core_two(61.0)),
                         "A cache line takes 61 ns one way between CPUs 0–1 (cores of one package), "
                         "the only pair of 2 CPUs.")

    def test_nothing_measured(self):
        doc = synthetic.core_to_core_two()
        doc["pairs"][0]["ns"] = None
        self.assertIn("could be measured", core_map.sentence(doc))
        self.assertEqual(core_map.short(doc), "none measured")
        style.close(core_map.heatmap(doc))


class BrokenFile(unittest.TestCase):
    def test_truncated_is_one_clear_error(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "core_to_core.json"
            path.write_text(json.dumps(synthetic.core_to_core_doc(), indent=1)[:5000])
            with self.assertRaises(ContendError) as cm:
                core_map.load(path)
        self.assertIn("truncated JSON", cm.exception.what)

    def test_bad_documents(self):
        cases = {"no pairs": ({"cpus": [0, 1]}, 'no "pairs" list'),
                 "zero ns": ({"pairs": [{"a": 0, "b": 1, "ns": 0}]}, "a positive number or null"),
                 "no ids": ({"pairs": [{"a": 0, "ns": 5}]}, 'no CPU ids "a" and "b"'),
                 "stray cpu": ({"cpus": [0, 1], "pairs": [{"a": 0, "b": 7, "ns": 5}]}, 'missing from "cpus"')}
        with tempfile.TemporaryDirectory() as d:
            for name, (doc, message) in cases.items():
                with self.subTest(name):
                    path = write_map(Path(d) / name.replace(" ", "_"), doc) / "core_to_core.json"
                    with self.assertRaises(ContendError) as cm:
                        core_map.load(path)
                    self.assertIn(message, cm.exception.what)

    def test_report_with_a_truncated_map_is_one_line_and_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            folder = result_folder(d, "vm")
            (folder / "core_to_core.json").write_text('{"cpus": [0, 1], "pairs": [{"a": 0, "b"')
            proc = helpers.run_cli("report", folder, "--out", Path(d) / "r.html")
            self.assertFalse((Path(d) / "r.html").exists())
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn("core_to_core.json: truncated JSON", proc.stderr)


class WhereItIsUsed(unittest.TestCase):
    def test_loader_does_not_take_it_for_results(self):
        with tempfile.TemporaryDirectory() as d:
            rs = loader.load([result_folder(d, "vm", synthetic.core_to_core_two())])
        self.assertEqual(sorted(rs.table["family"].unique()), ["baseline", "channels", "counters"])

    def test_plot_writes_the_chart_only_with_a_map(self):
        with tempfile.TemporaryDirectory() as d:
            with_map = result_folder(d, "vm", synthetic.core_to_core_doc())
            without = result_folder(d, "other")
            rs = loader.load([with_map, without])
            written = plot.write_charts(rs, "vm", Path(d) / "charts-vm")
            self.assertIn(Path(d) / "charts-vm" / "core_to_core.png", written)
            self.assertTrue((Path(d) / "charts-vm" / "core_to_core.svg").is_file())
            written = plot.write_charts(rs, "other", Path(d) / "charts-other")
            self.assertFalse(any("core_to_core" in p.name for p in written))

    def test_report_has_the_section(self):
        with tempfile.TemporaryDirectory() as d:
            rs = loader.load([result_folder(d, "vm", synthetic.core_to_core_doc())])
            page = report.build(rs)
            bare = report.build(loader.load([result_folder(d, "other")]))
        self.assertIn("<h2>Core-to-core latency — vm</h2>", page)
        self.assertIn(f"<p>{core_map.sentence(synthetic.core_to_core_doc())}</p>", page)
        self.assertIn('alt="core-to-core latency map"', page)
        self.assertNotIn("Core-to-core", bare)

    def test_compare_prints_both_medians_and_worsts_beside_hand_offs(self):
        with tempfile.TemporaryDirectory() as d:
            a = result_folder(d, "big", synthetic.core_to_core_doc())
            b = result_folder(d, "small", synthetic.core_to_core_two(61.0))
            code, out, err = run_main("compare", a, b, "--out", Path(d) / "c")
        self.assertEqual(code, 0, err)
        table = out.split("\n\n")[0]
        self.assertIn("core-to-core A → B", table)
        rows = [line for line in table.splitlines() if line.split()[1:2] == ["pingpong"]]
        self.assertEqual(len(rows), 3)  # baseline cache_line, channels boost_spsc and moody
        for line in rows:
            self.assertIn("150/180 ns → 61/61 ns", line)
        others = [line for line in table.splitlines() if line.startswith("counters")]
        self.assertTrue(others and not any("ns →" in line for line in others))
        self.assertIn("median / worst CPU pair", table)

    def test_compare_says_once_when_a_side_has_no_map(self):
        with tempfile.TemporaryDirectory() as d:
            a = result_folder(d, "big", synthetic.core_to_core_doc())
            b = result_folder(d, "bare")
            code, out, err = run_main("compare", a, b, "--out", Path(d) / "c")
            self.assertEqual(code, 0, err)
            self.assertEqual(out.count("no core-to-core map"), 1, out)
            self.assertIn("no core-to-core map for B = bare", out)
            self.assertIn("150/180 ns → —", out)
            code, out, err = run_main("compare", b, result_folder(d, "bare2"), "--out", Path(d) / "c2")
        self.assertEqual(code, 0, err)
        self.assertEqual(out.count("no core-to-core map"), 1, out)
        self.assertNotIn("core-to-core A → B", out)


if __name__ == "__main__":
    unittest.main()
