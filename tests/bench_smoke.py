#!/usr/bin/python3
"""Smoke test of the benchmark binaries: each runs in quick mode (short runs) and must write
Google Benchmark JSON in which every registered benchmark appears, without error, with our
counters and the machine context, at thread counts 1, 2 and 4 wherever the workload allows.

usage: bench_smoke.py BENCH_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

FAMILIES = ["counters", "false_sharing", "maps", "stacks", "channels", "baseline"]
COUNTERS = ["ops", "ops_per_sec", "ns_per_op", "cpu_ns_per_op", "fairness_min_max", "fairness_cv", "owner_threads"]
CONTEXT = ["cpu_model", "cores", "topology", "kernel", "compiler", "cxx_flags", "benchmark_version",
           "boost_version", "moodycamel_version", "governor", "git_commit", "contend_family"]
ARGS = ["--quick", "--run_ms=10", "--threads=1,2,4", "--benchmark_repetitions=2"]
BENCH_DIR = ""


def run_family(family):
    binary = os.path.join(BENCH_DIR, "bench_" + family)
    listed = subprocess.run([binary, *ARGS, "--benchmark_list_tests=true"], check=True,
                            capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, family + ".json")
        subprocess.run([binary, *ARGS, "--benchmark_out=" + out, "--benchmark_out_format=json"],
                       check=True, capture_output=True, text=True, timeout=240)
        with open(out) as f:
            return listed, json.load(f)


class BenchmarkSmoke(unittest.TestCase):
    def test_every_family(self):
        for family in FAMILIES:
            with self.subTest(family=family):
                listed, result = run_family(family)
                self.assertTrue(listed, "no benchmarks registered")
                context = result["context"]
                for key in CONTEXT:
                    self.assertIn(key, context)
                self.assertEqual(context["contend_family"], family)
                runs = [b for b in result["benchmarks"] if b["run_type"] == "iteration"]
                errors = [b["name"] + ": " + b.get("error_message", "") for b in runs if b.get("error_occurred")]
                self.assertEqual(errors, [])
                self.assertEqual({b["run_name"] for b in runs}, set(listed))
                self.assertEqual(len(runs), 2 * len(listed), "two repetitions of each")
                impls_by_threads = {}
                for b in runs:
                    fam, workload, impl = b["name"].split("/")[:3]
                    self.assertEqual(fam, family)
                    for counter in COUNTERS:
                        self.assertIn(counter, b, b["name"])
                    self.assertGreater(b["ops"], 0, b["name"])
                    self.assertAlmostEqual(b["ops_per_sec"] * b["ns_per_op"], 1e9, delta=1e6)
                    impls_by_threads.setdefault(b["threads"], set()).add(impl)
                if family not in ("channels", "baseline"):  # those start at 2 threads or fix the count
                    self.assertEqual(impls_by_threads[1], impls_by_threads[2])
                    self.assertEqual(impls_by_threads[2], impls_by_threads[4])


if __name__ == "__main__":
    BENCH_DIR = sys.argv.pop(1)
    unittest.main()
