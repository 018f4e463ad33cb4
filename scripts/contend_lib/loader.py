"""The one loader: Google Benchmark JSON files/folders -> tidy pandas tables.

`load(paths)` returns a ResultSet with
  table     one row per (machine, family, workload, impl, threads): the MEDIAN over repetitions,
            computed here from the "iteration" rows (GB's own aggregate rows are ignored so that
            every statistic has one definition, ours);
  reps      the long per-repetition table the significance test and error bars need, replaced
            (discarded) repetitions included: statistics take `kept_reps()`;
  machines  one row per machine with its context (strings, "unknown" when missing).

Result files carry a schema_version in their context (absent: 1, everything written before it).
Every earlier version is read; a set whose files lack fields of the current one gets one warning
line naming them. A repetition is `tainted` when the C++ side flagged it (foreign load, too little
parallelism) or when a placement probe before or after it was `preempted` or the two fell in
different placement classes (`moved`); a placement class is never taint (placement.py). Each
machine's probes give its classes, Go's probes read on the C++ probe's scale first (placement.Scale:
one placement, one class in both languages). The run is measured in one class (`placement_measured`:
the class the binaries waited for, or where most repetitions ran). A figure is measured in that
class when MIN_CLASS_REPS of its repetitions ran there (all of them, with fewer), else in the class
that holds that many: a figure whose repetitions never left another class (a binary that could not
wait for the run's, like Go's) is a figure of that class (`other_placement`), not excluded for a
class it never ran in. A repetition outside its figure's class (`other_class`) is left out of it;
a figure that no class holds enough of is `excluded`. A repetition a re-run replaced is kept in
the JSON, marked "contend_discarded", and left out of every median (`discarded`). `usable(reps)` is
the one mask of the repetitions statistics may use. A benchmark the watchdog
stopped has one entry without a figure, marked "contend_hung" with its evidence file (`hung`):
tainted in `reps`, and left out of the medians and the table. Go's older rows get today's names
(lang.legacy_name), every figure its sides (sides.py: one core or cross-core) and the work it does
where the languages differ (`work`, lang.work_note).
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import lang, sides
from .errors import ContendError, warn
from .names import (CORE_TO_CORE_FILE, HAND_TIMED_FILE, HUNG_KEY, LATENCY_BIAS_FILE, LITMUS_FILE, OVERHEAD_FILE,
                    PLACEMENT_FILE, machine_slug, microarchitecture, split_name)
from .placement import IDENTITY, PREEMPTED, find_classes, go_scale, relation_namer, scale_from_json, scope_of
from .validity import bimodal

KEYS = ["machine", "family", "workload", "impl", "threads"]
VALUES = ["ops_per_sec", "ns_per_op", "cpu_ns_per_op", "fairness", "fairness_cv"]
INTERFERENCE = ["foreign_cpu", "steal_cpu", "foreign_resolution_cpu", "parallelism", "parallelism_needed",
                "taint_foreign", "taint_parallelism", "probe_ns", "probe_after_ns", "placement_wait_ms",
                "placement_missed"]
# Counters only some designs report: the elimination stack's share of operations that met a
# partner, the mutex stack's mean run of acquisitions by the same thread, an idle channel
# receiver's CPU time over the idle window's wall time, and the single owners' statistics
# (benchmarks/owner_stats.hpp: the longest a query waited and its promised bound, in requests,
# and the share of sends that woke a sleeping owner).
# Counters aggregated as their worst repetition (a bound, checked against query_wait_bound).
# The sampled latency's max (max_ns) is a worst case too. The percentiles p<N>_ns are read by name.
WORST_OF_REPS = ["query_wait_max", "max_ns"]
DESIGN_COUNTERS = ["eliminated_fraction", "lock_run_length", "idle_cpu_fraction", "query_wait_max",
                   "query_wait_bound", "wakeups_per_op"]
# Go's hand-off and owner designs: 1 when the goroutines ran locked to OS threads of their own
# (and pinned to CPUs of their own); the <impl>_sched rows have 0 (lang.py).
GO_COUNTERS = ["go_locked", "go_pinned"]
LATENCY_COUNTERS = ["max_ns", "latency_samples"]
# perf_event_open counts per operation of the whole process (benchmarks/perf_events.hpp); an event
# not counted on the machine is absent (the context's events_not_available says why).
EVENT_COUNTERS = ["context_switches_per_op", "cpu_migrations_per_op", "page_faults_per_op", "cycles_per_op",
                  "instructions_per_op", "cache_misses_per_op", "hitm_per_op"]
EXTRA_COUNTERS = (["owner_threads", "producers", "consumers", "steal_pct", "peak_rss_mb"] + INTERFERENCE
                  + DESIGN_COUNTERS + LATENCY_COUNTERS + EVENT_COUNTERS + GO_COUNTERS)
SCHEMA_VERSION = 3
# What each schema version added to every repetition: what an older file lacks.
SCHEMA_FIELDS = {2: ["foreign_cpu", "steal_cpu", "parallelism", "parallelism_needed", "tainted", "probe_ns"],
                 3: ["probe_after_ns"]}
# A figure's U-tests need this many repetitions in its class (two-sided Mann-Whitney: 3 against 3
# can never reach p < 0.05, 4 against 4 can: 0.029); a run of fewer repetitions needs all of them.
MIN_CLASS_REPS = 4
DISCARDED_KEY = "contend_discarded"
# A figure's own columns every repetition carries too, so that a comparison of repetitions knows
# what it compares (sides.apart): its sides, its claim and whether its class is the run's.
FIGURE_COLUMNS = ["sides", "parallelism_claim", "other_placement"]
CONTEXT_KEYS = ["schema_version", "pin", "probe_pairs", "taint_foreign_cpu", "taint_parallelism_share",
                "cpu_family", "cpu_model_number", "cpu_stepping", "logical_cpus",
                "cpu_model", "cores", "threads_per_core", "sockets", "topology", "kernel", "compiler",
                "cxx_flags", "benchmark_version", "boost_version", "moodycamel_version", "governor",
                "git_commit", "contend_family", "contend_mode", "run_ms", "hardware_concurrency",
                "date", "host_name", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
                "library_build_type", "latency_sampling", "latency_clock", "latency_clock_ns", "latency_budget",
                "events_counted", "events_not_available", "virtualized", "placement_window_ns",
                "placement_wait_limit_ms"]
_PERCENTILE = re.compile(r"^p\d+(\.\d+)?_ns$")
_PROBE_PAIR = re.compile(r"^probe_ns_\d+_\d+$")


@dataclass
class ResultSet:
    table: pd.DataFrame
    reps: pd.DataFrame
    machines: pd.DataFrame
    folders: dict  # machine -> folder it came from (None for loose files), for litmus.json
    placements: dict = None  # machine -> placement.Placement of its probes

    def machine(self, name):
        return self.machines.loc[name]

    def kept_reps(self):
        """The repetitions every statistic uses: no re-run replaced them, and they ran in their
        figure's placement class."""
        return self.reps[usable(self.reps)]

    def percentile_columns(self):
        return sorted((c for c in self.table.columns if _PERCENTILE.match(c)),
                      key=lambda c: float(c[1:-3]))


