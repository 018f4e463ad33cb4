"""The watchdog: every process `contend run` starts has a deadline from its plan; one well past it
is stopped, what its threads were doing is saved beside the results, and the run goes on.

Why: on a Zen 5 guest bench_baseline's futex ping-pong lost a wake-up and both its threads slept
for 12 minutes while the progress line said "still running". Nothing in a time-bounded run may take
long: each repetition runs for run_ms, and everything around it (the placement probe and its wait
of at most 2 s, a prefill, thread starts) takes seconds at most.

How it decides (`overdue`, a pure function of what the process said and the time):
* A benchmark binary run with CONTEND_HEARTBEAT=FILE writes a line when it is ready and when each
  repetition starts and ends (benchmarks/heartbeat.hpp). From its first line on, each repetition is
  judged by its own bound: REP_FACTOR x its run + REP_MARGIN_S (0.3 s runs: 30.9 s). A repetition
  that started and has not ended within it is hung, and named; so is the gap after a repetition
  ended when the next does not start within it (a hang in Google Benchmark's Setup or between
  repetitions: no benchmark named).
* The Go binary prints a line on stderr as each repetition ends (go_suite feeds them in), in the
  order of its --list: the same bound, and the hung benchmark is the next one in that order.
* A process that says nothing (the side runs, bench_poller, a binary that hangs before its first
  line) is judged as a whole: PROCESS_FACTOR x its planned time + PROCESS_MARGIN_S.

What it does with a hung process (`Watch._stop`): reads, for each /proc/PID/task/*, comm, state
(from stat), wchan and the system call it is in (before anything disturbs it), then a backtrace of
every thread with `gdb -p PID -batch -ex 'thread apply all bt'` under its own timeout where gdb is
installed (gdb is optional: the rest is saved without it), kills the process (SIGKILL) and saves all
of it, whole, as results/<label>/hangs/<what>-<n>.txt. The time from the last sign of progress to
the kill is its stalled time (phases.STALLED), never measuring. The caller decides what the hang
means for its results: a family marks the hung benchmark `hung` and runs the rest in a continuation
(continuation.py); a re-run or a side run is one warning, and the run goes on. Every hang is
recorded in the run's Session, for the summary and the phase table.

Only the standard library: the watchdog runs before install-deps' packages are needed.
"""
import collections
import contextlib
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .names import HANGS_DIR

# A repetition (or the gap between two) may take this many times its run plus this margin: the
# margin holds the placement wait (at most 2 s), the probes, thread starts and the slowest prefill
# (a million keys into a map that serializes its writers) many times over.
REP_FACTOR, REP_MARGIN_S = 3.0, 30.0
# A process judged as a whole (no heartbeat) may take this many times its planned time plus this.
PROCESS_FACTOR, PROCESS_MARGIN_S = 3.0, 60.0
# The progress line says "no progress" after this long without a repetition ending (heartbeat) ...
NOTICE_S = 15.0
POLL_S = 0.25
GDB_TIMEOUT_S = 30.0
HEARTBEAT_ENV = "CONTEND_HEARTBEAT"


@dataclass(frozen=True)
class Bounds:
    """A process's deadlines. `planned_s`: its planned time; `run_s`: one repetition's run, when it
    beats a heartbeat (None: judged as a whole); `lines`: its progress arrives as lines from its
    start (the Go binary), not from a heartbeat file that announces itself."""
    planned_s: float
    run_s: object = None
    lines: bool = False
    rep_margin_s: float = REP_MARGIN_S
    process_margin_s: float = PROCESS_MARGIN_S

    @property
    def rep_s(self):
        return None if self.run_s is None else REP_FACTOR * self.run_s + self.rep_margin_s

    @property
    def process_s(self):
        return PROCESS_FACTOR * self.planned_s + self.process_margin_s

    def notice_s(self, beating):
        """How long without progress before the line says so: a repetition's worth when the process
        beats, its whole planned time (and a bit) when it says nothing until it ends."""
        if beating and self.rep_s is not None:
            return min(NOTICE_S, self.rep_s)
        return 1.2 * self.planned_s + NOTICE_S


class Pulse:
    """What a process under watch has said so far."""

    def __init__(self, started):
        self.started = started
        self.beating = False     # a heartbeat or a first line came: judged per repetition
        self.last = None         # (event, t, name) of the last one
        self.running = None      # (name, t) of a repetition started and not ended
        self.ended = 0           # repetitions ended
        self.ended_names = collections.Counter()

    def feed(self, event, t, name):
        if event == "begin":
            self.beating = True
        elif event == "start":
            self.beating, self.running = True, (name, t)
        elif event == "end":
            self.beating, self.running = True, None
            self.ended += 1
            self.ended_names[name] += 1
        else:
            return
        self.last = (event, t, name)

    def since(self):
        """When the process last showed progress."""
        return self.last[1] if self.last else self.started


