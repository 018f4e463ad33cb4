"""`contend run` end to end in a throw-away copy of the repo with fake benchmark binaries.

The fakes behave like the real ones where it matters: --benchmark_list_tests, JSON written to
--benchmark_out, aggregate-only console lines, one benchmark re-run under --benchmark_filter with
--benchmark_repetitions; a mode makes one fail or hang mid-write, write tainted repetitions whose
re-run is clean (or tainted again), hang in a re-run, slow atomic_seq_cst down, or drift between
runs of the suite. Every number is the fixture's or chosen here: nothing is timed."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

FAKE_BINARY = r'''#!/usr/bin/python3
import os, re, sys, time, json
fixture = json.load(open(%(fixture)r))
names = []
for b in fixture["benchmarks"]:
    if b.get("run_type") == "iteration" and b["name"] not in names:
        names.append(b["name"])
args = sys.argv[1:]
if "--benchmark_list_tests=true" in args:
    print("\n".join(names))
    sys.exit(0)
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
out = [a.split("=", 1)[1] for a in args if a.startswith("--benchmark_out=")][0]
mode = %(mode)r
TAINTED = {"tainted": 1.0, "taint_foreign": 1.0, "foreign_cpu": 0.4, "label": "tainted: foreign load 0.40 CPU"}
CLEAN_RERUN_OPS = 42e6
flt = [a.split("=", 1)[1] for a in args if a.startswith("--benchmark_filter=")]
if mode == "seq-cst-slow" or (mode == "seq-cst-slow-once" and not flt):
    # Slower than atomic_relaxed (the same instruction on x86): in every run, or the first only.
    for b in fixture["benchmarks"]:
        if b["name"].startswith("counters/increment/atomic_seq_cst/") and b["threads"] == 2:
            b["ops_per_sec"] /= 3
if flt:
    # A re-run of one benchmark: its first N repetitions, renumbered, clean or tainted again.
    if mode == "hang-rerun" and flt[0].endswith("threads:2$"):
        time.sleep(60)  # the second re-run: the first one is merged by now
    reps = int([a.split("=", 1)[1] for a in args if a.startswith("--benchmark_repetitions=")][-1])
    mine = [dict(b) for b in fixture["benchmarks"]
            if b.get("run_type") == "iteration" and re.search(flt[0], b["name"])][:reps]
    for i, b in enumerate(mine):
        b["repetition_index"] = i
        if mode == "taint-always":
            b.update(TAINTED)
        elif mode == "taint":
            b["ops_per_sec"] = CLEAN_RERUN_OPS
    json.dump({"context": fixture["context"], "benchmarks": mine}, open(out, "w"))
    sys.exit(0)
if mode in ("taint", "taint-always", "hang-rerun"):
    # The second repetition of the first two benchmarks ran beside a hog: 3x too fast, flagged.
    for b in fixture["benchmarks"]:
        if b["name"] in names[:2] and b.get("run_type") == "iteration" and b["repetition_index"] == 1:
            b["ops_per_sec"] *= 3
            b.update(TAINTED)
if mode == "drift":
    # The second run of the suite finds treiber twice as fast: a figure that does not reproduce.
    state = os.environ["FAKE_LOG"] + ".runs"
    runs = int(open(state).read()) + 1 if os.path.exists(state) else 1
    open(state, "w").write(str(runs))
    if runs == 2:
        for b in fixture["benchmarks"]:
            if b["name"].startswith("stacks/pairs/treiber/"):
                b["ops_per_sec"] *= 2
with open(out, "w") as f:
    f.write(json.dumps(fixture)[: 300])   # a partial file, as GB leaves mid-run
    f.flush()
    for name in names:
        print(f"{name}_mean   1.0 ms   1.0 ms   2 ops_per_sec=1M", flush=True)
        if mode == "hang":
            time.sleep(60)
    if mode == "fail":
        print("check failed: count mismatch", file=sys.stderr)
        sys.exit(1)
with open(out, "w") as f:
    json.dump(fixture, f)
'''


class Run(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = Path(self.tmp.name) / "repo"
        scripts = self.repo / "scripts"
        scripts.mkdir(parents=True)
        shutil.copy(helpers.REPO / "scripts" / "contend", scripts)
        shutil.copytree(helpers.REPO / "scripts" / "contend_lib", scripts / "contend_lib",
                        ignore=shutil.ignore_patterns("__pycache__"))
        self._script(scripts / "install-deps", "#!/bin/sh\nexit 0\n")
        self.bin = Path(self.tmp.name) / "bin"
        self.bin.mkdir()
        # A cmake that records its arguments: the test needs no compiler.
        self._script(self.bin / "cmake", f'#!/bin/sh\necho "$@" >> {self.tmp.name}/cmake.log\n')
        self.benchmarks = self.repo / "build" / "release" / "benchmarks"
        self.benchmarks.mkdir(parents=True)
        self.log = Path(self.tmp.name) / "fake.log"
        self.results = self.repo / "results"

    def tearDown(self):
        self.tmp.cleanup()

    def _script(self, path, text):
        path.write_text(text)
        path.chmod(0o755)

    def fake(self, family, mode="ok"):
        fixture = helpers.FIXTURES / "machine_a" / f"{family}.json"
        self._script(self.benchmarks / f"bench_{family}", FAKE_BINARY % {"fixture": str(fixture), "mode": mode})

    def env(self):
        return dict(os.environ, PATH=f"{self.bin}:{os.environ['PATH']}", FAKE_LOG=str(self.log),
                    MPLBACKEND="Agg")

    def contend(self, *args, **kw):
        return subprocess.run([helpers.PYTHON, str(self.repo / "scripts" / "contend"), "run", *args],
                              capture_output=True, text=True, cwd=self.repo, env=self.env(), timeout=120, **kw)

    def interrupt_run(self, ready, settle=0.3):
        """`contend run --no-build --label vm` stopped by Ctrl-C (SIGINT to its process group, what
        a terminal sends) once `ready()` holds, then `settle` s later: its exit code and stderr."""
        with open(Path(self.tmp.name) / "err", "w+") as err:
            proc = subprocess.Popen([helpers.PYTHON, str(self.repo / "scripts" / "contend"), "run",
                                     "--no-build", "--label", "vm"], cwd=self.repo, env=self.env(),
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            deadline = time.monotonic() + 60
            while not ready() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(settle)
            os.killpg(proc.pid, signal.SIGINT)
            rc = proc.wait(timeout=30)
            err.seek(0)
            return rc, err.read()

    def test_full_run(self):
        self.fake("baseline")
        self.fake("stacks")
        proc = self.contend("--quick", "--threads", "1,2,4", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        self.assertEqual(sorted(p.name for p in folder.glob("*.json")),
                         ["baseline.json", "latency_overhead.json", "stacks.json"])
        self.assertEqual(list(folder.glob(".*")), [])
        # The sampling cost: stacks/pairs at 2 threads (the 2 hardware threads of the fake topology
        # or the nearest count), paired runs with sampling on and off, 2 pairs in quick mode.
        cost = json.loads((folder / "latency_overhead.json").read_text())
        self.assertEqual(cost["pairs"], 2)
        self.assertTrue(cost["benchmarks"])
        self.assertTrue(all(b["workload"] == "pairs" and len(b["on"]) == len(b["off"]) == 2
                            for b in cost["benchmarks"]))
        self.assertTrue((folder / "charts" / "stacks-pairs-throughput.png").is_file())
        self.assertIn("Fastest design per workload", proc.stdout)
        self.assertIn("[2/2 stacks] 25/25 done", proc.stderr)  # 7 baseline + 18 stacks names
        # Interleaved repetitions finish in no listed order: the line names what finished, never
        # a guess at what runs.
        self.assertIn("last finished stacks/", proc.stderr)
        self.assertNotIn("running stacks/", proc.stderr)
        every = self.log.read_text().splitlines()
        pairs = [c for c in every if "--latency=" in c]
        self.assertEqual(sorted(c.split("--latency=")[1].split()[0] for c in pairs), ["off", "off", "on", "on"])
        self.assertTrue(all("--quick" in c and "--threads=2 " in c and "threads:2$" in c for c in pairs))
        calls = [c for c in every if "--latency=" not in c]
        self.assertTrue(all("--quick" in c and "--threads=1,2,4" in c for c in calls))
        self.assertTrue(all("--benchmark_out_format=json" in c and "/.baseline.json.tmp" in c or
                            "/.stacks.json.tmp" in c for c in calls))
        cmake = (Path(self.tmp.name) / "cmake.log").read_text()
        table = proc.stdout.split("Where the time went:", 1)[1]
        self.assertRegex(table, r"\ninstall-deps +setup ")
        self.assertRegex(table, r"\nbuild +setup ")
        self.assertIn("--preset release -S", cmake)
        self.assertIn("--build --preset release -j 2", cmake)

    def test_failing_binary_keeps_nothing(self):
        self.fake("baseline")
        self.fake("stacks", mode="fail")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertNotIn("Traceback", proc.stderr)
        self.assertIn("contend: error:", proc.stderr.strip().splitlines()[-1])
        self.assertIn("exited with code 1; nothing written for stacks", proc.stderr)
        folder = self.results / "vm"
        self.assertEqual(sorted(p.name for p in folder.iterdir()), ["baseline.json"])

    def test_ctrl_c_keeps_earlier_results(self):
        self.fake("baseline")
        self.fake("stacks", mode="hang")
        folder = self.results / "vm"
        old = folder / "stacks.json"
        folder.mkdir(parents=True)
        old.write_text("previous result")
        rc, stderr = self.interrupt_run(lambda: (folder / ".stacks.json.tmp").exists())
        self.assertEqual(rc, 130, stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertIn("interrupted during stacks; kept baseline", stderr)
        self.assertTrue(json.loads((folder / "baseline.json").read_text())["benchmarks"])
        self.assertEqual(old.read_text(), "previous result")
        self.assertFalse((folder / ".stacks.json.tmp").exists())

    # --- re-runs of tainted repetitions -------------------------------------------------------

    STACKS_1 = "stacks/pairs/treiber/real_time/threads:1"
    STACKS_2 = "stacks/pairs/treiber/real_time/threads:2"

    def reruns(self):
        """{benchmark name: how many times it was re-run} from the fakes' argument log (the
        sampling-cost pairs, which pass --latency, are not re-runs)."""
        out = {}
        for call in self.log.read_text().splitlines():
            if "--latency=" in call:
                continue
            for arg in call.split():
                if arg.startswith("--benchmark_filter="):
                    name = arg.split("=", 1)[1]
                    self.assertTrue(name.startswith("^") and name.endswith("$"), name)
                    out[name[1:-1]] = out.get(name[1:-1], 0) + 1
        return out

    def entries(self, family, name):
        doc = json.loads((self.results / "vm" / f"{family}.json").read_text())
        return [b for b in doc["benchmarks"] if b["name"] == name and b["run_type"] == "iteration"]

    def table_row(self, family, impl, threads):
        helpers.import_lib()
        from contend_lib import loader
        rs = loader.load([self.results / "vm"])
        t = rs.table
        return t[(t.family == family) & (t.impl == impl) & (t.threads == threads)].iloc[0]

    def test_tainted_repetition_rerun_and_replaced(self):
        self.fake("baseline")
        self.fake("stacks", mode="taint")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.reruns(), {self.STACKS_1: 1, self.STACKS_2: 1})
        self.assertIn("stacks: 2 tainted repetitions re-run (2 re-runs, at most 2 each)", proc.stderr)
        main_runs = [c for c in self.log.read_text().splitlines() if "--benchmark_filter" not in c]
        self.assertTrue(all("--benchmark_enable_random_interleaving=true" in c for c in main_runs))
        reps = self.entries("stacks", self.STACKS_1)
        self.assertEqual([b["repetition_index"] for b in reps], [0, 1, 2, 3])
        self.assertEqual(reps[1]["contend_discarded"], "foreign load 0.40 CPU; replaced by re-run 1")
        self.assertEqual(reps[3]["contend_rerun"], 1)
        self.assertNotIn("contend_discarded", reps[3])
        # The median is over the two clean originals and the replacement, not the tainted one.
        row = self.table_row("stacks", "treiber", 1)
        self.assertEqual(row["ops_per_sec"], sorted([reps[0]["ops_per_sec"], reps[2]["ops_per_sec"], 42e6])[1])
        self.assertEqual(row["repetitions"], 3)
        self.assertFalse(row["tainted"])
        self.assertIn("25 of 25 figures clean", proc.stdout)
        self.assertEqual(list((self.results / "vm").glob(".*")), [])

    def test_tainted_again_rerun_at_most_twice(self):
        self.fake("baseline")
        self.fake("stacks", mode="taint-always")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.reruns(), {self.STACKS_1: 2, self.STACKS_2: 2})
        self.assertIn("stacks: 2 tainted repetitions re-run (4 re-runs, at most 2 each)", proc.stderr)
        reps = self.entries("stacks", self.STACKS_2)
        self.assertEqual([bool(b.get("contend_discarded")) for b in reps], [False, True, False, True, False])
        self.assertIn("replaced by re-run 2", reps[3]["contend_discarded"])
        self.assertEqual(reps[4]["contend_rerun"], 2)
        row = self.table_row("stacks", "treiber", 2)
        self.assertTrue(row["tainted"])
        self.assertEqual(row["tainted_reps"], 1)
        self.assertIn("23 of 25 figures clean; 2 tainted after re-runs: stacks/pairs/treiber @1, "
                      "stacks/pairs/treiber @2", proc.stdout)

    def test_interrupted_rerun_leaves_the_json_whole(self):
        self.fake("baseline")
        self.fake("stacks", mode="hang-rerun")
        folder = self.results / "vm"
        rc, stderr = self.interrupt_run(lambda: "threads:2$" in (self.log.read_text() if self.log.exists() else ""))
        self.assertEqual(rc, 130, stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertIn("interrupted during re-running tainted repetitions of stacks; kept baseline, stacks", stderr)
        # The file parses (whole), with the first re-run merged and the interrupted one not.
        self.assertEqual(len(self.entries("stacks", self.STACKS_1)), 4)
        self.assertEqual(len(self.entries("stacks", self.STACKS_2)), 3)
        self.assertEqual(list(folder.glob(".*")), [])

    # --- invariants and the hand-timed check -------------------------------------------------

    def test_invariant_violation_rerun_once_and_reported(self):
        self.fake("baseline")
        self.fake("counters", mode="seq-cst-slow")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Both sides of both violations, each once, though atomic_seq_cst@2 is in two of them.
        self.assertEqual(self.reruns(), {"counters/increment/atomic_relaxed/real_time/threads:2": 1,
                                         "counters/increment/atomic_seq_cst/real_time/threads:2": 1,
                                         "baseline/increment/contended/real_time/threads:2": 1})
        self.assertIn("re-running both sides once", proc.stderr)
        self.assertIn("after one re-run of both sides, still:", proc.stdout)
        self.assertIn("relaxed-equals-seq-cst", proc.stdout)
        self.assertIn("atomic-counter-equals-baseline", proc.stdout)
        reps = self.entries("counters", "counters/increment/atomic_seq_cst/real_time/threads:2")
        self.assertEqual(len(reps), 6)
        self.assertTrue(all(b["contend_discarded"].endswith("violated; re-run once") for b in reps[:3]))
        self.assertTrue(all(b["contend_rerun"] == "invariant" for b in reps[3:]))

    def test_invariant_that_holds_after_its_rerun_is_said(self):
        self.fake("baseline")
        self.fake("counters", mode="seq-cst-slow-once")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sum(self.reruns().values()), 3)
        self.assertIn("no longer violated after one re-run of both sides", proc.stdout)
        self.assertIn("relaxed-equals-seq-cst: counters/increment/atomic_relaxed @2", proc.stdout)
        self.assertIn("invariants: all hold", proc.stdout)
        self.assertNotIn("still:", proc.stdout)

    def test_hand_timed_saved_and_checked(self):
        self.fake("baseline")
        self._script(self.benchmarks / "hand_timed_check",
                     "#!/usr/bin/python3\nimport json, sys\n"
                     "out = sys.argv[sys.argv.index('--json') + 1]\n"
                     "json.dump({'context': {}, 'runs': [{'threads': 2, 'ops_per_sec': 200e6, 'repetition': 0}]},"
                     " open(out, 'w'))\n")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        saved = json.loads((self.results / "vm" / "hand_timed.json").read_text())
        self.assertEqual(saved["runs"][0]["threads"], 2)
        # At the counts baseline/increment/contended ran at (the fixture's 1,2,4), up to the CPUs.
        self.assertIn("hand-timed cross-check (hand_timed_check --threads=1,2", proc.stderr)
        self.assertIn("--run_ms=300 --repetitions=3)", proc.stderr)
        self.assertIn("hand-timed-equals-baseline", proc.stdout)  # 200 M against the fixture's ~65 M

    def test_hand_timed_absent_is_a_warning(self):
        self.fake("baseline")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("hand_timed_check not built; the hand-timed cross-check is skipped", proc.stderr)
        self.assertIn("hand-timed-equals-baseline: skipped, no hand_timed.json", proc.stdout)

    # --- the core-to-core map ----------------------------------------------------------------

    def fake_core_to_core(self, code=0):
        """A core_to_core that logs its arguments and writes a 2-CPU map (code 0) or fails."""
        self._script(self.benchmarks / "core_to_core",
                     "#!/usr/bin/python3\nimport json, sys\n"
                     f"open({str(self.log)!r} + '.c2c', 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                     f"if {code}:\n    print('core_to_core: error: 1 allowed CPU(s): no pair to measure', "
                     f"file=sys.stderr)\n    sys.exit({code})\n"
                     "out = sys.argv[sys.argv.index('--json') + 1]\n"
                     f"json.dump({synthetic.core_to_core_two()!r}, open(out, 'w'))\n")

    def test_core_to_core_saved_and_drawn_after_the_families(self):
        self.fake("baseline")
        self.fake_core_to_core()
        proc = self.contend("--no-build", "--quick", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        saved = json.loads((folder / "core_to_core.json").read_text())
        self.assertEqual(saved["pairs"][0]["ns"], 61.0)
        self.assertIn("contend: core-to-core latency map (cache-line ping-pong between each of", proc.stderr)
        self.assertEqual(Path(str(self.log) + ".c2c").read_text().split()[:2], ["--quick", "--json"])
        self.assertTrue((folder / "charts" / "core_to_core.png").is_file())
        self.assertEqual(list(folder.glob(".*")), [])

    def test_core_to_core_failure_is_a_warning_and_the_run_goes_on(self):
        self.fake("baseline")
        self.fake_core_to_core(code=1)
        folder = self.results / "vm"
        folder.mkdir(parents=True)
        (folder / "core_to_core.json").write_text("an earlier run's map")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("contend: warning: core_to_core exited with code 1 (core_to_core: error: 1 allowed CPU(s): "
                      "no pair to measure); no core-to-core map in this run", proc.stderr)
        self.assertFalse((folder / "core_to_core.json").exists())  # not beside this run's results
        self.assertTrue((folder / "charts").is_dir())

    def test_ctrl_c_during_core_to_core_keeps_files_whole(self):
        self.fake("baseline")
        self._script(self.benchmarks / "core_to_core",
                     "#!/usr/bin/python3\nimport sys, time\n"
                     "out = sys.argv[sys.argv.index('--json') + 1]\n"
                     "open(out.rsplit('/', 1)[0] + '/.core_to_core.json.tmp', 'w').write('{\"pairs\": [')\n"
                     "time.sleep(60)\n")
        folder = self.results / "vm"
        rc, stderr = self.interrupt_run(lambda: (folder / ".core_to_core.json.tmp").exists(), settle=0)
        self.assertEqual(rc, 130, stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertIn("interrupted during the core-to-core map; kept baseline", stderr)
        self.assertTrue(json.loads((folder / "baseline.json").read_text())["benchmarks"])
        self.assertFalse((folder / "core_to_core.json").exists())
        self.assertEqual(list(folder.glob(".*")), [])

    def test_core_to_core_only_with_the_whole_suite(self):
        self.fake("baseline")
        self.fake_core_to_core()
        proc = self.contend("--no-build", "--label", "vm", "--families", "baseline")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse((self.results / "vm" / "core_to_core.json").exists())
        self.assertNotIn("core-to-core", proc.stderr)

    # --- the placement calibration and --placement ----------------------------------------------

    # The recorded Zen 4 guest's classes: 14 ns (SMT siblings), 34 ns (one CCX, most of the time),
    # 155 ns (two CCDs), and a few preempted probes.
    GUEST_PROBES = [14.0] * 60 + [34.0] * 300 + [155.0] * 140 + [264_000.0] * 8

    def fake_probe(self, probes=None, code=0, text=None):
        """A placement_probe that logs its arguments and writes `probes` (ns) whole, or exits
        `code`, or writes `text` as its JSON."""
        doc = {"context": {"probe_pairs": "0-1"},
               "probes": [{"t_ms": 50 * i, "ns": ns, "pair_ns": [ns]} for i, ns in enumerate(probes or [])]}
        body = repr(text) if text is not None else f"json.dumps({doc!r})"
        self._script(self.benchmarks / "placement_probe",
                     "#!/usr/bin/python3\nimport json, sys\n"
                     f"open({str(self.log)!r} + '.probe', 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                     f"if {code}:\n    print('placement_probe: error: no CPU pair', file=sys.stderr)\n"
                     f"    sys.exit({code})\n"
                     "out = sys.argv[sys.argv.index('--json') + 1]\n"
                     f"open(out, 'w').write({body})\n")

    def calls(self):
        return [c for c in self.log.read_text().splitlines()]

    def test_several_classes_measure_the_dominant_one(self):
        self.fake("baseline")
        self.fake("stacks", mode="taint")
        self.fake_probe(self.GUEST_PROBES)
        self.fake_core_to_core()
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        saved = json.loads((folder / "placement.json").read_text())
        self.assertEqual(len(saved["probes"]), len(self.GUEST_PROBES))
        self.assertEqual(Path(str(self.log) + ".probe").read_text().split()[:2], ["--seconds=20", "--interval_ms=50"])
        self.assertIn("3 placement classes (14 ns", proc.stderr)
        self.assertIn("measuring 34 ns (the dominant class)", proc.stderr)
        # Every family run, re-run and sampling-cost pair waits for the same window, around 34 ns.
        flags = {a for c in self.calls() for a in c.split() if a.startswith("--placement=")}
        self.assertEqual(len(flags), 1, flags)
        lo, hi = map(float, flags.pop().split("=", 1)[1].split(":"))
        self.assertTrue(14 < lo < 34 < hi < 155, (lo, hi))
        self.assertTrue(all("--placement=" in c for c in self.calls()))
        # The map in passes, so that it can be shown per class (core_to_core itself takes no window).
        c2c = Path(str(self.log) + ".c2c").read_text().split()
        self.assertTrue(any(a.startswith("--passes=") and int(a.split("=")[1]) > 1 for a in c2c), c2c)
        self.assertFalse(any(a.startswith("--placement") for a in c2c))
        self.assertEqual(self.reruns(), {self.STACKS_1: 1, self.STACKS_2: 1})  # disturbance, not class
        self.assertEqual(list(folder.glob(".*")), [])
        # Where the time went: every family's measuring, its waits and re-runs, the side runs, charts.
        table = proc.stdout.split("Where the time went:", 1)[1]
        for phase in ("placement calibration", "baseline: measuring", "stacks: waits for 34 ns",
                      "stacks: re-runs", "the sampling-cost pairs", "charts"):
            self.assertIn(phase, table)
        self.assertRegex(table, r"measuring \d+:\d\d of \d+:\d\d \(\d+%\)")

    def test_one_class_changes_nothing(self):
        self.fake("baseline")
        self.fake_probe([34.0] * 200 + [36.0] * 100)
        self.fake_core_to_core()
        proc = self.contend("--no-build", "--quick", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(Path(str(self.log) + ".probe").read_text().split()[:1], ["--quick"])
        self.assertIn("1 placement class (", proc.stderr)
        self.assertIn("nothing to wait for", proc.stderr)
        self.assertFalse(any("--placement" in c for c in self.calls()))
        self.assertTrue((self.results / "vm" / "placement.json").is_file())
        self.assertNotIn("--passes", Path(str(self.log) + ".c2c").read_text())

    def test_without_placement_probe_one_warning(self):
        self.fake("baseline")
        folder = self.results / "vm"
        folder.mkdir(parents=True)
        (folder / "placement.json").write_text("an earlier run's calibration")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        warnings = [line for line in proc.stderr.splitlines() if "placement_probe" in line]
        self.assertEqual(len(warnings), 1, proc.stderr)
        self.assertIn("no placement calibration", warnings[0])
        self.assertFalse(any("--placement" in c for c in self.calls()))
        self.assertFalse((folder / "placement.json").exists())

    def test_failing_or_unusable_probe_is_a_warning(self):
        for kw, why in (({"code": 1}, "placement_probe exited with code 1 (placement_probe: error: no CPU pair)"),
                        ({"text": '{"probes": [{"t_ms": 0'}, "placement_probe wrote no usable probes")):
            with self.subTest(why=why):
                self.fake("baseline")
                self.fake_probe(**kw)
                proc = self.contend("--no-build", "--label", "vm", "--families", "baseline")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertIn(why, proc.stderr)
                self.assertFalse((self.results / "vm" / "placement.json").exists())
                self.assertEqual(list((self.results / "vm").glob(".*")), [])
                self.assertFalse(any("--placement" in c for c in self.calls()))

    def test_placement_all_measures_every_class(self):
        self.fake("baseline")
        self.fake_probe(self.GUEST_PROBES)
        proc = self.contend("--no-build", "--label", "vm", "--families", "baseline", "--placement", "all")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        for sub in (folder, folder / "placement-155ns", folder / "placement-14ns"):
            self.assertTrue((sub / "baseline.json").is_file(), sub)
            self.assertTrue((sub / "placement.json").is_file(), sub)
        windows = [a for c in self.calls() for a in c.split() if a.startswith("--placement=")]
        self.assertEqual(len(set(windows)), 3)
        self.assertEqual(proc.stdout.count("figures clean"), 3)
        self.assertEqual(proc.stdout.count("Where the time went:"), 1)

    def test_every_result_folder_has_the_calibration(self):
        self.fake("baseline")
        self.fake_probe(self.GUEST_PROBES)
        proc = self.contend("--no-build", "--label", "vm", "--families", "baseline", "--repeat", "2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        for sub in (folder, folder / "repeat-1", folder / "repeat-2"):
            self.assertEqual(len(json.loads((sub / "placement.json").read_text())["probes"]),
                             len(self.GUEST_PROBES))
        self.assertEqual(list(folder.rglob(".*")), [])

    def test_placement_by_latency_and_an_absent_class(self):
        self.fake("baseline")
        self.fake_probe(self.GUEST_PROBES)
        proc = self.contend("--no-build", "--label", "vm", "--families", "baseline", "--placement", "150ns")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue((self.results / "vm" / "placement-155ns" / "baseline.json").is_file())
        self.assertFalse((self.results / "vm" / "baseline.json").exists())
        proc = self.contend("--no-build", "--label", "vm", "--families", "baseline", "--placement", "50us")
        self.assertEqual(proc.returncode, 2)
        self.assertNotIn("Traceback", proc.stderr)
        self.assertTrue(proc.stderr.strip().splitlines()[-1].startswith(
            "contend: error: --placement: no placement class at 50000 ns on this machine (3 placement classes"))

    # --- --repeat, --budget, --pin ------------------------------------------------------------

    def test_repeat_prints_the_spread(self):
        self.fake("baseline")
        self.fake("stacks", mode="drift")
        proc = self.contend("--no-build", "--label", "vm", "--repeat", "2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for i in (1, 2):
            self.assertEqual(sorted(p.name for p in (self.results / "vm" / f"repeat-{i}").glob("*.json")),
                             ["baseline.json", "latency_overhead.json", "stacks.json"])
        self.assertIn("Spread across 2 runs", proc.stdout)
        lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "@" in line.split(" ", 1)[0]
                 or line.startswith(("stacks/", "baseline/"))}
        # treiber doubled in run 2: the median of (x, 2x) is 1.5x, so -33% and +33%.
        self.assertRegex(lines["stacks/pairs/treiber"], r"-33%\s+\+33%\s+beyond ±25%")
        self.assertNotIn("beyond", lines["stacks/pairs/boost"])
        self.assertIn("22 of 25 figures within ±25% across 2 runs; beyond: stacks/pairs/treiber @1, "
                      "stacks/pairs/treiber @2, stacks/pairs/treiber @4", proc.stdout)
        # The label folder itself holds no run: the loader says where the runs are.
        helpers.import_lib()
        from contend_lib import loader
        from contend_lib.errors import ContendError
        with self.assertRaises(ContendError) as cm:
            loader.load([self.results / "vm"])
        self.assertIn("it holds the runs of --repeat: give one, e.g.", cm.exception.what)
        self.assertEqual(len(loader.load([self.results / "vm" / "repeat-2"]).table), 25)

    def test_budget_plans_the_sweep_aloud(self):
        self.fake("baseline")
        self.fake("stacks")
        env = dict(self.env(), CONTEND_SYSFS_CPU=str(synthetic.make_sysfs(Path(self.tmp.name) / "sysfs")))
        proc = subprocess.run([helpers.PYTHON, str(self.repo / "scripts" / "contend"), "run", "--no-build",
                               "--label", "vm", "--budget", "0.05"], capture_output=True, text=True,
                              cwd=self.repo, env=env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        plan_lines = [line for line in proc.stderr.splitlines() if "budget" in line]
        self.assertEqual(len(plan_lines), 1, proc.stderr)
        self.assertIn("128 logical CPUs (2 x 32 cores x 2), 25 benchmarks", plan_lines[0])
        self.assertIn("3 repetitions instead of 5 and threads 1,2 (dropped 4)", plan_lines[0])
        calls = [c for c in self.log.read_text().splitlines() if "--benchmark_filter" not in c]
        self.assertTrue(all("--benchmark_repetitions=3" in c and "--threads=1,2" in c for c in calls), calls)

    def test_pin_passed_to_the_binaries(self):
        self.fake("baseline")
        proc = self.contend("--no-build", "--label", "vm", "--pin", "compact")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(all("--pin=compact" in c for c in self.log.read_text().splitlines()))

    def test_bad_new_options_fail_before_the_build(self):
        for args, what in ((["--pin", "socket"], "--pin: 'socket' is not one of none, spread, compact"),
                           (["--repeat", "1"], "--repeat: '1' is not a number of runs of 2 or more"),
                           (["--repeat", "x"], "--repeat: 'x' is not a number"),
                           (["--budget", "0"], "--budget: '0' is not a positive number of minutes"),
                           (["--budget", "soon"], "--budget: 'soon' is not a positive"),
                           (["--placement", "fast"], "--placement: 'fast' is not a placement class")):
            with self.subTest(args=args):
                proc = self.contend("--label", "vm", *args)
                self.assertEqual(proc.returncode, 2)
                lines = proc.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, proc.stderr)
                self.assertTrue(lines[0].startswith(f"contend: error: {what}"), lines[0])
        self.assertFalse((Path(self.tmp.name) / "cmake.log").exists())

    def test_install_deps_failure(self):
        self._script(self.repo / "scripts" / "install-deps",
                     "#!/bin/sh\necho 'contend: missing packages: cmake; run as root' >&2\nexit 2\n")
        proc = self.contend("--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("missing packages", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_unknown_family(self):
        self.fake("baseline")
        proc = self.contend("--no-build", "--families", "baseline,queues")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1)
        self.assertIn("unknown family queues", proc.stderr)


class FilterEscape(unittest.TestCase):
    """--benchmark_filter is a POSIX extended regular expression: a name must match only itself."""

    def test_names_pass_through_and_specials_are_escaped(self):
        helpers.import_lib()
        from contend_lib.rerun import ere_escape
        name = "maps/r90-k1k-uniform/mutex/real_time/threads:2"
        self.assertEqual(ere_escape(name), name)
        self.assertEqual(ere_escape("a.b(c)+[d]|e^$"), r"a\.b\(c\)\+\[d\]\|e\^\$")
        import re
        self.assertIsNone(re.fullmatch(ere_escape("x.y"), "xzy"))


if __name__ == "__main__":
    unittest.main()
