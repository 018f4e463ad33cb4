"""Event counts per operation (events.py): on a machine without a hardware PMU the table says
"not available" with the context's reason, never 0 or a blank; counted events pass through as
the medians of the repetitions; the sentence is computed from the data; results written before
the counters existed give one "not recorded" line, no chart and no error; the charts are
byte-reproducible and drawn only when their event was counted."""
import io
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402

helpers.import_lib()
from contend_lib import events, loader, plot, report, style  # noqa: E402

NO_PMU = "no hardware PMU exposed by the kernel (/sys/bus/event_source/devices has no cpu)"
NO_PMU_CONTEXT = {
    "events_counted": "context_switches, cpu_migrations, page_faults",
    "events_not_available": "; ".join(f"{e}: {NO_PMU}" for e in ("cycles", "instructions", "cache_misses", "hitm")),
}
ALL_COUNTED = {
    "events_counted": "context_switches, cpu_migrations, page_faults, cycles, instructions, cache_misses, "
                      "hitm (MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM)",
    "events_not_available": "",
}


def rep(ops, cs, hardware=False, cache_misses=0.5):
    """One repetition's counters: ops/s and context switches per op (plus hardware events)."""
    counters = {"ops": ops, "context_switches_per_op": cs, "cpu_migrations_per_op": cs / 10,
                "page_faults_per_op": 0.0}
    if hardware:
        counters.update(cycles_per_op=100.0, instructions_per_op=40.0, cache_misses_per_op=cache_misses,
                        hitm_per_op=cache_misses / 2)
    return counters


def figures(hardware=False):
    return {
        ("counters", "increment", "mutex", 1): [rep(7e7, 1e-6, hardware)] * 3,
        ("counters", "increment", "mutex", 2): [rep(4e7, 0.02, hardware), rep(4e7, 0.03, hardware),
                                                rep(4e7, 0.04, hardware)],
        ("counters", "increment", "atomic_relaxed", 1): [rep(2e8, 1e-6, hardware)] * 3,
        ("counters", "increment", "atomic_relaxed", 2): [rep(5e7, 0.0004, hardware)] * 3,
        ("counters", "increment", "channel", 1): [rep(6e6, 0.1, hardware)] * 3,
        ("counters", "increment", "channel", 2): [rep(6e6, 0.5, hardware)] * 3,
        ("false_sharing", "atomic", "packed", 1): [rep(2e8, 0.0, hardware, 0.01)] * 3,
        ("false_sharing", "atomic", "packed", 2): [rep(5e7, 0.0, hardware, 0.9)] * 3,
        ("false_sharing", "atomic", "pad64", 1): [rep(2e8, 0.0, hardware, 0.01)] * 3,
        ("false_sharing", "atomic", "pad64", 2): [rep(4e8, 0.0, hardware, 0.001)] * 3,
    }


def load(folder, figs, ctx):
    synthetic.write(folder, synthetic.docs(figs, ctx=ctx))
    rs = loader.load([folder])
    machine = rs.machines.index[0]
    return rs, machine, rs.table[rs.table["machine"] == machine], rs.machine(machine)


