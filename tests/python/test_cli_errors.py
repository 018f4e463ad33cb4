"""Bad input: exit 2, exactly one stderr line naming the file and the problem, no traceback."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

F = helpers.FIXTURES
BAD = F / "bad"


class BadInput(unittest.TestCase):
    def assert_one_line_error(self, proc, where, what):
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertTrue(lines[0].startswith(f"contend: error: {where}"), lines[0])
        self.assertIn(what, lines[0])

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

    def test_csv_into_missing_folder(self):
        self.assert_one_line_error(helpers.run_cli("export", F / "machine_a" / "stacks.json", "--csv",
                                                   "/no/such/dir/x.csv"), "/no/such/dir/x.csv",
                                   "folder does not exist")

    def test_run_rejects_bad_threads(self):
        self.assert_one_line_error(helpers.run_cli("run", "--no-build", "--threads", "1,x"), "--threads",
                                   "not a positive thread count")


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
