"""The Go binary (go/cmd/contend-go), end to end: built offline with go/build, run in quick mode on
one workload, its file read by the one loader beside a C++ result file of the same family (Go's
rows land in the same table as C++'s, named go_*), and bad input refused with one line and exit 2.
Skipped where go is not installed (scripts/install-deps installs golang-go)."""
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import loader  # noqa: E402


@unittest.skipIf(shutil.which("go") is None, "go is not installed (scripts/install-deps installs golang-go)")
class GoBinary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = Path(cls.tmp.name) / "contend-go"
        build = subprocess.run([str(helpers.REPO / "go" / "build"), str(out)], capture_output=True, text=True,
                               timeout=300)
        if build.returncode != 0:
            raise AssertionError(f"go/build failed: {build.stderr}")
        cls.binary = out

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_binary(self, *args):
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True, timeout=120)

    def test_quick_run_loads_beside_cpp(self):
        folder = Path(self.tmp.name) / "machine"
        folder.mkdir()
        shutil.copy(helpers.FIXTURES / "machine_a" / "counters.json", folder / "counters.json")
        out = folder / "go_counters.json"
        r = self.run_binary("--family=counters", "--quick", "--threads=1,2", "--run_ms=10",
                            "--filter=^counters/increment/go_(atomic|chan)$", f"--out={out}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        doc = json.loads(out.read_text())
        ctx = doc["context"]
        self.assertEqual((ctx["lang"], ctx["contend_family"], ctx["contend_mode"], ctx["schema_version"]),
                         ("go", "go_counters", "quick", "3"))
        for key in ("go_version", "gomaxprocs", "gogc", "latency_clock_ns", "cpu_model", "git_commit", "probe_pairs"):
            self.assertIn(key, ctx)
        names = [b["name"] for b in doc["benchmarks"]]
        self.assertEqual(len(names), 2 * 2 * 2)  # 2 designs x 2 thread counts x 2 repetitions (quick)
        self.assertIn("counters/increment/go_chan/real_time/threads:2", names)
        self.assertFalse([b for b in doc["benchmarks"] if b.get("error_occurred")])
        self.assertEqual(sorted(f.name for f in folder.iterdir()), ["counters.json", "go_counters.json"])

        rs = loader.load([folder])
        table = rs.table[rs.table["workload"] == "increment"]
        go = table[table["impl"].str.startswith("go_")]
        # A Go binary that pins its hand-off designs marks their rows (go_locked) and keeps the plain
        # name; an older one measured the scheduler's choice, which the loader names go_chan_sched.
        pinned = all("go_locked" in b for b in doc["benchmarks"] if "/go_chan/" in b["name"])
        self.assertEqual(sorted(set(go["impl"])), ["go_atomic", "go_chan" if pinned else "go_chan_sched"])
        self.assertEqual(sorted(set(go["threads"])), [1, 2])
        self.assertTrue((go["repetitions"] == 2).all())
        self.assertTrue((go["ops_per_sec"] > 0).all())
        self.assertTrue(len(table[~table["impl"].str.startswith("go_")]) > 0, "the C++ rows are gone")
        for counter in ("p50_ns", "probe_ns", "cpu_ns_per_op", "fairness"):
            self.assertTrue(go[counter].notna().all(), counter)

    def test_bad_input_is_one_line_and_exit_2(self):
        for args in (["--family=queues"], ["--family=counters", "--threads=0"], ["--family=counters", "--frobnicate"],
                     []):
            r = self.run_binary(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertEqual(r.stdout, "")

    def test_help(self):
        r = self.run_binary("--help")
        self.assertEqual(r.returncode, 0)
        for flag in ("--family", "--threads", "--run_ms", "--quick", "--repetitions", "--out"):
            self.assertIn(flag, r.stdout)


if __name__ == "__main__":
    unittest.main()
