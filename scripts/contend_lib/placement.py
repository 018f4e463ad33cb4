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

One probe, one scale. Go's probe (contend-go) is another instrument than the C++ one: files
without the context key `probe_loop` ran a loop of their own (a fully fenced store, no PAUSE) that
read ~60 ns where the C++ probe read ~33 ns on one Zen 5 placement, ~200 where it read ~190 on the
other. A `Scale` maps Go's probes onto the C++ scale before classes are found, so that one
placement is one class in both languages: by the calibration's back-to-back record when there is
one (calibration.py), else by nothing at all when the Go file ran the C++ loop (`probe_loop`
"cpp_pingpong"), else by matching Go's own classes to the C++ classes in order (`match_scale`).
"""
import itertools
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


@dataclass(frozen=True)
class Scale:
    """Go's probe onto the C++ probe's scale: `anchors` ((go_ns, cpp_ns), ...) of matched classes,
    fastest first; a Go probe is multiplied by the ratio of the anchor nearest it (on a log scale),
    so that a Go class lands whole on its C++ class with its own spread. No anchors: identity."""
    anchors: tuple = ()
    source: str = "identity"

    def __call__(self, ns):
        if ns is None or not isinstance(ns, (int, float)) or math.isnan(ns) or ns <= 0 or not self.anchors:
            return ns
        go, cpp = min(self.anchors, key=lambda a: abs(math.log(ns / a[0])))
        return ns * cpp / go

    def describe(self):
        if not self.anchors:
            return {"same loop": "Go's probe ran the C++ loop: read on the C++ scale as it is"}.get(
                self.source, "Go's probe read as it is (no C++ probes to map it onto)")
        pairs = ", ".join(f"{ns_name(g)} -> {ns_name(c)}" for g, c in self.anchors)
        how = {"calibration": "the calibration's back-to-back probes (placement.json)",
               "clusters": "Go's own classes matched to the C++ classes in order"}.get(self.source, self.source)
        return f"Go's probe mapped onto the C++ scale by {how}: {pairs}"

    def as_json(self):
        return {"source": self.source, "anchors": [{"go_ns": round(g, 3), "cpp_ns": round(c, 3)}
                                                   for g, c in self.anchors]}


IDENTITY = Scale()
SAME_LOOP = Scale((), "same loop")


def scale_from_json(doc, source="calibration"):
    """A Scale from placement.json's `go_mapping` ({"anchors": [{"go_ns", "cpp_ns"}]}), or None."""
    anchors = doc.get("anchors") if isinstance(doc, dict) else None
    if not isinstance(anchors, list):
        return None
    pairs = tuple(sorted((float(a["go_ns"]), float(a["cpp_ns"])) for a in anchors
                         if isinstance(a, dict) and all(isinstance(a.get(k), (int, float)) and a[k] > 0
                                                        for k in ("go_ns", "cpp_ns"))))
    return Scale(pairs, source) if pairs else None


def go_scale(probe_loop, cpp_probes, go_probes, recorded=None):
    """The Scale of one Go file's probes (its context's `probe_loop`, "" before it existed): the
    calibration's back-to-back record when there is one (`recorded`); the C++ loop's probes as
    they are; else Go's own classes matched to the C++ ones in order (match_scale)."""
    if recorded is not None:
        return recorded
    if probe_loop == "cpp_pingpong":
        return SAME_LOOP
    return match_scale(cpp_probes, go_probes) if cpp_probes and go_probes else IDENTITY


def match_scale(cpp_probes, go_probes, source="clusters"):
    """The Scale that takes Go's classes onto the C++ ones: each instrument's probes are classed on
    their own (find_classes), and Go's classes are matched to C++'s in order, fastest to fastest,
    choosing among the order-keeping matchings the one whose matched medians lie closest (the sum
    of |log(go / cpp)|), so that a class one instrument saw and the other did not is left out
    instead of shifting every match by one. Identity when either has no class."""
    cpp = [c.median_ns for c in find_classes(cpp_probes).classes]
    go = [c.median_ns for c in find_classes(go_probes).classes]
    if not cpp or not go:
        return IDENTITY

    def cost(pairs):
        return sum(abs(math.log(g / c)) for g, c in pairs)

    if len(go) <= len(cpp):
        options = ([(g, cpp[j]) for g, j in zip(go, pick)] for pick in itertools.combinations(range(len(cpp)), len(go)))
    else:
        options = ([(go[i], c) for i, c in zip(pick, cpp)] for pick in itertools.combinations(range(len(go)), len(cpp)))
    return Scale(tuple(min(options, key=cost)), source)
