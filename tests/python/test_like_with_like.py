"""Go beside C++, like with like: the one-core rule for every design, one probe on one scale, a C++
answer to a C++ question, and the same work under one name (or the difference named).

On the committed runs (Intel's, whose Go files predate the pinned rows, and Zen 5's, with Go's
pinned rows beside the scheduler's), on the recorded Zen 5 stall run's
probes (tests/python/fixtures/zen5-*: Go's probe read ~60 ns where C++'s read ~33 ns) and on
synthetic sets whose answers are chosen. Nothing here is a timing."""
import contextlib
import io
import json
import re
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
import synthetic  # noqa: E402
from synthetic import M  # noqa: E402

helpers.import_lib()
from contend_lib import (advise, calibration, compare, findings, findings_md, go_verdict, headline, lang,  # noqa: E402
                         loader, plot, sides, style, targets, validity)
from contend_lib.placement import CLASS_GAP, find_classes, match_scale  # noqa: E402

INTEL = helpers.REPO / "results" / "intel-xeon-processor-f6m167-2c"
ZEN5 = helpers.FIXTURES / "zen5-stall"
ZEN5_RUN = helpers.REPO / "results" / "amd-epyc-zen5-2c"
ZEN5_PROBES = helpers.FIXTURES / "zen5-probes.json"


def quietly(fn, *args, **kw):
    with contextlib.redirect_stderr(io.StringIO()):
        return fn(*args, **kw)


def go_doc(family_doc, family, new=False):
    """A synthetic family document as the Go binary writes it: lang go, go_<family>; `new` adds
    the context's probe_loop (a file written since Go matched the C++ work and probe)."""
    doc = json.loads(json.dumps(family_doc))
    doc["context"].update(lang="go", contend_family=f"go_{family}")
    if new:
        doc["context"]["probe_loop"] = "cpp_pingpong"
    return doc


class OneCoreRule(unittest.TestCase):
    def test_the_rule_once_for_every_hand_off_and_owner(self):
        # A channel, or a design with an owner; threads + owners and the CPUs both at least 2:
        # below 1.5 is one core, unless its sides slept in the kernel for the hand-off.
        self.assertEqual(sides.classify(1.49, 2, 0, 2, "channels", "spsc-small"), sides.ONE_CORE)
        self.assertEqual(sides.classify(1.5, 2, 0, 2, "channels", "spsc-small"), sides.CROSS_CORE)
        self.assertEqual(sides.classify(1.0, 1, 1, 2, "maps", "r90-k1k-uniform"), sides.ONE_CORE)  # client, owner
        self.assertEqual(sides.classify(1.0, 1, 0, 2, "channels", "spsc-small"), "")  # one CPU claimed
        self.assertEqual(sides.classify(1.0, 4, 0, 1, "channels", "mpsc-small"), "")  # a machine of one CPU
        self.assertEqual(sides.classify(None, 2, 0, 2, "channels", "pingpong"), "")  # not recorded (schema 1)
        self.assertEqual(sides.claim(8, 1, 4), 4)
        # Goroutines switched in the runtime (no context switch) against sides asleep in futex.
        self.assertEqual(sides.classify(1.0, 2, 0, 2, "channels", "pingpong", switches=0.0004), sides.ONE_CORE)
        self.assertEqual(sides.classify(0.9, 2, 0, 2, "channels", "pingpong", switches=1.0), "")
        # Go's locked rows pinned to CPUs of their own crossed cores whatever they kept busy.
        self.assertEqual(sides.classify(0.3, 2, 0, 2, "channels", "pingpong", switches=3.0, pinned=1),
                         sides.CROSS_CORE)
        # Workloads that wait by construction: their parallelism measures the wait.
        self.assertEqual(sides.classify(0.04, 2, 0, 2, "poller", "sim-1ms"), "")
        self.assertEqual(sides.classify(1.0, 2, 0, 2, "channels", "idle"), "")

    def test_a_lock_is_not_judged_as_a_hand_off(self):
        # A mutex whose waiter sleeps while the holder runs keeps ~1 CPU busy: that is the lock's
        # own cost, ranked with the others, not a hand-off that stayed on one core.
        figures = {("stacks", "pairs", "mutex", 2): [{"ops": v * M, "parallelism": 1.2, "parallelism_needed": 0.0}
                                                     for v in (40, 41, 42)],
                   ("stacks", "pairs", "treiber", 2): [10 * M, 11 * M, 12 * M]}
        with tempfile.TemporaryDirectory() as d:
            rs = quietly(loader.load, [synthetic.write(Path(d) / "m", synthetic.docs(figures))])
        t = rs.table.set_index("impl")
        self.assertEqual(t.loc["mutex", "sides"], "")
        self.assertEqual(sides.label(t.loc["mutex"]), "")
        a = advise.answer(rs, rs.machines.index[0], "stacks", "pairs", 2)
        self.assertEqual(a.recommended, "mutex", a.verdict)


