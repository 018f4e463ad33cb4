"""Charts: byte-reproducible files, and the fixes a performance engineer asked for, each checked
on the drawn figure (axes scales, texts, artists), not on a picture."""
import colorsys
import io
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
import matplotlib.collections  # noqa: E402
import matplotlib.colors  # noqa: E402
import pandas as pd  # noqa: E402

from contend_lib import findings, litmus, loader, plot, style  # noqa: E402

MACHINE = "machine_a"


def _charts(rs, wanted=None):
    out = {}
    for stem, fig in plot.machine_charts(rs, MACHINE):
        if wanted is None or stem in wanted:
            out[stem] = fig
        else:
            style.close(fig)
    return out


def _drawn_ticks(axis):
    lo, hi = sorted(axis.get_view_interval())
    return [t.label1 for t in axis.get_major_ticks() if lo <= t.get_loc() <= hi]


def text_overlaps(fig):
    """Pairs of drawn texts (titles, axis and tick labels, annotations) whose boxes intersect."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = list(fig.texts)
    for ax in fig.axes:
        if ax.get_visible():
            texts += list(ax.texts) + [ax.title, ax.xaxis.label, ax.yaxis.label]
            texts += _drawn_ticks(ax.xaxis) + _drawn_ticks(ax.yaxis)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts
             if t.get_visible() and t.get_text().strip()]
    bad = []
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1:]:
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
                bad.append((ta, tb))
    return bad


class Reproducible(unittest.TestCase):
    def test_same_data_same_bytes(self):
        rs = loader.load([helpers.FIXTURES / MACHINE])
        wanted = {"channels-pingpong-latency", "maps-r90-k1k-uniform-throughput", "false_sharing-padding"}
        drawn = []
        for _ in range(2):
            files = {}
            for stem, fig in _charts(rs, wanted).items():
                for fmt in plot.FORMATS:
                    buf = io.BytesIO()
                    style.save(fig, buf, fmt)
                    files[(stem, fmt)] = buf.getvalue()
                style.close(fig)
            drawn.append(files)
        self.assertEqual(len(drawn[0]), 2 * len(wanted))
        for key in drawn[0]:
            self.assertEqual(drawn[0][key], drawn[1][key], f"{key} differs between two drawings")
        svg = drawn[0][("false_sharing-padding", "svg")].decode()
        self.assertNotIn("<dc:date>", svg)


class Committed(unittest.TestCase):
    def test_committed_charts_are_what_plot_draws(self):
        """`plot` on the committed results rewrites them byte for byte (git stays clean)."""
        folder = helpers.REPO / "results" / "intel-xeon-processor-f6m167-2c"
        rs = loader.load([folder])
        machine = rs.machines.index[0]
        wanted = {"channels-pingpong-latency", "maps-r0-k1m-uniform-throughput"}
        for stem, fig in plot.machine_charts(rs, machine):
            if stem in wanted:
                for fmt in plot.FORMATS:
                    buf = io.BytesIO()
                    style.save(fig, buf, fmt)
                    committed = (folder / "charts" / f"{stem}.{fmt}").read_bytes()
                    self.assertTrue(buf.getvalue() == committed,
                                    f"{stem}.{fmt} differs from the committed file: run `scripts/contend plot "
                                    f"{folder.relative_to(helpers.REPO)}` and commit the charts")
            style.close(fig)


class ChartFixes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = loader.load([helpers.FIXTURES / MACHINE])
        cls.figs = _charts(cls.rs, {"channels-pingpong-latency", "channels-mpsc-small-throughput",
                                    "channels-spsc-large-throughput", "maps-r90-k1k-uniform-throughput"})

    @classmethod
    def tearDownClass(cls):
        for fig in cls.figs.values():
            style.close(fig)

    def test_pingpong_latency_log_axis_floor_visible_error_bars(self):
        ax = self.figs["channels-pingpong-latency"].axes[0]
        self.assertEqual(ax.get_xscale(), "log")
        t = self.rs.table
        floor = t[(t.family == "baseline") & (t.workload == "pingpong")]["ns_per_op"].min()
        lo, hi = ax.get_xlim()
        self.assertLess(lo, floor)
        slowest = t[(t.family == "channels") & (t.workload == "pingpong")]["ns_per_op"].max()
        self.assertGreater(hi, slowest)
        self.assertTrue(any(len(c) for c in ax.containers if hasattr(c, "errorbar") and c.errorbar),
                        "latency bars have no error bars")

    def test_channel_titles_name_buffer_capacity(self):
        title = self.figs["channels-mpsc-small-throughput"]._suptitle.get_text()
        self.assertIn("64-slot buffer, one-word messages", title)
        self.assertIn("8192-slot", self.figs["channels-spsc-large-throughput"]._suptitle.get_text())
        self.assertNotIn("small messages", title)

    def test_mpsc_points_labelled_producers_by_consumers(self):
        ax = self.figs["channels-mpsc-small-throughput"].axes[0]
        reps = self.rs.table[(self.rs.table.workload == "mpsc-small") & (self.rs.table.threads == 4)]
        p, c = int(reps["producers"].iloc[0]), int(reps["consumers"].iloc[0])
        labels = [t.get_text() for t in _drawn_ticks(ax.xaxis)]
        self.assertIn(f"4\n{p}×{c}", labels)
        self.assertIn("producers × consumers", ax.get_xlabel())

    def test_no_text_overlaps_in_any_chart(self):
        for stem, fig in plot.machine_charts(self.rs, MACHINE):
            try:
                self.assertEqual(text_overlaps(fig), [], stem)
            finally:
                style.close(fig)

    def test_core_count_named_in_legend_not_inside_plot(self):
        fig = self.figs["maps-r90-k1k-uniform-throughput"]
        for ax in fig.axes:
            self.assertEqual([t.get_text() for t in ax.texts], [])
        legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
        self.assertIn("2 hardware threads", legend)

    def test_litmus_iriw_labels_do_not_overlap(self):
        doc = litmus.load(helpers.FIXTURES / MACHINE / "litmus.json")
        iriw = [f"r1={a} r2={b} r3={c} r4={d}" for a in "01" for b in "01" for c in "01" for d in "01"]
        doc["litmus"].append({"test": "IRIW", "order": "relaxed", "trials": 250000,
                              "outcomes": [{"outcome": o, "class": "allowed", "count": 15000 + k}
                                           for k, o in enumerate(iriw)]})
        fig = litmus.chart(doc)
        try:
            self.assertEqual(text_overlaps(fig), [])
        finally:
            style.close(fig)

    def test_heatmap_cells_marked_and_no_overlaps(self):
        ratio = pd.DataFrame([[0.5, 1.04], [0.2, 1.19]], index=["r0-k1k-uniform", "r0-k1m-uniform"],
                             columns=[1, 2])
        p = pd.DataFrame([[0.008, 1.0], [0.008, 0.032]], index=ratio.index, columns=ratio.columns)
        heat = findings.Heatmap("Channel map versus mutex map", "mutex",
                                {"channel": ratio, "channel_async": ratio}, {"channel": p, "channel_async": p})
        fig = plot.heatmap_chart(heat)
        try:
            texts = [t.get_text() for t in fig.axes[0].texts]
            self.assertIn("1.04× n.s.", texts)
            self.assertIn("1.19×", texts)
            self.assertEqual(text_overlaps(fig), [])
        finally:
            style.close(fig)

    def test_cpu_time_panel_has_error_bars(self):
        ax2 = self.figs["maps-r90-k1k-uniform-throughput"].axes[1]
        bars = [c for c in ax2.containers if c.has_yerr]
        self.assertTrue(bars, "CPU-time panel has no error bars")
        segments = [s for c in bars for coll in c.lines[2] for s in coll.get_segments()]
        self.assertTrue(any(abs(s[1][1] - s[0][1]) > 0 for s in segments))

    def test_distinguishable_colours(self):
        def hue_sat(colour):
            r, g, b = matplotlib.colors.to_rgb(colour)
            h, _, s = colorsys.rgb_to_hls(r, g, b)
            return h, s
        for a, b in (("channel", "channel_async"), ("mutex", "shared_mutex")):
            (ha, sa), (hb, sb) = hue_sat(style.impl_style(a)[0]), hue_sat(style.impl_style(b)[0])
            grey_a, grey_b = sa < 0.15, sb < 0.15
            if grey_a or grey_b:
                self.assertNotEqual(grey_a, grey_b, f"{a} and {b} are both grey")
            else:
                d = abs(ha - hb)
                self.assertGreater(min(d, 1 - d), 0.1, f"{a} and {b} have nearly the same hue")


class Poller(unittest.TestCase):
    def test_log_axis_and_polls(self):
        rows = [{"machine": MACHINE, "family": "poller", "workload": "sim-0", "impl": impl,
                 "threads": t, "ops_per_sec": v, "ops_min": v * 0.9, "ops_max": v * 1.1,
                 "cpu_ns_per_op": 1e9 / v, "repetitions": 3}
                for impl, base in (("channel", 6e5), ("shared", 5e6)) for t, v in ((1, base), (2, base * 1.1))]
        row = loader.load([helpers.FIXTURES / MACHINE]).machine(MACHINE)
        fig = plot.throughput_chart(pd.DataFrame(rows), row, "poller", "sim-0")
        try:
            ax = fig.axes[0]
            self.assertEqual(ax.get_yscale(), "log")
            self.assertIn("polls", ax.get_ylabel())
            self.assertNotIn("operation", ax.get_ylabel())
        finally:
            style.close(fig)


class Tainted(unittest.TestCase):
    def test_tainted_points_hollow_and_absence_tolerated(self):
        rs = loader.load([helpers.FIXTURES / MACHINE])
        row = rs.machine(MACHINE)
        sub = rs.table[(rs.table.family == "stacks") & (rs.table.workload == "pairs")].copy()
        fig = plot.throughput_chart(sub, row, "stacks", "pairs")  # no `tainted` column at all
        style.close(fig)
        sub["tainted"] = (sub["impl"] == "treiber") & (sub["threads"] == 2)
        fig = plot.throughput_chart(sub, row, "stacks", "pairs")
        try:
            ax = fig.axes[0]
            colour = matplotlib.colors.to_hex(style.impl_style("treiber")[0])
            hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() in ("white", "none", (1, 1, 1, 1))
                      and matplotlib.colors.to_hex(ln.get_markeredgecolor()) == colour]
            self.assertEqual(len(hollow), 1)
            self.assertEqual(list(hollow[0].get_xdata()), [2])
            legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
            self.assertIn(style.TAINTED_NOTE, legend)
        finally:
            style.close(fig)

    def test_tainted_bars_hollow(self):
        rs = loader.load([helpers.FIXTURES / MACHINE])
        sub = rs.table[(rs.table.family == "channels") & (rs.table.workload == "spsc-small")].copy()
        sub["tainted"] = sub["impl"] == "moody"
        fig = plot.single_count_chart(sub, rs.machine(MACHINE), "channels", "spsc-small")
        try:
            hollow = [p for p in fig.axes[0].patches
                      if matplotlib.colors.to_hex(p.get_facecolor()) == "#ffffff"]
            self.assertEqual(len(hollow), 1)
            self.assertEqual(matplotlib.colors.to_hex(hollow[0].get_edgecolor()),
                             matplotlib.colors.to_hex(style.impl_style("moody")[0]))
        finally:
            style.close(fig)


if __name__ == "__main__":
    unittest.main()


class DesignLooks(unittest.TestCase):
    """Every design the sources declare gets a colour and marker of its own, with no chart code
    touched: a design added with its header and one line of a type list is styled."""

    def test_every_declared_design_has_a_look_of_its_own(self):
        from contend_lib import designs
        names = set(style.IMPL_STYLE) | set(designs.declared())
        self.assertIn("tbb_spin", designs.declared())  # a map lock's name
        self.assertIn("absl_mutex", designs.declared())
        looks = {n: style.impl_style(n) for n in names}
        self.assertEqual(len(set(looks.values())), len(names), looks)

    def test_a_new_header_is_declared(self):
        import tempfile
        from contend_lib import designs
        with tempfile.TemporaryDirectory() as repo:
            header = Path(repo) / "impl" / "contend" / "new_stack.hpp"
            header.parent.mkdir(parents=True)
            header.write_text('struct NewStack {\n  static constexpr std::string_view name = "new_stack";\n};\n')
            go = Path(repo) / "go" / "designs" / "stack.go"  # a Go design: its name in go/designs
            go.parent.mkdir(parents=True)
            go.write_text('package designs\n\nfunc (s *NewStack) Name() string { return "go_new_stack" }\n')
            self.assertEqual(designs.declared(repo), ("new_stack", "go_new_stack"))
