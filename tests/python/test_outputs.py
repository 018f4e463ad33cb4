"""Charts, report and export are produced: non-empty PNG and SVG, a self-contained HTML page."""
import contextlib
import csv
import errno
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import cli, style  # noqa: E402

A, B = helpers.FIXTURES / "machine_a", helpers.FIXTURES / "machine_b"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


CHANNEL_WORKLOADS = ("pingpong", "mpmc-small", "spsc-small")


def small_set(root, source, families=("false_sharing", "baseline", "channels"), litmus=False):
    """A copy of a few families, channels cut to three workloads (rendering every chart of every
    family is too slow for a unit test)."""
    folder = Path(root) / source.name
    folder.mkdir()
    for f in families:
        doc = json.loads((source / f"{f}.json").read_text())
        if f == "channels":
            doc["benchmarks"] = [b for b in doc["benchmarks"]
                                 if b["name"].split("/")[1] in CHANNEL_WORKLOADS]
        (folder / f"{f}.json").write_text(json.dumps(doc))
    if litmus:
        shutil.copy(source / "litmus.json", folder)
    return folder


class Outputs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def false_sharing_pair(self):
        """machine_a and machine_b cut to false_sharing, in folders a/ and b/."""
        sets = []
        for name, source in (("a", A), ("b", B)):
            (self.root / name).mkdir()
            sets.append(small_set(self.root / name, source, families=("false_sharing",)))
        return sets

    def assert_chart(self, stem_path):
        png, svg = stem_path.with_suffix(".png"), stem_path.with_suffix(".svg")
        self.assertTrue(png.is_file(), png)
        self.assertGreater(png.stat().st_size, 5000)
        self.assertEqual(png.read_bytes()[:8], PNG_MAGIC)
        self.assertTrue(svg.is_file(), svg)
        self.assertIn("<svg", svg.read_text()[:2000])

    def test_plot(self):
        folder = small_set(self.root, A, families=("false_sharing", "baseline", "channels"))
        proc = helpers.run_cli("plot", folder)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        charts = folder / "charts"
        for stem in ("false_sharing-padding", "false_sharing-atomic-throughput", "false_sharing-atomic-speedup",
                     "false_sharing-plain-throughput", "baseline-increment-throughput",
                     "baseline-pingpong-latency", "channels-pingpong-latency", "channels-mpmc-small-throughput",
                     "channels-spsc-small-throughput"):
            self.assert_chart(charts / stem)
        # The fixture's channel pingpong carries p50_ns and p99_ns: its latency spectrum is drawn.
        self.assert_chart(charts / "channels-pingpong-latency_spectrum")
        # false_sharing 1+4, baseline 3, channels 2 (mpmc) + 1 (spsc) + 1 (pingpong) + 1 (spectrum);
        # two formats.
        self.assertEqual(len(list(charts.iterdir())), 2 * (1 + 4 + 3 + 2 + 1 + 1 + 1))

    def test_compare(self):
        a, b = self.false_sharing_pair()
        out = self.root / "cmp"
        proc = helpers.run_cli("compare", a, b, "--csv", self.root / "r.csv", "--out", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("B = machine_b vs A = machine_a", proc.stdout)
        self.assert_chart(out / "compare-false_sharing-atomic")
        self.assert_chart(out / "compare-false_sharing-plain")
        with open(self.root / "r.csv") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 18)  # 2 workloads x 3 impls x threads 1, 2, 4 in common
        self.assertIn("p_value", rows[0])

    def test_report(self):
        folder = small_set(self.root, A, families=("false_sharing", "baseline", "channels"), litmus=True)
        out = self.root / "report.html"
        proc = helpers.run_cli("report", folder, "--out", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        page = out.read_text()
        self.assertTrue(page.startswith("<!doctype html>"))
        self.assertGreaterEqual(page.count("data:image/png;base64,"), 13)
        self.assertNotIn('src="http', page)
        for text in ("Padding against false sharing", "cache-line ping-pong floor", "Litmus tests",
                     "Intel(R) Xeon(R) Processor @ 2.80GHz", "oversubscription"):
            self.assertIn(text, page)

    def test_report_into_existing_folder(self):
        folder = small_set(self.root, A, families=("false_sharing",))
        out = self.root / "out"
        out.mkdir()
        proc = helpers.run_cli("report", folder, "--out", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([p.name for p in out.iterdir()], ["report.html"])
        self.assertTrue((out / "report.html").read_text().startswith("<!doctype html>"))

    def test_report_failed_write_leaves_nothing(self):
        folder = small_set(self.root, A, families=("false_sharing",))
        out = self.root / "out"
        out.mkdir()

        def disk_full(*_):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        err = io.StringIO()
        with mock.patch("os.replace", disk_full), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(err):
            code = cli.main(["report", str(folder), "--out", str(out / "r.html")])
        self.assertEqual(code, 2, err.getvalue())
        self.assertEqual(err.getvalue().strip().splitlines(),
                         [f"contend: error: {out / 'r.html'}: no space left on device"])
        self.assertEqual(list(out.iterdir()), [])

    def test_compare_default_out_is_the_current_folder(self):
        a, b = self.false_sharing_pair()
        work = self.root / "work"
        work.mkdir()
        under_results = helpers.REPO / "results" / "compare-machine-a-vs-machine-b"
        try:
            proc = helpers.run_cli("compare", a, b, cwd=work)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertFalse(under_results.exists())
            self.assert_chart(work / "compare-machine-a-vs-machine-b" / "compare-false_sharing-atomic")
        finally:
            if under_results.exists():  # the old default; never leave it in the repository
                shutil.rmtree(under_results)

    def test_compare_charts_are_byte_reproducible(self):
        a, b = self.false_sharing_pair()
        for out in ("one", "two"):
            proc = helpers.run_cli("compare", a, b, "--out", self.root / out)
            self.assertEqual(proc.returncode, 0, proc.stderr)
        names = sorted(p.name for p in (self.root / "one").iterdir())
        self.assertEqual(len(names), 4)
        for name in names:
            with self.subTest(chart=name):
                self.assertEqual((self.root / "one" / name).read_bytes(), (self.root / "two" / name).read_bytes())
        self.assertNotIn("<dc:date>", (self.root / "one" / "compare-false_sharing-atomic.svg").read_text())

    def test_compare_csv_creates_its_folder(self):
        csv_path = self.root / "new" / "deep" / "r.csv"
        proc = helpers.run_cli("compare", A / "false_sharing.json", B / "false_sharing.json", "--csv", csv_path,
                               "--out", self.root / "charts")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(csv_path.is_file())

    def test_export_creates_folders(self):
        tidy, reps = self.root / "x" / "tidy.csv", self.root / "y" / "z" / "reps.csv"
        proc = helpers.run_cli("export", A / "stacks.json", "--csv", tidy, "--reps", reps)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(tidy.is_file() and reps.is_file())
        self.assertEqual(sorted(p.name for p in reps.parent.iterdir()), ["reps.csv"])  # no temp left

    def test_export(self):
        out = self.root / "tidy.csv"
        proc = helpers.run_cli("export", A, B, "--csv", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(out) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 201 + 335)
        self.assertEqual(list(rows[0])[:5], ["machine", "family", "workload", "impl", "threads"])


class Style(unittest.TestCase):
    def test_colour_marker_pairs_unique(self):
        pairs = list(style.IMPL_STYLE.values())
        self.assertEqual(len(pairs), len(set(pairs)))

    def test_unknown_impl_is_stable(self):
        self.assertEqual(style.impl_style("my_new_queue"), style.impl_style("my_new_queue"))


if __name__ == "__main__":
    unittest.main()