def read_json(path):
    """Parse a JSON file, turning every way it can be broken into one readable ContendError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContendError(path, "not a text file (not UTF-8)") from None
    except OSError as e:
        raise ContendError(path, e.strerror.lower() if e.strerror else str(e)) from None
    if not text.strip():
        raise ContendError(path, "empty file (an interrupted or failed run?)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        body = text.strip()
        if not body.startswith(("{", "[")):
            # Result files are objects; this is some other text (a log, a CSV, a note).
            first = body.splitlines()[0]
            first = first if len(first) <= 40 else first[:40] + "…"
            raise ContendError(path, f"not JSON (starts with {first!r})") from None
        # A document that opens but never closes, or a decoder that runs off the end, means the
        # writer stopped mid-document.
        if e.pos >= len(text.rstrip()) or not body.endswith(("}", "]")):
            raise ContendError(path, f"truncated JSON, ends at line {e.lineno} "
                                     "(an interrupted run?)") from None
        raise ContendError(path, f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None


# A family's result file bigger than PART_LIMIT is written as parts (rerun.write_whole): <family>.json
# and <family>.part<k>.json, whole workloads each, every part with the run's context and
# "contend_part": "k/n". Each part is a result file of its own; the set must be complete and of one run.
PART_KEY = "contend_part"
_PART_NAME = re.compile(r"^(?P<stem>.+)\.part(?P<k>\d+)\.json$")


def part_path(path, k):
    """Part k (1-based) of the family file `path`: part 1 is `path` itself."""
    path = Path(path)
    return path if k == 1 else path.with_name(f"{path.stem}.part{k}{path.suffix}")


def part_paths(path):
    """[(k, file)] of the parts 2.. of `path` that exist, in order."""
    path = Path(path)
    found = []
    for f in path.parent.glob(f"{path.stem}.part*{path.suffix}"):
        m = _PART_NAME.match(f.name)
        if m and m.group("stem") == path.stem:
            found.append((int(m.group("k")), f))
    return sorted(found)


def _part_of(doc):
    """(k, n) from a document's context, or None for a file written whole."""
    ctx = doc.get("context") if isinstance(doc, dict) else None
    raw = ctx.get(PART_KEY) if isinstance(ctx, dict) else None
    try:
        k, n = (int(x) for x in str(raw).split("/"))
    except ValueError:
        return None
    return (k, n) if 1 <= k <= n else None


