"""Which Go families `contend run` measures, and what a machine without Go gets: one line, and
the C++ suite alone."""
import contextlib
import io
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import go_suite, run  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402


class Selection(unittest.TestCase):
    def test_default_runs_both_languages(self):
        self.assertEqual(go_suite.split(None), (None, go_suite.GO_FAMILIES))
        self.assertEqual(go_suite.split(None, no_go=True), (None, []))

    def test_go_alone_some_of_it_and_a_mix(self):
        self.assertEqual(go_suite.split(["go"]), ([], go_suite.GO_FAMILIES))
        self.assertEqual(go_suite.split(["counters", "go_maps"]), (["counters"], ["go_maps"]))
        self.assertEqual(go_suite.split(["counters", "go_maps"], no_go=True), (["counters"], []))

    def test_unknown_family_is_one_line_naming_the_go_ones(self):
        with self.assertRaises(ContendError) as e:
            run.check_families(["go_nope"])
        self.assertIn("go_counters", str(e.exception))
        run.check_families(["go", "go_counters", "maps"])  # known: no error

    def test_the_suite_arguments_that_carry_over(self):
        self.assertEqual(go_suite.args_for(["--quick", "--threads=1,2", "--pin=spread", "--placement=0:80",
                                           "--benchmark_repetitions=3"]),
                         ["--quick", "--threads=1,2", "--repetitions=3"])


class WithoutGo(unittest.TestCase):
    def test_missing_go_is_one_line_and_no_go_family(self):
        err = io.StringIO()
        with mock.patch("shutil.which", return_value=None), contextlib.redirect_stderr(err):
            self.assertEqual(go_suite.build(helpers.REPO, list(go_suite.GO_FAMILIES), required=False), [])
        self.assertEqual(len(err.getvalue().strip().splitlines()), 1, err.getvalue())
        self.assertIn("golang-go", err.getvalue())

    def test_missing_go_when_only_go_was_asked_is_an_error(self):
        with mock.patch("shutil.which", return_value=None), self.assertRaises(ContendError):
            go_suite.build(helpers.REPO, ["go_maps"], required=True)

    def test_stale_go_files_leave_a_whole_suite_run(self):
        with tempfile.TemporaryDirectory() as d:
            for f in ("go_maps.json", "go_counters.json", "maps.json"):
                (Path(d) / f).write_text("{}")
            go_suite.remove_stale(Path(d), ["go_counters"])
            self.assertEqual(sorted(p.name for p in Path(d).iterdir()), ["go_counters.json", "maps.json"])


if __name__ == "__main__":
    unittest.main()
