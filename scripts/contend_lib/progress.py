"""The progress line of `contend run`: family k/n, benchmarks done of all, what happens now,
elapsed, time left; live through a family's binary run (which prints nothing until its last
repetitions finish), its waits for the placement class and its re-runs.

Google Benchmark (1.7.1, src/benchmark.cc RunBenchmarks) reports a benchmark's lines once all its
repetitions are done; with random interleaving the repetitions of all benchmarks run in a shuffled
order, so names finish in no listed order and which one runs now is unknown: a name seen on stdout
is finished, and that is all the line claims.

Time left (phases.time_left): the benchmarks not yet measured at the rate measuring has gone so
far (binary runs only: re-runs do not slow the rate down), plus the waits and re-runs they are
expected to bring (the share finished families spent, at most the cap), plus what the re-runs
under way may still take. The recorded run said "~3:48 left" 18 minutes before its end because
its re-runs counted for nothing.
"""
import contextlib
import os
import sys
import threading
import time

from . import phases


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    # While a family runs, nothing reaches stdout until its last repetitions finish (a family can
    # take minutes), so the line is refreshed on a clock too: every second on a terminal, every
    # 30 s into a log.
    TICK_TTY, TICK_LOG = 1.0, 30.0

    def __init__(self, total, stream=sys.stderr, now=time.monotonic):
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

    # --- what the run tells the line ---------------------------------------------------------

    def measuring(self):
        self.measuring_since = self.now()

    def measured(self):
        if self.measuring_since is not None:
            self.measured_s += self.now() - self.measuring_since
            self.measuring_since = None

    def family_done(self, measuring_s, extra_s):
        """A family's measuring time (its binary run less the waits) and its waits and re-runs."""
        self.family_measured_s += measuring_s
        self.family_extra_s += extra_s
        self.extra_left_s = 0.0

    def left(self):
        """Seconds left, or None while nothing finished."""
        measured = self.measured_s + (self.now() - self.measuring_since if self.measuring_since is not None else 0)
        ratio = self.family_extra_s / self.family_measured_s if self.family_measured_s > 0 else 0.0
        return phases.time_left(measured, self.done, self.total, ratio, self.extra_left_s)

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