def check_parts(path, docs):
    """Raise a ContendError when the parts of one family file are not a complete set of one run:
    `docs` is {k: document} of the parts found beside `path`."""
    first = docs.get(1)
    n = _part_of(first)[1] if first is not None and _part_of(first) else None
    if n is None:
        return
    for k in range(2, n + 1):
        if k not in docs:
            raise ContendError(part_path(path, k), f"missing: part {k} of {n} of {Path(path).name} "
                                                   "(an interrupted write?)")
    date = first.get("context", {}).get("date")
    for k in range(2, n + 1):
        other = docs[k].get("context", {})
        if _part_of(docs[k]) != (k, n) or other.get("date") != date:
            raise ContendError(part_path(path, k), f"not part {k} of {n} of the run in {Path(path).name} "
                                                   "(parts of two runs: re-run the family)")


def read_family(path):
    """A family's whole document: `path` and, when it was written in parts, every part's
    benchmarks after it."""
    doc = read_json(path)
    part = _part_of(doc)
    if part is None:
        return doc
    docs = {1: doc}
    for k, f in part_paths(path):
        docs[k] = read_json(f)
    check_parts(path, docs)
    merged = dict(doc)
    merged["context"] = {k: v for k, v in doc["context"].items() if k != PART_KEY}
    merged["benchmarks"] = [e for k in range(1, part[1] + 1) for e in docs[k].get("benchmarks", [])]
    return merged


def hand_timed(folder):
    """A result folder's hand_timed.json (the hand-written loop's runs, for validity.check), or
    None when the folder has none."""
    path = Path(folder) / HAND_TIMED_FILE if folder is not None else None
    return read_json(path) if path is not None and path.is_file() else None


def expand_paths(paths):
    """Result files and folders -> [(file, folder-or-None)], in a stable order."""
    out = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.glob("*.json")
                           if f.name not in (LITMUS_FILE, HAND_TIMED_FILE, OVERHEAD_FILE, CORE_TO_CORE_FILE, PLACEMENT_FILE,
                                             LATENCY_BIAS_FILE)
                           and not f.name.startswith("."))
            if not files:
                repeats = sorted(d.name for d in p.glob("repeat-*") if d.is_dir())
                hint = f"; it holds the runs of --repeat: give one, e.g. {p / repeats[0]}" if repeats else ""
                raise ContendError(p, f"folder has no result files (*.json){hint}")
            out.extend((f, p) for f in files)
        elif p.is_file():
            out.append((p, None))
        elif p.exists():
            raise ContendError(p, "not a file or folder")
        else:
            raise ContendError(p, "no such file or folder")
    return out


def _as_str(value):
    return "unknown" if value is None or value == "" else str(value)


def _context(doc):
    ctx = doc.get("context")
    ctx = ctx if isinstance(ctx, dict) else {}
    out = {k: _as_str(ctx.get(k)) for k in CONTEXT_KEYS}
    out["schema_version"] = str(schema_version(doc))
    if out["cores"] == "unknown" and out["num_cpus"] != "unknown":
        out["cores"] = out["num_cpus"]
    if out["hardware_concurrency"] == "unknown":
        out["hardware_concurrency"] = out["num_cpus"]
    return out


def schema_version(doc):
    """The file's schema_version; files written before it existed are version 1."""
    ctx = doc.get("context") if isinstance(doc, dict) else None
    raw = ctx.get("schema_version") if isinstance(ctx, dict) else None
    try:
        return int(str(raw)) if raw is not None else 1
    except ValueError:
        return 1


def usable(reps):
    """The one mask of the repetitions statistics may use: not replaced by a re-run (`discarded`),
    measured in their figure's placement class (not `other_class`) and not stopped by the watchdog
    (`hung`: no figure). Tainted ones are in it: a figure with one is flagged whole."""
    keep = pd.Series(True, index=reps.index)
    for column in ("discarded", "other_class"):
        if column in reps:
            keep &= ~reps[column].fillna(False).astype(bool)
    if "hung" in reps:
        keep &= reps["hung"].fillna("") == ""
    return keep


