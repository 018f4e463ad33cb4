"""One self-contained HTML page: machine context, computed findings, embedded charts, litmus,
the core-to-core latency map.

Charts are embedded as base64 PNG so the page can be mailed or attached as one file.
"""
import base64
import html
from pathlib import Path

from . import core_map, events, findings, go_verdict, latency, litmus, overhead, plot, style, targets, verdict
from .loader import MIN_CLASS_REPS
from .names import family_title
from .textable import eng

CONTEXT_ROWS = [("CPU", "cpu_model"), ("CPU family / model / stepping", "cpu_generation"), ("cores", "cores"), ("threads per core", "threads_per_core"),
                ("sockets", "sockets"), ("topology", "topology"), ("hardware threads", "hardware_concurrency"),
                ("frequency governor", "governor"), ("kernel", "kernel"), ("compiler", "compiler"),
                ("C++ flags", "cxx_flags"), ("Google Benchmark", "benchmark_version"),
                ("Boost", "boost_version"), ("moodycamel", "moodycamel_version"),
                ("git commit", "git_commit"), ("mode", "contend_mode"), ("run ms per benchmark", "run_ms"),
                ("placement classes", "placement_classes"), ("measured in placement class", "placement_measured"),
                ("whose placement", "placement_scope"), ("Go's probe on the C++ scale", "placement_scale"),
                ("host", "host_name"), ("date", "date")]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:2em auto;
     padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
