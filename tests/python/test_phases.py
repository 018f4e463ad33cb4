"""The cap on waits and re-runs, the time left and the phase table as pure functions; the re-run
loop within the cap on a synthetic clock; the placement option and the sweeps it chooses; the
label. Every number is chosen here: nothing is timed."""
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

helpers.import_lib()
from contend_lib import calibration, phases, progress, rerun, run  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402
from contend_lib.placement import find_classes  # noqa: E402

# The recorded Zen 4 guest's three classes (14, 34, 155 ns), 34 ns the most common, and preempted probes.
GUEST = [14.0] * 60 + [34.0] * 300 + [155.0] * 140 + [264_000.0] * 8


class Cap(unittest.TestCase):
    def test_allowance_is_the_cap_share_less_what_was_spent(self):
        self.assertEqual(phases.allowance(1000, 0), 300)
        self.assertEqual(phases.allowance(1000, 120), 180)
        self.assertEqual(phases.allowance(1000, 400), 0)  # never below zero
        self.assertEqual(phases.allowance(1, 0), phases.RERUN_FLOOR_S)  # a small family keeps the floor
        self.assertTrue(phases.fits(180, 1000, 120))
        self.assertFalse(phases.fits(181, 1000, 120))

    def test_time_left_counts_waits_and_reruns(self):
        self.assertIsNone(phases.time_left(10, 0, 100))
        plain = phases.time_left(100, 10, 110)
        self.assertEqual(plain, 1000)
        self.assertEqual(phases.time_left(100, 10, 110, extra_ratio=0.2), 1200)
        # the share seen so far counts at most the cap ...
        self.assertEqual(phases.time_left(100, 10, 110, extra_ratio=5.0), 1000 * (1 + phases.RERUN_CAP))
        # ... and the re-runs under way count even when every benchmark is measured
        self.assertEqual(phases.time_left(100, 110, 110, extra_left_s=42), 42)

    def test_progress_line_on_a_synthetic_clock(self):
        now = [0.0]
        p = progress.Progress(10, stream=io.StringIO(), now=lambda: now[0])
        self.assertIn("estimating", p.text("1/1", "maps", "x"))
        p.measuring()
        now[0] = 50.0
        p.done = 5
        self.assertIn("~0:50 left", p.text("1/1", "maps", "x"))
        p.measured()
        p.family_done(50.0, 10.0)  # waits and re-runs took a fifth of the measuring time
        p.extra_left_s = 30.0
        self.assertIn("~1:30 left", p.text("1/1", "maps", "re-run 1: 0/3"))  # 50 x 1.2 + 30


class PhaseTable(unittest.TestCase):
    def test_rows_shares_and_the_measuring_share(self):
        now = [0.0]
        t = phases.Phases(clock=lambda: now[0])
        with t.timed("install-deps and build", phases.SETUP):
            now[0] += 60
        t.add("maps: measuring", phases.MEASURING, 240, "timed loops 3:00")
        t.add("maps: waits for 34 ns", phases.WAITING, 30)
        t.add("maps: re-runs", phases.RERUN, 30)
        now[0] = 400.0
        header, rows, line = phases.table(t.rows, t.total())
        self.assertEqual([r[0] for r in rows], ["install-deps and build", "maps: measuring", "maps: waits for 34 ns",
                                                "maps: re-runs", "(between phases)"])
        self.assertEqual([r[2] for r in rows], ["1:00", "4:00", "0:30", "0:30", "0:40"])
        self.assertEqual(rows[1][3], "60%")
        self.assertTrue(line.startswith("measuring 4:00 of 6:40 (60%); the rest: setup 1:00"), line)

    def test_stalled_time_is_a_kind_of_its_own_and_the_hangs_are_counted(self):
        rows = [phases.Row("baseline: measuring", phases.MEASURING, 9.0),
                phases.Row("baseline: stalled", phases.STALLED, 32.0, "hung: baseline/pingpong/futex"),
                phases.Row("maps: measuring", phases.MEASURING, 59.0)]
        header, out, line = phases.table(rows, 100.0, hangs=1)
        self.assertEqual([r[1] for r in out], ["measuring", "stalled", "measuring"])
        self.assertEqual(line, "measuring 1:08 of 1:40 (68%); the rest: stalled 0:32; 1 hang stopped by the watchdog")
        self.assertNotIn("hang", phases.table(rows, 100.0)[2])


class StalledRepetitions(unittest.TestCase):
    """The recorded Zen 5 run's baseline (tests/python/fixtures/recorded-runs): its futex ping-pong
    repetition took 709.8 s, which the phase table booked as "timed loops 11:58"."""

    def test_a_repetition_past_the_watchdogs_bound_is_stalled_not_timed(self):
        doc = json.loads((helpers.FIXTURES / "recorded-runs" / "zen5-stall-baseline.json").read_text())
        waits, timed, stalled = run.family_seconds(doc)
        self.assertAlmostEqual(stalled, 709.82, places=1)
        self.assertLess(timed, 15.0)  # 38 repetitions of 0.3 s
        self.assertEqual(waits, 0.0)

    def test_a_hung_entry_has_no_time(self):
        doc = family_doc([(34.0, 34.0)] * 2)
        doc["benchmarks"].append({"name": "stacks/pairs/x/real_time/threads:2", "run_type": "iteration",
                                  "real_time": 1e12, "iterations": 1, "time_unit": "ns",  # 1000 s
                                  "contend_hung": "hangs/stacks-1.txt"})
        self.assertEqual(run.family_seconds(doc)[1:], (0.0, 0.0))


