"""The one loader: right rows, right medians, aggregates ignored, context read, errors surfaced."""
import io
import statistics
import sys
import tempfile
import unittest
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402
from synthetic import M  # noqa: E402

helpers.import_lib()
from contend_lib import loader  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402
from contend_lib.names import machine_slug, split_name  # noqa: E402

A = helpers.FIXTURES / "machine_a"


class SplitName(unittest.TestCase):
    def test_suffixes_dropped(self):
        self.assertEqual(split_name("counters/increment/atomic_relaxed/real_time/threads:2"),
                         ("counters", "increment", "atomic_relaxed"))
        self.assertEqual(split_name("maps/r90-k1k-uniform/channel/iterations:5/repeats:3/manual_time/"
                                    "min_time:0.5/threads:4"), ("maps", "r90-k1k-uniform", "channel"))

    def test_too_short(self):
        self.assertIsNone(split_name("BM_something/threads:2"))

    def test_slug(self):
        self.assertEqual(machine_slug("Intel(R) Xeon(R) Processor @ 2.80GHz", 2),
                         "intel-xeon-processor-2-80ghz-2c")


class LoadMachineA(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = loader.load([A])
        cls.t = cls.rs.table

    def test_rows_per_family(self):
        per_family = self.t.groupby("family").size().to_dict()
        # counters: 3 workloads x 7 impls x 3 thread counts; channels: spsc at 2 threads only,
        # mpsc/mpmc at 2 and 4, boost_spsc only spsc; pingpong 5 impls.
        self.assertEqual(per_family, {"baseline": 7, "counters": 63, "false_sharing": 18, "maps": 48,
                                      "stacks": 18, "channels": 2 * 5 + 4 * 4 * 2 + 5})
        self.assertEqual(set(self.t["machine"]), {"machine_a"})
        self.assertEqual(list(loader.tidy_columns(self.t).columns[:12]),
                         ["machine", "family", "workload", "impl", "threads", "ops_per_sec", "ns_per_op",
                          "cpu_ns_per_op", "fairness", "fairness_cv", "repetitions", "cv"])

    def test_aggregate_rows_ignored(self):
        # machine_a's files carry GB's mean/median/stddev/cv rows; only the 3 iterations count.
        self.assertTrue((self.t["repetitions"] == 3).all())
        self.assertEqual(len(self.rs.reps), 3 * len(self.t))

    def test_median_and_cv_from_iterations(self):
        name = "counters/increment/atomic_relaxed/real_time/threads:2"
        raw = [b for b in helpers.raw_benchmarks(A / "counters.json")
               if b["name"] == name and b["run_type"] == "iteration"]
        ops = [b["ops_per_sec"] for b in raw]
        row = self.t[(self.t.family == "counters") & (self.t.workload == "increment")
                     & (self.t.impl == "atomic_relaxed") & (self.t.threads == 2)].iloc[0]
        self.assertAlmostEqual(row["ops_per_sec"], statistics.median(ops), places=3)
        self.assertAlmostEqual(row["ns_per_op"], statistics.median(b["ns_per_op"] for b in raw), places=9)
        self.assertAlmostEqual(row["fairness"], statistics.median(b["fairness_min_max"] for b in raw))
        self.assertAlmostEqual(row["cv"], statistics.stdev(ops) / statistics.mean(ops), places=12)
        self.assertEqual(row["ops_min"], min(ops))
        self.assertEqual(row["ops_max"], max(ops))

    def test_percentiles_kept(self):
        self.assertEqual(self.rs.percentile_columns(), ["p50_ns", "p99_ns", "p999_ns"])
        pp = self.t[(self.t.family == "channels") & (self.t.workload == "pingpong")]
        self.assertTrue(pp["p99_ns"].notna().all())
        self.assertTrue(self.t[self.t.family == "counters"]["p99_ns"].isna().all())

    def test_context(self):
        m = self.rs.machine("machine_a")
        self.assertEqual(m["cpu_model"], "Intel(R) Xeon(R) Processor @ 2.80GHz")
        self.assertEqual(m["core_count"], 2)
        self.assertEqual(m["hw_threads"], 2)
        self.assertEqual(m["contend_mode"], "default")


class LoadVariants(unittest.TestCase):
    def test_two_machines(self):
        rs = loader.load([A, helpers.FIXTURES / "machine_b"])
        self.assertEqual(list(rs.machines.index), ["machine_a", "machine_b"])
        self.assertEqual(rs.machine("machine_b")["core_count"], 8)
        self.assertEqual(sorted(rs.table[rs.table.machine == "machine_b"]["threads"].unique()),
                         [1, 2, 4, 8, 16])

    def test_loose_file_labelled_from_context(self):
        rs = loader.load([A / "stacks.json"])
        self.assertEqual(list(rs.machines.index), ["intel-xeon-processor-2-80ghz-sapphire-rapids-2c"])

    def test_missing_context_is_unknown(self):
        import json
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            doc = {"benchmarks": [b for b in helpers.raw_benchmarks(A / "stacks.json")]}
            (Path(d) / "stacks.json").write_text(json.dumps(doc))
            rs = loader.load([d])
        m = rs.machines.iloc[0]
        self.assertEqual(m["cpu_model"], "unknown")
        self.assertEqual(m["kernel"], "unknown")
        self.assertEqual(m["core_count"], 1)

    def test_failed_run_left_out_with_one_warning(self):
        err = io.StringIO()
        with redirect_stderr(err):
            rs = loader.load([helpers.FIXTURES / "with_error"])
        self.assertNotIn(8, set(rs.table["threads"]))
        lines = err.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 1)
        self.assertIn("ABA detected", lines[0])

    def test_bad_files_raise_contend_error(self):
        for name, words in (("empty.json", "empty file"), ("malformed.json", "malformed JSON"),
                            ("not_gb.json", "not Google Benchmark output"),
                            ("truncated.json", "truncated JSON"), ("no_benchmarks.json", "no benchmarks")):
            with self.subTest(name=name), self.assertRaises(ContendError) as cm:
                loader.load([helpers.FIXTURES / "bad" / name])
            self.assertIn(words, cm.exception.what)
            self.assertTrue(cm.exception.where.endswith(name))

    def test_same_folder_name_twice_is_two_sets(self):
        import shutil
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            for commit in ("old", "new"):
                target = Path(d) / commit / "vm"
                target.mkdir(parents=True)
                shutil.copy(A / "stacks.json", target / "stacks.json")
            rs = loader.load_sets([Path(d) / "old" / "vm", Path(d) / "new" / "vm"])
        self.assertEqual(list(rs.machines.index), ["vm", "new/vm"])


