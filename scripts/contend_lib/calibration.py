"""The placement calibration at the start of `contend run`: which placement classes the machine's
CPU pair falls in, and which one the figures are measured in.

placement_probe (built beside the benchmarks) probes the one-way cache-line latency between two
pinned threads every INTERVAL_MS for SECONDS and writes {"context", "probes": [{"t_ms", "ns",
"pair_ns"}]}; it is saved as results/<label>/placement.json (written to a hidden temp file, kept
only when it exited 0 and the JSON holds probes: whole or not at all; under the watchdog, a hang is
one warning and no calibration). placement.find_classes gives
the classes. With one class nothing changes: no --placement flag, nothing waits. With several, each
family binary (and every re-run) gets --placement=LO:HI, the class's window: each repetition waits
until the probe lands in it (up to 2 s, then measures anyway, marked `placement_missed`).

--placement chooses: `dominant` (default: the class the machine spends most time in), `all` (each
class a figure of its own: the dominant one into results/<label>/, the others into
results/<label>/placement-<name>/), or a class given by its latency ("155ns", "155 ns", "155", "1.2us"):
the class whose window holds it.

One probe, one scale: when the Go binary is built (build/go/contend-go), its probe runs right after
the C++ one (`contend-go --probe_seconds=S --out=FILE`, placement_probe's format), and
placement.json records it whole beside the C++ probes, with the mapping between the two
(`go`: {"context", "probes"}; `go_mapping`: {"source", "anchors": [{"go_ns", "cpp_ns"}]}: Go's
classes matched to the C++ ones in order, placement.match_scale). The loader reads Go's figures'
probes through it, so that one placement is one class in both languages. A Go probe that fails
or writes nothing usable leaves placement.json as the C++ calibration alone (one warning line):
the record is there whole or not at all.
"""
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import schedule, watchdog
from .errors import ContendError, warn
from .names import PLACEMENT_FILE
from .placement import find_classes, match_scale

SECONDS, INTERVAL_MS = 20, 50  # 400 probes: the recorded guest's classes stay ~1 s, 0.3 s the shortest
GO_SECONDS, GO_QUICK_SECONDS = 8, 2  # contend-go probes every 20 ms: 400 probes, 100 with --quick
DOMINANT, ALL = "dominant", "all"
_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs)?\s*$", re.IGNORECASE)


def check_option(text):
    """--placement as given -> DOMINANT, ALL or a latency in ns; one line and exit 2 otherwise
    (before any build: which classes exist is known only after the calibration)."""
    if text is None:
        return DOMINANT
    if text.strip().lower() in (DOMINANT, ALL):
        return text.strip().lower()
    m = _LATENCY.match(text)
    if not m or float(m.group(1)) <= 0:
        raise ContendError("--placement", f"'{text}' is not a placement class (a latency such as 34ns or "
                                          f"1.2us), '{DOMINANT}' or '{ALL}'")
    return float(m.group(1)) * (1000 if (m.group(2) or "ns").lower() in ("us", "µs") else 1)


def probe_binary(repo):
    return repo / "build" / "release" / "benchmarks" / "placement_probe"


def go_binary(repo):
    return repo / "build" / "go" / "contend-go"


def _probes_of(doc):
    return [float(p["ns"]) for p in doc["probes"] if isinstance(p, dict) and isinstance(p.get("ns"), (int, float))
            and p["ns"] > 0]


def add_go_probe(repo, folder, quick):
    """Run Go's probe right after the C++ calibration and record it, with the mapping between the
    two, in folder/placement.json (rewritten whole); without the Go binary nothing happens, and a
    probe that fails or writes nothing usable leaves the C++ calibration as it is (one warning)."""
    exe, out = go_binary(repo), folder / PLACEMENT_FILE
    if not exe.is_file() or not out.is_file():
        return None
    tmp, whole = folder / f".go_{PLACEMENT_FILE}.tmp", folder / f".{PLACEMENT_FILE}.go.tmp"
    seconds = GO_QUICK_SECONDS if quick else GO_SECONDS
    print(f"contend: Go's placement probe beside it (contend-go --probe_seconds={seconds})", file=sys.stderr)
    try:
        # Under the watchdog, judged as a whole against its seconds of probing (as placement_probe).
        proc = watchdog.run([exe, f"--probe_seconds={seconds}", f"--out={tmp}"], "Go's placement probe",
                            watchdog.Bounds(seconds), stem="contend-go-probe")
        if proc.returncode in (-2, 130):
            raise KeyboardInterrupt
        if proc.hang is not None:
            warn(f"contend-go's probe hung and was stopped ({proc.hang.threads}); placement.json holds the "
                 "C++ calibration alone")
            return None
        try:
            go = json.loads(tmp.read_text()) if proc.returncode == 0 else None
            probes = _probes_of(go) if go is not None else []
        except (OSError, ValueError, KeyError, TypeError):
            probes = []
        if not probes:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            what = f"exited with code {proc.returncode}" if proc.returncode else "wrote no usable probes"
            warn(f"contend-go's probe {what} ({last}); placement.json holds the C++ calibration alone")
            return None
        doc = json.loads(out.read_text())
        scale = match_scale(_probes_of(doc), probes, source="calibration")
        doc["go"] = {"context": go.get("context", {}), "probes": go["probes"]}
        doc["go_mapping"] = scale.as_json()
        whole.write_text(_dump(doc))
        os.replace(whole, out)
        print(f"contend: {scale.describe()}", file=sys.stderr)
        return scale
    finally:
        tmp.unlink(missing_ok=True)
        whole.unlink(missing_ok=True)