class _Committed:
    """What every committed run keeps (a mixin: FOLDER is the run's folder): the one-core rule
    applied, a C++ answer to a C++ question with Go's only labelled, a headline at the machine's
    threads with advise's caveats."""
    FOLDER = None

    @classmethod
    def setUpClass(cls):
        cls.rs = quietly(loader.load, [cls.FOLDER])
        cls.t = cls.rs.table
        cls.machine = cls.rs.machines.index[0]

    def one_core_go(self):
        """The scheduler's rows of Go's hand-off and owner designs at 2 threads that kept under
        1.5 CPUs busy, but for the workloads that wait by construction (sides.waits)."""
        t = self.t
        sched = {impl + lang.SCHED for _, impl in lang.HAND_OFF}
        low = t[t["impl"].isin(sched) & (t["threads"] == 2) & (t["parallelism"] < 1.5)]
        return low[[not sides.waits(f, w) for f, w in zip(low["family"], low["workload"])]]

    def floor_rows(self):
        """The channel hand-off against the cache-line floor table's rows (findings)."""
        return findings.handoff_vs_floor(findings.clean_table(self.t), findings.clean_reps(self.rs.reps)).rows

    def best_pingpong(self):
        """The targets table's best-channel-ping-pong row."""
        best = targets.evaluate(self.t[self.t["machine"] == self.machine])
        return next(r for r in best if r["target"].startswith("best channel ping-pong"))

    def headline_text(self):
        return headline.markdown(self.rs, self.machine, "results/x")

    def test_go_handoffs_and_owners_ran_on_one_core_and_say_so(self):
        low = self.one_core_go()
        self.assertGreater(len(low), 10)
        self.assertTrue((low["sides"] == sides.ONE_CORE).all(),
                        low[low["sides"] != sides.ONE_CORE][["workload", "impl"]])

    def test_advise_names_a_cpp_design_and_go_only_labelled(self):
        out = helpers.run_cli("advise", self.FOLDER, "--family", "stacks", "--threads", "2", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        a = json.loads(out.stdout)["answers"][0]
        self.assertEqual(a["lang"], "cpp")
        self.assertFalse(a["recommended"].startswith("go_"), a["recommended"])
        self.assertFalse(a["runner_up"].startswith("go_"), a["runner_up"])
        self.assertTrue(a["reference"] and all(r["lang"] == "go" for r in a["reference"]))
        # A lock is ranked (the rule judges hand-offs and owners); whatever stands aside is labelled.
        self.assertNotIn("mutex", [r["impl"] for r in a["aside"]])
        self.assertTrue(all(r["label"] for r in a["aside"]))
        text = helpers.run_cli("advise", self.FOLDER, "--family", "stacks", "--threads", "2").stdout
        self.assertIn("Go's own:", text)
        self.assertRegex(text, r"recommended: (?!go_)\w+")
        every = helpers.run_cli("advise", self.FOLDER, "--family", "stacks", "--threads", "2", "--lang", "all")
        self.assertEqual(every.returncode, 0, every.stderr)
        for name in re.findall(r"\bgo_\w+(?: \(Go's\))?", every.stdout.split("all designs:")[1]):
            self.assertTrue(name.endswith("(Go's)"), name)
        doc = json.loads(helpers.run_cli("advise", self.FOLDER, "--family", "stacks", "--threads", "2", "--lang", "all",
                                         "--json").stdout)
        self.assertTrue(any(r["lang"] == "go" for r in doc["answers"][0]["ranking"]))

    def test_findings_never_rank_a_one_core_go_figure_without_its_label(self):
        block = findings_md.readme_markdown(self.rs, self.machine, "results/x")
        names = set(self.one_core_go()["impl"])
        self.assertTrue(names)
        for line in block.splitlines():
            for impl in names:
                if re.search(rf"\b{impl}\b", line):
                    self.assertIn("one core", line, f"{impl} without its label: {line[:200]}")
        hand = [r for r in self.floor_rows() if r[0] in names]
        self.assertTrue(all(r[3] == "not compared" for r in hand), hand)
        row = self.best_pingpong()
        self.assertFalse(any(row["measured"].startswith(n) for n in names), row)

    def test_the_headline_is_at_the_machines_threads_or_says_why_with_advises_caveats(self):
        hw = int(self.rs.machine(self.machine)["hw_threads"])
        text = self.headline_text()
        rows = [r for r in text.splitlines() if r.startswith("| `")]
        self.assertEqual(len(rows), len(findings_md.HEADLINE))
        for row in rows:
            threads = row.split(" | ")[1]
            self.assertTrue(threads == str(hw) or f"{hw} not measured" in threads, row)
            recommended = row.split(" | ")[2]
            self.assertFalse(recommended.startswith("go_"), row)
        for family, workload, threads, _, a in headline.answers(self.rs, self.machine):
            for caveat in a.caveats:
                self.assertIn(caveat, text, f"{family}/{workload}: a caveat advise prints is missing")


class CommittedIntel(_Committed, unittest.TestCase):
    """The committed Intel run: Go's legacy rows read as the scheduler's, judged by the one-core rule."""
    FOLDER = INTEL

    def test_legacy_go_rows_are_the_schedulers_choice(self):
        impls = set(self.t[self.t["family"].isin(["channels", "counters", "maps"])]["impl"])
        self.assertTrue({"go_chan_sched", "go_chan_buffered_sched", "go_chan_unbuffered_sched"} <= impls)
        self.assertFalse({"go_chan", "go_chan_buffered", "go_chan_unbuffered"} & impls)
        self.assertIn("go_chan", set(self.t[self.t["family"] == "poller"]["impl"]))  # not a hand-off design
        unbuffered = self.t[self.t["impl"] == "go_chan_unbuffered_sched"]
        self.assertEqual(set(unbuffered["workload"]), {"pingpong", "spsc-unbuffered", "mpsc-unbuffered",
                                                       "mpmc-unbuffered"})
        small = self.t[self.t["workload"].str.endswith("-small")]
        self.assertFalse((small["impl"] == "go_chan_unbuffered_sched").any())

    def test_the_one_core_figures_are_named_where_they_would_have_won(self):
        hand = [r for r in self.floor_rows() if r[0].startswith("go_")]
        self.assertTrue(hand and all(r[3] == "not compared" for r in hand), hand)
        self.assertIn("one core: go_chan_buffered_sched", self.best_pingpong()["measured"])
        self.assertIn("3 (2 not measured: the workload starts at 3 threads, 2 producers and 1 consumer)",
                      self.headline_text())


class CommittedZen5(_Committed, unittest.TestCase):
    """The committed Zen 5 run, the first with Go's pinned rows beside the scheduler's."""
    FOLDER = ZEN5_RUN

    def test_every_go_hand_off_has_its_pinned_row_and_its_schedulers_row(self):
        for family, impl in lang.HAND_OFF:
            rows = self.t[self.t["family"] == family]
            pinned, sched = rows[rows["impl"] == impl], rows[rows["impl"] == impl + lang.SCHED]
            self.assertTrue(len(pinned) and len(sched), (family, impl))
            # Locked to OS threads at every count; pinned to CPUs of their own where the run's
            # threads fit the machine's 2 CPUs (at 4 they share them).
            self.assertTrue((pinned["go_locked"] == 1).all(), (family, impl))
            self.assertTrue((pinned[pinned["threads"] <= 2]["go_pinned"] == 1).all(), (family, impl))
            self.assertFalse((sched["go_pinned"] == 1).any(), (family, impl))
            # A pinned row is never labelled one core: its goroutines had CPUs of their own.
            self.assertFalse((pinned[pinned["go_pinned"] == 1]["sides"] == sides.ONE_CORE).any(), (family, impl))


class Zen5Probes(unittest.TestCase):
    """The recorded Zen 5 run: Go's probe read ~60 ns where C++'s read ~33 ns on one placement."""

    def test_go_and_cpp_repetitions_at_one_placement_fall_in_one_class(self):
        doc = json.loads(ZEN5_PROBES.read_text())

        def probes(pairs):
            return [v for p in pairs for v in p if v]
        cpp, go = probes(doc["cpp"]) + doc["calibration"], probes(doc["go"])
        scale = match_scale(cpp, go)
        placement = find_classes(cpp + [scale(v) for v in go])
        self.assertEqual(len(placement.classes), 2)
        fast, slow = placement.names()
        # Where each repetition was, told apart on each instrument's own reading: both read the
        # fast placement under 100 ns and the slow one above 150 ns.
        for side, pairs, f in (("C++", doc["cpp"], lambda v: v), ("Go", doc["go"], scale)):
            for before, after in pairs:
                for raw in (before, after):
                    if not raw or raw > 2000:
                        continue
                    want = fast if raw < 100 else slow
                    self.assertEqual(placement.of(f(raw)), want, f"{side} probe {raw} ns")
        # One scale: each class's Go and C++ medians agree within the class gap (unmapped they do
        # not: Go's ~59 ns against C++'s ~31 ns).
        for c_cpp, c_go in zip(find_classes(cpp).classes, find_classes([scale(v) for v in go]).classes):
            self.assertLess(max(c_cpp.median_ns, c_go.median_ns) / min(c_cpp.median_ns, c_go.median_ns), CLASS_GAP)
        raw_go = find_classes(go).classes[0].median_ns
        self.assertGreater(raw_go / find_classes(cpp).classes[0].median_ns, CLASS_GAP)

    def test_the_excluded_go_syncmap_figure_is_a_figure_of_its_class(self):
        rs = quietly(loader.load, [ZEN5])
        t = rs.table.set_index(["impl", "threads"])
        row = t.loc[("go_syncmap", 2)]
        measured = rs.machines.iloc[0]["placement_measured"]
        fast = rs.placements[rs.machines.index[0]].names()[0]
        self.assertFalse(row["excluded"], row["exclusion"])
        self.assertEqual(row["exclusion"], "")
        self.assertEqual(row["placement"], fast)
        self.assertNotEqual(measured, fast)
        self.assertTrue(row["other_placement"])
        self.assertEqual(row["repetitions"], 5)
        self.assertFalse(t["excluded"].any(), t[t["excluded"]]["exclusion"])
        # C++ repetitions at the fast placement share the Go figure's class.
        reps = rs.reps
        cpp_fast = reps[~reps["impl"].str.startswith("go_") & (reps["probe_ns"] < 100)]
        self.assertTrue(len(cpp_fast) and set(cpp_fast["placement"]) == {fast})
        # Shown beside an answer, never ranked against the run's class, never a "no verdict".
        a = advise.answer(rs, rs.machines.index[0], "maps", "r99-k1k-uniform", 2, which=lang.ALL)
        self.assertEqual(a.verdict, "")
        self.assertNotIn("go_syncmap", [i for i, _, s in a.ranking if not s])
        self.assertIn(("go_syncmap", f"placement class {fast}"), [(i, s) for i, _, s in a.aside])

    def test_exclusion_names_the_class_it_counts(self):
        def rep(ns, ops=10):
            return {"ops": ops * M, "probe_ns": ns, "probe_after_ns": ns}
        figures = {("stacks", "pairs", "treiber", 2): [rep(60.0)] * 3 + [rep(200.0)] * 2,
                   ("stacks", "pairs", "boost", 2): [rep(200.0)] * 5,
                   ("stacks", "pairs", "mutex", 2): [rep(60.0)] * 5,
                   ("stacks", "pairs", "elimination", 2): [rep(60.0)] * 5}
        with tempfile.TemporaryDirectory() as d:
            rs = quietly(loader.load, [synthetic.write(Path(d) / "m", synthetic.docs(figures))])
        t = rs.table.set_index("impl")
        self.assertEqual(rs.machines.iloc[0]["placement_measured"], "60 ns")
        self.assertEqual(t.loc["treiber", "exclusion"], "3 of 5 repetitions in placement class 60 ns (needs 4)")
        self.assertFalse(t.loc["boost", "excluded"])  # its repetitions never left 200 ns
        self.assertEqual((t.loc["boost", "placement"], bool(t.loc["boost", "other_placement"])), ("200 ns", True))


class Calibration(unittest.TestCase):
    """contend run's calibration runs Go's probe right after the C++ one and records both."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = Path(self.tmp.name) / "repo"
        self.folder = Path(self.tmp.name) / "results"
        self.folder.mkdir()
        bench = self.repo / "build" / "release" / "benchmarks"
        bench.mkdir(parents=True)
        (self.repo / "build" / "go").mkdir(parents=True)
        self._script(bench / "placement_probe", "out = sys.argv[sys.argv.index('--json') + 1]",
                     [33.0] * 40 + [190.0] * 360)

    def tearDown(self):
        self.tmp.cleanup()

    def _script(self, path, out_expr, probes, code=0):
        doc = {"context": {"probe_pairs": "0-1"},
               "probes": [{"t_ms": 20 * i, "ns": ns, "pair_ns": [ns]} for i, ns in enumerate(probes)]}
        path.write_text("#!/usr/bin/python3\nimport json, sys\n"
                        f"{out_expr}\n"
                        f"if {code}:\n    print('contend-go: error: no pair', file=sys.stderr)\n    sys.exit({code})\n"
                        f"open(out, 'w').write(json.dumps({doc!r}))\n")
        path.chmod(0o755)

    def go(self, probes, code=0):
        self._script(self.repo / "build" / "go" / "contend-go",
                     "out = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--out=')][0]", probes, code)

    def test_both_probes_and_the_mapping_recorded_whole(self):
        self.go([60.0] * 10 + [205.0] * 90)
        quietly(calibration.calibrate, self.repo, self.folder, True, "dominant")
        doc = json.loads((self.folder / "placement.json").read_text())
        self.assertEqual(len(doc["probes"]), 400)
        self.assertEqual(len(doc["go"]["probes"]), 100)
        anchors = [(a["go_ns"], a["cpp_ns"]) for a in doc["go_mapping"]["anchors"]]
        self.assertEqual(anchors, [(60.0, 33.0), (205.0, 190.0)])
        self.assertEqual(sorted(p.name for p in self.folder.iterdir()), ["placement.json"])
        # The loader reads a Go file's probes through the record: one placement, one class.
        figures = {("maps", "r99-k1k-uniform", "mutex", 2): [{"ops": 20 * M, "probe_ns": 33.0, "probe_after_ns": 34.0}] * 5}
        go_figures = {("maps", "r99-k1k-uniform", "go_mutex", 2): [{"ops": 20 * M, "probe_ns": 61.0,
                                                                    "probe_after_ns": 59.0}] * 5}
        synthetic.write(self.folder, synthetic.docs(figures))
        (self.folder / "go_maps.json").write_text(json.dumps(go_doc(synthetic.docs(go_figures)["maps"], "maps")))
        rs = quietly(loader.load, [self.folder])
        classes = set(rs.reps["placement"])
        self.assertEqual(len(classes), 1, classes)
        self.assertIn("the calibration's back-to-back probes", rs.machines.iloc[0]["placement_scale"])

    def test_a_failing_go_probe_leaves_the_cpp_calibration(self):
        self.go([], code=1)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            calibration.calibrate(self.repo, self.folder, True, "dominant")
        doc = json.loads((self.folder / "placement.json").read_text())
        self.assertNotIn("go", doc)
        self.assertNotIn("go_mapping", doc)
        warnings = [line for line in err.getvalue().splitlines() if "warning" in line]
        self.assertEqual(len(warnings), 1, err.getvalue())
        self.assertIn("contend-go's probe exited with code 1", warnings[0])
        self.assertEqual(sorted(p.name for p in self.folder.iterdir()), ["placement.json"])

    def test_without_the_go_binary_nothing_changes(self):
        quietly(calibration.calibrate, self.repo, self.folder, True, "dominant")
        self.assertNotIn("go", json.loads((self.folder / "placement.json").read_text()))


class SameWork(unittest.TestCase):
    def test_the_counters_channel_is_not_paired_with_go_chan(self):
        self.assertNotIn(("counters", "channel", "go_chan"), go_verdict.SAME_DESIGN)
        rs = quietly(loader.load, [INTEL])
        t, r = findings.clean_table(rs.table), findings.clean_reps(rs.reps)
        f = go_verdict.cpp_over_go(t, r)
        self.assertFalse([row for row in f.rows if row[0] == "counters" and row[2] == "channel"])
        self.assertNotIn("channel ÷ go_chan_sched in counters", f.sentences[0])
        self.assertIn("channel and go_chan_sched in counters: C++'s channel counter sends fire-and-forget "
                      "increments", f.sentences[0])
        self.assertIn("different designs, not paired", f.sentences[0])
        self.assertIn("go_mutex: get_many as 16 single Gets", f.sentences[0])
        self.assertIn("go_mutex: no run-length probe under its lock", f.sentences[0])

    def test_older_go_files_name_their_work_newer_ones_match(self):
        figures = {("maps", "get_many-k1k-uniform", "go_mutex", 2): [20 * M, 21 * M, 22 * M, 23 * M, 24 * M],
                   ("maps", "get_many-k1k-uniform", "go_syncmap", 2): [20 * M, 21 * M, 22 * M, 23 * M, 24 * M],
                   ("stacks", "pairs", "go_mutex", 2): [20 * M, 21 * M, 22 * M, 23 * M, 24 * M]}
        with tempfile.TemporaryDirectory() as d:
            for name, new in (("old", False), ("new", True)):
                folder = Path(d) / name
                folder.mkdir()
                for family, doc in synthetic.docs(figures).items():
                    (folder / f"go_{family}.json").write_text(json.dumps(go_doc(doc, family, new)))
            old, new = (quietly(loader.load, [Path(d) / n]).table.set_index(["family", "impl"]) for n in ("old", "new"))
            self.assertIn("16 single Gets", old.loc[("maps", "go_mutex"), "work"])
            self.assertIn("no run-length probe", old.loc[("stacks", "go_mutex"), "work"])
            self.assertEqual(new.loc[("maps", "go_mutex"), "work"], "")
            self.assertEqual(new.loc[("stacks", "go_mutex"), "work"], "")
            self.assertIn("16 Loads", new.loc[("maps", "go_syncmap"), "work"])  # sync.Map has no batch
            both = quietly(loader.load_sets, [Path(d) / "old", Path(d) / "new"])
            table = compare.ratio_table(both)
            row = table[(table["impl"] == "go_mutex") & (table["family"] == "maps")].iloc[0]
            self.assertTrue(row["unlike"].startswith("different work: A get_many as 16 single Gets"), row["unlike"])
            summary = compare.summary(table)
            self.assertEqual(int(summary[summary["family"] == "maps"]["rows"].iloc[0]), 1)  # go_syncmap only
            self.assertIn("not alike", compare.format_table(table, both))

    def test_a_new_go_file_keeps_its_pinned_names(self):
        figures = {("channels", "spsc-unbuffered", "go_chan_unbuffered", 2): [{"ops": 5 * M, "go_locked": 1.0,
                                                                              "go_pinned": 1.0}] * 3,
                   ("channels", "spsc-small", "go_chan_buffered_sched", 2): [{"ops": 9 * M, "go_locked": 0.0}] * 3}
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d) / "m"
            folder.mkdir()
            doc = go_doc(synthetic.docs(figures)["channels"], "channels", new=True)
            (folder / "go_channels.json").write_text(json.dumps(doc))
            t = quietly(loader.load, [folder]).table
        self.assertEqual(sorted(zip(t["workload"], t["impl"])), [("spsc-small", "go_chan_buffered_sched"),
                                                                  ("spsc-unbuffered", "go_chan_unbuffered")])
        self.assertEqual(float(t[t["impl"] == "go_chan_unbuffered"]["go_pinned"].iloc[0]), 1.0)


class Floor(unittest.TestCase):
    def test_a_one_core_hand_off_is_not_held_against_the_cross_core_floor(self):
        one = {"parallelism": 1.05}
        figures = {("baseline", "pingpong", "cache_line", 2): [60.0, 61.0, 59.0],
                   ("channels", "pingpong", "go_chan_buffered_sched", 2): [{"ops": 1e9 / ns, **one} for ns in (40, 41, 42)],
                   ("channels", "pingpong", "ring", 2): [100.0, 101.0, 99.0]}
        with tempfile.TemporaryDirectory() as d:
            rs = quietly(loader.load, [synthetic.write(Path(d) / "m", synthetic.docs(figures))])
        violations, _ = validity.check(rs.table, rs.reps, rs.machine(rs.machines.index[0]).to_dict())
        self.assertEqual([v for v in violations if v.invariant.name == "no-hand-off-beats-cache-line"], [])
        best = next(r for r in targets.evaluate(rs.table) if r["target"].startswith("best channel"))
        self.assertTrue(best["measured"].startswith("ring:"), best)


class Charts(unittest.TestCase):
    def test_one_core_said_beside_the_figure(self):
        rs = quietly(loader.load, [INTEL])
        machine = rs.machines.index[0]
        wanted = {"channels-spsc-small-throughput", "counters-increment-throughput"}
        figs = {stem: fig for stem, fig in plot.machine_charts(rs, machine) if stem in wanted or style.close(fig)}
        try:
            bars = [t.get_text() for t in figs["channels-spsc-small-throughput"].axes[0].get_yticklabels()]
            self.assertIn("go_chan_buffered_sched — one core", bars)
            legend = [t.get_text() for lg in figs["counters-increment-throughput"].legends for t in lg.get_texts()]
            self.assertIn("go_chan_sched — one core", legend)
            self.assertIn(style.ONE_CORE_NOTE, legend)
        finally:
            for fig in figs.values():
                style.close(fig)

    def test_a_scheduler_row_looks_like_its_pinned_row(self):
        from contend_lib import designs
        names = set(style.IMPL_STYLE) | set(designs.declared())
        names |= {n + lang.SCHED for n in ("go_chan", "go_chan_buffered", "go_chan_unbuffered")}
        looks = {n: style.impl_style(n) for n in names}
        self.assertEqual(len(set(looks.values())), len(names))
        for n in ("go_chan", "go_chan_buffered"):
            self.assertEqual(style.impl_style(n + lang.SCHED)[0], style.impl_style(n)[0])
        self.assertEqual(style.impl_order(["go_chan_sched", "go_mutex", "go_chan"])[:2], ["go_chan", "go_chan_sched"])


if __name__ == "__main__":
    unittest.main()
