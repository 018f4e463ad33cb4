"""The one way the tool fails on bad input: a ContendError becomes a single stderr line, exit 2."""
import sys


class ContendError(Exception):
    """Bad input or a failed step; `where` is the file/folder/step the user should look at."""

    def __init__(self, where, what):
        super().__init__(f"{where}: {what}")
        self.where = str(where)
        self.what = what


class Interrupted(Exception):
    """Ctrl-C during a run; the message says what was kept (exit 130)."""


def warn(message):
    print(f"contend: warning: {message}", file=sys.stderr)