@dataclass(frozen=True)
class Overdue:
    benchmark: object  # the repetition that did not end, when known
    since: float       # the last sign of progress
    why: str


def overdue(pulse, now, bounds, next_name=None):
    """Whether the process is past its deadline, and why: None while it is not. `next_name(pulse)`
    names the repetition under way where the process says only when repetitions end (Go)."""
    if bounds.rep_s is not None and (pulse.beating or bounds.lines):
        since = pulse.since()
        quiet = now - since
        if quiet <= bounds.rep_s:
            return None
        limit = f"the bound is {REP_FACTOR:g} x its {bounds.run_s:g} s run + {bounds.rep_margin_s:g} s"
        if pulse.running is not None:
            return Overdue(pulse.running[0], since, f"its repetition ran {quiet:.0f} s without ending ({limit})")
        name = next_name(pulse) if next_name else None
        if name is not None:
            return Overdue(name, since, f"its repetition ran {quiet:.0f} s without ending ({limit})")
        after = f"after {pulse.last[2]} ended" if pulse.last and pulse.last[0] == "end" else "since it began"
        return Overdue(None, since, f"no repetition started or ended for {quiet:.0f} s {after} ({limit})")
    ran = now - pulse.started
    if ran <= bounds.process_s:
        return None
    return Overdue(None, pulse.started + bounds.planned_s,
                   f"it ran {ran:.0f} s, past {PROCESS_FACTOR:g} x its planned {bounds.planned_s:.0f} s + "
                   f"{bounds.process_margin_s:g} s")


def parse_beat(line):
    """(event, t, name) of a heartbeat line, or None (a line cut short, anything else)."""
    event, _, rest = line.partition(" ")
    stamp, _, name = rest.partition(" ")
    if event not in ("begin", "start", "end") or not name.strip():
        return None
    try:
        return event, float(stamp), name.strip()
    except ValueError:
        return None


# --- what the threads were doing -------------------------------------------------------------

_STATES = {"R": "running", "S": "asleep", "D": "in uninterruptible sleep", "T": "stopped", "t": "stopped by a tracer",
           "Z": "a zombie", "X": "dead", "I": "idle"}
# The system calls a benchmark's thread is found waiting in, by number on x86-64 (elsewhere the
# number alone is saved).
_SYSCALLS_X86_64 = {0: "read", 1: "write", 7: "poll", 23: "select", 24: "sched_yield", 35: "nanosleep",
                    61: "wait4", 202: "futex", 230: "clock_nanosleep", 232: "epoll_wait", 270: "pselect6",
                    271: "ppoll", 281: "epoll_pwait"}


@dataclass(frozen=True)
class ThreadState:
    tid: int
    comm: str
    state: str    # the letter of /proc/PID/task/TID/stat
    wchan: str    # the kernel function it sleeps in ("0": none)
    syscall: str  # /proc/PID/task/TID/syscall as read, with the call's name where known
    stack: str    # the kernel stack, where readable (root)

    def line(self):
        return (f"tid {self.tid}  comm {self.comm}  state {self.state} ({_STATES.get(self.state, '?')})  "
                f"wchan {self.wchan}  syscall {self.syscall}")


def _read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _syscall(text):
    fields = text.split()
    if not fields or not fields[0].isdigit():
        return text.strip() or "?"
    name = _SYSCALLS_X86_64.get(int(fields[0])) if platform.machine() == "x86_64" else None
    return f"{fields[0]} ({name})" if name else fields[0]


def thread_states(pid, proc_root="/proc"):
    """Each thread of `pid`: comm, state, wchan, system call, kernel stack ([] once it is gone)."""
    task = Path(proc_root) / str(pid) / "task"
    try:
        tids = sorted(int(p.name) for p in task.iterdir() if p.name.isdigit())
    except OSError:
        return []
    out = []
    for tid in tids:
        d = task / str(tid)
        stat = _read(d / "stat")
        state = stat.rsplit(")", 1)[1].split()[0] if ")" in stat and stat.rsplit(")", 1)[1].split() else "?"
        out.append(ThreadState(tid, _read(d / "comm").strip() or "?", state, _read(d / "wchan").strip() or "0",
                               _syscall(_read(d / "syscall")), _read(d / "stack").strip()))
    return out


def describe(threads):
    """What the threads were doing, in one phrase: '2 threads asleep in futex_wait_queue'."""
    if not threads:
        return "its threads could not be read"
    groups = collections.Counter((t.state, t.wchan) for t in threads)
    parts = []
    for (state, wchan), n in groups.most_common():
        where = f" in {wchan}" if wchan not in ("0", "") else ""
        parts.append(f"{n} thread{'s' if n != 1 else ''} {_STATES.get(state, state)}{where}")
    return ", ".join(parts)