def load_quietly(folder):
    err = io.StringIO()
    with redirect_stderr(err):
        rs = loader.load([folder])
    return rs, err.getvalue().strip().splitlines()


class Schema(unittest.TestCase):
    def test_current_schema_loads_without_a_word(self):
        rs, warnings = load_quietly(A)
        self.assertEqual(warnings, [])
        self.assertEqual(rs.machine("machine_a")["schema_version"], "2")
        self.assertFalse(rs.table["tainted"].any())
        self.assertTrue((rs.table["tainted_reps"] == 0).all())
        self.assertTrue((rs.reps["taint_reason"] == "").all())

    def test_old_files_said_once_per_set_with_the_fields_they_lack(self):
        with tempfile.TemporaryDirectory() as d:
            for label in ("old", "older"):
                synthetic.write(Path(d) / label, synthetic.docs(synthetic.consistent(), schema=None))
            rs, warnings = load_quietly_many([Path(d) / "old", Path(d) / "older"])
        self.assertEqual(len(warnings), 2, warnings)  # two sets of two files each: one line a set
        self.assertTrue(warnings[0].startswith("contend: warning: old: written with schema 1 (current 3): "
                                               "no foreign_cpu, steal_cpu, parallelism, parallelism_needed, "
                                               "tainted, probe_ns"), warnings[0])
        self.assertEqual(set(rs.machines["schema_version"]), {"1"})
        self.assertEqual(len(rs.table), len(synthetic.consistent()) * 2)

    def test_newer_schema_said(self):
        with tempfile.TemporaryDirectory() as d:
            rs, warnings = load_quietly(synthetic.write(Path(d) / "new", synthetic.docs(synthetic.consistent(),
                                                                                      schema=4)))
        self.assertEqual(len(warnings), 1, warnings)
        self.assertIn("new: written with schema 4, newer than this contend's 3", warnings[0])
        self.assertEqual(len(rs.table), len(synthetic.consistent()))

    def test_committed_results_load(self):
        rs, warnings = load_quietly(helpers.FIXTURES / "schema1" / "intel-xeon-processor-2-80ghz-2c")
        self.assertEqual(len(warnings), 1)
        self.assertGreater(len(rs.table), 300)
        self.assertTrue(rs.table["probe_ns"].isna().all())
        self.assertFalse(rs.table["tainted"].any())  # nothing recorded, nothing flagged


