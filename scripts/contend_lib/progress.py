"""The progress line of `contend run`: step k/n, benchmarks done of all, what happens now, elapsed,
time left; live through a family's binary run (which prints nothing until its last repetitions
finish), its waits for the placement class, its re-runs, the Go families and the side runs.

Google Benchmark (1.7.1, src/benchmark.cc RunBenchmarks) reports a benchmark's lines once all its
repetitions are done; with random interleaving the repetitions of all benchmarks run in a shuffled
order, so names finish in no listed order: a name seen on stdout is finished, and that is all the
line claims. Which repetition runs now and when it started the binary's heartbeat says
(watchdog.py); the Go binary prints a line per repetition.

When the process under way has shown no progress for longer than a repetition should take (a
heartbeat's repetition, a Go repetition; for a process that says nothing until it ends, its planned
time), the line says "no progress for N s (PROGRAM, pid P, in BENCHMARK)" instead of what runs.

Time left (Progress.left) comes from the plan (schedule.py), never from extrapolating elapsed time:
the steps not begun, at their planned time; the step under way, by its repetitions not yet ended
(heartbeat, Go lines) at their planned time each, or else its plan less the time it has run, never
counting stalled time; plus the re-runs the C++ families are expected to bring (the share of their
allowance, phases.allowance: RERUN_CAP of a family's time or RERUN_FLOOR_S, that the finished
families used), plus what the re-runs under way may still take, plus,
while a process shows no progress, the time until the watchdog would stop it. One correction comes
from the machine: the speed of the repetitions ended so far against their plan, once a minute of
them has ended, clamped to [SPEED_MIN, SPEED_MAX] and fed only by repetitions that ended without a
stall, so that it cannot run away. The recorded Zen 5 run said "~40:00:40 left" at 12:42 because
the old estimate scaled the whole plan by measured / planned time, and a 12-minute stall made that
68x; this one stays at the plan (tests/python/test_eta.py replays that run).
"""
import contextlib
import os
import signal
import sys
import threading
import time

from . import phases, watchdog

