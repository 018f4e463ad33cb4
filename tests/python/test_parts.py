"""A family too big for one file is written in parts of whole workloads, read back as one, and a
set of parts that is incomplete or mixes two runs is refused with one line."""
import json
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import loader, rerun  # noqa: E402
from contend_lib.errors import ContendError  # noqa: E402

MAPS = helpers.FIXTURES / "machine_a" / "maps.json"


def family_doc():
    doc = json.loads(MAPS.read_text())
    doc["benchmarks"] = [e for e in doc["benchmarks"] if loader.is_iteration(e)]
    return doc


class Parts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name) / "machine"
        self.folder.mkdir()
        self.out = self.folder / "maps.json"
        self.doc = family_doc()
        self.workloads = len({rerun._workload(e) for e in self.doc["benchmarks"]})
        self.assertGreater(self.workloads, 2)
        # A limit a third of the file: at least three parts.
        self.limit = len(rerun.result_text(self.doc)) // 3

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, doc, limit):
        with mock.patch.object(rerun, "PART_LIMIT", limit):
            rerun.write_whole(self.out, doc)

    def test_a_big_family_is_split_by_workload_and_read_back_whole(self):
        self.write(self.doc, self.limit)
        parts = [self.out] + [f for _, f in loader.part_paths(self.out)]
        self.assertGreaterEqual(len(parts), 3)
        seen = {}
        for k, f in enumerate(parts, 1):
            doc = json.loads(f.read_text())
            self.assertEqual(doc["context"][loader.PART_KEY], f"{k}/{len(parts)}")
            for e in doc["benchmarks"]:
                seen.setdefault(rerun._workload(e), set()).add(k)
        self.assertTrue(all(len(ks) == 1 for ks in seen.values()), "a workload was cut in two")
        whole = loader.read_family(self.out)
        self.assertEqual(whole["benchmarks"], json.loads(rerun.result_text(self.doc))["benchmarks"])
        self.assertNotIn(loader.PART_KEY, whole["context"])
        split_table = loader.load([self.folder]).table
        self.write(self.doc, 10**9)  # the same data in one file
        self.assertEqual(loader.part_paths(self.out), [])  # the parts of the bigger write are gone
        one_table = loader.load([self.folder]).table
        self.assertTrue(split_table.equals(one_table))

    def test_parts_are_full_and_within_the_limit(self):
        # Each part's file fits the limit, and none but the last could have taken the next part's
        # first workload: the split estimates sizes as the file is written, not over-cautiously.
        # The binary's own output, with the aggregate rows the file drops.
        doc = json.loads(MAPS.read_text())
        self.assertTrue(any(not loader.is_iteration(e) for e in doc["benchmarks"]))
        limit = len(rerun.result_text(doc)) * 6 // 10  # two of the four workloads a part
        self.write(doc, limit)
        files = [self.out] + [f for _, f in loader.part_paths(self.out)]
        docs = [json.loads(f.read_text()) for f in files]
        self.assertEqual(len(files), 2)
        for f in files:
            self.assertLessEqual(len(f.read_text()), limit)
        for doc, after in zip(docs, docs[1:]):
            first = rerun._workload(after["benchmarks"][0])
            grown = {**doc, "benchmarks": doc["benchmarks"]
                     + [e for e in after["benchmarks"] if rerun._workload(e) == first]}
            self.assertGreater(len(rerun.result_text(grown)), limit)

    def test_a_file_named_alone_brings_its_parts(self):
        self.write(self.doc, self.limit)
        self.assertEqual(len(loader.load([self.out]).reps), len(self.doc["benchmarks"]))

    def test_a_missing_part_is_refused(self):
        self.write(self.doc, self.limit)
        loader.part_paths(self.out)[-1][1].unlink()
        with self.assertRaises(ContendError) as e:
            loader.load([self.folder])
        self.assertIn("missing", str(e.exception.what))
        with self.assertRaises(ContendError):
            loader.read_family(self.out)

    def test_parts_of_two_runs_are_refused(self):
        self.write(self.doc, self.limit)
        second = loader.part_paths(self.out)[0][1]
        doc = json.loads(second.read_text())
        doc["context"]["date"] = "2030-01-01T00:00:00+00:00"
        second.write_text(json.dumps(doc))
        with self.assertRaises(ContendError) as e:
            loader.load([self.folder])
        self.assertIn("two runs", str(e.exception.what))


if __name__ == "__main__":
    unittest.main()
