"""The progress line of `contend run`: family k/n, benchmarks done of all, what happens now,
elapsed, time left; live through a family's binary run (which prints nothing until its last
repetitions finish), its waits for the placement class and its re-runs.

Google Benchmark (1.7.1, src/benchmark.cc RunBenchmarks) reports a benchmark's lines once all its
repetitions are done; with random interleaving the repetitions of all benchmarks run in a shuffled
order, so names finish in no listed order and which one runs now is unknown: a name seen on stdout
is finished, and that is all the line claims.

Time left (planned_left): each family's planned measuring time (its benchmarks x repetitions x
(run length + OVERHEAD_S), the binaries' defaults), scaled by how the finished families' binary runs
compared with their plan, less what the running family has already spent (so the estimate moves
while an interleaved family prints nothing); plus the waits and re-runs the rest is expected to
bring (the share finished families spent, at most the cap), plus what the re-runs under way may
still take. Without a plan, phases.time_left: the benchmarks not yet measured at the rate so far.
The recorded run said "~3:48 left" 18 minutes before its end because its re-runs counted for
nothing and its estimate stood still while maps ran for 26 minutes.
"""
import contextlib
import os
import signal
import sys
import threading
import time

from . import phases
from .plan import OVERHEAD_S

# The binaries' defaults (benchmarks/main.cpp; programs/poller/bench_poller.cpp): run length in
# seconds and repetitions, default and --quick.
RUN_S = {"default": (0.3, 5), "quick": (0.05, 2)}
POLLER_RUN_S = {"default": (1.5, 3), "quick": (0.25, 2)}


def planned_seconds(family, benchmarks, quick, repetitions=None):
    """A family's planned measuring time: benchmarks x repetitions x (run length + OVERHEAD_S)."""
    run_s, reps = (POLLER_RUN_S if family == "poller" else RUN_S)["quick" if quick else "default"]
    return benchmarks * (repetitions or reps) * (run_s + OVERHEAD_S)


def planned_left(planned, finished, measured_s, current=None, current_s=0.0, extra_ratio=0.0,
                 extra_left_s=0.0, cap=phases.RERUN_CAP):
    """Seconds left from the plan: `planned` {family: planned s}; `finished` families took
    `measured_s` in their binary runs (the speed: measured over planned, 1 before any finished);
    `current` has run `current_s` so far."""
    done_plan = sum(planned[f] for f in finished if f in planned)
    speed = measured_s / done_plan if done_plan > 0 and measured_s > 0 else 1.0
    left = sum(s for f, s in planned.items() if f not in finished and f != current) * speed
    if current in planned:
        left += max(0.0, planned[current] * speed - current_s)
    return left * (1 + min(max(0.0, extra_ratio), cap)) + max(0.0, extra_left_s)


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    # While a family runs, nothing reaches stdout until its last repetitions finish (a family can
    # take minutes), so the line is refreshed on a clock too: every second on a terminal, every
    # 30 s into a log.
    TICK_TTY, TICK_LOG = 1.0, 30.0

    def __init__(self, total, stream=sys.stderr, now=time.monotonic, planned=None):
        self.total, self.done, self.now, self.stream = total, 0, now, stream
        self.start = now()
        self.tty = stream.isatty()
        self.width = 0
        self.lock = threading.Lock()
        self.measured_s = 0.0        # binary runs of the families so far (finished ones)
        self.measuring_since = None  # a family's binary run under way since
        self.family_measured_s = 0.0  # of the finished families, measuring ...
        self.family_extra_s = 0.0     # ... and their waits and re-runs
        self.extra_left_s = 0.0      # what the re-runs under way may still take
        self.planned = planned or {}  # {family: planned measuring s}: the estimate moves while one runs
        self.current, self.finished = None, []

    # --- what the run tells the line ---------------------------------------------------------

    def measuring(self, family=None):
        self.measuring_since = self.now()
        self.current = family

    def measured(self):
        if self.measuring_since is not None:
            self.measured_s += self.now() - self.measuring_since
            self.measuring_since = None

    def family_done(self, measuring_s, extra_s, family=None):
        """A family's binary run (waits included) and what came on top (its re-runs)."""
        self.family_measured_s += measuring_s
        self.family_extra_s += extra_s
        self.extra_left_s = 0.0
        if family is not None:
            self.finished.append(family)
            self.current = None

    def left(self):
        """Seconds left, or None while nothing can be said (no plan, nothing finished)."""
        running = self.now() - self.measuring_since if self.measuring_since is not None else 0.0
        ratio = self.family_extra_s / self.family_measured_s if self.family_measured_s > 0 else 0.0
        if self.planned:
            return planned_left(self.planned, self.finished, self.measured_s, self.current, running,
                                ratio, self.extra_left_s)
        return phases.time_left(self.measured_s + running, self.done, self.total, ratio, self.extra_left_s)

    # --- the line ----------------------------------------------------------------------------

    def text(self, family_pos, family, running):
        elapsed = self.now() - self.start
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