def backtrace(pid, timeout=GDB_TIMEOUT_S):
    """Every thread's backtrace from gdb, or why there is none (gdb is optional)."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "no backtrace: gdb is not installed"
    cmd = [gdb, "-p", str(pid), "-batch", "-nx", "-ex", "set debuginfod enabled off", "-ex", "thread apply all bt"]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ, DEBUGINFOD_URLS=""))
    except subprocess.TimeoutExpired:
        return f"no backtrace: gdb did not finish within {timeout:g} s"
    except OSError as e:
        return f"no backtrace: gdb could not run ({e.strerror or e})"
    text = (proc.stdout or "").strip()
    if proc.returncode != 0 or not text:
        last = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return (text + "\n" if text else "") + f"gdb failed: {last[0]}"
    return text


# --- the run's record of hangs ------------------------------------------------------------------

@dataclass
class Hang:
    process: str       # the program's name
    pid: int
    step: str          # what the run was doing: the family, the side run, the re-run
    benchmark: object  # the repetition that did not end, when known
    why: str
    stalled_s: float   # from the last sign of progress to the kill
    evidence: object   # the saved evidence (a Path), or None
    threads: str       # what its threads were doing, in one phrase

    def line(self, folder=None):
        where = self.evidence
        if where is not None and folder is not None:
            with contextlib.suppress(ValueError):
                where = Path(where).relative_to(folder)
        what = self.benchmark or "the process"
        return (f"{self.step}: {self.process} (pid {self.pid}) stopped after {_clock(self.stalled_s)} "
                f"without progress: "
                f"{what}: {self.why}; {self.threads}" + (f"; evidence {where}" if where else ""))


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Session:
    """One run's watchdog: where evidence goes, the hangs so far, the process under watch now."""

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else None
        self.hangs = []
        self.active = None  # the Watch of the process running now, for the progress line
        self.lock = threading.Lock()

    def record(self, hang):
        with self.lock:
            self.hangs.append(hang)

    def stalled_since(self, count):
        """Stalled seconds of the hangs recorded after the first `count`."""
        with self.lock:
            return sum(h.stalled_s for h in self.hangs[count:])

    def evidence_path(self, stem):
        """results/<label>/hangs/<stem>-<n>.txt, n the next free number; None without a folder."""
        if self.folder is None:
            return None
        folder = self.folder / HANGS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem) or "process"
        n = 1
        while (folder / f"{stem}-{n}.txt").exists():
            n += 1
        return folder / f"{stem}-{n}.txt"


_current = Session()


def current():
    return _current


@contextlib.contextmanager
def session(folder):
    """The run's Session while the block runs (every Watch records its hang there)."""
    global _current
    old, _current = _current, Session(folder)
    try:
        yield _current
    finally:
        _current = old


# --- watching one process -------------------------------------------------------------------

_GO_LINE = re.compile(r"^go_\w+: (\S+) rep \d+/\d+ ")


