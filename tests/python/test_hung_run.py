"""A run in which a benchmark hangs: a Go family's continuation after a hang (a fake contend-go),
the benchmark binaries' heartbeat, and a real run with one benchmark made to hang
(CONTEND_TEST_HANG): it ends on its own, the benchmark marked hung with its threads' state saved,
every other benchmark measured, and the progress line, the summary and the phase table say so.
Deadlines here are chosen small or are the watchdog's own; nothing asserts a timing."""
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import go_suite, watchdog  # noqa: E402
from contend_lib.watchdog import Bounds  # noqa: E402

BENCH = helpers.REPO / "build" / "release" / "benchmarks"
FUTEX = "baseline/pingpong/futex/real_time/threads:2"


FAKE_GO = textwrap.dedent("""\
    #!/usr/bin/python3
    # contend-go as far as the watchdog sees it: --family, --filter (family/workload/impl), --threads,
    # --quick, --out; a line per repetition on stderr; CONTEND_FAKE_HANG names the benchmark that hangs.
    import json, os, re, sys, time
    args = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "") for a in sys.argv[1:])
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(" ".join(sys.argv[1:]) + "\\n")
    threads = [int(t) for t in args.get("threads", "1,2").split(",")]
    flt = re.compile(args["filter"]) if "filter" in args else None
    reps = 2
    entries = []
    for impl in ("go_mutex", "go_atomic", "go_chan"):
        triple = f"counters/increment/{impl}"
        if flt and not flt.search(triple):
            continue
        for t in threads:
            name = f"{triple}/real_time/threads:{t}"
            for r in range(reps):
                if name == os.environ.get("CONTEND_FAKE_HANG"):
                    time.sleep(600)
                print(f"go_counters: {name} rep {r + 1}/{reps} 1000 ops/s 1 ms", file=sys.stderr, flush=True)
                entries.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                                "repetition_index": r, "threads": t, "iterations": 1, "ops_per_sec": 1e6 * t,
                                "ns_per_op": 1e3 / t})
    json.dump({"context": {"contend_family": "go_counters", "run_ms": "50"}, "benchmarks": entries},
              open(args["out"], "w"))
    """)


class GoContinuation(unittest.TestCase):
    def test_a_hung_go_benchmark_is_marked_and_the_rest_measured_again(self):
        with tempfile.TemporaryDirectory() as tmp:
            repo, folder = Path(tmp) / "repo", Path(tmp) / "results"
            exe = go_suite.binary(repo)
            exe.parent.mkdir(parents=True)
            folder.mkdir()
            exe.write_text(FAKE_GO)
            exe.chmod(0o755)
            log = Path(tmp) / "calls"
            names = [f"counters/increment/{i}/real_time/threads:{t}" for i in ("go_mutex", "go_atomic", "go_chan")
                     for t in (1, 2)]
            hung = "counters/increment/go_atomic/real_time/threads:1"
            env = {"FAKE_LOG": str(log), "CONTEND_FAKE_HANG": hung}
            with mock.patch.dict(os.environ, env), watchdog.session(folder) as session:
                written = go_suite.run_family(repo, "go_counters", folder, ["--quick"], "go 1/1", None, names,
                                              bounds=Bounds(10.0, 0.05, lines=True, rep_margin_s=1.0))
            self.assertEqual(written, folder / "go_counters.json")
            doc = json.loads(written.read_text())
            kept = {}
            for e in doc["benchmarks"]:
                kept.setdefault(e["name"], []).append(e)
            self.assertEqual(sorted(kept), sorted(names))
            self.assertEqual([e.get("contend_hung") for e in kept[hung]], ["hangs/go_counters-1.txt"])
            self.assertTrue(all(len(v) == 2 for n, v in kept.items() if n != hung))
            self.assertEqual([h.benchmark for h in session.hangs], [hung])
            self.assertTrue((folder / "hangs" / "go_counters-1.txt").is_file())
            calls = log.read_text().splitlines()
            # The first run, then go_mutex and go_chan whole and go_atomic at its other count.
            self.assertEqual(len(calls), 3, calls)
            self.assertIn("--filter=^(counters/increment/go_mutex|counters/increment/go_chan)$", calls[1])
            self.assertIn("--filter=^(counters/increment/go_atomic)$ --threads=2", calls[2])
            self.assertEqual(sorted(p.name for p in folder.iterdir()), ["go_counters.json", "hangs"])


@unittest.skipUnless((BENCH / "bench_baseline").is_file() and (BENCH / "bench_counters").is_file(),
                     "needs the Release build (cmake --build --preset release)")