def entry_probes(entries):
    """Every placement probe of these repetitions, before and after."""
    return [v for e in entries for v in (_number(e, "probe_ns"), _number(e, "probe_after_ns"))
            if v is not None and v > 0]


def doc_placement(doc, extra_probes=()):
    """The placement classes of one family document's probes (and `extra_probes`, e.g. the
    calibration's): what re-runs judge `moved` and `preempted` by."""
    ctx = doc.get("context") if isinstance(doc, dict) else {}
    ctx = ctx if isinstance(ctx, dict) else {}
    return find_classes(entry_probes(iteration_entries(doc)) + list(extra_probes), relation_namer(ctx),
                        scope_of(ctx))


def placement_of(entry, placement, scale=IDENTITY):
    """(class of the repetition, moved, preempted probes text, class after): the class its before
    probe fell in (its after probe when it has no before), whether the after probe fell in another
    class, which probes were preempted, and the after probe's class. `scale` takes a Go file's
    probes onto the C++ probe's scale first."""
    before, after = _number(entry, "probe_ns"), _number(entry, "probe_after_ns")
    if placement is None:
        return None, False, "", None
    a, b = placement.of(scale(before)), placement.of(scale(after))
    preempted = [f"{w} {v / 1000:.0f} us" for w, v, c in (("before", before, a), ("after", after, b))
                 if c == PREEMPTED]
    cls = a if a not in (None, PREEMPTED) else (b if b not in (None, PREEMPTED) else None)
    moved = a not in (None, PREEMPTED) and b not in (None, PREEMPTED) and a != b
    return cls, moved, ", ".join(preempted), b


def taint(entry, placement):
    """(tainted, reason) of one repetition: the C++ detector's verdict, a probe `preempted`
    before or after it, or a move between placement classes during it. Never the class itself."""
    return judge(entry, placement)[:2]


def judge(entry, placement, scale=IDENTITY):
    """(tainted, reason, class, moved) of one repetition, each probe classified once (taint())."""
    reasons = [f"hung, stopped by the watchdog (evidence {entry[HUNG_KEY]})"] if entry.get(HUNG_KEY) else []
    if (_number(entry, "tainted") or 0) >= 0.5:
        label = entry.get("label")
        if isinstance(label, str) and label.startswith("tainted"):
            reasons.append(label.split(":", 1)[-1].strip() or "tainted")
        else:
            if (_number(entry, "taint_foreign") or 0) >= 0.5:
                load = (_number(entry, "foreign_cpu") or 0) + (_number(entry, "steal_cpu") or 0)
                reasons.append(f"foreign load {load:.2f} CPU")
            if (_number(entry, "taint_parallelism") or 0) >= 0.5:
                reasons.append(f"parallelism {_number(entry, 'parallelism') or 0:.2f} of "
                               f"{_number(entry, 'parallelism_needed') or 0:g} needed")
            reasons = reasons or ["tainted by the detector"]
    cls, moved, preempted, after = placement_of(entry, placement, scale)
    if preempted:
        reasons.append(f"preempted: probe {preempted}")
    if moved:
        reasons.append(f"moved: probe {_number(entry, 'probe_ns'):.0f} ns ({cls}) before, "
                       f"{_number(entry, 'probe_after_ns'):.0f} ns ({after}) after")
    return bool(reasons), "; ".join(reasons), cls, moved


def is_iteration(entry):
    """A Google Benchmark per-repetition entry (not an aggregate), failed ones included."""
    return (isinstance(entry, dict) and isinstance(entry.get("name"), str)
            and entry.get("run_type", "iteration") == "iteration" and "aggregate_name" not in entry)


def iteration_entries(doc):
    return [e for e in doc.get("benchmarks", []) if is_iteration(e)]


def _number(entry, key):
    value = entry.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


_WORKERS = re.compile(r"/workers:(\d+)(/|$)")


def _threads(entry):
    """Google Benchmark's thread count, or the poller's own worker count (`workers:W` in the name),
    which is what its throughput scales with."""
    m = _WORKERS.search(entry.get("run_name") or entry.get("name", ""))
    return int(m.group(1)) if m else int(entry.get("threads", 1))


