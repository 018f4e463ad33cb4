"""The README's two commands on a machine without the third-party Python modules.

A `sys.meta_path` finder (installed through a sitecustomize on PYTHONPATH) makes pandas,
matplotlib, scipy and numpy unimportable until a stand-in install-deps has run, and logs every
attempt to import them before that: `contend run` must reach install-deps first, other commands
and other interpreters must stop with one line, and `scripts/test` must install before it tests."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402
from test_run import FAKE_BINARY  # noqa: E402

BLOCKER = r'''
import importlib.util as util, os, sys
_BLOCKED = {"numpy", "pandas", "matplotlib", "scipy"}

def _probing():
    """importlib.util.find_spec asks whether a module exists without importing it: not an import."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "find_spec" and code.co_filename in ("<frozen importlib.util>", util.__file__):
            return True
        frame = frame.f_back
    return False

class _Unimportable:
    """Third-party modules do not exist until install-deps has created the unlock file."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in _BLOCKED or os.path.exists(os.environ["FRONT_DOOR_UNLOCK"]):
            return None
        if not _probing():
            with open(os.environ["FRONT_DOOR_LOG"], "a") as log:
                log.write(f"import {name} before install-deps\n")
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, _Unimportable())
'''

INSTALL_DEPS = '''#!/bin/sh
echo "install-deps $*" >> "$FRONT_DOOR_LOG"
%s
'''


class FrontDoor(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="contend-front-door-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.repo = self.tmp / "repo"
        scripts = self.repo / "scripts"
        scripts.mkdir(parents=True)
        for name in ("contend", "test"):
            shutil.copy(helpers.REPO / "scripts" / name, scripts)
        shutil.copytree(helpers.REPO / "scripts" / "contend_lib", scripts / "contend_lib",
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.site = self.tmp / "site"
        self.site.mkdir()
        (self.site / "sitecustomize.py").write_text(BLOCKER)
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        self._script(self.bin / "cmake", "#!/bin/sh\nexit 0\n")  # the build is not under test here
        benchmarks = self.repo / "build" / "release" / "benchmarks"
        benchmarks.mkdir(parents=True)
        fixture = helpers.FIXTURES / "machine_a" / "baseline.json"
        self._script(benchmarks / "bench_baseline", FAKE_BINARY % {"fixture": str(fixture), "mode": "ok"})
        self.log = self.tmp / "front-door.log"
        self.unlock = self.tmp / "installed"
        self.install_deps(f"touch {self.unlock}")

    def _script(self, path, text):
        path.write_text(text)
        path.chmod(0o755)

    def install_deps(self, body):
        self.deps = self.tmp / "install-deps"
        self._script(self.deps, INSTALL_DEPS % body)

    def env(self):
        return dict(os.environ, PYTHONPATH=str(self.site), PATH=f"{self.bin}:{os.environ['PATH']}",
                    FRONT_DOOR_LOG=str(self.log), FRONT_DOOR_UNLOCK=str(self.unlock),
                    CONTEND_INSTALL_DEPS=str(self.deps), FAKE_LOG=str(self.tmp / "fake.log"),
                    MPLBACKEND="Agg")

    def contend(self, *args, python=helpers.PYTHON):
        return subprocess.run([python, str(self.repo / "scripts" / "contend"), *args], capture_output=True,
                              text=True, cwd=self.repo, env=self.env(), timeout=300)

    def log_lines(self):
        return self.log.read_text().splitlines() if self.log.exists() else []

    def test_blocker_blocks(self):
        # The harness itself: without install-deps, pandas cannot be imported.
        proc = subprocess.run([helpers.PYTHON, "-c", "import pandas"], capture_output=True, text=True,
                              env=self.env())
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(self.log_lines(), ["import pandas before install-deps"])
        probe = subprocess.run([helpers.PYTHON, "-c", "import importlib.util, sys; "
                                "sys.exit(importlib.util.find_spec('scipy') is None)"], env=self.env())
        self.assertEqual(probe.returncode, 1, "a blocked module looks absent to a probe")
        self.assertEqual(len(self.log_lines()), 1, "a probe is not logged as an import")

    def test_run_installs_before_importing(self):
        proc = self.contend("run", "--families", "baseline", "--label", "vm")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.log_lines(), ["install-deps run"])  # called, and nothing imported before
        charts = self.repo / "results" / "vm" / "charts"
        self.assertTrue(any(charts.glob("*.png")), "pandas and matplotlib were used after install-deps")

    def test_failed_install_is_one_line(self):
        self.install_deps("echo 'contend: missing packages: python3-pandas; run as root' >&2; exit 2")
        proc = self.contend("run", "--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(self.log_lines(), ["install-deps run"])
        self.assertNotIn("ModuleNotFoundError", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        self.assertTrue(proc.stderr.strip().splitlines()[-1].startswith("contend: error:"))

    def test_install_that_leaves_modules_missing(self):
        self.install_deps("exit 0")  # claims success, installs nothing
        proc = self.contend("run", "--label", "vm")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("needs python3-numpy python3-pandas", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)

    def test_bad_arguments_cost_no_install(self):
        not_a_folder = self.tmp / "file"
        not_a_folder.write_text("")
        for args, message in [(["--families", "baseline,pollr"], "unknown family pollr"),
                              (["--threads", "0"], "not a positive thread count"),
                              (["--label", "a/b"], "not a folder name"),
                              (["--results", str(not_a_folder)], "cannot create the results folder")]:
            with self.subTest(args=args):
                proc = self.contend("run", *args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(message, proc.stderr)
                self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
                self.assertEqual(self.log_lines(), [], "install-deps ran before the arguments were checked")

    def test_other_commands_name_the_fix(self):
        proc = self.contend("plot", str(helpers.FIXTURES / "machine_a"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("run scripts/install-deps as root", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)

    def test_another_interpreter_names_itself_and_the_fix(self):
        venv = self.tmp / "venv"
        made = subprocess.run([helpers.PYTHON, "-m", "venv", "--without-pip", str(venv)], capture_output=True)
        if made.returncode != 0:
            self.skipTest("python3 -m venv is not available")
        python = str(venv / "bin" / "python")
        proc = self.contend("run", "--quick", python=python)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn(python, proc.stderr)
        self.assertIn("/usr/bin/python3 scripts/contend run --quick", proc.stderr)
        self.assertNotIn("install-deps run", self.log_lines())

    def test_scripts_test_installs_first(self):
        self.install_deps("exit 3")
        proc = subprocess.run(["bash", str(self.repo / "scripts" / "test"), "python"], capture_output=True,
                              text=True, cwd=self.repo, env=self.env(), timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(self.log_lines(), ["install-deps test"])  # test's own set, before anything ran
        self.assertNotIn("== python", proc.stderr)


if __name__ == "__main__":
    unittest.main()
