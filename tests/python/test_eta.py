"""The progress line's time left comes from the plan (schedule.py): a family's plan, the whole
run's plan against two recorded runs, the estimate as steps and repetitions pass, the bounded
speed correction, the "no progress" text, and a replay of the recorded Zen 5 run whose 12-minute
stall made the old estimate say "~40:00:40 left". Every clock here is a fake one: nothing is timed."""
import io
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import latency, phases, plan, progress, schedule, watchdog  # noqa: E402
from contend_lib.names import FAMILIES  # noqa: E402
from contend_lib.schedule import Step  # noqa: E402

RECORDED = helpers.FIXTURES / "recorded-runs"
LISTING = json.loads((RECORDED / "listing-1019.json").read_text())
TIMELINES = json.loads((RECORDED / "timelines.json").read_text())
GO = ["go_counters", "go_maps", "go_stacks", "go_channels", "go_false_sharing", "go_poller"]


def sampling_counts(listing, hw=2):
    """As run.Suite.sampling_figures: each latency figure's benchmarks at the count it is shown at."""
    out = []
    for family, workload in latency.FIGURES:
        names = [n for n in listing.get(family, []) if n.startswith(f"{family}/{workload}/")]
        counts = sorted({plan.threads_of(n) for n in names})
        below = [t for t in counts if t <= hw]
        t = hw if hw in counts else below[-1] if below else counts[0]
        out.append((family, sum(1 for n in names if plan.threads_of(n) == t)))
    return out


def default_plan():
    """The plan of a default run of the recorded runs' 1019 benchmarks on 2 vCPUs."""
    return [schedule.calibration_step(False)] + schedule.sweep(
        LISTING, FAMILIES, GO, False, None, True, 2, False, ["1", "2"], sampling_counts(LISTING))


class FamilyPlan(unittest.TestCase):
    def test_each_benchmark_at_its_own_run_length(self):
        maps = [f"maps/r90-k1k-uniform/m{k}/real_time/threads:2" for k in range(476)]
        step = schedule.family_step("maps", maps, False)
        self.assertEqual(step.reps, 476 * 5)
        self.assertAlmostEqual(step.planned_s, 476 * 5 * (0.3 + schedule.REP_OVERHEAD_S["maps"]) + schedule.PROCESS_S)
        poller = [f"poller/sim-0/shared/resources:64/workers:{w}/iterations:1/real_time" for w in (1, 2, 4)]
        self.assertAlmostEqual(schedule.family_step("poller", poller, False).planned_s,
                               3 * 3 * (1.5 + schedule.DEFAULT_REP_OVERHEAD_S) + schedule.PROCESS_S)
        idle = schedule.family_step("channels", ["channels/idle/ring/real_time/threads:2"], True, 3)
        self.assertAlmostEqual(idle.planned_s, 3 * (0.01 + schedule.DEFAULT_REP_OVERHEAD_S) + schedule.PROCESS_S)

    def test_the_plan_matches_both_recorded_runs(self):
        planned = sum(s.planned_s for s in default_plan())
        zen5 = TIMELINES["zen5_stall"]
        setup = sum(s for _, kind, s in zen5["phases"] if kind == "setup") - 20  # the calibration is planned
        without_stall = zen5["total_s"] - setup - zen5["stall_s"]
        self.assertLess(abs(planned - without_stall) / without_stall, 0.05, (planned, without_stall))
        xeon = TIMELINES["xeon"]["total_s"]  # its install-deps, build and listing included: a few seconds
        self.assertLess(abs(planned - xeon) / xeon, 0.05, (planned, xeon))
        by_name = {s.name: s.planned_s for s in default_plan()}
        self.assertLess(abs(by_name["maps"] - TIMELINES["xeon"]["maps_s"]) / TIMELINES["xeon"]["maps_s"], 0.03)
        self.assertLess(abs(by_name["go_maps"] - TIMELINES["xeon"]["go_maps_s"]) / TIMELINES["xeon"]["go_maps_s"], 0.1)


