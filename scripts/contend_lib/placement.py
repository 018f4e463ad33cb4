"""Placement classes: where a run's threads sat, found from its placement probes.

The placement probe (benchmarks/probe.hpp) is the one-way latency of a cache line bounced between
two pinned threads, taken before (`probe_ns`) and, since schema 3, after (`probe_after_ns`) each
repetition. On bare metal it is one number per machine; on a cloud guest whose vCPUs move it falls
into a few classes, one per physical placement of the vCPUs (on the recorded Zen 4 guest: 14 ns
SMT siblings, 34 ns two cores of one CCX, 155 ns two CCDs). A placement class is a dimension of
the figures, never a disturbance; a probe far above every class is: the vCPU was descheduled
during the probe (`preempted`).

How classes are found: the run's probes sorted on a log scale and split wherever one is more than
CLASS_GAP times the one before. Probes above PREEMPTED_NS, or more than PREEMPTED_FACTOR times the
slowest class below them, are `preempted`. A cluster holding fewer than MIN_CLASS_SHARE of the
probes (and fewer than MIN_CLASS_PROBES) is no class of its own: a probe is always given the
nearest class (the boundaries are the geometric midpoints between neighbouring classes), so a
stable machine has exactly one class and nothing changes for it.
"""
import math
import statistics
from dataclasses import dataclass

CLASS_GAP = 1.5
PREEMPTED_FACTOR = 10.0
PREEMPTED_NS = 10_000.0
MIN_CLASS_SHARE = 0.01
MIN_CLASS_PROBES = 3
PREEMPTED = "preempted"


def ns_name(ns):
    """A class's name: its median one-way latency, rounded as people say it ("14 ns", "155 ns",
    "1.2 us")."""
    if ns >= 1000:
        return f"{ns / 1000:.2g} us"
    return f"{ns:.0f} ns" if ns >= 10 else f"{ns:.1f} ns"


@dataclass(frozen=True)
class PlacementClass:
    name: str          # "34 ns"
    median_ns: float
    lo_ns: float       # fastest probe in the class
    hi_ns: float       # slowest
    count: int
    share: float       # of the probes that were not preempted
    relation: str = ""  # "SMT siblings", "one socket", "across sockets", "as seen by the guest", ""


@dataclass(frozen=True)
class Placement:
    classes: tuple        # PlacementClass, fastest first
    preempted: int        # probes found preempted
    limit_ns: float       # a probe above this is preempted
    scope: str = ""       # "the threads' pair" or "the machine's (median of N pairs)"

    @property
    def several(self):
        return len(self.classes) > 1

    def names(self):
        return [c.name for c in self.classes]

    def dominant(self):
        """The class with the most probes: where the machine spends most of its time."""
        return max(self.classes, key=lambda c: (c.count, -c.median_ns)) if self.classes else None

    def get(self, name):
        for c in self.classes:
            if c.name == name:
                return c
        return None

    def window(self, name):
        """(lo, hi) in ns: the probes this class takes (the wait's window, --placement=LO:HI)."""
        k = self.names().index(name)
        lo = 0.0 if k == 0 else _midpoint(self.classes[k - 1].hi_ns, self.classes[k].lo_ns)
        hi = (self.limit_ns if k == len(self.classes) - 1
              else _midpoint(self.classes[k].hi_ns, self.classes[k + 1].lo_ns))
        return lo, hi

    def of(self, probe):
        """The class name of one probe, PREEMPTED, or None when there is no probe."""
        if probe is None or not isinstance(probe, (int, float)) or math.isnan(probe) or probe <= 0:
            return None
        if probe > self.limit_ns:
            return PREEMPTED
        if not self.classes:
            return None
        for c in self.classes:
            lo, hi = self.window(c.name)
            if lo <= probe < hi:
                return c.name
        return self.classes[-1].name

    def describe(self):
        """One line: the classes with their shares, and the preempted probes."""
        if not self.classes:
            return "no placement probes"
        parts = [f"{c.name}{' (' + c.relation + ')' if c.relation else ''}: {c.share:.0%} of probes"
                 for c in self.classes]
        tail = f"; {self.preempted} preempted (above {ns_name(self.limit_ns)})" if self.preempted else ""
        return f"{len(self.classes)} placement class{'es' if self.several else ''} ({'; '.join(parts)}){tail}"


