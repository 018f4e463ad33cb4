#!/usr/bin/python3
"""Smoke test of the benchmark binaries: each runs in quick mode (short runs) and must write
Google Benchmark JSON in which every registered benchmark appears, without error, with our
counters and the machine context, at thread counts 1, 2 and 4 wherever the workload allows;
schema 2: every repetition carries its interference (foreign load, steal, parallelism, taint)
and its placement probe, before the run and after it (probe_ns, probe_after_ns, each per pair).
Also: --pin places threads without breaking a run, a bad --pin is one line and exit 2, and Google
Benchmark's random interleaving works with our one-iteration runs. --placement with a window every
probe lands in neither waits nor misses and names the window in the context; a bad window is one
line and exit 2 (bench_poller's too). hand_timed_check, core_to_core and placement_probe write
their JSON whole; core_to_core measures every pair of the allowed CPUs, as many times as --passes
says, and refuses a bad --per_pair_us or --passes with one line and exit 2; placement_probe's
probes cover the probe pairs.

usage: bench_smoke.py BENCH_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

FAMILIES = ["counters", "false_sharing", "maps", "stacks", "channels", "baseline"]
COUNTERS = ["ops", "ops_per_sec", "ns_per_op", "cpu_ns_per_op", "fairness_min_max", "fairness_cv", "owner_threads",
            "foreign_cpu", "steal_cpu", "parallelism", "parallelism_needed", "tainted", "taint_foreign",
            "taint_parallelism", "probe_ns", "probe_after_ns", "placement_wait_ms", "placement_missed"]
CONTEXT = ["cpu_model", "cores", "topology", "kernel", "compiler", "cxx_flags", "benchmark_version",
           "boost_version", "moodycamel_version", "governor", "git_commit", "contend_family",
           "schema_version", "pin", "probe_pairs", "taint_foreign_cpu", "taint_parallelism_share",
           "cpu_family", "cpu_model_number", "cpu_stepping", "latency_sampling", "latency_clock_ns",
           "latency_budget", "events_counted", "events_not_available"]
LATENCY = ["p50_ns", "p90_ns", "p99_ns", "p99.9_ns", "max_ns"]
EVENTS = ["context_switches", "cpu_migrations", "page_faults", "cycles", "instructions", "cache_misses", "hitm"]
BLOCKING = {"mutex", "shared_mutex", "absl_mutex", "mutex_queue", "moody_blocking", "channel", "channel_async",
            "combining", "delegated", "futex"}  # futex: baseline/pingpong/futex, whose two threads sleep by design
ARGS = ["--quick", "--run_ms=10", "--threads=1,2,4", "--benchmark_repetitions=2"]
BENCH_DIR = ""


def run_family(family, *extra):
    binary = os.path.join(BENCH_DIR, "bench_" + family)
    listed = subprocess.run([binary, *ARGS, *extra, "--benchmark_list_tests=true"], check=True,
                            capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, family + ".json")
        subprocess.run([binary, *ARGS, *extra, "--benchmark_out=" + out, "--benchmark_out_format=json"],
                       check=True, capture_output=True, text=True, timeout=240)
        with open(out) as f:
            return listed, json.load(f)


def repetitions(result):
    return [b for b in result["benchmarks"] if b["run_type"] == "iteration"]


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
                self.assertEqual(context["schema_version"], "3")
                self.assertEqual(context["pin"], "none")
                self.assertNotIn("placement_window_ns", context)
                pairs = [p for p in context["probe_pairs"].split(",") if p]
                runs = repetitions(result)
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
                    self.check_events(b, context)
                    self.assertGreater(b["ops"], 0, b["name"])
                    self.assertAlmostEqual(b["ops_per_sec"] * b["ns_per_op"], 1e9, delta=1e6)
                    self.check_interference(b, workload, impl)
                    if workload == "idle":
                        self.assertGreaterEqual(b["idle_cpu_fraction"], 0, b["name"])
                    else:
                        self.check_latency(b)
                    self.check_probes(b, pairs)
                    self.assertEqual(b["placement_wait_ms"], 0, b["name"])  # no --placement: no wait
                    self.assertEqual(b["placement_missed"], 0, b["name"])
                    impls_by_threads.setdefault(b["threads"], set()).add(impl)
                if family not in ("channels", "baseline"):  # those start at 2 threads or fix the count
                    self.assertEqual(impls_by_threads[1] - {"single_thread"}, impls_by_threads[2])  # the maps' one-thread ceiling
                    self.assertEqual(impls_by_threads[2], impls_by_threads[4])

    def check_probes(self, b, pairs):
        """The probe before the run and the one after it, each with a counter per probe pair;
        the machines the smoke test runs on have two CPUs at least, so both measured something."""
        for prefix in ("probe_ns", "probe_after_ns"):
            for pair in pairs:
                self.assertIn(prefix + "_" + pair.replace("-", "_"), b, b["name"])
            if pairs:
                self.assertGreater(b[prefix], 0, b["name"])

    def check_latency(self, b):
        """Every timed run sampled some operations, and its percentiles are in order: p50 <= p90 <=
        p99 <= p99.9 <= max, never above the run's wall time."""
        self.assertGreater(b.get("latency_samples", 0), 0, b["name"])
        values = [b[k] for k in LATENCY]
        self.assertEqual(values, sorted(values), b["name"])
        self.assertGreater(values[0], 0, b["name"])
        self.assertLessEqual(values[-1], b["wall_ms"] * 1e6, b["name"])

    def test_latency_off_samples_nothing(self):
        _, result = run_family("stacks", "--latency=off", "--benchmark_filter=stacks/pairs/treiber")
        self.assertEqual(result["context"]["latency_sampling"], "off")
        for b in repetitions(result):
            self.assertNotIn("p50_ns", b, b["name"])

    def assert_refused(self, binary, arg, flag):
        """`binary arg` is refused before it runs anything: one line naming `flag`, exit 2."""
        done = subprocess.run([os.path.join(BENCH_DIR, binary), arg], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2, arg)
        self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
        self.assertIn(flag, done.stderr)
        self.assertEqual(done.stdout, "")

    def test_bad_latency_is_one_line_and_exit_2(self):
        self.assert_refused("bench_stacks", "--latency=maybe", "--latency")

    def test_bad_numbers_are_one_line_and_exit_2(self):
        # nan and inf too: a run of infinite length would never end.
        for arg in ("--run_ms=nan", "--run_ms=inf", "--run_ms=0", "--run_ms=5x", "--think=-1", "--think=nan"):
            with self.subTest(arg=arg):
                self.assert_refused("bench_counters", arg, arg.split("=")[0])

    def check_events(self, b, context):
        """Every event is counted (its <event>_per_op present, never negative) or named with a
        reason in events_not_available (and then absent: never a zero)."""
        counted = {e.split(" (")[0] for e in context["events_counted"].split(", ") if e}
        missing = {e for e in EVENTS if context["events_not_available"].startswith(e + ": ")
                   or "; " + e + ": " in context["events_not_available"]}
        self.assertEqual(counted | missing, set(EVENTS), context["events_not_available"])
        self.assertEqual(counted & missing, set())
        for e in counted:
            self.assertGreaterEqual(b[e + "_per_op"], 0, b["name"])
        for e in missing:
            self.assertNotIn(e + "_per_op", b, b["name"])

    def check_interference(self, b, workload, impl):
        """The taint flags follow from the figures beside them (interference.hpp's rule). The
        channels' idle workload does not judge parallelism: its sender sleeps by design."""
        for flag in ("tainted", "taint_foreign", "taint_parallelism"):
            self.assertIn(b[flag], (0, 1), b["name"])
        self.assertEqual(b["tainted"], max(b["taint_foreign"], b["taint_parallelism"]), b["name"])
        self.assertGreaterEqual(b["foreign_cpu"], 0, b["name"])
        if impl in BLOCKING or (b["name"].startswith("channels/") and workload == "idle"):
            self.assertEqual(b["parallelism_needed"], 0, b["name"])
        else:
            self.assertEqual(b["parallelism_needed"],
                             min(b["threads"] + b["owner_threads"], len(os.sched_getaffinity(0))), b["name"])
        self.assertEqual(bool(b["taint_parallelism"]), b["parallelism"] < b["parallelism_needed"] * 0.8, b["name"])
        self.assertEqual(bool(b.get("label", "").startswith("tainted: ")), bool(b["tainted"]), b["name"])

    def test_pin_places_threads_and_owners(self):
        for pin in ("spread", "compact"):
            with self.subTest(pin=pin):
                listed, result = run_family("counters", "--pin=" + pin, "--benchmark_filter=increment/(channel|atomic_relaxed)")
                self.assertEqual(result["context"]["pin"], pin)
                runs = repetitions(result)
                self.assertEqual({b["run_name"] for b in runs}, set(listed))
                self.assertEqual([b["name"] for b in runs if b.get("error_occurred")], [])

    def test_bad_pin_is_one_line_and_exit_2(self):
        self.assert_refused("bench_baseline", "--pin=scatter", "--pin")

    def test_placement_window_every_probe_lands_in(self):
        listed, result = run_family("baseline", "--placement=0:1000000000", "--benchmark_filter=pingpong/cache_line")
        context = result["context"]
        self.assertEqual(context["placement_window_ns"], "0:1000000000")
        self.assertEqual(context["placement_wait_limit_ms"], "2000")
        self.assertEqual(context["placement_poll_ms"], "5")
        runs = repetitions(result)
        self.assertEqual({b["run_name"] for b in runs}, set(listed))
        for b in runs:
            self.assertFalse(b.get("error_occurred"), b["name"])
            self.assertEqual(b["placement_missed"], 0, b["name"])
            self.assertEqual(b["placement_wait_ms"], 0, b["name"])  # landed at once
            self.assertGreater(b["probe_after_ns"], 0, b["name"])

    def test_bad_placement_is_one_line_and_exit_2(self):
        for arg in ("--placement=1:0", "--placement=5:5", "--placement=abc", "--placement=0:nan", "--placement=-1:5"):
            with self.subTest(arg=arg):
                self.assert_refused("bench_counters", arg, "--placement")

    def poller(self):
        binary = os.path.join(BENCH_DIR, "..", "programs", "poller", "bench_poller")
        if not os.path.exists(binary):
            self.skipTest("bench_poller not built")
        return binary

    def test_poller_probes_after_and_waits_for_placement(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "poller.json")
            subprocess.run([self.poller(), "--quick", "--threads=1", "--placement=0:1000000000",
                            "--benchmark_filter=poller/sim-0/channel", "--benchmark_repetitions=2",
                            "--benchmark_out=" + out, "--benchmark_out_format=json"],
                           check=True, capture_output=True, text=True, timeout=120)
            with open(out) as f:
                result = json.load(f)
        self.assertEqual(result["context"]["placement_window_ns"], "0:1000000000")
        pairs = [p for p in result["context"]["probe_pairs"].split(",") if p]
        runs = repetitions(result)
        self.assertEqual(len(runs), 2)
        for b in runs:
            self.check_probes(b, pairs)
            self.assertEqual(b["placement_missed"], 0, b["name"])

    def test_poller_bad_placement_is_one_line_and_exit_2(self):
        done = subprocess.run([self.poller(), "--placement=1:0"], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)
        self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
        self.assertIn("--placement", done.stderr)

    def test_random_interleaving_keeps_every_repetition(self):
        listed, result = run_family("baseline", "--benchmark_enable_random_interleaving=true",
                                    "--benchmark_repetitions=3")
        runs = repetitions(result)
        self.assertEqual(len(runs), 3 * len(listed))
        for b in runs:
            self.assertFalse(b.get("error_occurred"), b["name"])
            self.assertEqual(b["iterations"], b["threads"], b["name"])  # one iteration per thread
            self.assertGreater(b["ops"], 0, b["name"])

    def test_hand_timed_check_json(self):
        binary = os.path.join(BENCH_DIR, "hand_timed_check")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "hand_timed.json")
            subprocess.run([binary, "--threads=1,2", "--run_ms=10", "--repetitions=2", "--json", out],
                           check=True, capture_output=True, text=True, timeout=60)
            with open(out) as f:
                result = json.load(f)
            self.assertEqual(os.listdir(tmp), ["hand_timed.json"])  # no temp file left
        self.assertEqual(result["context"]["schema_version"], "3")
        self.assertEqual(result["context"]["contend_family"], "hand_timed")
        self.assertEqual(sorted((r["threads"], r["repetition"]) for r in result["runs"]),
                         [(1, 0), (1, 1), (2, 0), (2, 1)])
        for r in result["runs"]:
            self.assertGreater(r["ops_per_sec"], 0)
            self.assertIn(r["tainted"], (0, 1))

    def test_core_to_core_json(self):
        binary = os.path.join(BENCH_DIR, "core_to_core")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "core_to_core.json")
            subprocess.run([binary, "--per_pair_us=200", "--json", out], check=True, capture_output=True,
                           text=True, timeout=120)
            with open(out) as f:
                result = json.load(f)
            self.assertEqual(os.listdir(tmp), ["core_to_core.json"])  # no temp file left
        self.assertEqual(result["context"]["contend_family"], "core_to_core")
        for key in ("cpu_model", "topology", "git_commit", "kernel", "date"):
            self.assertIn(key, result["context"])
        allowed = sorted(os.sched_getaffinity(0))
        self.assertEqual(result["cpus"], allowed)
        self.assertEqual(result["per_pair_us"], 200)
        expected = [(a, b) for i, a in enumerate(allowed) for b in allowed[i + 1:]]
        self.assertEqual(sorted((p["a"], p["b"]) for p in result["pairs"]), expected)
        for p in result["pairs"]:
            self.assertTrue(p["ns"] is None or p["ns"] > 0, p)
            self.assertIn(p["relation"], ("smt", "core", "package", None), p)

    def test_core_to_core_bad_value_is_one_line_and_exit_2(self):
        self.assert_refused("core_to_core", "--per_pair_us=abc", "--per_pair_us")
        for arg in ("--passes=0", "--passes=1001", "--passes=1.5", "--passes=x"):
            with self.subTest(arg=arg):
                self.assert_refused("core_to_core", arg, "--passes")

    def test_core_to_core_passes(self):
        """Two passes: the top level is the first pass, as without --passes; "passes" has both,
        each with every pair, in time order."""
        binary = os.path.join(BENCH_DIR, "core_to_core")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "core_to_core.json")
            subprocess.run([binary, "--per_pair_us=200", "--passes=2", "--json", out], check=True,
                           capture_output=True, text=True, timeout=120)
            with open(out) as f:
                result = json.load(f)
        passes = result["passes"]
        self.assertEqual(len(passes), 2)
        self.assertEqual(passes[0]["pair_latency_ns"], result["pairs"])
        self.assertLessEqual(passes[0]["t_ms"], passes[1]["t_ms"])
        for p in passes:
            self.assertEqual([(q["a"], q["b"]) for q in p["pair_latency_ns"]],
                             [(q["a"], q["b"]) for q in result["pairs"]])
            for q in p["pair_latency_ns"]:
                self.assertTrue(q["ns"] is None or q["ns"] > 0, q)

    def test_placement_probe_json(self):
        binary = os.path.join(BENCH_DIR, "placement_probe")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "placement_probe.json")
            subprocess.run([binary, "--quick", "--json", out], check=True, capture_output=True, text=True,
                           timeout=60)
            with open(out) as f:
                result = json.load(f)
            self.assertEqual(os.listdir(tmp), ["placement_probe.json"])  # no temp file left
        context = result["context"]
        self.assertEqual(context["contend_family"], "placement_probe")
        for key in ("cpu_model", "topology", "git_commit", "kernel", "date", "probe_pairs", "probe_us_per_pair"):
            self.assertIn(key, context)
        pairs = [p for p in context["probe_pairs"].split(",") if p]
        probes = result["probes"]
        self.assertGreaterEqual(len(probes), 2)  # 0.5 s every 20 ms: a probe overruns a slot, not 24
        self.assertEqual([p["t_ms"] for p in probes], sorted(p["t_ms"] for p in probes))
        self.assertLess(probes[-1]["t_ms"], 500)
        for p in probes:
            self.assertEqual(len(p["pair_ns"]), len(pairs), p)
            self.assertTrue(p["ns"] is None or p["ns"] > 0, p)
        self.assertTrue(any(p["ns"] for p in probes))

    def test_placement_probe_bad_value_is_one_line_and_exit_2(self):
        for arg in ("--seconds=0", "--seconds=abc", "--interval_ms=0", "--bogus"):
            with self.subTest(arg=arg):
                self.assert_refused("placement_probe", arg, arg.split("=")[0])


