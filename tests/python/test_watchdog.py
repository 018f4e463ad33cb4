"""The watchdog: when a process is overdue (per repetition with a heartbeat, per Go line, as a
whole without either), what it saves about a stopped process (its threads' state, a backtrace
where gdb is, without it otherwise), fake programs stopped at their deadline and one that beats
left alone, a killed binary's JSON closed again, and the loader's `hung`. A run with a hung
benchmark is test_hung_run.py. Deadlines here are chosen small; nothing asserts a timing."""
import json
import os
import re
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

helpers.import_lib()
from contend_lib import continuation, loader, summary, watchdog  # noqa: E402
from contend_lib.watchdog import Bounds, Pulse, overdue  # noqa: E402

FUTEX = "baseline/pingpong/futex/real_time/threads:2"


def pulse(*beats, started=0.0):
    p = Pulse(started)
    for beat in beats:
        p.feed(*beat)
    return p


class Verdict(unittest.TestCase):
    """overdue(): a pure function of what the process said and the time."""
    BOUNDS = Bounds(planned_s=100.0, run_s=0.3)  # a repetition: 3 x 0.3 + 30 = 30.9 s

    def test_a_repetition_is_judged_by_its_own_bound_and_named(self):
        p = pulse(("begin", 0.0, "1"), ("start", 1.0, FUTEX))
        self.assertIsNone(overdue(p, 31.8, self.BOUNDS))
        late = overdue(p, 32.0, self.BOUNDS)
        self.assertEqual((late.benchmark, late.since), (FUTEX, 1.0))
        self.assertIn("ran 31 s without ending", late.why)

    def test_a_gap_between_repetitions_is_judged_too_and_names_nothing(self):
        p = pulse(("begin", 0.0, "1"), ("start", 1.0, FUTEX), ("end", 2.0, FUTEX))
        self.assertIsNone(overdue(p, 32.8, self.BOUNDS))
        late = overdue(p, 33.0, self.BOUNDS)
        self.assertIsNone(late.benchmark)
        self.assertIn(f"after {FUTEX} ended", late.why)

    def test_a_process_that_keeps_ending_repetitions_is_never_overdue(self):
        p = pulse(("begin", 0.0, "1"))
        for k in range(1, 2000):  # 2000 s: far past 3 x its planned 100 s + 60 s
            p.feed("end", float(k), FUTEX)
            self.assertIsNone(overdue(p, k + 0.5, self.BOUNDS))

    def test_a_silent_process_is_judged_as_a_whole(self):
        quiet = Bounds(planned_s=10.0)
        self.assertIsNone(overdue(pulse(), 90.0, quiet))  # 3 x 10 + 60
        late = overdue(pulse(), 90.5, quiet)
        self.assertEqual((late.benchmark, late.since), (None, 10.0))  # stalled from where its plan ended
        # A binary that offers a heartbeat but never says "begin" (bench_poller) is silent too.
        self.assertIsNone(overdue(pulse(), 60.0, Bounds(10.0, 1.5)))

    def test_go_lines_count_from_the_start_and_name_the_next_repetition(self):
        order = (["counters/increment/go_mutex/real_time/threads:1"] * 2
                 + ["counters/increment/go_chan/real_time/threads:1"])
        go = Bounds(planned_s=100.0, run_s=0.3, lines=True)

        def next_name(p):
            return order[p.ended] if p.ended < len(order) else None
        self.assertEqual(overdue(pulse(), 31.0, go, next_name).benchmark, order[0])
        p = pulse(("end", 1.0, order[0]), ("end", 2.0, order[1]))
        self.assertIsNone(overdue(p, 32.0, go, next_name))
        self.assertEqual(overdue(p, 33.0, go, next_name).benchmark, order[2])

    def test_heartbeat_lines(self):
        self.assertEqual(watchdog.parse_beat(f"start 12.500000 {FUTEX}"), ("start", 12.5, FUTEX))
        self.assertEqual(watchdog.parse_beat("begin 3.000001 4242"), ("begin", 3.000001, "4242"))
        for bad in ("", "start", "start x y", "stop 1.0 x", "end 1.0"[:-1]):
            self.assertIsNone(watchdog.parse_beat(bad), bad)