img{max-width:100%;height:auto;margin:.5em 0;border:1px solid #eee}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
.muted{color:#666;font-size:.9em}ul li{margin:.2em 0}\nul.answer{font-size:1.05em}
"""


def _png_base64(fig):
    data = style.png_bytes(fig, dpi=90)
    style.close(fig)
    return base64.b64encode(data).decode("ascii")


def _img(fig, alt):
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png_base64(fig)}">'


def _cell(value):
    text = html.escape(str(value))
    numeric = text[:1].isdigit() or text[:1] in "+-−" or text.endswith("×") or text.endswith("%")
    return f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>"


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _context_table(rs, machines):
    header = [""] + list(machines)
    rows = [[label] + [rs.machines.loc[m, key] for m in machines] for label, key in CONTEXT_ROWS]
    rows.append(["CPU stolen by the hypervisor (median run; worst run)"] + [_steal(rs, m) for m in machines])
    rows.append(["families measured"] + [", ".join(sorted(rs.table[rs.table["machine"] == m]["family"].unique()))
                                        for m in machines])
    rows.append(["repetitions per configuration"] + [_reps(rs, m) for m in machines])
    return _table(header, rows)


def _steal(rs, machine):
    """Steal time during the runs: on a shared VM it is what makes a run noisy."""
    reps = rs.reps[rs.reps["machine"] == machine]
    if "steal_pct" not in reps or reps["steal_pct"].isna().all():
        return "not measured"
    return f"{reps['steal_pct'].median():.1f}%; {reps['steal_pct'].max():.0f}%"


def _reps(rs, machine):
    reps = rs.table[rs.table["machine"] == machine]["repetitions"]
    return str(int(reps.min())) if reps.min() == reps.max() else f"{int(reps.min())}–{int(reps.max())}"


def _finding_html(f):
    out = [f"<h3>{html.escape(f.title)}</h3>"]
    if f.sentences:
        out.append("<ul>" + "".join(f"<li>{html.escape(s.strip())}</li>" for s in f.sentences) + "</ul>")
    if f.heatmap is not None:
        out.append(_img(plot.heatmap_chart(f.heatmap), f.heatmap.title))
    if f.rows:
        out.append(f"<details><summary>table ({len(f.rows)} rows)</summary>{_table(f.header, f.rows)}</details>")
    return "\n".join(out)


def _charts_html(rs, machine):
    out, current = [], None
    for stem, fig in plot.machine_charts(rs, machine):
        family = stem.split("-")[0]
        if family != current:
            if current is not None:
                out.append("</details>")
            # The first family starts open so the page shows a chart without a click.
            out.append(f"<details{' open' if current is None else ''}><summary>{html.escape(family_title(family))}"
                       "</summary>")
            current = family
        out.append(_img(fig, plot.title_for(stem)))
    if current is not None:
        out.append("</details>")
    return "\n".join(out)


def _targets_html(table):
    """The design targets of the issues (targets.py): target, measured, ratio, met or not."""
    rows = targets.evaluate(table)
    if not rows:
        return ""
    body = [[r.get("target", "?"), _number(r.get("measured")), _number(r.get("ratio"), "×"),
             _met(r.get("met")), r.get("tried", "")] for r in rows]
    return "<h3>Targets</h3>" + _table(["target", "measured", "ratio", "met", "what was tried"], body)


def _latency_html(table, reps, row, folder, include_tainted, placement=None):
    """The sampled latency: a computed sentence, the sampling's cost, the percentiles table."""
    sec = latency.section(table, reps, row, include_tainted)
    if sec is None:
        return ("<h3>Latency of single operations</h3><p class='muted'>Not recorded: these results were "
                "written before the binaries sampled latency (or with --latency=off).</p>")
    lines, header, rows = sec
    lines = lines + [overhead.sentence(overhead.load(folder))]
    bias = latency.bias_sentence(folder, placement, table)
    lines += [bias] if bias else []
    return ("<h3>Latency of single operations</h3><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in lines)
            + f"</ul><details><summary>percentiles ({len(rows)} rows)</summary>{_table(header, rows)}</details>")


def _met(met):
    # None: the rows the target needs were not measured, or the row has no bound.
    return "—" if met is None else "met" if met else "not met"


def _number(value, suffix=""):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.3g}{suffix}" if abs(value) < 1000 else f"{eng(value)}{suffix}"
    return "—" if value is None else str(value)


def _dates(rs):
    """When the results were measured, not when the page was written: the same results give
    the same page, byte for byte."""
    dates = sorted({str(d)[:10] for d in rs.machines["date"] if d != "unknown"})
    if not dates:
        return "measurement date unknown"
    return f"measured {dates[0]}" if len(dates) == 1 else f"measured {dates[0]} to {dates[-1]}"


def build(rs, include_tainted=False):
    machines = list(rs.machines.index)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>contend report: {html.escape(', '.join(machines))}</title><style>{CSS}</style></head><body>",
             f"<h1>contend: synchronization designs under contention</h1>",
             _answer_html(rs),
             f"<p class='muted'>Computed from {len(rs.reps)} measured repetitions ({_dates(rs)}). Every number below is the median over repetitions, "
             f"computed from the result files; throughput is operations per second of all threads "
             f"together (wall clock). Error bars in charts: min–max over repetitions.</p>",
             "<h2>Machines</h2>", _context_table(rs, machines)]
    for machine in machines:
        row = rs.machine(machine)
        table = rs.table[rs.table["machine"] == machine]
        parts.append(f"<h2>Findings — {html.escape(machine)}</h2>"
                     f"<p class='muted'>{html.escape(style.machine_caption(row))}</p>")
        reps = rs.reps[rs.reps["machine"] == machine]
        parts += [_finding_html(f) for f in findings.all_findings(table, int(row["hw_threads"]), reps,
                                                                  include_tainted)]
        # The proverb in its own language, where the results hold Go's designs.
        parts += [_finding_html(f) for f in go_verdict.all_go_findings(
            findings.clean_table(table, include_tainted), findings.clean_reps(reps, include_tainted), table, reps)]
        parts.append(_targets_html(findings.clean_table(table, include_tainted)))
        parts.append(_placement_html(rs, machine, table))
        parts.append(_latency_html(table, reps, row, rs.folders.get(machine), include_tainted,
                                   (rs.placements or {}).get(machine)))
        parts.append(events.section_html(rs, machine, _table, include_tainted))
        parts.append(f"<h2>Charts — {html.escape(machine)}</h2>")
        parts.append(_charts_html(rs, machine))
        lit = litmus.find(rs.folders.get(machine))
        if lit is not None:
            doc = litmus.load(lit)
            parts.append(f"<h2>Litmus tests — {html.escape(machine)}</h2>")
            parts.append("<p class='muted'>Outcome counts per test and memory order; red = forbidden "
                         "by the memory model (any count there is a bug), orange = allowed but "
                         "interesting (shows reordering), blue = ordinary outcomes.</p>")
            parts.append(_img(litmus.chart(doc), "litmus outcomes"))
            parts.append(_litmus_table(doc))
        c2c = core_map.find(rs.folders.get(machine))
        if c2c is not None:
            doc = core_map.load(c2c)
            parts.append(f"<h2>Core-to-core latency — {html.escape(machine)}</h2>")
            by_class = core_map.class_sentence(doc, (rs.placements or {}).get(machine))
            parts.append(f"<p>{html.escape(core_map.sentence(doc) + (' ' + by_class if by_class else ''))}</p>")
            parts.append("<p class='muted'>One-way latency of a cache line bounced between two threads "
                         "pinned to each pair of CPUs (the placement probe's ping-pong): what any hand-off "
                         "between two threads costs on this machine at the least.</p>")
            parts.append(_img(core_map.heatmap(doc), "core-to-core latency map"))
    parts.append("</body></html>")
    return "\n".join(parts)