def family_doc(probes, tainted=()):
    """One benchmark, len(probes) repetitions with (before, after) probes; `tainted` indexes flagged
    by the C++ detector (foreign load)."""
    bench = synthetic.name("stacks", "pairs", "treiber", 2)
    entries = []
    for i, (before, after) in enumerate(probes):
        e = synthetic.entry(bench, 2, i, 10e6, probe_ns=before, probe_after_ns=after)
        if i in tainted:
            e.update(tainted=1.0, taint_foreign=1.0, foreign_cpu=0.5, label="tainted: foreign load 0.50 CPU")
        entries.append(e)
    return {"context": synthetic.context("stacks"), "benchmarks": entries}


class Reruns(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.out = Path(self.tmp.name) / "stacks.json"
        self.calls = []
        self.now = [0.0]
        original = rerun.run_benchmark

        def fake(exe, args, name, repetitions, scratch):
            self.calls.append((name, repetitions))
            self.now[0] += 2.0 * repetitions  # each re-run repetition "takes" 2 s
            return [synthetic.entry(name, 2, i, 11e6, probe_ns=34.0, probe_after_ns=34.0) for i in range(repetitions)]
        rerun.run_benchmark = fake
        self.addCleanup(setattr, rerun, "run_benchmark", original)

    def write(self, doc):
        self.out.write_text(json.dumps(doc))

    def test_a_class_is_never_a_reason(self):
        # Three classes, each repetition staying in its own: nothing to re-run.
        self.write(family_doc([(14.0, 14.0), (34.0, 34.0), (155.0, 155.0), (34.0, 34.0), (34.0, 34.0)]))
        r = rerun.rerun_tainted("exe", [], self.out, extra_probes=GUEST, clock=lambda: self.now[0])
        self.assertEqual((r.count, self.calls), (0, []))

    def test_moved_preempted_and_foreign_load_are(self):
        self.write(family_doc([(34.0, 155.0), (264_000.0, 34.0), (34.0, 34.0), (34.0, 34.0), (34.0, 34.0)],
                              tainted={2}))
        todo = rerun.tainted_in_round(json.loads(self.out.read_text()), 1, GUEST)
        reasons = [why for _, why in next(iter(todo.values()))]
        self.assertEqual(len(reasons), 3)
        self.assertTrue(reasons[0].startswith("moved"), reasons)
        self.assertTrue(reasons[1].startswith("preempted"), reasons)
        self.assertIn("foreign load", reasons[2])

    def test_the_cap_stops_the_reruns_and_says_what_it_left(self):
        doc = family_doc([(34.0, 34.0)] * 5, tainted={0, 1, 2, 3, 4})
        other = synthetic.name("stacks", "pairs", "treiber", 1)
        doc["benchmarks"] += [dict(e, name=other, run_name=other) for e in doc["benchmarks"]]
        self.write(doc)
        # 100 s measuring: 30 s allowed; 12 s spent waiting; a re-run of 5 repetitions costs 10 s:
        # the first fits the 18 s left, the second not the 8 s after it.
        seen = []
        r = rerun.rerun_tainted("exe", [], self.out, GUEST, measuring_s=100.0, spent_s=12.0, per_rep_s=2.0,
                                status=lambda *a: seen.append(a), clock=lambda: self.now[0])
        self.assertEqual(len(self.calls), 1)
        self.assertEqual(r.count, 5)
        self.assertEqual(r.capped, 5)
        self.assertEqual(r.capped_names, [other])
        self.assertLessEqual(r.seconds + 12.0, phases.allowance(100.0, 0) + 1e-9)
        self.assertEqual(seen[0][:3], (0, 10, 1))
        kept = [e for e in json.loads(self.out.read_text())["benchmarks"] if not e.get("contend_discarded")]
        self.assertEqual(len(kept), 10)  # nothing lost: the capped ones stay as measured

    def test_the_file_is_written_at_checkpoints_and_at_the_end(self):
        # 5 benchmarks re-run, 2 s each on the synthetic clock: with a checkpoint every 30 s the
        # file is written once, at the end, whole and with every merge.
        doc = family_doc([(34.0, 34.0)] * 2, tainted={0})
        base = doc["benchmarks"][0]
        names = [f"stacks/pairs/x{k}/real_time/threads:2" for k in range(5)]
        doc["benchmarks"] = [dict(e, name=n, run_name=n)
                             for n in names for e in (dict(base), dict(base, tainted=0.0, label=""))]
        self.write(doc)
        writes = []
        original = rerun.write_whole
        rerun.write_whole = lambda out, d: (writes.append(1), original(out, d))
        self.addCleanup(setattr, rerun, "write_whole", original)
        r = rerun.rerun_tainted("exe", [], self.out, GUEST, clock=lambda: self.now[0])
        self.assertEqual((r.count, len(writes)), (5, 1))
        saved = json.loads(self.out.read_text())["benchmarks"]
        self.assertEqual(sum(1 for e in saved if e.get("contend_rerun") == 1), 5)

    def test_an_interrupted_rerun_keeps_every_merge(self):
        self.write(family_doc([(34.0, 34.0)] * 2, tainted={0}))
        doc = json.loads(self.out.read_text())
        other = synthetic.name("stacks", "pairs", "treiber", 1)
        doc["benchmarks"] += [dict(e, name=other, run_name=other) for e in doc["benchmarks"]]
        self.write(doc)
        fake = rerun.run_benchmark

        def interrupted_second(exe, args, name, repetitions, scratch):
            if self.calls:
                raise KeyboardInterrupt
            return fake(exe, args, name, repetitions, scratch)
        rerun.run_benchmark = interrupted_second
        with self.assertRaises(KeyboardInterrupt):
            rerun.rerun_tainted("exe", [], self.out, GUEST, clock=lambda: self.now[0])
        saved = json.loads(self.out.read_text())["benchmarks"]
        self.assertEqual(sum(1 for e in saved if e.get("contend_rerun") == 1), 1)
        self.assertEqual(list(self.out.parent.glob(".*")), [])

    def test_no_cap_without_a_measuring_time(self):
        self.write(family_doc([(34.0, 34.0)] * 5, tainted={0, 1}))
        r = rerun.rerun_tainted("exe", [], self.out, GUEST, clock=lambda: self.now[0])
        self.assertEqual((r.count, r.capped), (2, 0))


class PlacementOption(unittest.TestCase):
    def test_values(self):
        self.assertEqual(calibration.check_option(None), "dominant")
        self.assertEqual(calibration.check_option("ALL"), "all")
        self.assertEqual(calibration.check_option("155ns"), 155.0)
        self.assertEqual(calibration.check_option("155 ns"), 155.0)
        self.assertEqual(calibration.check_option("1.2us"), 1200.0)
        for bad in ("fast", "", "-3ns", "0", "12 ms"):
            with self.subTest(bad=bad), self.assertRaises(ContendError):
                calibration.check_option(bad)

    def test_sweeps(self):
        folder = Path("/r/vm")
        guest = find_classes(GUEST)
        self.assertEqual(guest.names(), ["14 ns", "34 ns", "155 ns"])
        (only,) = calibration.targets(guest, "dominant", folder)
        self.assertEqual((only.name, only.folder), ("34 ns", folder))
        lo, hi = only.window
        self.assertTrue(14 < lo < 34 < hi < 155)
        self.assertEqual(only.args(), [f"--placement={lo:.1f}:{hi:.1f}"])
        every = calibration.targets(guest, "all", folder)
        self.assertEqual([(t.name, t.folder.name) for t in every],
                         [("34 ns", "vm"), ("155 ns", "placement-155ns"), ("14 ns", "placement-14ns")])
        (slow,) = calibration.targets(guest, 150.0, folder)
        self.assertEqual((slow.name, slow.folder.name), ("155 ns", "placement-155ns"))
        with self.assertRaises(ContendError) as cm:
            calibration.targets(guest, 50_000.0, folder)  # above every class: preempted
        self.assertIn("no placement class at 50000 ns", str(cm.exception))
        # One class, or no calibration: one sweep, no flag, nothing waits.
        for placement in (find_classes([34.0] * 100), None):
            for wanted in ("dominant", "all", 155.0):
                (t,) = calibration.targets(placement, wanted, folder)
                self.assertEqual((t.folder, t.args()), (folder, []))


class CoreToCorePasses(unittest.TestCase):
    def test_passes_only_with_several_classes_and_within_bounds(self):
        self.assertEqual(run.core_to_core_passes(2, False, several=False), 1)
        self.assertEqual(run.core_to_core_passes(2, False, several=True), 1000)  # 1 pair: the binary's most
        self.assertEqual(run.core_to_core_passes(16, False, several=True), 75)  # 120 pairs x 1.1 ms a pass
        self.assertEqual(run.core_to_core_passes(128, False, several=True), 1)  # one pass takes ~9 s already


class Label(unittest.TestCase):
    def test_family_and_model_tell_generations_apart(self):
        zen4 = ("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                "model name\t: AMD EPYC\n\nprocessor\t: 1\ncpu family\t: 99\n")
        self.assertEqual(run.cpu_identity(zen4), ("AMD EPYC", "25", "17"))
        self.assertEqual(run.cpu_identity("processor : 0\nmodel name : Neoverse-N1\n"), ("Neoverse-N1", None, None))
        self.assertEqual(run.cpu_identity(""), ("unknown-cpu", None, None))


if __name__ == "__main__":
    unittest.main()