# ---- h-harness checks (roles, peak RSS): kept apart from BenchmarkSmoke to ease merging ----
UNBOUNDED_CHANNELS = {"moody", "moody_blocking", "tbb_queue", "xenium_ms_queue"}


class HarnessChecks(unittest.TestCase):
    def test_prodcons_fairness_compares_like_roles(self):
        """stacks/prodcons has producer and consumer roles, as the channels do: fairness compares
        the producers only (fairness_threads of them), never a push rate with a pop rate or a
        consumer that found the stack empty; a lone producer is perfectly fair."""
        _, result = run_family("stacks", "--benchmark_filter=stacks/prodcons/")
        runs = repetitions(result)
        self.assertTrue(runs)
        for b in runs:
            self.assertFalse(b.get("error_occurred"), b["name"])
            self.assertGreaterEqual(b["producers"], 1, b["name"])
            self.assertGreaterEqual(b["consumers"], 1, b["name"])
            self.assertEqual(b["producers"] + b["consumers"], b["threads"], b["name"])
            self.assertEqual(b["fairness_threads"], b["producers"], b["name"])
            if b["producers"] == 1:
                self.assertEqual(b["fairness_min_max"], 1, b["name"])
                self.assertEqual(b["fairness_cv"], 0, b["name"])
    def test_unbounded_channels_cap_their_backlog_and_runs_record_peak_rss(self):
        """Every run records peak_rss_mb; the channels that never refuse a send carry the
        backlog cap of their row (its capacity), the bounded ones none."""
        _, result = run_family("channels", "--benchmark_filter=channels/(spsc|mpsc|mpmc)-")
        runs = repetitions(result)
        self.assertTrue(runs)
        for b in runs:
            self.assertFalse(b.get("error_occurred"), b["name"])
            self.assertGreater(b["peak_rss_mb"], 0, b["name"])
            impl = b["name"].split("/")[2]
            if impl in UNBOUNDED_CHANNELS:
                self.assertEqual(b["backlog_cap"], 64, b["name"])  # --quick runs the small rows only
            else:
                self.assertNotIn("backlog_cap", b, b["name"])
        _, result = run_family("stacks", "--benchmark_filter=stacks/pairs/treiber")
        for b in repetitions(result):
            self.assertGreater(b["peak_rss_mb"], 0, b["name"])
# ---- end of h-harness checks ----


if __name__ == "__main__":
    BENCH_DIR = sys.argv.pop(1)
    unittest.main()
