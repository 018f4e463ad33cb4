"""Small synthetic result sets in the schema of docs/results-format.md, built in memory for one test.

`figures` maps (family, workload, impl, threads) to the ops/s of each repetition (or, for
pingpong workloads, `ns=[...]` one-way latencies); every repetition is a quiet one unless the
test gives it counters of its own. Nothing here is a timing: the numbers are chosen."""
import json
from pathlib import Path

X86 = {"cpu_model": "Intel(R) Xeon(R) Processor @ 2.80GHz", "kernel": "Linux 6.1.0 x86_64"}
ARM = {"cpu_model": "Neoverse-N1", "kernel": "Linux 6.1.0 aarch64"}


def context(family, schema=3, cores=2, **extra):
    ctx = {"cpu_model": X86["cpu_model"], "kernel": X86["kernel"], "cores": str(cores),
           "hardware_concurrency": str(cores), "contend_family": family, "contend_mode": "default",
           "run_ms": "300"}
    if schema is not None:
        ctx.update(schema_version=str(schema), pin="none", probe_pairs="0-1", taint_foreign_cpu="0.10")
    ctx.update(extra)
    return ctx


def name(family, workload, impl, threads):
    return f"{family}/{workload}/{impl}/real_time/threads:{threads}"


def entry(bench, threads, index, ops, schema=3, **counters):
    e = {"name": bench, "run_name": bench, "run_type": "iteration", "repetitions": 5,
         "repetition_index": index, "threads": threads, "iterations": 1, "ops_per_sec": float(ops),
         "ns_per_op": 1e9 / ops, "cpu_ns_per_op": threads * 1e9 / ops}
    if schema and schema >= 2:
        e.update(foreign_cpu=0.0, steal_cpu=0.0, parallelism=float(threads), parallelism_needed=float(threads),
                 tainted=0.0, taint_foreign=0.0, taint_parallelism=0.0, probe_ns=60.0)
    if schema and schema >= 3:
        e.update(probe_after_ns=60.0)
    e.update(counters)
    return e


def docs(figures, schema=3, ctx=None):
    """{family: Google Benchmark JSON document} for `figures` (see the module doc)."""
    out = {}
    for (family, workload, impl, threads), values in figures.items():
        values = values if isinstance(values, list) else [values]
        d = out.setdefault(family, {"context": context(family, schema, **(ctx or {})), "benchmarks": []})
        bench = name(family, workload, impl, threads)
        for i, v in enumerate(values):
            if isinstance(v, dict):
                v = dict(v)
                d["benchmarks"].append(entry(bench, threads, i, v.pop("ops"), schema, **v))
            elif workload == "pingpong":
                d["benchmarks"].append(entry(bench, threads, i, 1e9 / v, schema))
            else:
                d["benchmarks"].append(entry(bench, threads, i, v, schema))
    return out


def write(folder, family_docs, hand_timed=None):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for family, doc in family_docs.items():
        (folder / f"{family}.json").write_text(json.dumps(doc, indent=1))
    if hand_timed is not None:
        (folder / "hand_timed.json").write_text(json.dumps(hand_timed))
    return folder


M = 1e6


def consistent():
    """A run that respects every invariant: one shared line never beats one thread, the atomics
    agree with the baseline, no hand-off beats the cache-line floor, the hand-timed loop agrees."""
    return {
        ("baseline", "increment", "contended", 1): [100 * M, 101 * M, 99 * M],
        ("baseline", "increment", "contended", 2): [50 * M, 51 * M, 49 * M],
        ("baseline", "increment", "uncontended", 1): [100 * M, 101 * M, 99 * M],
        ("baseline", "pingpong", "cache_line", 2): [60.0, 61.0, 59.0],
        ("counters", "increment", "atomic_relaxed", 1): [100 * M, 99 * M, 98 * M],
        ("counters", "increment", "atomic_relaxed", 2): [48 * M, 49 * M, 47 * M],
        ("counters", "increment", "atomic_seq_cst", 1): [98 * M, 99 * M, 97 * M],
        ("counters", "increment", "atomic_seq_cst", 2): [47 * M, 46 * M, 48 * M],
        ("counters", "increment", "cas", 1): [70 * M, 71 * M, 69 * M],
        ("counters", "increment", "cas", 2): [30 * M, 31 * M, 29 * M],
        ("counters", "increment", "mutex", 1): [80 * M, 81 * M, 79 * M],
        ("counters", "increment", "mutex", 2): [12 * M, 13 * M, 11 * M],
        ("counters", "increment", "sharded_padded", 2): [190 * M, 200 * M, 195 * M],  # not one line
        ("channels", "pingpong", "boost_spsc", 2): [300.0, 310.0, 290.0],
        ("channels", "pingpong", "moody", 2): [350.0, 360.0, 340.0],
    }


def hand_timed(rate_2=45 * M):
    return {"context": {"schema_version": "2"},
            "runs": [{"threads": 2, "ops_per_sec": rate_2 * f, "repetition": i}
                     for i, f in enumerate((0.98, 1.0, 1.02))]}


def make_sysfs(root, sockets=2, cores=32, smt=2):
    """cpuN/topology/{physical_package_id,core_id} numbered as Linux does: every core's first
    thread on each socket, then the SMT siblings."""
    n = sockets * cores
    for cpu in range(n * smt):
        topo = Path(root) / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True)
        (topo / "physical_package_id").write_text(f"{cpu % n // cores}\n")
        (topo / "core_id").write_text(f"{cpu % cores}\n")
        (topo / "thread_siblings_list").write_text(f"{cpu % n},{cpu % n + n}\n")
    (Path(root) / "online").write_text(f"0-{n * smt - 1}\n")
    return Path(root)


# The core-to-core map of a 2 packages × 16 cores × 2 SMT machine, numbered as Linux does (cpu c
# and c + 32 are SMT siblings, 0-15 and 32-47 package 0): SMT siblings 15 ns, other cores of the
# package 60 ns, the other package 150 ns; one pair could not be pinned (NULL_PAIR) and one is
# slow (SLOW_PAIR, 180 ns), so the worst pair is known. Median of the 2 015 measured: 150 ns
# (32 SMT and 960 same-package pairs sit below it).
C2C_NS = {"smt": 15.0, "core": 60.0, "package": 150.0}
NULL_PAIR, SLOW_PAIR = (1, 40), (5, 50)


def core_to_core_doc(sockets=2, cores=16, smt=2):
    n = sockets * cores

    def relation(a, b):
        if a % n // cores != b % n // cores:
            return "package"
        return "smt" if a % cores == b % cores else "core"

    pairs = []
    for a in range(n * smt):
        for b in range(a + 1, n * smt):
            rel = relation(a, b)
            ns = None if (a, b) == NULL_PAIR else 180.0 if (a, b) == SLOW_PAIR else C2C_NS[rel]
            pairs.append({"a": a, "b": b, "ns": ns, "relation": rel})
    return {"context": {"cpu_model": "Synthetic CPU", "contend_family": "core_to_core"},
            "cpus": list(range(n * smt)), "per_pair_us": 300, "pairs": pairs}


def core_to_core_two(ns=61.0):
    """The map of a 2-CPU machine like this one: one pair."""
    return {"context": {"cpu_model": X86["cpu_model"], "contend_family": "core_to_core"}, "cpus": [0, 1],
            "per_pair_us": 1000, "pairs": [{"a": 0, "b": 1, "ns": ns, "relation": "core"}]}
