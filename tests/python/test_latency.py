"""Latency percentiles in the analysis: read from the result files (max as the worst repetition),
the report's sentence and table computed from them, the charts drawn, the sampling cost stated from
paired runs, and results without latency said to be "not recorded" rather than failing."""
import io
import json
import stat
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

helpers.import_lib()
from contend_lib import latency, loader, overhead, plot, report, style  # noqa: E402

M = 1e6
MAPS = ("maps", "r90-k1k-uniform")


def lat(ops, p50, p99, p999, mx, samples=20000):
    return {"ops": ops, "p50_ns": p50, "p90_ns": p50 * 1.2, "p99_ns": p99, "p99.9_ns": p999, "max_ns": mx,
            "latency_samples": samples}


def figures():
    """mutex: p99 ~100 ns; channel: p99 ~2 µs with a long tail; 5 repetitions each at 1 and 2 threads."""
    f = {}
    for t in (1, 2):
        f[MAPS + ("mutex", t)] = [lat(10 * M, 40 + i, 100 + i, 150 + i, 2000 + 100 * i) for i in range(5)]
        f[MAPS + ("channel", t)] = [lat(2 * M, 500 + i, 2000 + 10 * i, 50000 + i, 90000 + 1000 * i)
                                    for i in range(5)]
    f[("counters", "increment", "mutex", 2)] = [lat(20 * M, 70, 1100, 13000, 34000) for _ in range(5)]
    return f


