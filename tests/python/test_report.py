"""The HTML report as a reader sees it: rendered in headless Chromium, every image loads and
nothing is wider than the page. Also: the findings and the targets table reach the page.

The browser check injects a small script into a copy of the page; after load it opens every
<details>, checks each <img> (complete, natural width > 0) and every element's right edge
against the window, and writes the verdict into the DOM that --dump-dom prints.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from unittest import mock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helpers  # noqa: E402

helpers.import_lib()
from contend_lib import loader, report  # noqa: E402

CHROMIUM = os.environ.get("CONTEND_CHROMIUM", "/usr/bin/chromium")
WINDOW = (1280, 900)

CHECK_JS = """
<script>
window.addEventListener('load', () => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  // No requestAnimationFrame: headless Chromium may dump the DOM before a frame is drawn;
  // getBoundingClientRect forces the layout the check needs, synchronously.
  {
    const width = document.documentElement.clientWidth;
    const images = [...document.images];
    const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);
    const wide = [...document.body.querySelectorAll('*')]
      .filter(e => e.getBoundingClientRect().right > width + 1)
      .map(e => e.tagName + (e.alt ? ':' + e.alt : '')).slice(0, 10);
    const out = document.createElement('pre');
    out.id = 'contend-check';
    const answer = document.querySelector('ul.answer');
    out.textContent = JSON.stringify({images: images.length, broken, wide, width,
                                      answer_bottom: answer ? answer.getBoundingClientRect().bottom : null,
                                      height: window.innerHeight,
                                      scrollWidth: document.documentElement.scrollWidth});
    document.body.appendChild(out);
  }
});
</script>
"""


# The first screen a reader sees, kept as a test artifact (build/ is not committed).
FIRST_SCREEN = (1400, 900)
ARTIFACT = helpers.REPO / "build" / "test-artifacts" / "report-first-screen.png"


def render_check(page_html, window=WINDOW):
    """Load the page in headless Chromium; the check script's verdict as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(page_html.replace("</body>", CHECK_JS + "</body>"), encoding="utf-8")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={tmp}/profile", f"--window-size={window[0]},{window[1]}",
               "--virtual-time-budget=20000", "--dump-dom", page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="contend-check">(.*?)</pre>', done.stdout, re.S)
    if m is None:
        raise AssertionError(f"no verdict from Chromium (exit {done.returncode}): {done.stderr[-600:]}")
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = loader.load([helpers.FIXTURES / "machine_a"])
        cls.page = report.build(cls.rs)

    def test_heatmap_and_findings_on_the_page(self):
        self.assertIn("Channel (single-owner) map versus mutex map", self.page)
        self.assertIn('alt="Channel (single-owner) map versus mutex map"', self.page)

    def test_same_results_same_page(self):
        self.assertTrue(report.build(self.rs) == self.page, "two builds of the same results differ")
        self.assertTrue("measured 2026-11-20" in self.page, "the results' date is not on the page")

    def test_targets_table(self):
        rows = lambda table: [{"target": "treiber within 10% of boost", "measured": 12.5e6,
                                        "ratio": 0.93, "met": False},
                                       {"target": "channel map >= 1 M ops/s", "measured": 2e6, "ratio": 2.0,
                                        "met": True},
                                       {"target": "boost fairness", "measured": "not measured (no boost)",
                                        "ratio": None, "met": None}]
        with mock.patch.object(report.targets, "evaluate", rows):
            page = report.build(self.rs)
        self.assertTrue("<h3>Targets</h3>" in page, "no targets heading")
        row = ('<td>treiber within 10% of boost</td><td class="n">12.5M</td><td class="n">0.93×</td>'
               "<td>not met</td>")
        self.assertTrue(row in page, f"no row {row}")
        self.assertTrue("<td>met</td>" in page, "no met row")
        self.assertTrue("<td>boost fairness</td><td>not measured (no boost)</td><td>—</td><td>—</td>" in page,
                        "a target without a verdict is not shown as such")
        with mock.patch.object(report.targets, "evaluate", lambda table: []):
            self.assertTrue("<h3>Targets</h3>" not in report.build(self.rs), "a table without targets")

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK),
                         f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-deps test)")
    def test_renders_in_chromium_images_load_nothing_overflows(self):
        verdict = render_check(self.page)
        self.assertGreater(verdict["images"], 10)
        self.assertEqual(verdict["broken"], [])
        self.assertEqual(verdict["wide"], [], verdict)
        self.assertLessEqual(verdict["scrollWidth"], verdict["width"])

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing")
    def test_the_first_screen_holds_the_verdict(self):
        self.assertIn("<h2>The answer", self.page)
        self.assertLess(self.page.index("<h2>The answer"), self.page.index("<h2>Machines</h2>"))
        verdict = render_check(self.page, FIRST_SCREEN)
        self.assertIsNotNone(verdict["answer_bottom"], "no verdict on the page")
        self.assertLessEqual(verdict["answer_bottom"], FIRST_SCREEN[1], verdict)
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(self.page, encoding="utf-8")
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
                            f"--window-size={FIRST_SCREEN[0]},{FIRST_SCREEN[1]}", f"--screenshot={ARTIFACT}",
                            page.as_uri()], capture_output=True, timeout=180)
        self.assertTrue(ARTIFACT.is_file() and ARTIFACT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", ARTIFACT)

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing")
    def test_the_check_sees_a_broken_image_and_an_overflow(self):
        # The check itself can fail: a page with a broken image and a too-wide table.
        bad = ("<!doctype html><html><body><img alt='gone' src='data:image/png;base64,AAAA'>"
               "<table style='width:5000px'><tr><td>x</td></tr></table></body></html>")
        verdict = render_check(bad)
        self.assertEqual(verdict["broken"], ["gone"])
        self.assertIn("TABLE", verdict["wide"])


if __name__ == "__main__":
    unittest.main()