SPEED_MIN, SPEED_MAX = 0.8, 1.5
SPEED_AFTER_S = 60.0  # planned seconds of repetitions ended before their speed counts


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    # While a family runs, nothing reaches stdout until its last repetitions finish (a family can
    # take minutes), so the line is refreshed on a clock too: every second on a terminal, every
    # 30 s into a log.
    TICK_TTY, TICK_LOG = 1.0, 30.0

    def __init__(self, total, stream=sys.stderr, now=time.monotonic, plan=None, session=None):
        self.total, self.done, self.now, self.stream = total, 0, now, stream
        self.start = now()
        self.tty = stream.isatty()
        self.width = 0
        self.lock = threading.Lock()
        self.plan = list(plan or [])   # [schedule.Step] in the order the run takes them
        self.cursor = -1               # the step under way
        self.session = session         # the watchdog's (its process under watch, its hangs)
        self._begin_step(None)
        self.work_planned_s = 0.0      # repetitions ended without a stall: their plan ...
        self.work_actual_s = 0.0       # ... and what they took (the speed)
        self.family_measured_s = 0.0   # of the finished C++ families, measuring ...
        self.family_extra_s = 0.0      # ... their waits and re-runs ...
        self.family_allowed_s = 0.0    # ... and what the cap allowed them (phases.allowance)
        self.extra_left_s = 0.0        # what the re-runs under way may still take
        self.measured_s = 0.0          # binary runs so far, without a plan's help (time_left)
        self.measuring_since = None

    # --- what the run tells the line ---------------------------------------------------------

    def _begin_step(self, index):
        self.cursor = -1 if index is None else index
        self.step_started = self.process_started = self.now()
        self.step_hangs = len(self._hangs())
        self.reps_done = 0
        self.reps_total = self.plan[index].reps if index is not None and index < len(self.plan) else 0
        self.last_end = None
        self.beating = False  # the step's process beats: it is counted by repetition
        self.binary_done = False

    def step(self, name):
        """The step `name` begins (the next one so named in the plan; the ones before it are done or
        skipped); a step the plan lacks is added, planned at nothing."""
        for i in range(self.cursor + 1, len(self.plan)):
            if self.plan[i].name == name:
                self._begin_step(i)
                return
        from .schedule import Step
        self.plan.insert(self.cursor + 1, Step(name, scalable=False))
        self._begin_step(self.cursor + 1)

    def measuring(self, family=None):
        """A process of the family `family` begins (its first, or a continuation after a hang)."""
        if family is not None and (self.cursor < 0 or self.plan[self.cursor].name != family):
            self.step(family)
        self.measuring_since = self.now()
        self.binary_done = False

    def measured(self):
        """The family's binary run ended (its re-runs may follow)."""
        if self.measuring_since is not None:
            self.measured_s += self.now() - self.measuring_since
            self.measuring_since = None
        step = self._current()
        if step is not None and not self.beating and step.scalable and step.planned_s > 0:
            # Said nothing while it ran (bench_poller): its time, stalls aside, against its plan.
            spent = self.now() - self.step_started - self._stalled_in_step()
            self.work_planned_s += step.planned_s
            self.work_actual_s += max(0.0, spent)
        self.binary_done = True

    def new_process(self):
        """A process of the step begins: the first repetition it ends has no gap to the last one."""
        self.last_end = None
        self.process_started = self.now()

    def beat(self, event, t, name=None):
        """A heartbeat (or a Go line) of the step's process: each repetition that ended counts, and
        its time since the previous one feeds the speed unless it was long enough to be a stall."""
        with self.lock:
            self.beating = True
            if event != "end":
                return
            self.reps_done += 1
            step = self._current()
            if self.last_end is not None and step is not None and step.per_rep_s > 0:
                gap = t - self.last_end
                if 0 <= gap <= watchdog.NOTICE_S:
                    self.work_planned_s += step.per_rep_s
                    self.work_actual_s += gap
            self.last_end = t

    def replan(self, reps_left):
        """After a hang: the step's repetitions still to run (the continuation's)."""
        self.reps_total = self.reps_done + max(0, reps_left)

    def family_done(self, measuring_s, extra_s, family=None):
        """A C++ family's binary run (waits included) and what came on top (its re-runs)."""
        self.family_measured_s += measuring_s
        self.family_extra_s += extra_s
        self.family_allowed_s += phases.allowance(measuring_s, 0.0)
        self.extra_left_s = 0.0

    # --- time left ---------------------------------------------------------------------------

    def _hangs(self):
        return self._session().hangs

    def _session(self):
        return self.session if self.session is not None else watchdog.current()

    def _current(self):
        return self.plan[self.cursor] if 0 <= self.cursor < len(self.plan) else None

    def _stalled_in_step(self):
        return self._session().stalled_since(self.step_hangs)

    def speed(self):
        """Measured over planned time of the repetitions ended so far, clamped; 1 until enough."""
        if self.work_planned_s < SPEED_AFTER_S:
            return 1.0
        return min(SPEED_MAX, max(SPEED_MIN, self.work_actual_s / self.work_planned_s))

    def expected_reruns(self, planned_s):
        """The waits and re-runs a family planned at `planned_s` is expected to bring: the share of
        their allowance the finished families used, of its own allowance (the cap's share of its
        time, or the floor for a small family); nothing before a family finished."""
        used = min(1.0, self.family_extra_s / self.family_allowed_s) if self.family_allowed_s > 0 else 0.0
        return used * phases.allowance(planned_s, 0.0)

    def rerun_ratio(self):
        ratio = self.family_extra_s / self.family_measured_s if self.family_measured_s > 0 else 0.0
        return min(max(0.0, ratio), phases.RERUN_CAP)

    def left(self):
        """Seconds left, or None while nothing can be said (no plan, nothing finished)."""
        now = self.now()
        if not self.plan:
            running = now - self.measuring_since if self.measuring_since is not None else 0.0
            return phases.time_left(self.measured_s + running, self.done, self.total, self.rerun_ratio(),
                                    self.extra_left_s)
        speed = self.speed()
        left = 0.0
        for i in range(max(0, self.cursor), len(self.plan)):
            s = self.plan[i]
            scale = speed if s.scalable else 1.0
            rerun = self.expected_reruns(s.planned_s * scale) if s.reruns else 0.0
            if i > self.cursor:
                left += s.planned_s * scale + rerun
                continue
            left += self._current_left(s, now, scale) + (0.0 if self.binary_done else rerun)
        return left + max(0.0, self.extra_left_s) + self._stall_left(now)

    def _current_left(self, step, now, scale):
        if self.binary_done:
            return 0.0
        if step.reps and self.beating:  # counted by repetition
            per_rep = step.per_rep_s * scale
            in_flight = min(now - (self.last_end if self.last_end is not None else self.process_started), per_rep)
            return max(0.0, max(0, self.reps_total - self.reps_done) * per_rep - in_flight)
        spent = now - self.step_started - self._stalled_in_step()
        return max(0.0, step.planned_s * scale - spent)

    def _stall_left(self, now):
        """While the process under way shows no progress: until the watchdog would stop it."""
        watch = self._session().active
        if watch is None or not watch.stalled():
            return 0.0
        return watch.until_deadline()

    # --- the line ----------------------------------------------------------------------------

    def text(self, family_pos, family, running):
        elapsed = self.now() - self.start
        watch = self._session().active
        if watch is not None and watch.stalled():
            running = f"no progress for {int(watch.quiet_s())} s ({watch.describe()})"
        left = self.left()
        left = f"~{clock(left)} left" if left is not None else "estimating"
        return (f"[{family_pos} {family}] {self.done}/{self.total} done, {running} · "
                f"{clock(elapsed)} elapsed · {left}")

    def show(self, family_pos, family, running):
        with self.lock:
            text = self.text(family_pos, family, running)
            if self.tty:
                cols = max(40, os.get_terminal_size(self.stream.fileno()).columns - 1)
                text = text[:cols]
                self.stream.write("\r" + text.ljust(self.width))
                self.width = len(text)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    @contextlib.contextmanager
    def ticking(self, family_pos, family, running):
        """Refreshes the line on the clock while the block runs; `running()` says what to show."""
        stop = threading.Event()

        def tick():
            # Ctrl-C and the stop signals go to the main thread only, which holds them while it
            # merges a re-run (rerun._signals_held): a signal landing here would not wait.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
            while not stop.wait(self.TICK_TTY if self.tty else self.TICK_LOG):
                self.show(family_pos, family, running())

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()

    def finish_line(self):
        with self.lock:
            if self.tty and self.width:
                self.stream.write("\n")
                self.stream.flush()
                self.width = 0