class Latency(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = synthetic.write(Path(self.tmp.name) / "machine", synthetic.docs(
            figures(), ctx={"latency_clock": "tsc", "latency_clock_ns": "17.0", "latency_budget": "0.01", "latency_sampling": "on"}))
        self.rs = loader.load([self.folder])
        self.m = self.rs.machines.index[0]
        self.table = self.rs.table[self.rs.table["machine"] == self.m]
        self.reps = self.rs.reps[self.rs.reps["machine"] == self.m]
        self.row = self.rs.machine(self.m)

    def tearDown(self):
        self.tmp.cleanup()

    def cell(self, impl, threads, column):
        t = self.table
        return t[(t["family"] == "maps") & (t["impl"] == impl) & (t["threads"] == threads)][column].iloc[0]

    def test_percentiles_are_medians_and_max_the_worst_repetition(self):
        self.assertEqual(self.cell("mutex", 2, "p99_ns"), 102)     # median of 100..104
        self.assertEqual(self.cell("mutex", 2, "p99.9_ns"), 152)
        self.assertEqual(self.cell("mutex", 2, "max_ns"), 2400)    # the worst of 2000..2400
        self.assertEqual(self.rs.percentile_columns(), ["p50_ns", "p90_ns", "p99_ns", "p99.9_ns"])

    def test_sentence_and_table_follow_from_the_data(self):
        lines, header, rows = latency.section(self.table, self.reps, self.row)
        first = lines[0]
        self.assertIn("At 2 threads, maps/r90-k1k-uniform's p99 runs from 102 ns (mutex)", first)
        self.assertIn("to 2.0 µs (channel", first)
        self.assertIn("p = 0.008", first)  # 5 against 5, every channel p99 above every mutex p99
        # Widest tail: the counter's 13000 / 70 = 186×, beyond the channel map's 50002 / 502 = 100×.
        self.assertIn("widest tail is counters/increment on mutex, whose p99.9 (13.0 µs) is 186× its median (70 ns)",
                      first)
        self.assertIn("no coordinated-omission correction", lines[1])
        self.assertIn("the sample clock is the TSC, read with a bare rdtsc", lines[1])
        self.assertIn("one read costs 17 ns", lines[1])
        self.assertEqual(header[4:9], ["p50", "p90", "p99", "p99.9", "max"])
        maps_rows = [r for r in rows if r[0] == "maps/r90-k1k-uniform"]
        self.assertEqual([r[2] for r in maps_rows], ["mutex", "channel"])  # by p99
        self.assertEqual(maps_rows[0][4:9], ["42 ns", "50 ns", "102 ns", "152 ns", "2.4 µs"])

    def test_charts_are_drawn_for_each_figure(self):
        stems = [stem for stem, fig in plot.machine_charts(self.rs, self.m) if "latency_" in stem
                 and not style.close(fig)]
        self.assertEqual(stems, ["counters-increment-latency_spectrum", "maps-r90-k1k-uniform-latency_percentiles",
                                 "maps-r90-k1k-uniform-latency_spectrum"])

    def test_report_states_latency_and_the_sampling_cost(self):
        (self.folder / overhead.OVERHEAD_FILE).write_text(json.dumps({"pairs": 3, "benchmarks": [
            {"benchmark": "maps/r90-k1k-uniform/mutex/real_time/threads:2", "family": "maps",
             "on": [99.0, 98.0, 99.5], "off": [100.0, 100.0, 100.0]}]}))
        rs = loader.load([self.folder])
        page = report.build(rs)
        self.assertIn("Latency of single operations", page)
        self.assertIn("Sampling costs +1.0% of throughput, the median of 3 paired runs", page)
        self.assertIn("too few pairs to test", page)

    def test_results_without_latency_say_not_recorded(self):
        plain = synthetic.write(Path(self.tmp.name) / "old", synthetic.docs({MAPS + ("mutex", 1): [1 * M] * 3}))
        rs = loader.load([plain])
        m = rs.machines.index[0]
        self.assertIsNone(latency.section(rs.table, rs.reps, rs.machine(m)))
        self.assertIn("Not recorded", report.build(rs))
        self.assertEqual([s for s, f in plot.machine_charts(rs, m) if "latency_" in s and not style.close(f)], [])


class SamplingCost(unittest.TestCase):
    def test_summary_pools_every_pair(self):
        doc = {"pairs": 4, "benchmarks": [
            {"family": "maps", "on": [97, 98, 96, 97], "off": [100, 100, 100, 100]},
            {"family": "stacks", "on": [100, 101, 99, 100], "off": [100, 100, 100, 100]}]}
        s = overhead.summary(doc)
        self.assertAlmostEqual(s["cost"], 1 - 0.985)  # median of 0.96..1.01
        self.assertAlmostEqual(s["families"]["maps"], 0.03)
        self.assertAlmostEqual(s["families"]["stacks"], 0.0)
        self.assertEqual(s["pairs"], 8)
        self.assertIsNotNone(s["p"])
        self.assertIn("within the 5% bound", overhead.sentence(doc))
        doc["benchmarks"][0]["on"] = [90, 90, 90, 90]
        self.assertIn("beyond the 5% bound", overhead.sentence(doc))
        self.assertIn("not measured", overhead.sentence(None))

    def test_measure_alternates_the_order_and_writes_the_file_whole(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "calls"
            exe = Path(tmp) / "bench_maps"
            # A stand-in binary: 100 ops/s with sampling, 102 without; it logs the order it was called in.
            exe.write_text(textwrap.dedent(f"""\
                #!/usr/bin/python3
                import json, sys
                args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
                on = args["--latency"] == "on"
                open({str(log)!r}, "a").write(args["--latency"] + "\\n")
                name = "maps/r90-k1k-uniform/mutex/real_time/threads:2"
                json.dump({{"benchmarks": [{{"name": name, "run_type": "iteration",
                           "ops_per_sec": 100.0 if on else 102.0}}]}}, open(args["--benchmark_out"], "w"))
                """))
            exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
            out = Path(tmp) / overhead.OVERHEAD_FILE
            doc = overhead.measure([("maps", "r90-k1k-uniform", 2)], lambda f: exe, [], 3, out,
                                   progress=io.StringIO())
            self.assertEqual(log.read_text().split(), ["on", "off", "off", "on", "on", "off"])
            self.assertEqual(json.loads(out.read_text()), doc)
            self.assertEqual(doc["benchmarks"][0]["on"], [100.0] * 3)
            self.assertAlmostEqual(overhead.summary(doc)["cost"], 1 - 100 / 102)
            self.assertEqual([p.name for p in Path(tmp).iterdir() if p.name.startswith(".")], [])


if __name__ == "__main__":
    unittest.main()