def clocked(plan_steps, session=None):
    now = [0.0]
    p = progress.Progress(10, stream=io.StringIO(), now=lambda: now[0], plan=plan_steps,
                          session=session or watchdog.Session())
    return p, now


class LeftFromThePlan(unittest.TestCase):
    def test_nothing_begun_is_the_whole_plan(self):
        p, _ = clocked([Step("a", fixed_s=60.0), Step("b", fixed_s=60.0, scalable=False)])
        self.assertIn("~2:00 left", p.text("1/2", "a", "x"))

    def test_left_falls_while_a_silent_step_runs_and_never_goes_negative(self):
        p, now = clocked([Step("baseline", fixed_s=100.0), Step("maps", fixed_s=1000.0)])
        p.step("baseline")
        now[0] = 100.0
        p.step("maps")
        left = []
        for s in (0, 300, 600, 900, 5000):
            now[0] = 100.0 + s
            left.append(p.left())
        self.assertEqual(left, [1000.0, 700.0, 400.0, 100.0, 0.0])

    def test_repetitions_ended_count_and_a_stall_does_not_scale_the_rest(self):
        p, now = clocked([Step("baseline", reps=200, per_rep_s=1.0), Step("maps", fixed_s=1000.0)])
        p.measuring("baseline")
        for k in range(1, 101):  # 100 repetitions at their plan: enough for the speed to count
            now[0] = float(k)
            p.beat("end", now[0])
        self.assertAlmostEqual(p.left(), 100 * 1.0 + 1000.0)
        self.assertEqual(p.speed(), 1.0)
        now[0] = 800.0  # the next repetition stalls for 11 minutes, then ends
        p.beat("end", now[0])
        self.assertEqual(p.speed(), 1.0)  # the stall fed nothing ...
        self.assertAlmostEqual(p.left(), 99 * 1.0 + 1000.0)  # ... and the rest is still the plan

    def test_after_a_hang_the_step_is_what_its_continuation_runs(self):
        p, now = clocked([Step("baseline", reps=30, per_rep_s=1.0), Step("maps", fixed_s=1000.0)])
        p.measuring("baseline")
        for k in range(1, 16):
            now[0] = float(k)
            p.beat("end", now[0])
        now[0] = 50.0  # stopped: 5 benchmarks of 5 repetitions unfinished, their 15 ended ones lost
        p.replan(25)
        p.new_process()
        self.assertAlmostEqual(p.left(), 25 * 1.0 + 1000.0)

    def test_a_small_family_may_rerun_up_to_the_floor(self):
        p, now = clocked([Step("a", fixed_s=10.0, reruns=True), Step("b", fixed_s=10.0, reruns=True)])
        p.measuring("a")
        now[0] = 10.0
        p.measured()
        p.family_done(10.0, phases.RERUN_FLOOR_S)  # used its whole allowance: the floor, not 30% of 10 s
        self.assertAlmostEqual(p.left(), 10.0 + phases.RERUN_FLOOR_S)

    def test_reruns_expected_from_what_finished_families_took_at_most_the_cap(self):
        p, now = clocked([Step("a", fixed_s=100.0, reruns=True), Step("b", fixed_s=100.0, reruns=True)])
        p.measuring("a")
        now[0] = 100.0
        p.measured()
        p.family_done(100.0, 10.0)
        self.assertAlmostEqual(p.left(), 100.0 * 1.1)
        p.family_done(0.0, 1000.0)  # a share far past the cap counts as the cap
        self.assertAlmostEqual(p.left(), 100.0 * (1 + phases.RERUN_CAP))
        p.extra_left_s = 42.0
        self.assertAlmostEqual(p.left(), 100.0 * (1 + phases.RERUN_CAP) + 42.0)

    def test_speed_is_clamped_and_waits_for_enough_repetitions(self):
        p, now = clocked([Step("maps", reps=1000, per_rep_s=0.3)])
        p.measuring("maps")
        for k in range(1, 100):  # 30 planned seconds at twice the plan: not enough to count
            now[0] = 0.6 * k
            p.beat("end", now[0])
        self.assertEqual(p.speed(), 1.0)
        for k in range(100, 400):
            now[0] = 0.6 * k
            p.beat("end", now[0])
        self.assertEqual(p.speed(), progress.SPEED_MAX)  # 2x measured, clamped
        self.assertLessEqual(p.left(), (1000 - 399) * 0.3 * progress.SPEED_MAX)