class Evidence(unittest.TestCase):
    def test_each_threads_state_from_proc(self):
        with tempfile.TemporaryDirectory() as root:
            for tid in (11, 12):
                d = Path(root) / "11" / "task" / str(tid)
                d.mkdir(parents=True)
                (d / "comm").write_text("bench_baseline\n")
                (d / "stat").write_text(f"{tid} (bench (x) baseline) S 1 2 3\n")  # a comm may hold parentheses
                (d / "wchan").write_text("futex_do_wait")
                (d / "syscall").write_text("202 0x55 0x80 0x0 0x0 0x0 0x0 0x7ffc 0x7f\n")
            threads = watchdog.thread_states(11, proc_root=root)
        self.assertEqual([(t.tid, t.state, t.wchan) for t in threads],
                         [(11, "S", "futex_do_wait"), (12, "S", "futex_do_wait")])
        self.assertTrue(threads[0].syscall.startswith("202"))
        self.assertEqual(watchdog.describe(threads), "2 threads asleep in futex_do_wait")
        self.assertEqual(watchdog.thread_states(99, proc_root=root), [])

    def test_without_gdb_there_is_no_backtrace_and_no_error(self):
        with mock.patch.object(watchdog.shutil, "which", return_value=None):
            self.assertEqual(watchdog.backtrace(os.getpid()), "no backtrace: gdb is not installed")


SILENT = "import time\ntime.sleep(600)\n"
HUNG_AFTER_A_BEAT = textwrap.dedent(f"""\
    import os, time
    with open(os.environ["CONTEND_HEARTBEAT"], "a") as f:
        f.write(f"begin {{time.monotonic():.6f}} {{os.getpid()}}\\n")
        f.write(f"start {{time.monotonic():.6f}} {FUTEX}\\n")
    time.sleep(600)
    """)
BEATING = textwrap.dedent(f"""\
    import os, time
    with open(os.environ["CONTEND_HEARTBEAT"], "a", buffering=1) as f:
        f.write(f"begin {{time.monotonic():.6f}} {{os.getpid()}}\\n")
        for _ in range(25):
            f.write(f"start {{time.monotonic():.6f}} {FUTEX}\\n")
            time.sleep(0.1)
            f.write(f"end {{time.monotonic():.6f}} {FUTEX}\\n")
    """)


