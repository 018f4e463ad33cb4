"""`contend run` end to end in a throw-away copy of the repo with fake benchmark binaries.

The fakes behave like the real ones where it matters: --benchmark_list_tests, JSON written to
--benchmark_out, aggregate-only console lines; a mode makes one fail or hang mid-write."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

FAKE_BINARY = r'''#!/usr/bin/python3
import os, sys, time, json
fixture = json.load(open(%(fixture)r))
names = []
for b in fixture["benchmarks"]:
    if b.get("run_type") == "iteration" and b["name"] not in names:
        names.append(b["name"])
args = sys.argv[1:]
if "--benchmark_list_tests=true" in args:
    print("\n".join(names))
    sys.exit(0)
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
out = [a.split("=", 1)[1] for a in args if a.startswith("--benchmark_out=")][0]
mode = %(mode)r
with open(out, "w") as f:
    f.write(json.dumps(fixture)[: 300])   # a partial file, as GB leaves mid-run
    f.flush()
    for name in names:
        print(f"{name}_mean   1.0 ms   1.0 ms   2 ops_per_sec=1M", flush=True)
        if mode == "hang":
            time.sleep(60)
    if mode == "fail":
        print("check failed: count mismatch", file=sys.stderr)
        sys.exit(1)
with open(out, "w") as f:
    json.dump(fixture, f)
'''


class Run(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = Path(self.tmp.name) / "repo"
        scripts = self.repo / "scripts"
        scripts.mkdir(parents=True)
        shutil.copy(helpers.REPO / "scripts" / "contend", scripts)
        shutil.copytree(helpers.REPO / "scripts" / "contend_lib", scripts / "contend_lib",
                        ignore=shutil.ignore_patterns("__pycache__"))
        self._script(scripts / "install-deps", "#!/bin/sh\nexit 0\n")
        self.bin = Path(self.tmp.name) / "bin"
        self.bin.mkdir()
        # A cmake that records its arguments: the test needs no compiler.
        self._script(self.bin / "cmake", f'#!/bin/sh\necho "$@" >> {self.tmp.name}/cmake.log\n')
        self.benchmarks = self.repo / "build" / "release" / "benchmarks"
        self.benchmarks.mkdir(parents=True)
        self.log = Path(self.tmp.name) / "fake.log"
        self.results = self.repo / "results"

    def tearDown(self):
        self.tmp.cleanup()

    def _script(self, path, text):
        path.write_text(text)
        path.chmod(0o755)

    def fake(self, family, mode="ok"):
        fixture = helpers.FIXTURES / "machine_a" / f"{family}.json"
        self._script(self.benchmarks / f"bench_{family}", FAKE_BINARY % {"fixture": str(fixture), "mode": mode})

    def env(self):
        return dict(os.environ, PATH=f"{self.bin}:{os.environ['PATH']}", FAKE_LOG=str(self.log),
                    MPLBACKEND="Agg")

    def contend(self, *args, **kw):
        return subprocess.run([helpers.PYTHON, str(self.repo / "scripts" / "contend"), "run", *args],
                              capture_output=True, text=True, cwd=self.repo, env=self.env(), timeout=120, **kw)

    def test_full_run(self):
        self.fake("baseline")
        self.fake("stacks")
        proc = self.contend("--quick", "--threads", "1,2,4", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        folder = self.results / "vm"
        self.assertEqual(sorted(p.name for p in folder.glob("*.json")), ["baseline.json", "stacks.json"])
        self.assertEqual(list(folder.glob(".*")), [])
        self.assertTrue((folder / "charts" / "stacks-pairs-throughput.png").is_file())
        self.assertIn("Fastest design per workload", proc.stdout)
        self.assertIn("[2/2 stacks] 25/25 done", proc.stderr)  # 7 baseline + 18 stacks names
        calls = self.log.read_text().splitlines()
        self.assertTrue(all("--quick" in c and "--threads=1,2,4" in c for c in calls))
        self.assertTrue(all("--benchmark_out_format=json" in c and "/.baseline.json.tmp" in c or
                            "/.stacks.json.tmp" in c for c in calls))
        cmake = (Path(self.tmp.name) / "cmake.log").read_text()
        self.assertIn("--preset release -S", cmake)
        self.assertIn("--build --preset release -j 2", cmake)

    def test_failing_binary_keeps_nothing(self):
        self.fake("baseline")
        self.fake("stacks", mode="fail")
        proc = self.contend("--no-build", "--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertNotIn("Traceback", proc.stderr)
        self.assertIn("contend: error:", proc.stderr.strip().splitlines()[-1])
        self.assertIn("exited with code 1; nothing written for stacks", proc.stderr)
        folder = self.results / "vm"
        self.assertEqual(sorted(p.name for p in folder.iterdir()), ["baseline.json"])

    def test_ctrl_c_keeps_earlier_results(self):
        self.fake("baseline")
        self.fake("stacks", mode="hang")
        folder = self.results / "vm"
        old = folder / "stacks.json"
        folder.mkdir(parents=True)
        old.write_text("previous result")
        with open(Path(self.tmp.name) / "err", "w+") as err:
            proc = subprocess.Popen([helpers.PYTHON, str(self.repo / "scripts" / "contend"), "run",
                                     "--no-build", "--label", "vm"], cwd=self.repo, env=self.env(),
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            deadline = time.monotonic() + 60
            while not (folder / ".stacks.json.tmp").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            os.killpg(proc.pid, signal.SIGINT)   # what the terminal does on Ctrl-C
            rc = proc.wait(timeout=30)
            err.seek(0)
            stderr = err.read()
        self.assertEqual(rc, 130, stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertIn("interrupted during stacks; kept baseline", stderr)
        self.assertTrue(json.loads((folder / "baseline.json").read_text())["benchmarks"])
        self.assertEqual(old.read_text(), "previous result")
        self.assertFalse((folder / ".stacks.json.tmp").exists())

    def test_install_deps_failure(self):
        self._script(self.repo / "scripts" / "install-deps",
                     "#!/bin/sh\necho 'contend: missing packages: cmake; run as root' >&2\nexit 2\n")
        proc = self.contend("--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("missing packages", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_unknown_family(self):
        self.fake("baseline")
        proc = self.contend("--no-build", "--families", "baseline,queues")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1)
        self.assertIn("unknown family queues", proc.stderr)


if __name__ == "__main__":
    unittest.main()
