"""Output paths of plot, compare, report and export: checked before any work, written whole or
not at all.

A command resolves and checks every path it will write before it reads a result or prints a
line, so a typo in the last option costs a second, not a printed table and half the files.
Missing folders are created (as `plot` always did); a file is written to a hidden temporary
beside it and renamed over the target, and the temporary is removed if anything fails.
"""
import os
from contextlib import contextmanager
from pathlib import Path

from .errors import ContendError


def _creatable(folder, target):
    """`folder` exists or can be made: its nearest existing ancestor is a writable folder."""
    probe = Path(os.path.abspath(folder))
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise ContendError(target, f"{probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ContendError(target, f"folder {probe} is not writable")


def chart_folder(path):
    """A folder that charts go into (created later if missing)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ContendError(path, "exists and is not a folder (--out names the folder the charts go into)")
    _creatable(path, path)
    return path


def output_file(path, name_in_folder=None):
    """A file to write. An existing folder given for it holds `name_in_folder` (report.html), or
    is an error when the file has no natural name."""
    path = Path(path)
    if path.is_dir():
        if name_in_folder is None:
            raise ContendError(path, "is a folder; give a file name")
        path = path / name_in_folder
        if path.is_dir():
            raise ContendError(path, "is a folder")
    _creatable(path.parent, path)
    return path


def distinct(*paths):
    """Two options naming the same file would write one over the other."""
    seen = {}
    for p in paths:
        if p is None:
            continue
        key = os.path.realpath(p)
        if key in seen:
            raise ContendError(p, f"given twice (also as {seen[key]}); each output needs its own file")
        seen[key] = p


@contextmanager
def replacing(path):
    """Yields a temporary path beside `path`: renamed over it when the block ends, removed when
    the block (or the rename) fails, Ctrl-C included. OSError becomes one ContendError line."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except BaseException as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # never created (its folder could not be)
        if isinstance(e, OSError):
            raise ContendError(path, (e.strerror or str(e)).lower()) from None
        raise
