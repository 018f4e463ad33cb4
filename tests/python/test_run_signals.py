"""`contend run` stopped by SIGINT, SIGTERM or SIGHUP keeps finished families and leaves no temp
file; a run sweeps the temp files a killed (SIGKILL) run could not remove."""
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
from test_run import FAKE_BINARY  # noqa: E402


class Signals(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="contend-signals-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        scripts = self.tmp / "repo" / "scripts"
        scripts.mkdir(parents=True)
        shutil.copy(helpers.REPO / "scripts" / "contend", scripts)
        shutil.copytree(helpers.REPO / "scripts" / "contend_lib", scripts / "contend_lib",
                        ignore=shutil.ignore_patterns("__pycache__"))
        benchmarks = self.tmp / "repo" / "build" / "release" / "benchmarks"
        benchmarks.mkdir(parents=True)
        for family, mode in (("baseline", "ok"), ("stacks", "hang")):
            exe = benchmarks / f"bench_{family}"
            fixture = helpers.FIXTURES / "machine_a" / f"{family}.json"
            exe.write_text(FAKE_BINARY % {"fixture": str(fixture), "mode": mode})
            exe.chmod(0o755)
        self.folder = self.tmp / "repo" / "results" / "vm"
        self.folder.mkdir(parents=True)

    def start(self):
        env = dict(os.environ, FAKE_LOG=str(self.tmp / "fake.log"), MPLBACKEND="Agg")
        self.err = open(self.tmp / "err", "w+")
        self.addCleanup(self.err.close)
        return subprocess.Popen([helpers.PYTHON, str(self.tmp / "repo" / "scripts" / "contend"), "run",
                                 "--no-build", "--families", "baseline", "stacks", "--label", "vm"],
                                cwd=self.tmp / "repo", env=env, stdout=subprocess.DEVNULL, stderr=self.err)

    def wait_for(self, path):
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(path.exists(), f"{path} never appeared")
        time.sleep(0.3)

    def test_each_signal_removes_the_temp_file(self):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with self.subTest(signal=sig.name):
                proc = self.start()
                self.wait_for(self.folder / ".stacks.json.tmp")
                proc.send_signal(sig)  # to contend only, as `kill` or a closing terminal does
                rc = proc.wait(timeout=30)
                self.err.seek(0)
                stderr = self.err.read()
                self.assertEqual(rc, 130, stderr)
                self.assertNotIn("Traceback", stderr)
                self.assertIn("interrupted during stacks; kept baseline", stderr)
                self.assertEqual(sorted(p.name for p in self.folder.iterdir()), ["baseline.json"])

    def test_stale_temp_files_are_swept(self):
        stale = self.folder / ".maps.json.tmp"
        stale.write_text('{"benchmarks": [')  # what a SIGKILLed run leaves
        proc = self.start()
        self.wait_for(self.folder / ".stacks.json.tmp")
        self.assertFalse(stale.exists())
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


if __name__ == "__main__":
    unittest.main()