def load_quietly_many(paths):
    err = io.StringIO()
    with redirect_stderr(err):
        rs = loader.load(paths)
    return rs, err.getvalue().strip().splitlines()


KEY = ("stacks", "pairs", "treiber", 2)


class Taint(unittest.TestCase):
    def load(self, reps):
        figures = {KEY: reps, ("stacks", "pairs", "treiber", 1): [50 * M] * 5}
        with tempfile.TemporaryDirectory() as d:
            rs, warnings = load_quietly(synthetic.write(Path(d) / "vm", synthetic.docs(figures)))
        self.assertEqual(warnings, [])
        reps = rs.reps[rs.reps["threads"] == 2].sort_values("repetition")
        row = rs.table[rs.table["threads"] == 2].iloc[0]
        return reps, row

    def test_detector_taint_with_its_label(self):
        reps, row = self.load([10 * M, {"ops": 30 * M, "tainted": 1.0, "taint_foreign": 1.0, "foreign_cpu": 0.31,
                                        "label": "tainted: foreign load 0.31 CPU"}, 11 * M])
        self.assertEqual(list(reps["tainted"]), [False, True, False])
        self.assertEqual(reps.iloc[1]["taint_reason"], "foreign load 0.31 CPU")
        self.assertEqual(row["tainted_reps"], 1)
        self.assertTrue(row["tainted"])
        self.assertEqual(row["ops_per_sec"], 11 * M)  # tainted but not replaced: still counted

    def test_detector_taint_without_a_label_names_both_reasons(self):
        reps, _ = self.load([{"ops": 10 * M, "tainted": 1.0, "taint_foreign": 1.0, "taint_parallelism": 1.0,
                              "foreign_cpu": 0.2, "steal_cpu": 0.05, "parallelism": 1.1,
                              "parallelism_needed": 2.0}, 10 * M, 10 * M])
        self.assertEqual(reps.iloc[0]["taint_reason"], "foreign load 0.25 CPU; parallelism 1.10 of 2 needed")

    def test_placement_moved_and_preempted_taint_a_class_does_not(self):
        # Probes at 60 ns (most) and 200 ns (a class of its own, 3 probes): the 200 ns repetition
        # is another class, left out of the figure but not tainted; one moved (60 before, 200
        # after) and one preempted (50 us before) are tainted.
        reps, row = self.load([{"ops": 10 * M, "probe_ns": 200.0, "probe_after_ns": 200.0},
                               {"ops": 10 * M, "probe_ns": 60.0, "probe_after_ns": 200.0},
                               {"ops": 10 * M, "probe_ns": 50_000.0},
                               10 * M, 10 * M, 10 * M, 10 * M])
        self.assertEqual(list(reps["tainted"]), [False, True, True, False, False, False, False])
        self.assertEqual(list(reps["placement"]), ["200 ns"] + ["60 ns"] * 6)
        self.assertEqual(list(reps["other_class"]), [True] + [False] * 6)
        self.assertTrue(reps.iloc[1]["taint_reason"].startswith("moved: probe 60 ns (60 ns) before, 200 ns"))
        self.assertEqual(reps.iloc[2]["taint_reason"], "preempted: probe before 50 us")
        self.assertEqual(row["tainted_reps"], 2)
        self.assertEqual(row["other_class_reps"], 1)
        self.assertFalse(row["excluded"])  # 6 of 7 in the class

    def test_discarded_left_out_of_medians_and_counts(self):
        reps, row = self.load([10 * M, {"ops": 1 * M, "tainted": 1.0, "contend_discarded": "tainted; re-run 1"},
                               12 * M, 11 * M])
        self.assertEqual(list(reps["discarded"]), [False, True, False, False])
        self.assertEqual(reps.iloc[1]["discard_reason"], "tainted; re-run 1")
        self.assertEqual(row["ops_per_sec"], 11 * M)
        self.assertEqual(row["repetitions"], 3)
        self.assertEqual(row["ops_min"], 10 * M)
        self.assertEqual(row["tainted_reps"], 0)
        self.assertFalse(row["tainted"])

    def test_kept_reps_leave_out_the_discarded(self):
        figures = {KEY: [10 * M, {"ops": 1 * M, "contend_discarded": "tainted; re-run 1"}, 12 * M]}
        with tempfile.TemporaryDirectory() as d:
            rs, _ = load_quietly(synthetic.write(Path(d) / "vm", synthetic.docs(figures)))
        self.assertEqual(len(rs.reps), 3)
        self.assertEqual(sorted(rs.kept_reps()["ops_per_sec"]), [10 * M, 12 * M])


if __name__ == "__main__":
    unittest.main()