class Deadline(unittest.TestCase):
    """Fake programs under watchdog.run, with deadlines of a second or two."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.folder = Path(self.tmp.name)

    def run_fake(self, code, bounds):
        with watchdog.session(self.folder) as session:
            t0 = time.monotonic()
            proc = watchdog.run([helpers.PYTHON, "-c", code], "litmus", bounds, stem="litmus")
            took = time.monotonic() - t0
        return proc, session, took

    def test_a_silent_process_past_its_deadline_is_stopped_and_its_threads_saved(self):
        proc, session, took = self.run_fake(SILENT, Bounds(planned_s=0.2, process_margin_s=1.0))
        self.assertLess(took, 120)  # it ended: stopped, not slept out
        self.assertEqual(proc.returncode, -9)
        self.assertEqual(session.hangs, [proc.hang])
        hang = proc.hang
        self.assertIsNone(hang.benchmark)
        self.assertIn("past 3 x its planned 0 s", hang.why)
        self.assertEqual(hang.evidence, self.folder / "hangs" / "litmus-1.txt")
        text = hang.evidence.read_text()
        self.assertIn(f"/proc/{hang.pid}/task", text)
        self.assertRegex(text, r"tid \d+ +comm python3 +state S \(asleep\)")
        self.assertIn("backtrace (gdb -p", text)
        self.assertEqual(list(self.folder.glob("hangs/.*")), [])  # written whole
        self.assertIn("1 thread asleep", hang.threads)
        self.assertIn("litmus: python3", hang.line(self.folder))

    def test_a_heartbeat_names_the_repetition_that_did_not_end(self):
        proc, session, took = self.run_fake(HUNG_AFTER_A_BEAT, Bounds(planned_s=100.0, run_s=0.1, rep_margin_s=1.0))
        self.assertLess(took, 120)
        self.assertEqual(proc.hang.benchmark, FUTEX)
        self.assertIn("without ending", proc.hang.why)
        self.assertIn(f"last sign of progress: start {FUTEX}", proc.hang.evidence.read_text())

    def test_a_process_that_beats_runs_past_a_whole_process_deadline(self):
        # 2.5 s of repetitions of 0.1 s: the whole-process deadline (3 x 0.1 + 0.5 s) would stop it
        # at 0.8 s; each repetition ends within its own bound, so it runs to its end.
        proc, session, _ = self.run_fake(BEATING, Bounds(planned_s=0.1, run_s=0.1, rep_margin_s=2.0,
                                                         process_margin_s=0.5))
        self.assertEqual((proc.returncode, proc.hang, session.hangs), (0, None, []))
        self.assertFalse((self.folder / "hangs").exists())


GB_JSON = """{
  "context": {
    "date": "2026-12-05T05:07:43+00:00",
    "contend_family": "baseline"
  },
  "benchmarks": [
    {
      "name": "baseline/increment/contended/real_time/threads:1",
      "run_name": "baseline/increment/contended/real_time/threads:1",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 0,
      "ops_per_sec": 1.0e+08
    },
    {
      "name": "baseline/increment/contended/real_time/threads:1",
      "run_name": "baseline/increment/contended/real_time/threads:1",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 1,
      "ops_per_sec": 1.1e+08
    },
    {
      "name": "baseline/pingpong/cache_line/real_time/threads:2",
      "run_type": "iteration",
      "repetitions": 2,
      "repetition_index": 0,
      "ops_per_sec": 5.0e+06
    }
  ]
}
"""


class KilledBinarysJson(unittest.TestCase):
    """Google Benchmark flushes its JSON after each benchmark: a killed binary's file stops there."""

    def test_closed_after_the_last_whole_entry(self):
        first_two = GB_JSON.index('    {\n      "name": "baseline/pingpong')
        cut = GB_JSON[:first_two].rstrip().rstrip(",")
        doc = continuation.close_truncated(cut)
        self.assertEqual(doc["context"]["contend_family"], "baseline")
        self.assertEqual(len(doc["benchmarks"]), 2)
        # Cut in the middle of an entry: back to the last whole one.
        self.assertEqual(len(continuation.close_truncated(GB_JSON[:first_two + 60])["benchmarks"]), 2)
        # Only the context: no benchmark yet.
        head = GB_JSON[:GB_JSON.index('"benchmarks": [') + len('"benchmarks": [\n')]
        self.assertEqual(continuation.close_truncated(head)["benchmarks"], [])
        self.assertIsNone(continuation.close_truncated(GB_JSON[:40]))
        self.assertIsNone(continuation.close_truncated(""))
        self.assertEqual(len(continuation.close_truncated(GB_JSON)["benchmarks"]), 3)  # finished after all

    def test_only_benchmarks_with_all_their_repetitions_are_finished(self):
        doc = json.loads(GB_JSON)
        self.assertEqual(continuation.finished(doc, 2), {"baseline/increment/contended/real_time/threads:1"})
        kept = continuation.keep_finished(doc, 2)
        self.assertEqual(len(kept["benchmarks"]), 2)

    def test_a_filter_of_exactly_these_names(self):
        flt = continuation.name_filter(["maps/r90-k1k-uniform/tbb_hash_map/real_time/threads:2", "a.b(c)"])
        self.assertEqual(flt, r"^(maps/r90-k1k-uniform/tbb_hash_map/real_time/threads:2|a\.b\(c\))$")
        self.assertIsNotNone(re.fullmatch(flt, "a.b(c)"))
        self.assertIsNone(re.fullmatch(flt, "axb(c)"))


class Marked(unittest.TestCase):
    """A hung benchmark's entry: tainted in the repetitions, with its evidence; no figure."""

    def test_the_loader_taints_it_and_leaves_it_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "vm"
            folder.mkdir()
            names = [synthetic.name("baseline", "pingpong", "cache_line", 2), synthetic.name("baseline", "increment",
                                                                                          "contended", 1)]
            entries = [synthetic.entry(n, 2, r, 5e6) for n in names for r in range(5)]
            entries.append(continuation.hung_entry(FUTEX, 5, "hangs/baseline-1.txt", "its repetition ran 31 s"))
            (folder / "baseline.json").write_text(json.dumps({"context": synthetic.context("baseline"),
                                                              "benchmarks": entries}))
            rs = loader.load([folder])
        hung = rs.reps[rs.reps["impl"] == "futex"]
        self.assertEqual(len(hung), 1)
        self.assertTrue(bool(hung["tainted"].iloc[0]))
        self.assertEqual(hung["taint_reason"].iloc[0], "hung, stopped by the watchdog (evidence hangs/baseline-1.txt)")
        self.assertFalse(loader.usable(rs.reps)[hung.index].any())
        self.assertNotIn("futex", set(rs.table["impl"]))  # no figure
        self.assertEqual(summary.hung_figures(rs), ["baseline/pingpong/futex @2"])


if __name__ == "__main__":
    unittest.main()