def _answer_html(rs):
    """The report's first screen: per machine at most five computed sentences and one picture
    (verdict.py), before any detail."""
    out = []
    for machine in rs.machines.index:
        pts = verdict.points(rs, machine)
        if not pts:
            continue
        out.append(f"<h2>The answer — {html.escape(machine)}</h2>")
        out.append("<ul class='answer'>" + "".join(f"<li>{html.escape(t)}</li>"
                                                  for t in verdict.sentences(rs, machine, pts)) + "</ul>")
        out.append(_img(verdict.chart(pts, rs.machine(machine)), f"fastest design per workload and thread count, {machine}"))
    return "\n".join(out)


def _placement_html(rs, machine, table):
    """Where the threads ran: the placement classes the probes found, the one the figures were
    measured in, and every figure left out for too few repetitions in it (with why)."""
    placement = (rs.placements or {}).get(machine)
    if placement is None or not placement.classes:
        return ""
    row = rs.machine(machine)
    scope = placement.scope or "the machine's"
    rows = [[c.name, c.relation or "—", f"{c.lo_ns:.0f}–{c.hi_ns:.0f} ns", str(c.count), f"{c.share:.0%}",
             "measured" if c.name == row.get("placement_measured") else ""] for c in placement.classes]
    text = (f"The placement probe (one-way cache-line latency between two pinned threads, before and "
            f"after each repetition) found {html.escape(placement.describe())}; the class is "
            f"{html.escape(scope)}. A class is where the vCPUs or threads "
            f"sat, not a disturbance: every figure here is measured in one class, and a repetition in "
            f"another is left out of its figure.")
    excluded = table[table.get("excluded", False) == True] if "excluded" in table else table.iloc[0:0]  # noqa: E712
    other = table[table["other_placement"].fillna(False).astype(bool)] if "other_placement" in table else table.iloc[0:0]
    out = [f"<h3>Placement — {html.escape(machine)}</h3><p>{text}</p>",
           _table(["class", "relation", "probes", "count", "share", ""], rows)]
    if len(excluded):
        out.append(f"<p>{len(excluded)} figures are excluded: fewer than "
                   f"{html.escape(str(MIN_CLASS_REPS))} of their repetitions ran in the measured class "
                   f"(e.g. {html.escape(excluded.iloc[0]['family'] + '/' + excluded.iloc[0]['workload'] + '/' + excluded.iloc[0]['impl'])}"
                   f" at {int(excluded.iloc[0]['threads'])} threads: {html.escape(excluded.iloc[0]['exclusion'])}).</p>")
    if len(other):
        first = other.iloc[0]
        out.append(f"<p>{len(other)} figures were measured in another class than the run's: their repetitions "
                   f"never left it (a binary that cannot wait for the class, like Go's), so they are figures of "
                   f"that class, shown with it and not ranked against the run's (e.g. "
                   f"{html.escape(first['family'] + '/' + first['workload'] + '/' + first['impl'])} at "
                   f"{int(first['threads'])} threads: placement class {html.escape(str(first['placement']))}).</p>")
    scale = str(row.get("placement_scale", "unknown"))
    if scale != "unknown":
        out.append(f"<p>{html.escape(scale)}.</p>")
    return "\n".join(out)


def _litmus_table(doc):
    rows = []
    for t in doc["litmus"]:
        for o in t["outcomes"]:
            rows.append([t.get("test", "?"), t.get("order", "?"), o.get("outcome", "?"), o.get("class", "?"),
                         o.get("count", 0)])
    return f"<details><summary>litmus counts</summary>{_table(['test', 'order', 'outcome', 'class', 'count'], rows)}</details>"


def default_out(rs):
    folder = next((f for f in rs.folders.values() if f is not None), None)
    return Path(folder) / "report.html" if folder is not None else Path("report.html")

