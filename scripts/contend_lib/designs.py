"""The designs, as the code declares them: every implementation name the library's headers give
(`static constexpr std::string_view name = "..."`, a map lock's `map_name`, `map_lock_name<...>`)
and every Go design (each "go_..." name in go/designs and the Go binary's bench*.go, tests aside). Charts take each design's colour
and marker from this list (style.impl_style), so a design added in one line of a type list, with
its header, gets a look of its own without touching the chart code.
"""
import functools
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_CPP_NAME = re.compile(r"(?:\bname|\bmap_name|\bmap_lock_name<[^;=]*>)\s*=\s*([^;]*);", re.S)
_LITERAL = re.compile(r'"([a-z][a-z0-9_]*)"')
_GO_DESIGN = re.compile(r'"(go_[a-z0-9_]+)"')


@functools.lru_cache(maxsize=None)
def declared(repo=REPO):
    """Every design name declared in the sources, in a stable order (C++ by header path, then Go);
    empty outside a checkout (a copied scripts/ folder): charts then fall back on names alone."""
    names = []
    for header in sorted((Path(repo) / "impl" / "contend").rglob("*.hpp")):
        for expr in _CPP_NAME.findall(header.read_text(encoding="utf-8", errors="replace")):
            names += _LITERAL.findall(expr)
    go = Path(repo) / "go"
    sources = sorted(go.glob("designs/*.go")) + sorted(go.glob("cmd/contend-go/bench*.go"))
    for source in sources:
        if source.name.endswith("_test.go"):
            continue
        names += _GO_DESIGN.findall(source.read_text(encoding="utf-8", errors="replace"))
    seen, out = set(), []
    for n in names:
        if n not in seen and n != "racy":  # the race detector's demonstration, never measured
            seen.add(n)
            out.append(n)
    return tuple(out)