def _iteration_rows(path, doc):
    benchmarks = doc.get("benchmarks") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(benchmarks, list):
        raise ContendError(path, 'not Google Benchmark output (no "benchmarks" list)')
    rows, failed, unnamed = [], [], 0
    go_file, legacy = lang.is_go_file(doc), lang.legacy_go_file(doc)
    ctx = doc.get("context") if isinstance(doc.get("context"), dict) else {}
    probe = f"go:{ctx.get('probe_loop') or ''}" if go_file else "cpp"
    for entry in benchmarks:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            unnamed += 1
            continue
        if entry.get("run_type", "iteration") != "iteration" or "aggregate_name" in entry:
            continue
        if entry.get("error_occurred"):
            failed.append(f'{entry["name"]}: {entry.get("error_message", "no message")}')
            continue
        parts = split_name(entry.get("run_name") or entry["name"])
        if parts is None:
            unnamed += 1
            continue
        ops = _number(entry, "ops_per_sec")
        if ops is None:
            ops = _number(entry, "items_per_second")
        if ops is None and not entry.get(HUNG_KEY):
            unnamed += 1
            continue
        ns = _number(entry, "ns_per_op")
        family, workload, impl = parts
        if go_file:
            workload, impl = lang.legacy_name(family, workload, impl, entry)
        row = {
            "family": family, "workload": workload, "impl": impl,
            "threads": _threads(entry),
            "repetition": int(entry.get("repetition_index", 0)),
            "ops_per_sec": ops,
            "ns_per_op": ns if ns is not None else (1e9 / ops if ops else None),
            "cpu_ns_per_op": _number(entry, "cpu_ns_per_op"),
            "fairness": _number(entry, "fairness_min_max"),
            "fairness_cv": _number(entry, "fairness_cv"),
        }
        for key in EXTRA_COUNTERS:
            row[key] = _number(entry, key)
        for key, value in entry.items():
            if (_PERCENTILE.match(key) or _PROBE_PAIR.match(key)) and isinstance(value, (int, float)):
                row[key] = float(value)
        row["_entry"] = entry  # taint and class are judged once the machine's probes are all read
        row["_probe"] = probe  # which probe read it: "cpp", or "go:<its probe_loop>"
        row["work"] = lang.work_note(family, workload, impl, legacy)
        discarded = entry.get(DISCARDED_KEY)
        row["discarded"] = bool(discarded)
        row["discard_reason"] = str(discarded) if discarded else ""
        row["hung"] = str(entry.get(HUNG_KEY) or "")
        row["benchmark"] = entry.get("run_name") or entry["name"]
        rows.append(row)
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        warn(f"{path}: left out failed benchmark {failed[0]}{more}")
    if unnamed:
        warn(f"{path}: skipped {unnamed} entries without a family/workload/impl name or ops_per_sec")
    if not rows and not benchmarks:
        raise ContendError(path, "no benchmarks in the file (an interrupted or failed run?)")
    if not rows:
        raise ContendError(path, "no usable benchmark results (every run failed or was an aggregate)")
    return rows


def _label_for(file, folder, ctx):
    if folder is not None:
        return folder.resolve().name
    if ctx["cpu_model"] != "unknown":
        known = ctx["cpu_family"] != "unknown" and ctx["cpu_model_number"] != "unknown"
        return machine_slug(ctx["cpu_model"], ctx["cores"], *((ctx["cpu_family"], ctx["cpu_model_number"]) if known
                                                              else (None, None)))
    return file.resolve().parent.name


def _merge_context(into, ctx):
    for k, v in ctx.items():
        if into.get(k, "unknown") == "unknown":
            into[k] = v


def missing_fields(doc):
    """Fields of the current schema this file's repetitions lack (all of them in an old file)."""
    entries = iteration_entries(doc)
    wanted = [f for version, fields in sorted(SCHEMA_FIELDS.items()) for f in fields]
    return [f for f in wanted if not any(f in e for e in entries)]


def _warn_old(lacking):
    """One line per set: which fields its older files lack, so nobody reads absence as 'clean'."""
    for label, (versions, fields) in lacking.items():
        newer = sorted(v for v in versions if v > SCHEMA_VERSION)
        if newer:
            warn(f"{label}: written with schema {newer[-1]}, newer than this contend's {SCHEMA_VERSION}: "
                 "what it added is not read")
        # Schema 2 lacks only the probe after each repetition: said in the machine's placement
        # line (moves not seen), not as a warning on every command that reads committed results.
        if set(fields) - set(SCHEMA_FIELDS[3]):
            written = ", ".join(f"schema {v}" for v in sorted(versions))
            warn(f"{label}: written with {written} (current {SCHEMA_VERSION}): no "
                 f"{', '.join(fields)}; interference and placement were not recorded")