class RealBinaries(unittest.TestCase):
    def test_the_heartbeat_says_each_repetitions_start_and_end(self):
        with tempfile.TemporaryDirectory() as tmp:
            beat, out = Path(tmp) / "beat", Path(tmp) / "out.json"
            subprocess.run([str(BENCH / "bench_baseline"), "--quick", "--threads=1,2",
                            "--benchmark_enable_random_interleaving=true", f"--benchmark_out={out}",
                            "--benchmark_out_format=json"], check=True, capture_output=True, timeout=120,
                           env=dict(os.environ, CONTEND_HEARTBEAT=str(beat)))
            beats = [watchdog.parse_beat(line) for line in beat.read_text().splitlines()]
            doc = json.loads(out.read_text())
        self.assertNotIn(None, beats)
        self.assertEqual(beats[0][0], "begin")
        self.assertEqual([t for _, t, _ in beats], sorted(t for _, t, _ in beats))
        pairs = beats[1:]
        self.assertEqual([e for e, _, _ in pairs], ["start", "end"] * (len(pairs) // 2))
        self.assertTrue(all(a[2] == b[2] for a, b in zip(pairs[::2], pairs[1::2])))
        runs = sorted(e["name"] for e in doc["benchmarks"] if e.get("run_type") == "iteration")
        self.assertEqual(sorted(name for e, _, name in pairs if e == "end"), runs)

    def test_a_bad_test_hang_expression_is_one_line_and_exit_2(self):
        proc = subprocess.run([str(BENCH / "bench_baseline"), "--quick"], capture_output=True, text=True,
                              env=dict(os.environ, CONTEND_TEST_HANG="("), timeout=60)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr.strip().splitlines(),
                         ["bench_baseline: error: CONTEND_TEST_HANG='(' is not a regular expression (see --help)"])

    def test_a_run_with_a_hung_benchmark_ends_and_says_so(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = helpers.run_cli("run", "--quick", "--no-build", "--families", "baseline,counters", "--no-go",
                                   "--threads", "1", "--label", "vm", "--results", tmp,
                                   env={"CONTEND_TEST_HANG": "^baseline/pingpong/futex/"}, timeout=400)
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
            folder = Path(tmp) / "vm"
            baseline = json.loads((folder / "baseline.json").read_text())["benchmarks"]
            futex = [e for e in baseline if e["name"] == FUTEX]
            self.assertEqual(len(futex), 1)
            evidence = folder / futex[0]["contend_hung"]
            self.assertEqual(evidence, folder / "hangs" / "baseline-1.txt")
            text = evidence.read_text()
            self.assertRegex(text, r"state S \(asleep\) +wchan \S*futex\S* +syscall 202")
            if watchdog.shutil.which("gdb"):
                self.assertIn("TestHang::forever", text)
            # Every other benchmark of both families measured, all its repetitions.
            listed = {f: subprocess.run([str(BENCH / f"bench_{f}"), "--quick", "--threads=1",
                                         "--benchmark_list_tests=true"], capture_output=True, text=True,
                                        check=True).stdout.split() for f in ("baseline", "counters")}
            for family, names in listed.items():
                entries = json.loads((folder / f"{family}.json").read_text())["benchmarks"]
                for name in names:
                    if name == FUTEX:
                        continue
                    reps = [e for e in entries if e["name"] == name and not e.get("contend_discarded")]
                    self.assertEqual(len(reps), 2, name)
            # The progress line, the summary and the phase table say so.
            self.assertRegex(proc.stderr, r"no progress for \d+ s \(bench_baseline, pid \d+, in " + re.escape(FUTEX))
            self.assertIn(f"contend: baseline: {FUTEX} hung and was stopped (2 threads asleep in", proc.stderr)
            self.assertIn("1 hung (stopped by the watchdog, no figure): baseline/pingpong/futex @2", proc.stdout)
            self.assertIn("1 hang stopped by the watchdog", proc.stdout)
            self.assertRegex(proc.stdout, r"\n  baseline: bench_baseline \(pid \d+\) stopped after \d+:\d\d without "
                                          r"progress: " + re.escape(FUTEX))
            table = proc.stdout.split("Where the time went:", 1)[1]
            self.assertRegex(table, r"\nbaseline: stalled +stalled +\d+:\d\d")
            self.assertRegex(table, r"\ncounters: measuring +measuring ")
            self.assertTrue(table.strip().splitlines()[-1].endswith("; 1 hang stopped by the watchdog"), table)
            self.assertEqual(list(folder.glob(".*")), [])


if __name__ == "__main__":
    unittest.main()
