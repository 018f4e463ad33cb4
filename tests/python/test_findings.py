"""Report findings are computed from the data: check them against hand-computed ratios."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
import pandas as pd  # noqa: E402

from contend_lib import findings, loader  # noqa: E402


def _table(rows):
    return pd.DataFrame(rows, columns=["family", "workload", "impl", "threads", "ops_per_sec", "ns_per_op"])


class Findings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = loader.load([helpers.FIXTURES / "machine_a"]).table

    def _ops(self, family, workload, impl, threads):
        t = self.t
        return t[(t.family == family) & (t.workload == workload) & (t.impl == impl)
                 & (t.threads == threads)].iloc[0]

    def test_padding_ratios(self):
        f = findings.padding(self.t)
        row = [r for r in f.rows if r[0] == "atomic increments" and r[1] == 2][0]
        expected = (self._ops("false_sharing", "atomic", "pad64", 2)["ops_per_sec"]
                    / self._ops("false_sharing", "atomic", "packed", 2)["ops_per_sec"])
        self.assertEqual(row[4], f"{expected:.2f}×")

    def test_handoff_vs_floor(self):
        f = findings.handoff_vs_floor(self.t)
        floor = self._ops("baseline", "pingpong", "cache_line", 2)["ns_per_op"]
        moody = self._ops("channels", "pingpong", "moody", 2)["ns_per_op"]
        self.assertIn(f"moody: {moody:.0f} ns one-way hand-off, {moody / floor:.1f}× the {floor:.0f} ns",
                      " ".join(f.sentences))

    def test_channel_map_crossover(self):
        rows = []
        for t, ch, mu in ((1, 5, 10), (2, 9, 10), (4, 12, 10), (8, 14, 9)):
            rows += [("maps", "r0-k1k-uniform", "channel", t, ch, 1), ("maps", "r0-k1k-uniform", "mutex", t, mu, 1)]
        for t, ch, mu in ((1, 5, 10), (2, 6, 10), (4, 7, 10), (8, 8, 9)):
            rows += [("maps", "r90-k1k-uniform", "channel", t, ch, 1), ("maps", "r90-k1k-uniform", "mutex", t, mu, 1)]
        text = " ".join(findings.channel_vs_mutex_map(_table(rows)).sentences)
        self.assertIn("0% reads, 1k keys, uniform: beats the mutex map from 4 threads on (1.56× at 8)", text)
        self.assertIn("90% reads, 1k keys, uniform: never beats the mutex map (best 0.89× at 8 threads)", text)
        self.assertIn("read ratios 0%; never for 90%", text)

    def test_oversubscription(self):
        rows = [("stacks", "pairs", "treiber", 1, 100, 1), ("stacks", "pairs", "treiber", 2, 150, 1),
                ("stacks", "pairs", "treiber", 4, 75, 1)]
        f = findings.oversubscription(_table(rows), hw_threads=2)
        self.assertEqual(f.rows, [["stacks", "pairs", "treiber", 2, 4, "150", "75", "-50%"]])

    def test_absent_data_gives_no_finding(self):
        empty = _table([("stacks", "pairs", "treiber", 1, 100, 1)])
        self.assertIsNone(findings.padding(empty))
        self.assertIsNone(findings.channel_vs_mutex_map(empty))
        self.assertIsNone(findings.handoff_vs_floor(empty))


if __name__ == "__main__":
    unittest.main()