class NoPmu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.rs, cls.machine, cls.table, cls.row = load(Path(cls.tmp.name) / "vm", figures(), NO_PMU_CONTEXT)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_loader_carries_counters_and_context(self):
        self.assertIn("context_switches_per_op", self.table)
        self.assertEqual(self.row["events_counted"], NO_PMU_CONTEXT["events_counted"])
        self.assertEqual(self.row["events_not_available"], NO_PMU_CONTEXT["events_not_available"])

    def test_hardware_events_not_available_with_reason(self):
        header, rows, notes = events.event_table(self.table, self.row)
        hw_column = header.index("cycles, instructions, cache misses, HITM loads per op")
        self.assertTrue(rows)
        for r in rows:
            self.assertEqual(r[hw_column], "not available")
            self.assertTrue(all(str(c).strip() for c in r), r)  # never a blank
        self.assertEqual(notes, [f"Not available here: cycles, instructions, cache misses, HITM loads — {NO_PMU}."])
        page = events.section_html(self.rs, self.machine, report._table)
        self.assertIn("not available", page)
        self.assertIn("has no cpu", page)
        self.assertIn("No chart of cache misses per increment", page)

    def test_counted_values_pass_through_as_medians(self):
        header, rows, _ = events.event_table(self.table, self.row)
        cs = header.index("context switches per op")
        by_impl = {(r[0], r[1]): r for r in rows}
        self.assertEqual(by_impl[("counters/increment", "mutex")][2], "2")  # the hardware-thread count
        self.assertEqual(by_impl[("counters/increment", "mutex")][cs], "0.03")  # median of 0.02, 0.03, 0.04
        self.assertEqual(by_impl[("counters/increment", "channel")][cs], "0.5")
        self.assertEqual(by_impl[("false_sharing/atomic", "packed")][cs], "0")  # counted and truly zero

    def test_sentence_is_computed(self):
        s = events.sentence(self.table, self.row)
        self.assertIn("Of the table's 5 figures at 2 threads, channel in counters/increment context-switches "
                      "most: 0.5 per operation, 1,250× the 0.0004 of atomic_relaxed, the fewest in that workload", s)
        self.assertIn(f"no hardware event was counted (cycles, instructions, cache misses, HITM loads): {NO_PMU}", s)

    def test_sentence_follows_the_data(self):
        figs = {k: v for k, v in figures().items() if k[0] == "counters"}
        figs[("counters", "increment", "mutex", 2)] = [rep(4e7, 2.0)] * 3
        with tempfile.TemporaryDirectory() as tmp:
            _, _, table, row = load(Path(tmp) / "vm", figs, NO_PMU_CONTEXT)
            s = events.sentence(table, row)
        self.assertIn("Of the table's 3 figures at 2 threads, mutex in counters/increment context-switches most: "
                      "2 per operation, 5,000× the 0.0004 of atomic_relaxed, the fewest in that workload", s)
        figs = {k: v for k, v in figures().items() if k[0] == "false_sharing"}
        figs[("false_sharing", "atomic", "packed", 2)] = [rep(5e7, 0.25)] * 3
        with tempfile.TemporaryDirectory() as tmp:
            _, _, table, row = load(Path(tmp) / "vm", figs, NO_PMU_CONTEXT)
            s = events.sentence(table, row)
        self.assertIn("packed in false_sharing/atomic context-switches most: 0.25 per operation, "
                      "against none at all for pad64", s)

    def test_charts_only_for_counted_events(self):
        stems = [stem for stem, fig in events.charts(self.table, self.row) if style.close(fig) is None]
        self.assertIn("events-context_switches-locks", stems)
        self.assertIn("events-context_switches-blocking_channels", stems)
        self.assertNotIn("events-cache_misses-false_sharing", stems)
        self.assertTrue(set(stems) <= {s for s, f in plot.machine_charts(self.rs, self.machine)
                                       if style.close(f) is None})


class AllCounted(unittest.TestCase):
    def test_cache_miss_chart_reproducible_and_no_notes(self):
        with tempfile.TemporaryDirectory() as tmp:
            rs, machine, table, row = load(Path(tmp) / "pmu", figures(hardware=True), ALL_COUNTED)
            header, rows, notes = events.event_table(table, row)
            self.assertEqual(notes, [])
            self.assertIn("HITM loads per op", header)
            self.assertNotIn("not available", [c for r in rows for c in r])
            self.assertIn("hardware events counted: cycles, instructions, cache misses, HITM loads",
                          events.sentence(table, row))
            drawn = []
            for _ in range(2):
                files = {}
                for stem, fig in events.charts(table, row):
                    for fmt in plot.FORMATS:
                        buf = io.BytesIO()
                        style.save(fig, buf, fmt)
                        files[(stem, fmt)] = buf.getvalue()
                    style.close(fig)
                drawn.append(files)
            self.assertIn(("events-cache_misses-false_sharing", "svg"), drawn[0])
            self.assertEqual(drawn[0], drawn[1])

    def test_reason_holding_a_semicolon_stays_whole(self):
        row = {"events_counted": "context_switches",
               "events_not_available": "cpu_migrations: a; b; page_faults: c; cycles: d; instructions: d; "
                                       "cache_misses: d; hitm: e"}
        avail = events.availability(row)
        self.assertEqual(avail["cpu_migrations"], "a; b")
        self.assertEqual(avail["page_faults"], "c")
        self.assertIsNone(avail["context_switches"])


class NotRecorded(unittest.TestCase):
    def test_old_results_say_not_recorded(self):
        figs = {k: [v["ops"] for v in vals] for k, vals in figures().items()}
        with tempfile.TemporaryDirectory() as tmp:
            rs, machine, table, row = load(Path(tmp) / "old", figs, None)
            self.assertIsNone(events.event_table(table, row))
            self.assertEqual(list(events.charts(table, row)), [])
            page = events.section_html(rs, machine, report._table)
        self.assertIn(events.NOT_RECORDED, page)
        self.assertEqual(page.count("<p"), 1)  # one line

    def test_committed_results_build_a_report(self):
        rs = loader.load([helpers.REPO / "results" / "intel-xeon-processor-f6m167-2c"])
        page = events.section_html(rs, rs.machines.index[0], report._table)
        self.assertIn("Event counts — intel-xeon-processor-f6m167-2c", page)
        counted = rs.machines.iloc[0].get("events_counted")
        if isinstance(counted, str) and counted:  # results of a binary that counts events
            self.assertIn("<table>", page)
            self.assertNotIn(events.NOT_RECORDED, page)
        else:
            self.assertIn(events.NOT_RECORDED, page)


if __name__ == "__main__":
    unittest.main()
