"""The progress line stays alive while a family's binary prints nothing (interleaved repetitions
report only when all are done): the clock refreshes it, and stops when the family ends."""
import io
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import run  # noqa: E402


class Ticking(unittest.TestCase):
    def test_the_line_is_refreshed_while_nothing_finishes(self):
        stream = io.StringIO()
        progress = run.Progress(10, stream=stream)
        progress.TICK_LOG = 0.01
        with progress.ticking("1/1", "maps", lambda: "9 of 10 interleaved still running"):
            deadline = time.monotonic() + 30
            while stream.getvalue().count("\n") < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        lines = stream.getvalue().splitlines()
        self.assertGreaterEqual(len(lines), 2)
        self.assertTrue(all(line.startswith("[1/1 maps] 0/10 done, 9 of 10 interleaved still running")
                            for line in lines), lines)
        after = len(stream.getvalue())
        time.sleep(0.1)
        self.assertEqual(len(stream.getvalue()), after, "the clock kept writing after the family ended")


if __name__ == "__main__":
    unittest.main()
