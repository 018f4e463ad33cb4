"""Where a run's time goes: its phases, timed, and the cap on what is not measuring.

`contend run` ends with a table of its phases (install and build, the placement calibration, each
family's measuring, the waits for its placement class and its re-runs, the side runs, the invariant
re-runs, the charts) and the share of the run spent measuring. A family's binary run is split in
three: the waits for the placement class (the binaries' `placement_wait_ms` counters), the time
stalled (from a hung process's last sign of progress to the watchdog's kill, and any repetition
that took longer than the watchdog's bound: watchdog.py), and the rest, measuring; beside it the
time its timed loops took (iterations x time per iteration, stalled repetitions left out), which
shows what process starts, prefills and probes cost on top. A side run's stall is carved out of it
the same way: stalled time is never measuring, and the table's last line counts the hangs.

The waits and re-runs of a family together take at most RERUN_CAP of its measuring time (or
RERUN_FLOOR_S, whichever is more: `allowance`); what the cap leaves tainted is said. Pure functions
of seconds: no clock is read here except by `Phases`, whose clock a test replaces.
"""
import contextlib
import time
from dataclasses import dataclass

# Waits for the placement class and re-runs of tainted repetitions, together, may take at most
# this share of a family's measuring time: a disturbed machine costs a bounded 30% more, not the
# 60% the recorded run spent (1 418 of 5 521 repetitions re-run 2 049 times).
RERUN_CAP = 0.30
# ... but never less than this: a family of a few benchmarks (baseline measures for ~15 s) may
# still re-run a handful of repetitions.
RERUN_FLOOR_S = 10.0

MEASURING, WAITING, RERUN, SETUP, SIDE, CHECKS, CHARTS, STALLED = (
    "measuring", "placement waits", "re-runs", "setup", "side run", "checks", "charts", "stalled")


def allowance(measuring_s, spent_s, cap=RERUN_CAP, floor_s=RERUN_FLOOR_S):
    """Seconds of re-runs a family may still spend: the cap's share of its measuring time (at
    least `floor_s`) less what its waits and re-runs already took; never below zero."""
    return max(0.0, max(cap * max(0.0, measuring_s), floor_s) - max(0.0, spent_s))


def fits(cost_s, measuring_s, spent_s, cap=RERUN_CAP, floor_s=RERUN_FLOOR_S):
    """Whether one more re-run expected to take `cost_s` stays within the cap."""
    return cost_s <= allowance(measuring_s, spent_s, cap, floor_s)


def time_left(measured_s, done, total, extra_ratio=0.0, extra_left_s=0.0, cap=RERUN_CAP):
    """Seconds left, or None before anything finished: the benchmarks not yet measured at the rate
    so far, plus the waits and re-runs they are expected to bring (the share finished families
    spent, at most the cap), plus what the re-runs under way may still take."""
    if done <= 0:
        return None
    left = measured_s / done * max(0, total - done)
    return left * (1 + min(max(0.0, extra_ratio), cap)) + max(0.0, extra_left_s)


@dataclass
class Row:
    name: str
    kind: str
    seconds: float
    note: str = ""


class Phases:
    """The run's phases in the order they ran; `clock` is time.monotonic unless a test says."""

    def __init__(self, clock=time.monotonic):
        self.clock, self.rows, self.start = clock, [], clock()

    def add(self, name, kind, seconds, note=""):
        self.rows.append(Row(name, kind, max(0.0, seconds), note))

    @contextlib.contextmanager
    def timed(self, name, kind, note=""):
        """Times the block as one phase (recorded when it raises too: an interrupted run's table is
        not printed, but a failed side run's time still counts)."""
        t0 = self.clock()
        try:
            yield
        finally:
            self.add(name, kind, self.clock() - t0, note)

    def total(self):
        return max(self.clock() - self.start, sum(r.seconds for r in self.rows))

    def seconds(self, kind):
        return sum(r.seconds for r in self.rows if r.kind == kind)


def table(rows, total_s, hangs=0):
    """(header, rows, summary line) of the phase table: each phase's time and share of the run,
    then the time nothing recorded (the progress line, loading results), then the share measuring
    and, when the watchdog stopped any process, how many."""
    total_s = max(total_s, 1e-9)
    out = [[r.name, r.kind, _duration(r.seconds), f"{r.seconds / total_s:.0%}", r.note] for r in rows]
    rest = total_s - sum(r.seconds for r in rows)
    if rest >= 1:
        out.append(["(between phases)", "", _duration(rest), f"{rest / total_s:.0%}", ""])
    measuring = sum(r.seconds for r in rows if r.kind == MEASURING)
    by_kind = {}
    for r in rows:
        by_kind[r.kind] = by_kind.get(r.kind, 0.0) + r.seconds
    others = ", ".join(f"{k} {_duration(s)}" for k, s in sorted(by_kind.items(), key=lambda kv: -kv[1])
                       if k != MEASURING and s >= 1)
    line = (f"measuring {_duration(measuring)} of {_duration(total_s)} ({measuring / total_s:.0%})"
            + (f"; the rest: {others}" if others else "")
            + (f"; {hangs} hang{'s' if hangs != 1 else ''} stopped by the watchdog" if hangs else ""))
    return ["phase", "kind", "time", "share", ""], out, line


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"
