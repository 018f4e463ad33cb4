"""Bad input: exit 2, exactly one stderr line naming the file and the problem, no traceback."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import loader  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402

F = helpers.FIXTURES
BAD = F / "bad"


def assert_one_line_error(test, proc, where, what):
    test.assertEqual(proc.returncode, 2, proc.stderr)
    test.assertNotIn("Traceback", proc.stderr)
    lines = proc.stderr.strip().splitlines()
    test.assertEqual(len(lines), 1, proc.stderr)
    test.assertTrue(lines[0].startswith(f"contend: error: {where}"), lines[0])
    test.assertIn(what, lines[0])


class BadInput(unittest.TestCase):
    def assert_one_line_error(self, proc, where, what):
        assert_one_line_error(self, proc, where, what)

    def test_bad_files_every_subcommand(self):
        cases = [("empty.json", "empty file"), ("malformed.json", "malformed JSON at line 1"),
                 ("not_gb.json", "not Google Benchmark output"), ("truncated.json", "truncated JSON"),
                 ("no_benchmarks.json", "no benchmarks in the file")]
        with tempfile.TemporaryDirectory() as d:
            for k, (name, what) in enumerate(cases):
                path = BAD / name
                commands = [["plot", path, "--out", d], ["report", path, "--out", Path(d) / "r.html"],
                            ["export", path, "--csv", Path(d) / "x.csv"],
                            ["compare", F / "machine_a", path, "--out", d]]
                # Two subcommands per file, rotating, so every pair is covered across the cases
                # without paying for 20 interpreter starts.
                for args in (commands[k % 4], commands[(k + 1) % 4]):
                    with self.subTest(file=name, command=args[0]):
                        self.assert_one_line_error(helpers.run_cli(*args), path, what)
            self.assertEqual(list(Path(d).iterdir()), [])

    def test_missing_path(self):
        self.assert_one_line_error(helpers.run_cli("plot", "/no/such/results"), "/no/such/results",
                                   "no such file or folder")

    def test_folder_without_results(self):
        with tempfile.TemporaryDirectory() as d:
            self.assert_one_line_error(helpers.run_cli("report", d), d, "no result files")

    def test_nothing_in_common(self):
        with tempfile.TemporaryDirectory() as d:
            proc = helpers.run_cli("compare", F / "machine_a", F / "disjoint", "--out", d)
        self.assert_one_line_error(proc, "machine_a vs disjoint", "no benchmarks in common")

    def test_compare_needs_two(self):
        self.assert_one_line_error(helpers.run_cli("compare", F / "machine_a"), "compare", "at least two")

    def test_run_rejects_bad_threads(self):
        self.assert_one_line_error(helpers.run_cli("run", "--no-build", "--threads", "1,x"), "--threads",
                                   "not a positive thread count")


    def test_not_json_at_all(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "notes.json"
            path.write_text("not json at all\n")
            proc = helpers.run_cli("export", path, "--csv", Path(d) / "x.csv")
        self.assert_one_line_error(proc, path, "not JSON (starts with 'not json at all')")
        self.assertNotIn("truncated", proc.stderr)


class ReadJson(unittest.TestCase):
    """Each way a file can be broken gets its own words: only a cut-off document is 'truncated'."""

    def what(self, text):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "r.json"
            path.write_text(text)
            with self.assertRaises(ContendError) as cm:
                loader.read_json(path)
        return cm.exception.what

    def test_kinds(self):
        for text, start in (("not json at all", "not JSON"), ("name,ops\nmutex,1\n", "not JSON"),
                            ("<html></html>", "not JSON"), ('{"benchmarks": [{"name": "x"', "truncated JSON"),
                            ('{"benchmarks": [{"name": "x"}, {"na', "truncated JSON"),
                            ('{"a": 1,}', "malformed JSON"), ("  \n", "empty file")):
            with self.subTest(text=text):
                self.assertTrue(self.what(text).startswith(start), self.what(text))


class OutputPathsFirst(unittest.TestCase):
    """Every output path is checked before a result is read or a line printed."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.file = self.root / "existing.txt"
        self.file.write_text("keep me")

    def tearDown(self):
        self.tmp.cleanup()

    def assert_refused(self, proc, where, what):
        assert_one_line_error(self, proc, where, what)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(self.file.read_text(), "keep me")
        self.assertEqual(sorted(p.name for p in self.root.iterdir()), ["existing.txt"])

    def test_plot_out_existing_file(self):
        self.assert_refused(helpers.run_cli("plot", F / "machine_a" / "baseline.json", "--out", self.file),
                            self.file, "exists and is not a folder")

    def test_compare_out_existing_file(self):
        self.assert_refused(helpers.run_cli("compare", F / "machine_a", F / "machine_a", "--out", self.file),
                            self.file, "exists and is not a folder")

    def test_compare_csv_checked_before_the_table(self):
        csv = self.file / "c.csv"
        self.assert_refused(helpers.run_cli("compare", F / "machine_a", F / "machine_b", "--csv", csv,
                                            "--out", self.root / "charts"), csv, "is not a folder")

    def test_export_reps_checked_before_the_first_file(self):
        reps = self.file / "r.csv"
        self.assert_refused(helpers.run_cli("export", F / "machine_a" / "stacks.json", "--csv",
                                            self.root / "x.csv", "--reps", reps), reps, "is not a folder")

    def test_export_csv_into_a_file(self):
        csv = self.file / "x.csv"
        self.assert_refused(helpers.run_cli("export", F / "machine_a" / "stacks.json", "--csv", csv),
                            csv, "is not a folder")

    def test_export_same_file_twice(self):
        csv = self.root / "x.csv"
        self.assert_refused(helpers.run_cli("export", F / "machine_a" / "stacks.json", "--csv", csv,
                                            "--reps", csv), csv, "given twice")

    def test_report_folder_whose_report_is_a_folder(self):
        (self.root / "report.html").mkdir()
        proc = helpers.run_cli("report", F / "machine_a" / "stacks.json", "--out", self.root)
        assert_one_line_error(self, proc, self.root / "report.html", "is a folder")


class Help(unittest.TestCase):
    def test_every_subcommand_has_help(self):
        for cmd in ("run", "plot", "compare", "report", "export"):
            with self.subTest(cmd=cmd):
                proc = helpers.run_cli(cmd, "--help")
                self.assertEqual(proc.returncode, 0)
                self.assertIn(f"usage: contend {cmd}", proc.stdout)
                self.assertGreater(len(proc.stdout.splitlines()), 6)


if __name__ == "__main__":
    unittest.main()