def folder_name(class_name):
    """'14 ns' -> 'placement-14ns': the folder of a class other than the dominant one."""
    return "placement-" + re.sub(r"[^0-9A-Za-z.]+", "", class_name)


def run_probe(repo, folder, quick):
    """Run placement_probe into folder/placement.json; its probes (ns), or None with one warning
    line when the binary is absent (an older build), fails or writes nothing usable."""
    exe = probe_binary(repo)
    out = folder / PLACEMENT_FILE
    out.unlink(missing_ok=True)  # an earlier run's calibration must not stand beside this run's results
    if not exe.is_file():
        warn(f"{exe} not built (an older build?); no placement calibration, every class measured together")
        return None
    tmp = folder / f".{PLACEMENT_FILE}.tmp"
    args = ["--quick"] if quick else [f"--seconds={SECONDS}", f"--interval_ms={INTERVAL_MS}"]
    print(f"contend: placement calibration (placement_probe {' '.join(args)})", file=sys.stderr)
    try:
        # Under the watchdog, judged as a whole against its seconds of probing.
        proc = watchdog.run([exe, *args, "--json", tmp], "the placement calibration",
                            watchdog.Bounds(schedule.CALIBRATION_S[schedule.mode(quick)]), stem="placement_probe")
        if proc.returncode in (-2, 130):
            raise KeyboardInterrupt
        if proc.hang is not None:
            warn(f"placement_probe hung and was stopped ({proc.hang.threads}; evidence "
                 f"{proc.hang.evidence or 'not saved'}); no placement calibration")
            return None
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            warn(f"placement_probe exited with code {proc.returncode} ({last}); no placement calibration")
            return None
        try:
            doc = json.loads(tmp.read_text())
            probes = [float(p["ns"]) for p in doc["probes"]
                      if isinstance(p, dict) and isinstance(p.get("ns"), (int, float))]
        except (OSError, ValueError, KeyError, TypeError):
            probes = []
        if not probes:
            warn("placement_probe wrote no usable probes; no placement calibration")
            return None
        os.replace(tmp, out)
        return probes
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Target:
    """One sweep of the suite: the class measured (None: all together), its window, its folder."""
    name: object
    window: object
    folder: Path

    def args(self):
        return [f"--placement={self.window[0]:.1f}:{self.window[1]:.1f}"] if self.window else []


def targets(placement, wanted, folder):
    """The sweeps to run for `wanted` (check_option's value) on `placement` (None: no calibration)."""
    if placement is None or not placement.several:
        return [Target(None, None, folder)]
    dominant = placement.dominant()
    if wanted == DOMINANT:
        return [Target(dominant.name, placement.window(dominant.name), folder)]
    if wanted == ALL:
        others = sorted((c for c in placement.classes if c is not dominant), key=lambda c: -c.count)
        return [Target(dominant.name, placement.window(dominant.name), folder)] + [
            Target(c.name, placement.window(c.name), folder / folder_name(c.name)) for c in others]
    name = placement.of(wanted)
    if name is None or name not in placement.names():
        raise ContendError("--placement", f"no placement class at {wanted:g} ns on this machine "
                                          f"({placement.describe()})")
    return [Target(name, placement.window(name), folder if name == dominant.name else folder / folder_name(name))]


def _dump(doc):
    """placement.json as placement_probe writes it: the context indented, one probe a line."""
    def value(v, indent):
        if isinstance(v, dict) and v:
            inner = indent + "  "
            return "{\n" + ",\n".join(f"{inner}{json.dumps(k)}: {value(x, inner)}" for k, x in v.items()) + f"\n{indent}}}"
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            inner = indent + "  "
            return "[\n" + ",\n".join(inner + json.dumps(x) for x in v) + f"\n{indent}]"
        return json.dumps(v)
    return value(doc, "") + "\n"


def calibrate(repo, folder, quick, wanted):
    """Probe, find the classes, say them and which is measured; the sweeps to run."""
    probes = run_probe(repo, folder, quick)
    if probes is None:
        return [Target(None, None, folder)], ()
    add_go_probe(repo, folder, quick)
    placement = find_classes(probes)
    chosen = targets(placement, wanted, folder)
    if not placement.several:
        print(f"contend: {placement.describe()}: nothing to wait for", file=sys.stderr)
    else:
        dominant = placement.dominant().name
        said = "; ".join(f"{t.name}{' (the dominant class)' if t.name == dominant else ''} "
                         f"[{t.window[0]:.0f}, {t.window[1]:.0f}) ns into {t.folder}" for t in chosen)
        print(f"contend: {placement.describe()}; measuring {said}; each repetition waits for its class "
              f"(up to 2 s, then measured anyway and marked)", file=sys.stderr)
    return chosen, probes


def copy_whole(src, dst):
    """The calibration beside every result folder it was made for (a class's, a repeat's): the
    loader reads a folder's classes from it."""
    tmp = dst.with_name(f".{dst.name}.tmp")
    try:
        tmp.write_bytes(src.read_bytes())
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
