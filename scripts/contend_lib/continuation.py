"""What is kept of a family whose binary the watchdog stopped, and how the rest is measured.

Google Benchmark (1.7.1) writes a benchmark's repetitions to --benchmark_out only once all of them
are done, and flushes the file after each benchmark: a killed binary leaves its JSON cut after the
last benchmark it finished, each of those whole. `close_truncated` closes that JSON again (cutting
anything after the last whole entry). With random interleaving most benchmarks are unfinished when
a hang strikes: their finished repetitions live only in the killed process's memory. They are
measured again, all their repetitions, in a continuation: a new process of the same binary with a
--benchmark_filter of their escaped names (interleaved among themselves), whose entries are merged
into the family's document. The hung benchmark is not in it (it would likely hang again: a lost
wake-up is a finding, not noise); it gets one entry marked `hung` (names.HUNG_KEY, the evidence
file), which the loader taints and leaves out of every comparison. A continuation that hangs too is
handled the same way, at most MAX_CONTINUATIONS times a family; what is still unmeasured then is
said, by name. Why not keep the finished repetitions from the heartbeat instead: they would need a
second serialization of Google Benchmark's entries (its own fields, the label, errors), and a
figure must come from one code path.
"""
import json
import re

from .names import HUNG_KEY

MAX_CONTINUATIONS = 3
_ERE_SPECIAL = set(".[]()*+?{}|^$\\")
_ENTRY_END = re.compile(r"\n    \}")  # the end of one entry in Google Benchmark's JSON (4-space indent)


def ere_escape(text):
    """A literal for Google Benchmark's --benchmark_filter (a POSIX extended regular expression)."""
    return "".join("\\" + c if c in _ERE_SPECIAL else c for c in text)


def name_filter(names):
    """--benchmark_filter matching exactly `names`."""
    return "^(" + "|".join(ere_escape(n) for n in names) + ")$"


def close_truncated(text):
    """The document a killed binary's JSON holds: its context and every whole entry it wrote, or
    None when not even the context was written."""
    if not text or not text.strip():
        return None
    for candidate in _closings(text):
        try:
            doc = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("context"), dict):
            doc.setdefault("benchmarks", [])
            return doc if isinstance(doc["benchmarks"], list) else None
    return None


def _closings(text):
    yield text  # the binary finished its file after all
    yield text.rstrip().rstrip(",") + "\n  ]\n}\n"
    ends = [m.end() for m in _ENTRY_END.finditer(text)]
    for end in reversed(ends[-3:]):  # a report cut in the middle: back to the last whole entry
        yield text[:end] + "\n  ]\n}\n"
    head = text.find('"benchmarks": [')
    if head >= 0:
        yield text[:head] + '"benchmarks": []\n}\n'


def _name(entry):
    return entry.get("run_name") or entry.get("name")


def finished(doc, repetitions):
    """The benchmarks `doc` holds all `repetitions` of (iteration entries, hung ones aside)."""
    counts = {}
    for e in doc.get("benchmarks", []) if doc else []:
        if isinstance(e, dict) and e.get("run_type", "iteration") == "iteration" and not e.get(HUNG_KEY):
            counts[_name(e)] = counts.get(_name(e), 0) + 1
    return {n for n, k in counts.items() if k >= repetitions}


def keep_finished(doc, repetitions):
    """`doc` with only the entries of its finished benchmarks (a report cut short is dropped whole)."""
    done = finished(doc, repetitions)
    doc["benchmarks"] = [e for e in doc.get("benchmarks", [])
                         if isinstance(e, dict) and (_name(e) in done or e.get(HUNG_KEY))]
    return doc


def merge(into, doc):
    """`doc`'s entries appended to `into` (the first document found gives the context)."""
    if doc is None:
        return into
    if into is None:
        return doc
    into["benchmarks"] = into.get("benchmarks", []) + doc.get("benchmarks", [])
    return into


_THREADS = re.compile(r"/(?:threads|workers):(\d+)(?:/|$)")


def hung_entry(name, repetitions, evidence, why):
    """The entry a hung benchmark leaves in its family's document: no figure, the evidence file
    (relative to the result folder) under HUNG_KEY, and why."""
    m = _THREADS.search(name)
    return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": repetitions,
            "repetition_index": 0, "threads": int(m.group(1)) if m and "/threads:" in name else 1,
            "iterations": 0, "error_occurred": False, HUNG_KEY: str(evidence) if evidence else "(no evidence saved)",
            "label": f"hung: {why}"}