class FakeProc:
    """What a Watch reads of its process: its arguments, pid, and that it still runs."""
    args = ["/x/build/release/benchmarks/bench_baseline", "--quick"]
    pid = 4242

    def poll(self):
        return None


class NoProgress(unittest.TestCase):
    def test_the_line_says_no_progress_and_adds_the_time_until_the_watchdog_stops_it(self):
        with watchdog.session(None) as session:
            p, now = clocked([Step("baseline", reps=30, per_rep_s=0.31), Step("maps", fixed_s=1000.0)], session)
            p.measuring("baseline")
            watch = watchdog.Watch(FakeProc(), "baseline", watchdog.Bounds(10.0, 0.3), clock=lambda: now[0],
                                   started=0.0)
            session.active = watch
            futex = "baseline/pingpong/futex/real_time/threads:2"
            for event, t, name in (("begin", 0.0, "4242"), ("start", 1.0, futex)):
                watch._feed(event, t, name)
                p.beat(event, t, name)
            now[0] = 10.0
            line = p.text("1/7", "baseline", "6 of 6 interleaved still running")
            self.assertIn("6 of 6 interleaved still running", line)
            now[0] = 21.0  # 20 s without a repetition ending, past NOTICE_S
            line = p.text("1/7", "baseline", "6 of 6 interleaved still running")
            self.assertIn("no progress for 20 s (bench_baseline, pid 4242, in "
                          "baseline/pingpong/futex/real_time/threads:2)", line)
            self.assertNotIn("still running", line)
            bound = watchdog.Bounds(10.0, 0.3).rep_s
            # the 30 repetitions less the one under way, the rest of the plan, until the watchdog fires
            self.assertAlmostEqual(p.left(), 29 * 0.31 + 1000.0 + (1.0 + bound - 21.0))
            watch._feed("end", 22.0, "baseline/pingpong/futex/real_time/threads:2")
            now[0] = 22.5
            self.assertNotIn("no progress", p.text("1/7", "baseline", "x"))

    def test_a_silent_process_is_noticed_only_past_its_plan(self):
        with watchdog.session(None) as session:
            p, now = clocked([Step("poller", fixed_s=100.0)], session)
            p.measuring("poller")
            session.active = watchdog.Watch(FakeProc(), "poller", watchdog.Bounds(100.0, 1.5), clock=lambda: now[0],
                                            started=0.0)
            now[0] = 100.0
            self.assertNotIn("no progress", p.text("7/7", "poller", "24 of 24 interleaved still running"))
            now[0] = 1.2 * 100 + watchdog.NOTICE_S + 1
            self.assertIn("no progress for 136 s", p.text("7/7", "poller", "x"))


