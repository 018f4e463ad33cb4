"""What the Python side needs beyond the standard library, checked with the standard library only.

`contend run` must reach scripts/install-deps before anything imports pandas or matplotlib, and
every other command must say in one line what is missing instead of failing on an import. This
module is the one place that knows the third-party modules and the Debian packages behind them.
"""
import importlib.util
import os
import sys
from pathlib import Path

from .errors import ContendError

# Module -> Debian package that provides it for /usr/bin/python3.
THIRD_PARTY = {"numpy": "python3-numpy", "pandas": "python3-pandas",
               "matplotlib": "python3-matplotlib", "scipy": "python3-scipy"}
SYSTEM_PYTHON = "/usr/bin/python3"


def missing_modules():
    """Third-party modules this interpreter cannot import (without importing them)."""
    out = []
    for name in THIRD_PARTY:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def is_system_python():
    """True for Debian's /usr/bin/python3 outside a virtualenv: the interpreter install-deps serves."""
    if sys.prefix != sys.base_prefix:  # a virtualenv sees none of Debian's python3-* packages
        return False
    try:
        return Path(sys.executable).resolve() == Path(SYSTEM_PYTHON).resolve()
    except OSError:
        return False


def foreign_interpreter_error(missing):
    argv = " ".join(sys.argv[1:]) or "…"
    return ContendError(sys.executable,
                        f"this interpreter cannot import {', '.join(missing)} and install-deps installs "
                        f"Debian's packages for {SYSTEM_PYTHON} only; run "
                        f"`{SYSTEM_PYTHON} scripts/contend {argv}` or `scripts/contend {argv}`")


def check_interpreter():
    """Before any command: another interpreter (venv, pyenv) without the modules stops here."""
    missing = missing_modules()
    if missing and not is_system_python():
        raise foreign_interpreter_error(missing)
    return missing


def require(command):
    """For commands that read results: every module present, or one line naming the fix."""
    missing = check_interpreter()
    if missing:
        packages = " ".join(THIRD_PARTY[m] for m in missing)
        raise ContendError(command, f"needs {packages}; run scripts/install-deps as root "
                                    f"(or: sudo apt-get install {packages})")


def install_deps_command(repo, purpose="run"):
    """scripts/install-deps, or the stand-in the tests give through CONTEND_INSTALL_DEPS."""
    script = os.environ.get("CONTEND_INSTALL_DEPS") or str(Path(repo) / "scripts" / "install-deps")
    return [script, purpose]