def load(paths):
    frames, contexts, folders, origin, lacking, parts = [], {}, {}, {}, {}, {}
    for file, folder in expand_paths(paths):
        # A folder lists every part as a file of its own; a file named alone brings its parts.
        doc = read_json(file) if folder is not None else read_family(file)
        if _part_of(doc):
            m = _PART_NAME.match(file.name)
            base = file.with_name(m.group("stem") + file.suffix) if m else file
            parts.setdefault(base, {})[_part_of(doc)[0]] = doc
        rows = _iteration_rows(file, doc)
        ctx = _context(doc)
        label = _label_for(file, folder, ctx)
        # Two different folders with the same name (e.g. a/x and b/x) are two machines.
        key = folder.resolve() if folder is not None else ("files", label)
        if label in origin and origin[label] != key:
            parent = folder.resolve().parent.name if folder is not None else "files"
            label = f"{parent}/{label}"
        origin.setdefault(label, key)
        frame = pd.DataFrame(rows)
        frame.insert(0, "machine", label)
        frame["source"] = str(file)
        frames.append(frame)
        _merge_context(contexts.setdefault(label, {}), ctx)
        folders.setdefault(label, folder)
        versions, fields = lacking.setdefault(label, (set(), []))
        versions.add(schema_version(doc))
        fields.extend(f for f in missing_fields(doc) if f not in fields)
    for base, docs in parts.items():
        if 1 not in docs:
            raise ContendError(base, "missing: part 1 of a family written in parts (an interrupted write?)")
        check_parts(base, docs)
    _warn_old(lacking)
    reps = pd.concat(frames, ignore_index=True)
    placements = {}
    for label, group in reps.groupby("machine", sort=False):
        placements[label] = _judge_placement(reps, group.index, contexts[label], folders.get(label))
    reps = reps.drop(columns=["_entry", "_probe"])
    machines = _machines_frame(contexts)
    table = sides.annotate(aggregate(reps), machines["hw_threads"].to_dict())
    figure = table[KEYS + FIGURE_COLUMNS]
    reps = reps.merge(figure, on=KEYS, how="left")
    return ResultSet(table=table, reps=reps, machines=machines, folders=folders, placements=placements)


def calibration_probes(folder):
    """The calibration's probes in a result folder's placement.json ([] without one)."""
    return _calibration(folder)[0]


def _calibration(folder):
    """(C++ probes, Scale of the Go probe's back-to-back record or None) of a folder's
    placement.json (([], None) without one)."""
    path = Path(folder) / PLACEMENT_FILE if folder is not None else None
    if path is None or not path.is_file():
        return [], None
    doc = read_json(path)
    probes = doc.get("probes") if isinstance(doc, dict) else None
    if not isinstance(probes, list):
        raise ContendError(path, 'not a placement calibration (no "probes" list)')
    return ([float(p["ns"]) for p in probes if isinstance(p, dict) and isinstance(p.get("ns"), (int, float))],
            scale_from_json(doc.get("go_mapping")))


def measured_class(placement, reps, ctx):
    """The class a machine's figures are measured in: the one whose window the binaries waited
    for (the context's placement_window_ns "LO:HI"), else the one most kept repetitions ran in."""
    if not placement.classes:
        return None
    window = str(ctx.get("placement_window_ns", "unknown"))
    try:
        lo, hi = (float(x) for x in window.split(":"))
        return placement.of((lo * hi) ** 0.5 if lo > 0 else hi / 2)
    except ValueError:
        pass
    counts = reps.loc[~reps["discarded"], "placement"].value_counts()
    counts = counts[[c in placement.names() for c in counts.index]]
    return counts.idxmax() if len(counts) else placement.dominant().name


