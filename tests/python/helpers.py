"""Shared paths and a way to run the real CLI as a user would (a subprocess)."""
import json
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = HERE / "fixtures"
CONTEND = REPO / "scripts" / "contend"
PYTHON = "/usr/bin/python3"


def run_cli(*args, cwd=None, env=None, contend=CONTEND, timeout=120):
    full_env = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    full_env.pop("CONTEND_DEBUG", None)
    return subprocess.run([PYTHON, str(contend), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=timeout)


def raw_benchmarks(path):
    return json.loads(Path(path).read_text())["benchmarks"]


def import_lib():
    """contend_lib lives beside the script, not on sys.path: add it once."""
    import sys
    scripts = str(REPO / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