def replay(phases_list, watched):
    """The recorded run's steps driven through a Progress on a fake clock, from the calibration on:
    every family's repetitions end at an even pace over its recorded time, baseline's stall
    included (as recorded, or cut short where the watchdog would have stopped it). Returns
    [(t, time left)] every 30 s and the run's end."""
    steps = default_plan()
    by_name = {s.name: s for s in steps}
    samples, now = [], [0.0]
    with watchdog.session(None) as session:
        p = progress.Progress(1019, stream=io.StringIO(), now=lambda: now[0], plan=steps, session=session)

        def advance(to):
            while True:
                nxt = (int(now[0] // 30) + 1) * 30.0
                if nxt > to:
                    break
                now[0] = nxt
                samples.append((nxt, p.left()))
            now[0] = to

        stall = TIMELINES["zen5_stall"]["stall_s"]
        started = False
        for name, kind, seconds in phases_list:
            if name == "placement calibration":
                started = True
                p.step(name)
                advance(now[0] + seconds)
                continue
            if not started:
                continue
            if kind in ("family", "go"):
                step = by_name[name]
                t0 = now[0]
                p.measuring(name)
                p.new_process()
                watch = watchdog.Watch(FakeProc(), name, watchdog.Bounds(step.planned_s, 0.3, lines=kind == "go"),
                                       clock=lambda: now[0], started=t0)
                session.active = watch
                reps = step.reps
                if name == "baseline":
                    # 15 repetitions, then futex_pingpong's that never ends (watched: stopped at its
                    # bound, and the 25 repetitions of the 5 unfinished benchmarks run again).
                    pace = (seconds - stall) / (reps - 1)
                    for _ in range(15):
                        advance(now[0] + pace)
                        watch._feed("end", now[0], "x")
                        p.beat("end", now[0])
                    if watched:
                        cut = watchdog.Bounds(0, 0.3).rep_s + 2.0
                        advance(now[0] + cut)
                        session.record(watchdog.Hang("bench_baseline", 4242, "baseline", "futex", "", cut, None, ""))
                        watch.hang = session.hangs[-1]
                        p.replan(25)
                        p.new_process()
                        watch = watchdog.Watch(FakeProc(), name, watchdog.Bounds(step.planned_s, 0.3),
                                               clock=lambda: now[0], started=now[0])
                        session.active = watch
                        left = 25
                    else:
                        advance(now[0] + stall)
                        watch._feed("end", now[0], "x")
                        p.beat("end", now[0])
                        left = reps - 16
                    for _ in range(left):
                        advance(now[0] + pace)
                        watch._feed("end", now[0], "x")
                        p.beat("end", now[0])
                else:
                    for _ in range(reps):
                        advance(now[0] + seconds / reps)
                        watch._feed("end", now[0], "x")
                        p.beat("end", now[0])
                session.active = None
                p.measured()
                if kind == "family":
                    p.family_done(now[0] - t0, 0.0, name)
                continue
            if kind == "re-runs":
                p.extra_left_s = seconds
                advance(now[0] + seconds)
                p.family_done(0.0, seconds)
                continue
            if kind in ("side", "checks", "charts"):
                p.step(name)
            advance(now[0] + seconds)
    return samples, now[0]


class ReplayOfTheZen5Stall(unittest.TestCase):
    """The Zen 5 run (tests/python/fixtures/recorded-runs: 48:59, baseline stalled 11:50 in a lost
    futex wake-up): the old estimate said ~35:01 left for 12 minutes, then ~40:00:40, ~2:38:52,
    ~5:10:26 and ~26:34."""

    def test_as_recorded_the_estimate_never_runs_away_and_is_right_after_the_stall(self):
        samples, end = replay(TIMELINES["zen5_stall"]["phases"], watched=False)
        planned = sum(s.planned_s for s in default_plan())
        for t, left in samples:
            self.assertLess(left, 1.05 * planned, (t, left))  # never hours, never past the plan
            truth = end - t
            if t > 20 + 719 and truth > 120:  # once the stall is over
                self.assertLess(abs(left - truth), 0.25 * truth, (t, left, truth))

    def test_with_the_watchdog_the_estimate_stays_within_a_quarter_of_the_truth(self):
        samples, end = replay(TIMELINES["zen5_stall"]["phases"], watched=True)
        self.assertLess(end, 2200)  # the stall cut to its bound: 35 minutes, not 46
        for t, left in samples:
            truth = end - t
            if truth > 120:
                self.assertLess(abs(left - truth), 0.25 * truth, (t, left, truth))
        quarters = {q: min(samples, key=lambda s: abs(s[0] - q * end)) for q in (0.25, 0.5, 0.75)}
        for q, (t, left) in quarters.items():
            self.assertLess(abs(left - (end - t)), 0.1 * (end - t), (q, t, left, end - t))


if __name__ == "__main__":
    unittest.main()