def _judge_placement(reps, index, ctx, folder):
    """Set tainted, taint_reason, placement, moved, figure_class and other_class of one machine's
    repetitions (rows `index` of `reps`) from the placement classes of all its probes, Go's read on
    the C++ scale; returns the Placement."""
    entries = reps.loc[index, "_entry"].tolist()
    kinds = reps.loc[index, "_probe"].tolist()
    calibration, recorded = _calibration(folder)
    cpp = entry_probes([e for e, k in zip(entries, kinds) if k == "cpp"]) + calibration
    scales = {"cpp": IDENTITY}
    for kind in set(kinds) - {"cpp"}:  # "go:<the file's probe_loop>"
        mine = entry_probes([e for e, k in zip(entries, kinds) if k == kind])
        scales[kind] = go_scale(kind[len("go:"):], cpp, mine, recorded)
    go = [scales[k](v) for e, k in zip(entries, kinds) if k != "cpp" for v in entry_probes([e])]
    placement = find_classes(cpp + go, relation_namer(ctx), scope_of(ctx))
    judged = [judge(e, placement, scales[k]) for e, k in zip(entries, kinds)]
    reps.loc[index, "tainted"] = [j[0] for j in judged]
    reps.loc[index, "taint_reason"] = [j[1] for j in judged]
    reps.loc[index, "placement"] = [j[2] or "" for j in judged]
    reps.loc[index, "moved"] = [j[3] for j in judged]
    measured = measured_class(placement, reps.loc[index], ctx)
    figure = figure_classes(reps.loc[index], measured)
    reps.loc[index, "figure_class"] = figure
    reps.loc[index, "measured_class"] = measured or ""
    reps.loc[index, "other_class"] = [bool(j[2]) and bool(f) and j[2] != f for j, f in zip(judged, figure)]
    said = sorted({scales[k].describe() for k in set(kinds) if k != "cpp"})
    ctx["placement_scale"] = "; ".join(said) if said and go else "unknown"
    no_after = "probe_after_ns" not in reps.columns or reps.loc[index, "probe_after_ns"].isna().all()
    ctx["placement_classes"] = placement.describe() + (
        "; no probe after each repetition (results before schema 3): moves not seen"
        if no_after and placement.classes else "")
    ctx["placement_measured"] = measured or "unknown"
    ctx["placement_scope"] = placement.scope or "unknown"
    return placement


def figure_classes(reps, measured):
    """The class each repetition's figure is measured in (a list aligned with `reps`): the run's
    class when MIN_CLASS_REPS of the figure's repetitions ran there (all, with fewer), else the
    class that holds that many (the commonest; the faster on a tie), else (the figure will be
    excluded) the run's class when some ran there, else its commonest; "" without classes."""
    kept = reps[~reps["discarded"].fillna(False).astype(bool)]
    chosen = {}
    for key, g in kept.groupby(KEYS, sort=False):
        counts = g["placement"][g["placement"] != ""].value_counts()
        if counts.empty:
            chosen[key] = ""
            continue
        need = min(len(g), MIN_CLASS_REPS)
        enough = counts[counts >= need]
        if measured in enough.index:
            chosen[key] = measured
        elif len(enough):
            chosen[key] = sorted(enough.index, key=lambda c: (-enough[c], _ns_of(c)))[0]
        else:
            chosen[key] = measured if measured in counts.index else counts.index[0]
    return [chosen.get(tuple(r), "") for r in reps[KEYS].itertuples(index=False)]


def _ns_of(name):
    value, _, unit = str(name).partition(" ")
    try:
        return float(value) * (1000 if unit == "us" else 1)
    except ValueError:
        return float("inf")


def _int_or_none(text):
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return None


def _generation(cpu_model, family, model, stepping):
    """'25 / 17 / 1 (zen4)': what tells two CPUs of one name apart."""
    if "unknown" in (family, model):
        return "unknown"
    arch = microarchitecture(cpu_model, _int_or_none(family), _int_or_none(model))
    return f"{family} / {model} / {stepping}" + (f" ({arch})" if arch else "")


def _machines_frame(contexts):
    machines = pd.DataFrame.from_dict(contexts, orient="index")
    machines.index.name = "machine"
    machines["cpu_generation"] = [_generation(m, f, n, st) for m, f, n, st in
                                  zip(machines["cpu_model"], machines["cpu_family"], machines["cpu_model_number"],
                                      machines["cpu_stepping"])]
    machines["core_count"] = [(_int_or_none(c) or _int_or_none(h) or 1) for c, h in
                              zip(machines["cores"], machines["hardware_concurrency"])]
    # Oversubscription starts past the hardware threads, not the cores, on SMT machines.
    machines["hw_threads"] = [_int_or_none(h) or c for h, c in
                              zip(machines["hardware_concurrency"], machines["core_count"])]
    return machines


_NOT_MEDIANS = KEYS + ["repetition", "source", "tainted", "discarded", "moved", "other_class"]


