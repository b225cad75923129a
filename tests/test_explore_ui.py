"""``triad-explore`` in a real browser: Playwright drives Debian's Chromium against the
server started as a user starts it. Moving a slider and switching an event off change the
figures and the numbers; the saved experiment, run through the command line with the same
seed and replicates, gives exactly the numbers the page showed.

Skipped only when Chromium is missing (``.ci/run`` installs it)."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
                                reason="chromium not installed (apt-get install chromium; .ci/run does it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The explorer on a free port, its cwd (the save button's default) an empty folder."""
    cwd = tmp_path_factory.mktemp("explore")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd)}
    log = open(cwd / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sim.ui", "--port", str(port), "--host", "127.0.0.1"], cwd=cwd,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, (cwd / "server.log").read_text()
            assert time.time() < deadline, "server did not answer in 60 s: " + (cwd / "server.log").read_text()
            time.sleep(0.3)
        yield url, cwd
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


SNAPSHOT = """async () => {
  const figs = {};
  for (const img of document.querySelectorAll('img[class*="triad-fan-"]')) {
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 0; for (let i = 0; i < buf.length; i++) { h = (h * 31 + buf[i]) >>> 0; }
    figs[[...img.classList].find(c => c.startsWith('triad-fan-'))] = buf.length + ':' + h;
  }
  const nums = {};
  for (const td of document.querySelectorAll('td[data-key]')) { nums[td.dataset.key] = parseFloat(td.dataset.value); }
  return {figs, nums};
}"""


def snapshot(page) -> dict:
    return page.evaluate(SNAPSHOT)


def wait_change(page, before: dict, timeout: float = 60) -> tuple[dict, float]:
    """The page's figures and numbers once both differ from ``before``; and how long it took."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        now = snapshot(page)
        if now["figs"] and all(now["figs"].get(k) != v for k, v in before["figs"].items()) \
                and now["nums"] != before["nums"]:
            return now, time.perf_counter() - t0
        page.wait_for_timeout(100)
    raise AssertionError(f"the page did not change within {timeout} s")


def settled(page, timeout: float = 90) -> dict:
    """Wait for the first result (the server compiles the day loop while the page loads)."""
    page.wait_for_selector("img.triad-fan-tension", timeout=timeout * 1000)
    return snapshot(page)


def test_explorer_in_chromium_matches_the_command_line(server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, cwd = server
    external: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: None if r.url.startswith((url, url.replace("http", "ws"), "blob:", "data:"))
                else external.append(r.url))
        t0 = time.perf_counter()
        page.goto(url)
        first = settled(page)
        print(f"first page with figures: {time.perf_counter() - t0:.1f} s")
        assert set(first["figs"]) == {"triad-fan-tension", "triad-fan-net_relation"}
        assert first["nums"]["baseline|IRN-ISR|any|1"] == 1.0  # the article's own acts: certain
        assert not any(k.startswith("diff|") for k in first["nums"])  # no counterfactual yet

        # a slider of the parameter table: Iran's reaction to hostility, to 80 % of its span
        track = page.locator(".v-input__slider", has_text="reaction IRN").locator(".v-slider").first
        box = track.bounding_box()
        page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)
        moved, t_slider = wait_change(page, first)
        assert moved["nums"]["baseline|AZE-IRN|endogenous|3"] != first["nums"]["baseline|AZE-IRN|endogenous|3"]

        # an event switch: the Tehran embassy attack off -> a counterfactual, paired differences appear
        page.locator(".v-input--checkbox", has_text="tehran_embassy_attack").locator("label").click()
        toggled, t_event = wait_change(page, moved)
        diffs = {k: v for k, v in toggled["nums"].items() if k.startswith("diff|")}
        assert len(diffs) == 3 * 2 * 6 and any(v != 0 for v in diffs.values())
        for k, v in diffs.items():  # the difference is the counterfactual minus the factual, to rounding
            _, dyad, origin, rung = k.split("|")
            cf = toggled["nums"][f"explorer|{dyad}|{origin}|{rung}"]
            assert abs(v - (cf - toggled["nums"][f"baseline|{dyad}|{origin}|{rung}"])) < 1e-9

        # save under a name of our own, into the server's cwd
        name = page.get_by_label("name", exact=True)
        name.fill("probe_scenario")
        name.press("Enter")
        page.wait_for_timeout(300)
        page.locator("button.triad-save").click()
        msg = page.locator(".triad-saved").inner_text(timeout=10000)
        browser.close()
    saved = cwd / "experiment" / "probe_scenario.yaml"
    assert str(saved) in msg
    assert external == [], f"the page asked the internet: {external[:5]}"
    text = saved.read_text("utf-8")
    assert text.startswith("# @package _global_\n")
    exp = yaml.safe_load(text)
    assert exp["counterfactual"]["ops"] == [{"remove": {"event": "tehran_embassy_attack", "cascade": True}}]
    assert set(exp["dynamics"]["reaction"]) == {"IRN"} and exp["ensemble"] == {"replicates": 200, "seed": 0}
    print(f"update after the slider: {t_slider:.2f} s, after the event switch: {t_event:.2f} s (in the browser)")

    # the command line, from another directory, with the same seed and replicates
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "--config-dir", str(cwd), "experiment=probe_scenario",
                           "ensemble.replicates=200", "ensemble.seed=0", "report.enabled=false",
                           f"hydra.run.dir={run}"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    summ = json.loads((run / "summary.json").read_text())
    (cf_name,) = summ["counterfactuals"]
    assert cf_name == "probe_scenario"
    for key, shown in toggled["nums"].items():
        scen, dyad, origin, rung = key.split("|")
        if scen == "diff":
            block = summ["counterfactuals"][cf_name]["effects"][dyad]["p_rung_at_least"][summ["end"]]
            want = (block if origin == "any" else block["endogenous"])[rung]["diff"]
        else:
            block = summ["scenarios"]["baseline" if scen == "baseline" else cf_name][dyad]["p_rung_at_least"]
            want = (block if origin == "any" else block["endogenous"])[rung]["p"]
        assert shown == want, (key, shown, want)
    # and the headline lines the command prints carry the same factual numbers
    line3 = next(ln for ln in proc.stdout.splitlines() if ln.startswith("P(reach rung 3"))
    for dyad in ("AZE-IRN", "AZE-ISR", "IRN-ISR"):
        p = toggled["nums"][f"baseline|{dyad}|any|3"]
        assert re.search(rf"{dyad}\D{{0,30}}{p:.2f} \[", line3), (dyad, p, line3)
