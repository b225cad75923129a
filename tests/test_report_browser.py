"""The report in a real browser, and the report of a real run.

Headless Chromium (Debian package `chromium`) opens report.html: no console
messages, and the screenshot is not blank.  The report a run writes must equal
the one `build_report` makes again from the saved outputs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg

from conftest import compose_cfg
from sim.report import build_report
from sim.runs.job import run
from test_report import write_synthetic_run

pytestmark = pytest.mark.slow  # headless Chromium, a real run and its report

INSTALL_HINT = "chromium not found: run `apt-get install -y chromium` (Debian package) to run the browser tests"


def chromium() -> str:
    """Path of the chromium binary; the tests FAIL (not skip) without it."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return path


def open_in_chromium(html: Path, tmp: Path) -> tuple[list[str], Path]:
    """Load `html` headless; return (console lines, screenshot path)."""
    shot = tmp / "screenshot.png"
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0",
           f"--screenshot={shot}", "--window-size=1280,2000", html.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}"
    return console_errors(proc.stderr), shot


def console_errors(stderr: str) -> list[str]:
    """Console lines from Chromium's log.

    The report has no scripts, so any console message is a fault.  Chromium
    logs console.error() as "INFO:CONSOLE", so matching "ERROR" alone would
    miss it; lines with ERROR or "Uncaught" are caught either way.
    """
    return [ln for ln in stderr.splitlines()
            if "CONSOLE" in ln or ("Uncaught" in ln and "dbus" not in ln)]


def assert_not_blank(png: Path) -> None:
    img = mpimg.imread(png)[..., :3]
    white = np.all(img > 0.98, axis=-1).mean()
    assert float(img.std()) > 0.05, f"screenshot nearly uniform (std {img.std():.4f})"
    assert white < 0.99, f"screenshot {white:.1%} white"


SMALL = ["experiment=no_embassy_attack", "ensemble.replicates=50", "record.replicates=5", "end=2023-08-31"]


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real") / "run"
    run(compose_cfg(SMALL), out)
    return out


def test_chromium_installed():
    assert shutil.which("chromium"), INSTALL_HINT


def test_console_detector_catches_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<html><body><p>x</p><script>console.error('boom'); nope();</script></body></html>")
    errors, _ = open_in_chromium(page, tmp_path)
    assert any("boom" in e for e in errors) and any("Uncaught" in e for e in errors), errors


def test_blank_detector(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<html><body></body></html>")
    _, shot = open_in_chromium(page, tmp_path)
    with pytest.raises(AssertionError):
        assert_not_blank(shot)


def test_real_run_report_opens_without_errors(real_run, tmp_path):
    names = {p.stem for p in (real_run / "figures").glob("*.png")}
    assert {"routes", "paired_difference"} <= names
    errors, shot = open_in_chromium(real_run / "report.html", tmp_path)
    assert errors == []
    assert_not_blank(shot)


def test_synthetic_attribution_report_opens_without_errors(tmp_path):
    root = write_synthetic_run(tmp_path / "run", days=30, scenarios=("baseline", "no_embassy"),
                               counterfactual_outputs=True)
    build_report(root)
    errors, shot = open_in_chromium(root / "report.html", tmp_path)
    assert errors == []
    assert_not_blank(shot)


def _first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at char {i}: run wrote {a[i - 80:i + 80]!r}, rebuild has {b[i - 80:i + 80]!r}"


def test_report_from_saved_outputs_equals_run_report(real_run):
    written = (real_run / "report.html").read_bytes()
    build_report(real_run)
    rebuilt = (real_run / "report.html").read_bytes()
    assert rebuilt == written, _first_difference(written.decode(), rebuilt.decode())


# --------------------------------------------------------------------------
# Layout at 1400 px (Playwright driving Debian's Chromium)
# --------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _layout_facts(html: Path) -> dict:
    """Open `html` at 1400 px; page and table widths, images, and each contents link
    followed by a click (where the page scrolled to, where its target is)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(html.resolve().as_uri())
            facts = page.evaluate("""() => ({
                scrollWidth: document.documentElement.scrollWidth,
                clientWidth: document.documentElement.clientWidth,
                images: Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]),
                tablesOutsideBoxes: Array.from(document.querySelectorAll('table'))
                    .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth).length,
                links: Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href')),
            })""")
            clicks = []
            links = facts["links"]
            for href in (links[len(links) // 2], links[-1]):  # far down the page: it must scroll to them
                page.evaluate("window.scrollTo(0, 0)")
                page.click(f"nav.toc a[href='{href}']")
                page.wait_for_timeout(100)
                clicks.append(page.evaluate(
                    "h => [window.scrollY, document.getElementById(h.slice(1)).getBoundingClientRect().top]", href))
            facts["targets"] = page.evaluate("hs => hs.map(h => !!document.getElementById(h.slice(1)))", facts["links"])
            facts["clicks"] = clicks
            return facts
        finally:
            browser.close()


def test_real_run_report_layout_at_1400px(real_run):
    facts = _layout_facts(real_run / "report.html")
    assert facts["scrollWidth"] <= facts["clientWidth"] == 1400  # no horizontal scrollbar on the page
    assert facts["tablesOutsideBoxes"] == 0
    assert len(facts["images"]) >= 7 and all(done and w > 0 for _, done, w in facts["images"]), facts["images"]
    assert len(facts["links"]) >= 10 and all(facts["targets"]), facts["links"]
    for y, top in facts["clicks"]:  # clicking scrolled down until the target is in the window
        assert y > 1000 and -5 < top < 900, facts["clicks"]