def _midpoint(a, b):
    return math.sqrt(a * b)


def _clusters(values):
    """Sorted values split where one is more than CLASS_GAP times the one before."""
    out = []
    for v in values:
        if out and v > out[-1][-1] * CLASS_GAP:
            out.append([v])
        elif out:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def find_classes(probes, relation=None, scope=""):
    """The Placement of a run's probes (any iterable of ns; zeros, None and NaN are ignored).
    `relation(median_ns)` names a class's relation where the topology tells (see relation_namer)."""
    values = sorted(float(p) for p in probes
                    if isinstance(p, (int, float)) and not math.isnan(p) and p > 0)
    below = [v for v in values if v <= PREEMPTED_NS]
    clusters = _clusters(below)
    # From the slowest down: a cluster far above the one below it is preemption, not a place.
    while len(clusters) > 1 and clusters[-1][0] > PREEMPTED_FACTOR * clusters[-2][-1]:
        clusters.pop()
    kept = [v for c in clusters for v in c]
    limit = min(PREEMPTED_NS, PREEMPTED_FACTOR * kept[-1]) if kept else PREEMPTED_NS
    preempted = sum(1 for v in values if v > limit)
    kept = [v for v in kept if v <= limit]
    enough = max(MIN_CLASS_PROBES, MIN_CLASS_SHARE * len(kept))
    big = [c for c in _clusters(kept) if len(c) >= enough] or ([kept] if kept else [])
    # Every probe of a small cluster joins the nearest big one (on a log scale).
    members = [[] for _ in big]
    for v in kept:
        k = min(range(len(big)), key=lambda i: abs(math.log(v / statistics.median(big[i]))))
        members[k].append(v)
    classes = []
    for m in members:
        med = statistics.median(m)
        classes.append(PlacementClass(name=ns_name(med), median_ns=med, lo_ns=m[0], hi_ns=m[-1], count=len(m),
                                      share=len(m) / len(kept), relation=relation(med) if relation else ""))
    return Placement(classes=tuple(classes), preempted=preempted, limit_ns=limit, scope=scope)


def relation_namer(context):
    """What a class is, where the machine can tell: on a guest nothing past "as seen by the guest"
    (its topology is the hypervisor's story); on bare metal with one probe pair, the pair's relation
    from the topology ("cpu0=s0c0 cpu1=s0c1": socket and core of each CPU); otherwise nothing."""
    virtual = str(context.get("virtualized", "unknown")).lower()
    if virtual in ("yes", "true", "1"):
        return lambda _ns: "as seen by the guest"
    pairs = str(context.get("probe_pairs", "")).split(",")
    if virtual not in ("no", "false", "0") or len(pairs) != 1 or "-" not in pairs[0]:
        return None
    where = dict(item.split("=", 1) for item in str(context.get("topology", "")).split() if "=" in item)
    a, b = (f"cpu{x}" for x in pairs[0].split("-", 1))
    if a not in where or b not in where:
        return None
    sa, ca = where[a].split("c", 1) if "c" in where[a] else (where[a], "")
    sb, cb = where[b].split("c", 1) if "c" in where[b] else (where[b], "")
    text = "SMT siblings" if (sa, ca) == (sb, cb) else ("one socket" if sa == sb else "across sockets")
    return lambda _ns: text


def scope_of(context):
    """Whose placement a class is: with one probe pair it is the pair the threads ran on (2 CPUs);
    with several it is the median over them, the machine's placement, not the threads' pair."""
    pairs = [p for p in str(context.get("probe_pairs", "")).split(",") if p]
    if len(pairs) <= 1:
        return "the threads' CPU pair"
    return f"the machine's (median of {len(pairs)} CPU pairs), not the threads' own pair"
