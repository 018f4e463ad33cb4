"""Tables of a finding's rows, the same rows in every medium: plain text for the terminal
(right-aligned numbers, a rule under the header) and Markdown (the FINDINGS.md block); the report
renders the same rows as HTML."""
import math


def eng(value, unit=""):
    """81234567 -> '81.2M': what a person reads at a glance."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}{unit}"
    return f"{value:.3g}{unit}"


def render(header, rows):
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for k, row in enumerate(cells):
        parts = [c.ljust(w) if i < _text_columns(rows) else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _text_columns(rows):
    """Leading columns that hold words (left-aligned); the rest are numbers (right-aligned)."""
    if not rows:
        return 0
    n = 0
    for c in rows[0]:
        if isinstance(c, str) and not _looks_numeric(c):
            n += 1
        else:
            break
    return n


def _looks_numeric(text):
    return bool(text) and (text[0].isdigit() or text[0] in "-+.—" or text == "n/a")


def markdown(header, rows):
    """The rows as a Markdown table (a `|` inside a cell escaped)."""
    def cell(c):
        return str(c).replace("|", "\\|")
    lines = ["| " + " | ".join(cell(c) for c in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