class Watch:
    """Watches `proc` from a thread while the block runs; stops it when `overdue` says so. Feed it
    the Go binary's stderr lines with `line()`; a heartbeat file it reads itself. `on_beat(event,
    t, name)` hears every heartbeat (the progress line counts repetitions with it)."""

    def __init__(self, proc, step, bounds, heartbeat=None, on_beat=None, next_name=None, stem=None,
                 clock=time.monotonic, started=None, program=None):
        self.proc, self.step, self.bounds = proc, step, bounds
        self.heartbeat, self.on_beat, self.next_name = heartbeat, on_beat, next_name
        self.stem = stem or step
        self.clock = clock
        self.program = program or Path(str(proc.args[0] if isinstance(proc.args, (list, tuple)) else proc.args)).name
        self.pulse = Pulse(started if started is not None else clock())
        self.hang = None
        self.session = current()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._partial = ""
        self._offset = 0
        self._thread = None

    def __enter__(self):
        self.session.active = self
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        if self.session.active is self:
            self.session.active = None
        return False

    # --- what the process says

    def line(self, text):
        """One line of the Go binary's stderr: a repetition ended."""
        m = _GO_LINE.match(text)
        if m:
            self._feed("end", self.clock(), m.group(1))

    def _feed(self, event, t, name):
        with self._lock:
            self.pulse.feed(event, t, name)
        if self.on_beat is not None:
            self.on_beat(event, t, name)

    def _read_heartbeat(self):
        if self.heartbeat is None:
            return
        try:
            with open(self.heartbeat, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except OSError:
            return
        self._offset += len(chunk)
        lines = (self._partial + chunk.decode(errors="replace")).split("\n")
        self._partial = lines.pop()
        for line in lines:
            beat = parse_beat(line)
            if beat is not None:
                self._feed(*beat)

    # --- what the progress line asks

    def quiet_s(self, now=None):
        with self._lock:
            return (now if now is not None else self.clock()) - self.pulse.since()

    def stalled(self, now=None):
        """Whether the line should say 'no progress' now."""
        with self._lock:
            beating = self.pulse.beating or self.bounds.lines
        return self.hang is None and self.quiet_s(now) > self.bounds.notice_s(beating)

    def until_deadline(self, now=None):
        """Seconds until the watchdog would stop the process, if it shows no progress meanwhile."""
        now = now if now is not None else self.clock()
        with self._lock:
            beating = self.pulse.beating or self.bounds.lines
            since = self.pulse.since() if beating and self.bounds.rep_s is not None else self.pulse.started
        limit = self.bounds.rep_s if beating and self.bounds.rep_s is not None else self.bounds.process_s
        return max(0.0, since + limit - now)

    def describe(self):
        with self._lock:
            running = self.pulse.running[0] if self.pulse.running else None
        return f"{self.program}, pid {self.proc.pid}" + (f", in {running}" if running else "")

    # --- the watch

    def _loop(self):
        # Ctrl-C and the stop signals belong to the main thread.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        while True:
            self._read_heartbeat()
            if self.proc.poll() is not None:
                self._read_heartbeat()
                return
            with self._lock:
                verdict = overdue(self.pulse, self.clock(), self.bounds, self.next_name)
            if verdict is not None:
                self._stop(verdict)
                return
            if self._done.wait(POLL_S):
                self._read_heartbeat()
                return

    def _stop(self, verdict):
        pid = self.proc.pid
        threads = thread_states(pid)  # first: gdb's attach wakes a futex wait
        trace = backtrace(pid) if not self._done.is_set() else "no backtrace: the run was interrupted"
        with contextlib.suppress(OSError):
            self.proc.kill()
        stalled = max(0.0, self.clock() - verdict.since)
        hang = Hang(self.program, pid, self.step, verdict.benchmark, verdict.why, stalled, None, describe(threads))
        try:
            path = self.session.evidence_path(self.stem)
            if path is not None:
                _write_whole(path, self._evidence_text(hang, threads, trace))
                hang.evidence = path
        except OSError as e:  # the hang counts even when its evidence cannot be saved
            hang.threads += f" (evidence not saved: {e.strerror or e})"
        self.hang = hang
        self.session.record(hang)

    def _evidence_text(self, hang, threads, trace):
        args = self.proc.args if isinstance(self.proc.args, (list, tuple)) else [self.proc.args]
        with self._lock:
            last = self.pulse.last
            ended = self.pulse.ended
        out = [f"contend run's watchdog stopped {hang.process} (pid {hang.pid}) during {hang.step}",
               f"command: {' '.join(map(str, args))}",
               f"why: {hang.benchmark or 'the process'}: {hang.why}",
               f"planned: {self.bounds.planned_s:.1f} s" + (f"; repetitions of {self.bounds.run_s:g} s, "
                                                             f"{ended} ended" if self.bounds.run_s else ""),
               f"last sign of progress: {f'{last[0]} {last[2]}'.strip() if last else 'none'}, "
               f"{hang.stalled_s:.1f} s before the kill",
               f"threads: {hang.threads}", "",
               f"/proc/{hang.pid}/task (state before the backtrace):"]
        out += ["  " + t.line() for t in threads] or ["  (gone)"]
        stacks = [(t.tid, t.stack) for t in threads if t.stack]
        for tid, stack in stacks:
            out += ["", f"kernel stack of {tid}:"] + ["  " + s for s in stack.splitlines()]
        out += ["", f"backtrace (gdb -p {hang.pid} -batch -ex 'thread apply all bt'):", trace, ""]
        return "\n".join(out)


def _write_whole(path, text):
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def heartbeat_file():
    """A fresh file for a binary's heartbeat (outside the results), removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="contend-heartbeat-", suffix=".txt")
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def run(cmd, step, bounds, stem=None, on_beat=None):
    """subprocess.run(cmd, stdout=DEVNULL, stderr=PIPE, text=True) under the watchdog, a heartbeat
    offered (a program without one is judged as a whole). The result has `.hang` (None or Hang);
    a stopped process's returncode is -9."""
    with heartbeat_file() as beat, tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=err, text=True,
                                env=dict(os.environ, **{HEARTBEAT_ENV: str(beat)}))
        with Watch(proc, step, bounds, heartbeat=beat, stem=stem, on_beat=on_beat) as watch:
            try:
                rc = proc.wait()
            except KeyboardInterrupt:
                # As subprocess.run: the child got the Ctrl-C too; give it a moment, then kill it.
                try:
                    proc.wait(timeout=0.25)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                raise
        err.seek(0)
        result = subprocess.CompletedProcess(cmd, rc, None, err.read())
    result.hang = watch.hang
    return result