def aggregate(reps):
    """Median per configuration over its usable repetitions (not discarded, in the figure's
    placement class), plus spread for error bars and cv, how many are tainted, whether they split
    in two clusters, and `excluded` (with why) when fewer than MIN_CLASS_REPS ran in the class.
    A figure none of whose repetitions ran in the class keeps its other-class median, excluded."""
    reps = reps.copy()
    for c in VALUES + EXTRA_COUNTERS:
        # A family may lack a counter (the poller has no fairness): keep the column, empty.
        reps[c] = pd.to_numeric(reps[c], errors="coerce") if c in reps else float("nan")
    for c in ("tainted", "discarded", "other_class", "moved"):
        reps[c] = reps[c].fillna(False).astype(bool) if c in reps else False
    if "placement" not in reps:
        reps["placement"] = ""
    reps = reps[~reps["discarded"]]
    if "hung" in reps:  # a hung benchmark has no figure: it stays in `reps`, tainted, and out of the table
        reps = reps[reps["hung"].fillna("") == ""]
    counts = reps.groupby(KEYS, sort=True).agg(all_reps=("ops_per_sec", "size"),
                                               other_class_reps=("other_class", "sum"))
    in_class = reps[~reps["other_class"]]
    lost = counts.index.difference(in_class.set_index(KEYS).index.unique())
    if len(lost):  # keep the figure (its values from the other class), excluded below
        in_class = pd.concat([in_class, reps.set_index(KEYS).loc[lost].reset_index()], ignore_index=True)
    reps = in_class
    grouped = reps.groupby(KEYS, sort=True)
    value_cols = [c for c in reps.columns
                  if c not in _NOT_MEDIANS and pd.api.types.is_numeric_dtype(reps[c])]
    table = grouped[value_cols].median()
    # A bound holds only if it holds in every repetition: the worst one, not the median.
    for c in WORST_OF_REPS:
        if c in table:
            table[c] = grouped[c].max()
    table["tainted_reps"] = grouped["tainted"].sum().astype(int)
    table["tainted"] = table["tainted_reps"] > 0
    table["bimodal"] = grouped["ops_per_sec"].agg(lambda s: bimodal(s.tolist()))
    ops = grouped["ops_per_sec"]
    table["repetitions"] = ops.count()
    table["cv"] = ops.std() / ops.mean()
    table["ops_min"] = ops.min()
    table["ops_max"] = ops.max()
    table["ops_q1"] = ops.quantile(0.25)
    table["ops_q3"] = ops.quantile(0.75)
    table["other_class_reps"] = counts["other_class_reps"].astype(int)
    class_reps = counts["all_reps"] - counts["other_class_reps"]
    need = counts["all_reps"].clip(upper=MIN_CLASS_REPS)
    table["excluded"] = class_reps < need
    if "figure_class" in reps:
        table["placement"] = grouped["figure_class"].first().fillna("")
    else:
        table["placement"] = grouped["placement"].agg(_class_name)
    measured = grouped["measured_class"].first().fillna("") if "measured_class" in reps else ""
    table["other_placement"] = (table["placement"] != "") & (measured != "") & (table["placement"] != measured) \
        & ~table["excluded"]
    table["work"] = grouped["work"].first().fillna("") if "work" in reps else ""
    table["exclusion"] = [
        (f"{k} of {n} repetitions in placement class {c or '?'} (needs {m})" if x else "")
        for x, k, n, m, c in zip(table["excluded"], class_reps, counts["all_reps"], need, table["placement"])]
    table["tainted"] = table["tainted"] | table["excluded"]
    return table.reset_index()


def _class_name(names):
    """The placement class a figure's repetitions ran in (the commonest), "" without probes."""
    names = [n for n in names if n]
    return max(set(names), key=names.count) if names else ""


def tidy_columns(table):
    """The documented export order: identity, the medians, spread, then any extras."""
    first = KEYS + VALUES + ["repetitions", "cv"]
    rest = [c for c in table.columns if c not in first]
    return table[first + rest]


def load_sets(paths):
    """One machine per argument (compare's A B C...): each path is loaded on its own, and a
    label seen before is made unique, so the same folder name from two commits stays two sets."""
    sets = []
    for path in paths:
        rs = load([path])
        if len(rs.machines) != 1:
            raise ContendError(path, f"holds results of {len(rs.machines)} machines "
                                     f"({', '.join(rs.machines.index)}); give one result set per argument")
        sets.append(rs)
    used, tables, reps, machines, folders = set(), [], [], [], {}
    for path, rs in zip(paths, sets):
        label = rs.machines.index[0]
        if label in used:
            parent = Path(path).resolve().parent.name
            candidate, n = f"{parent}/{label}", 2
            while candidate in used:
                candidate, n = f"{label} ({n})", n + 1
            label = candidate
        used.add(label)
        old = rs.machines.index[0]
        tables.append(rs.table.assign(machine=label))
        reps.append(rs.reps.assign(machine=label))
        machines.append(rs.machines.rename(index={old: label}))
        folders[label] = rs.folders[old]
    return ResultSet(table=pd.concat(tables, ignore_index=True), reps=pd.concat(reps, ignore_index=True),
                     machines=pd.concat(machines), folders=folders)
