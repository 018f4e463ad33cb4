"""Benchmark names, slugs and the display names people read on charts."""
import re

# Google Benchmark appends these to a benchmark's name; they are options, not identity.
_GB_SUFFIX_PREFIXES = ("threads:", "iterations:", "repeats:", "min_time:", "min_warmup_time:")
_GB_SUFFIX_WORDS = {"real_time", "manual_time", "process_time"}

FAMILY_TITLES = {
    "baseline": "Baseline",
    "counters": "Counters",
    "false_sharing": "False sharing",
    "maps": "Maps",
    "stacks": "Stacks",
    "channels": "Channels",
    "poller": "URL poller",
    "events": "Event counts",  # the events-* charts (events.py), not a benchmark family
}

# A result folder's side files beside the families' JSON: not Google Benchmark output. Named here,
# where `contend run` can read them before pandas is known to be installed.
LITMUS_FILE = "litmus.json"
HAND_TIMED_FILE = "hand_timed.json"  # the hand-timed loop's runs (validity.py reads it)
OVERHEAD_FILE = "latency_overhead.json"  # the sampling cost's paired runs (overhead.py)
CORE_TO_CORE_FILE = "core_to_core.json"  # the core-to-core latency map (core_map.py)
LATENCY_BIAS_FILE = "latency_bias.json"  # the sample clock's end-of-sample bias (latency_bias)
PLACEMENT_FILE = "placement.json"  # the placement calibration's probes (placement_probe), when the run has them
# What the watchdog saved about a process it stopped (watchdog.py): results/<label>/hangs/<what>-<n>.txt;
# a benchmark it stopped has an entry in its family's JSON with the evidence file under HUNG_KEY.
HANGS_DIR = "hangs"
HUNG_KEY = "contend_hung"

# The order `contend run` runs families in: the cheap physical floors first.
FAMILIES = ["baseline", "counters", "false_sharing", "maps", "stacks", "channels", "poller"]


def split_name(name):
    """`family/workload/impl/...GB suffixes` -> (family, workload, impl), or None if too short."""
    parts = [p for p in name.split("/")
             if p not in _GB_SUFFIX_WORDS and not p.startswith(_GB_SUFFIX_PREFIXES)]
    if len(parts) < 3:
        return None
    return parts[0], parts[1], parts[2]


def slug(text):
    text = re.sub(r"\((r|tm|c)\)", "", text.lower())
    text = re.sub(r"\b(cpu|with radeon graphics)\b", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unknown"


# Microarchitectures named where (vendor, CPU family, model range) pins one down; elsewhere the
# label says family and model ("f6m167"), which tells two generations apart just as well.
_MICROARCHITECTURES = [
    ("amd", 23, range(0x30, 0x40), "zen2"), ("amd", 23, range(0x60, 0x80), "zen2"),
    ("amd", 25, range(0x00, 0x10), "zen3"), ("amd", 25, range(0x20, 0x60), "zen3"),
    ("amd", 25, range(0x10, 0x20), "zen4"), ("amd", 25, range(0x60, 0x80), "zen4"),
    ("amd", 25, range(0xA0, 0xB0), "zen4"), ("amd", 26, range(0x00, 0x80), "zen5"),
    ("intel", 6, range(0x55, 0x56), "skylake-sp"), ("intel", 6, range(0x6A, 0x6D), "icelake-sp"),
    ("intel", 6, range(0x8F, 0x90), "sapphire-rapids"), ("intel", 6, range(0xCF, 0xD0), "emerald-rapids"),
]


def microarchitecture(cpu_model, family, model):
    """'zen4' for AMD family 25 model 17, ... or None when the table does not pin it down."""
    vendor = "amd" if "amd" in cpu_model.lower() else "intel" if "intel" in cpu_model.lower() else ""
    for v, f, models, name in _MICROARCHITECTURES:
        if v == vendor and f == family and model in models:
            return name
    return None


def _int(text):
    try:
        return int(str(text), 0)
    except ValueError:
        return None


def machine_slug(cpu_model, cores, family=None, model=None):
    """The results folder's label: the CPU's name, what tells generations apart (the
    microarchitecture, or family and model: every EPYC generation calls itself "AMD EPYC") and the
    core count: 'amd-epyc-zen4-2c', 'intel-xeon-processor-f6m167-2c'. Without family and model
    (results written before labels had them) the name and the cores alone."""
    family, model = _int(family) if family is not None else None, _int(model) if model is not None else None
    if family is None or model is None:
        return f"{slug(cpu_model)}-{cores}c"
    generation = microarchitecture(cpu_model, family, model) or f"f{family}m{model}"
    return f"{slug(cpu_model)}-{generation}-{cores}c"


def pretty_cpu(cpu_model):
    """'Intel(R) Xeon(R) Processor @ 2.80GHz' -> 'Intel Xeon Processor @ 2.80GHz' for titles."""
    text = re.sub(r"\((R|TM|r|tm)\)", "", cpu_model)
    return re.sub(r"\s+", " ", text).strip()


_MAP_WORKLOAD = re.compile(r"^r(\d+)-k(\w+?)-(\w+)$")
_BATCHED_MAP_WORKLOAD = re.compile(r"^get_many-k(\w+?)-(\w+)$")


def parse_map_workload(workload):
    """'r90-k1k-uniform' -> (90, '1k', 'uniform'), or None for other shapes."""
    m = _MAP_WORKLOAD.match(workload)
    return (int(m.group(1)), m.group(2), m.group(3)) if m else None


def workload_title(family, workload):
    if family == "maps":
        parsed = parse_map_workload(workload)
        if parsed:
            reads, keys, dist = parsed
            return f"{reads}% reads, {keys} keys, {dist}"
        m = _BATCHED_MAP_WORKLOAD.match(workload)
        if m:
            return f"batched reads (get_many, 16 keys a call), {m.group(1)} keys, {m.group(2)}"
    if family == "counters":
        if workload == "increment":
            return "increment only"
        if workload == "read_heavy":
            return "90% reads"
        m = re.match(r"think(\d+)$", workload)
        if m:
            return f"increment + {m.group(1)} units of local work"
    if family == "channels":
        if workload == "pingpong":
            return "ping-pong hand-off"
        if workload == "idle":
            return "idle receiver (its CPU time while nothing is sent)"
        m = re.match(r"(spsc|mpsc|mpmc)-(small|large|unbuffered)$", workload)
        if m and m.group(2) == "unbuffered":
            return f"{m.group(1).upper()}, unbuffered (every send a rendezvous)"
        if m:
            return f"{m.group(1).upper()}, {m.group(2)} messages"
    if family == "baseline" and workload == "pingpong":
        return "ping-pong floors (cache line spinning, futex sleep/wake)"
    if family == "stacks":
        return {"pairs": "push/pop pairs", "prodcons": "producers/consumers"}.get(workload, workload)
    if family == "poller":
        m = re.match(r"sim-(\w+?)(?:-fail(\d+))?$", workload)
        if m:
            fail = f", {m.group(2)}% failures" if m.group(2) else ""
            latency = "no latency" if m.group(1) == "0" else f"{m.group(1)} latency"
            return f"simulated polls, {latency}{fail} (threads = poller workers)"
        if workload == "loopback":
            return "real HTTP HEAD to a loopback server (threads = poller workers)"
    if family == "false_sharing":
        return {"atomic": "atomic increments", "plain": "plain increments"}.get(workload, workload)
    return workload.replace("_", " ")


def family_title(family):
    return FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())
