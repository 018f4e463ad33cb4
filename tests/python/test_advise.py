"""`contend advise` on synthetic result sets whose answers are known, and on the recorded
floating-vCPU run (its false winner must not come back)."""
import json
import tempfile
import unittest
from pathlib import Path

from . import helpers, synthetic
from .synthetic import M

W = ("maps", "r90-k1k-uniform")


def maps_set(a=100, b=50, c=10, c_tainted=False):
    """Three designs at 2 threads: a ≈ 2× b ≈ 10× c (5 repetitions each); c's repetitions tainted
    (foreign load) at 4× a's throughput when asked: a left-out design that could have won."""
    def reps(base, tainted=False):
        values = [base * M * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)]
        if tainted:
            return [{"ops": v, "tainted": 1.0, "taint_foreign": 1.0, "foreign_cpu": 0.5} if i < 3 else v
                    for i, v in enumerate(values)]
        return values
    return {(*W, "a", 2): reps(a), (*W, "b", 2): reps(b), (*W, "c", 2): reps(c, c_tainted),
            (*W, "a", 1): reps(a), (*W, "b", 1): reps(b)}


def advise(*folders, extra=()):
    return helpers.run_cli("advise", *folders, "--family", "maps", "--threads", "2", *extra)


class KnownAnswers(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, figures):
        return synthetic.write(self.root / name, synthetic.docs(figures))

    def test_recommended_runner_up_margin_interval_and_p(self):
        folder = self.write("m", maps_set())
        out = advise(folder, extra=("--reads", "90", "--keys", "1000", "--json"))
        self.assertEqual(out.returncode, 0, out.stderr)
        a = json.loads(out.stdout)["answers"][0]
        self.assertEqual((a["recommended"], a["runner_up"], a["verdict"]), ("a", "b", ""))
        self.assertAlmostEqual(a["margin"], 2.0, places=6)
        self.assertLessEqual(a["interval"][0], 2.0)
        self.assertGreaterEqual(a["interval"][1], 2.0)
        self.assertAlmostEqual(a["p"], 0.00794, places=4)  # 5 vs 5, no overlap
        self.assertTrue(a["significant"])

    def test_one_screen_of_text(self):
        out = advise(self.write("m", maps_set()), extra=("--reads", "90", "--keys", "1000"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("recommended: a", out.stdout)
        self.assertIn("runner-up:   b", out.stdout)
        self.assertIn("2.00×", out.stdout)
        self.assertLessEqual(len(out.stdout.splitlines()), 25)

    def test_the_nearest_measured_workload_and_thread_count_are_named(self):
        out = advise(self.write("m", maps_set()), extra=("--reads", "80", "--keys", "5000", "--json"))
        doc = json.loads(out.stdout)
        self.assertEqual(doc["answers"][0]["workload"], "r90-k1k-uniform")
        self.assertTrue(any("nearest measured workload is r90-k1k-uniform" in n for n in doc["notes"]))

    def test_no_verdict_while_a_left_out_design_could_win(self):
        folder = self.write("m", maps_set(c=400, c_tainted=True))
        a = json.loads(advise(folder, extra=("--json",)).stdout)["answers"][0]
        self.assertTrue(a["verdict"].startswith("no verdict: c tainted"), a["verdict"])

    def test_a_left_out_design_that_could_not_win_is_a_caveat(self):
        folder = self.write("m", maps_set(c=10, c_tainted=True))
        a = json.loads(advise(folder, extra=("--json",)).stdout)["answers"][0]
        self.assertEqual((a["recommended"], a["verdict"]), ("a", ""))
        self.assertTrue(any(c.startswith("left out here") and "c tainted" in c for c in a["caveats"]))

    def test_where_the_answer_changes_between_machines(self):
        one = self.write("one", maps_set(a=100, b=50))
        two = self.write("two", maps_set(a=50, b=100))
        out = advise(one, two)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("the answer changes between machines: one → a; two → b", out.stdout)

    def test_bad_input_is_one_line_and_exit_2(self):
        folder = self.write("m", maps_set())
        for extra in (("--family", "nope"), ("--reads", "101"), ("--keys", "0")):
            out = helpers.run_cli("advise", folder, "--threads", "2", *extra)
            self.assertEqual(out.returncode, 2, extra)
            self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)


class RecordedFloatingRun(unittest.TestCase):
    def test_the_false_winner_does_not_come_back(self):
        out = advise(helpers.FIXTURES / "floating-zen4", extra=("--reads", "99", "--keys", "1000", "--json"))
        self.assertEqual(out.returncode, 0, out.stderr)
        a = json.loads(out.stdout)["answers"][0]
        self.assertTrue(a["verdict"].startswith("no verdict"), a)
        self.assertIn("cuckoo excluded", a["verdict"])
        self.assertNotEqual(a["recommended"], "channel_async")
        self.assertTrue(any("placement class 34 ns" in c for c in a["caveats"]))


if __name__ == "__main__":
    unittest.main()
