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

import numpy as np
import pytest
import yaml

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
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
    try:
        deadline = time.time() + 60
        url = None
        while url is None:  # the URL with the per-start token (sim.ui.guard), as printed
            found = re.search(r"http://\S+\?token=\S+", (cwd / "server.log").read_text())
            url = found.group(0) if found else None
            assert proc.poll() is None, (cwd / "server.log").read_text()
            assert time.time() < deadline, "no URL printed in 60 s: " + (cwd / "server.log").read_text()
            time.sleep(0.3)
        while True:
            try:
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # the token's cookie
                with opener.open(url, timeout=5) as r:
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


@pytest.mark.slow
@needs_chromium
def test_explorer_in_chromium_matches_the_command_line(server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, cwd = server
    external: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        base = url.split("?", 1)[0]  # the pages and sockets of this server, whatever the query
        page.on("request", lambda r: None if r.url.startswith((base, base.replace("http", "ws"), "blob:", "data:"))
                else external.append(r.url))
        page.on("response", lambda r: external.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        t0 = time.perf_counter()
        page.goto(url)
        first = settled(page)
        print(f"first page with figures: {time.perf_counter() - t0:.1f} s")
        assert set(first["figs"]) == {"triad-fan-tension", "triad-fan-net_relation"}
        assert first["nums"]["baseline|IRN-ISR|any|1"] == 1.0  # the article's own acts: certain
        assert not any(k.startswith("diff|") for k in first["nums"])  # no counterfactual yet

        # a slider of the parameter table: Iran's reaction to hostility, to 80 % of its span
        track = page.locator(".v-input__slider", has_text="reaction IRN").locator(".v-slider").first
        track.scroll_into_view_if_needed()
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
    assert external == [], f"the page asked the internet, or a local asset is missing: {external[:5]}"
    log = (cwd / "server.log").read_text()
    assert "Could not load URL" not in log and "Traceback" not in log, log[-3000:]  # the server's CDN proxy unused
    text = saved.read_text("utf-8")
    assert text.startswith("# @package _global_\n")
    exp = yaml.safe_load(text)
    assert exp["counterfactual"]["ops"] == [{"remove": {"event": "tehran_embassy_attack", "cascade": True}}]
    assert set(exp["dynamics"]["reaction"]) == {"IRN"} and exp["ensemble"] == {"replicates": 200, "seed": 0}
    print(f"update after the slider: {t_slider:.2f} s, after the event switch: {t_event:.2f} s (in the browser)")

    # the command line, from another directory, with the same seed and replicates
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "--config-dir", str(cwd), "experiment=probe_scenario",
                           "ensemble.replicates=200", "ensemble.seed=0", "report.enabled=false", "record.replicates=0",
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


# -- without a browser: the scenario's pieces ------------------------------------------------------

def test_sliders_come_from_the_parameter_table(default_plain):
    from sim import params
    from sim.config.spec import build_spec
    from sim.ui.scenario import MAIN, SPAN, main_knobs

    spec = build_spec(default_plain)
    knobs = main_knobs(spec)
    assert [k.entry for k in knobs] == [e for p in MAIN for e in params.BY_PATH[p].entries(spec.settings.actors)]
    for k in knobs:
        row = params.BY_PATH[k.row.path]
        default = row.default[k.key] if isinstance(row.default, dict) else row.default
        assert k.value == default and row.unit in k.help and f"[{row.lo:g}, {row.hi:g}]" in k.help
        assert row.lo <= k.lo <= k.value <= k.hi <= row.hi  # inside the allowed range, around the default
        assert k.hi == row.hi or k.hi == SPAN * k.value
    reaction = next(k for k in knobs if k.entry == "dynamics.reaction.IRN")
    assert (reaction.lo, reaction.hi, reaction.step) == (0.0, SPAN * 0.012, 0.0001)


def test_ops_order_and_the_saved_experiment_composes_to_the_same_run(default_plain, tmp_path, monkeypatch):
    from conftest import compose_cfg
    from sim.config.spec import build_spec
    from sim.config.validate import validate
    from sim.ui import options
    from sim.ui.scenario import EventChoice, SaveError, Scenario, save, to_plain

    monkeypatch.setattr(options, "_save_dir", str(tmp_path))  # the folder the server was started with

    timeline = build_spec(default_plain).settings.events
    sc = Scenario(values={"dynamics.reaction.IRN": 0.02, "decisions.rungs.4.rate": 0.003},
                  events={"iran_accuses_israeli_presence": EventChoice(keep=False),
                          "iran_border_exercises": EventChoice(scale=2.0),  # anchored to the removed one
                          "herzog_visit_baku": EventChoice(shift=-30)},
                  replicates=40, seed=5, name="probe")
    ops = sc.ops(timeline)
    assert ops == [{"scale": {"event": "iran_border_exercises", "factor": 2.0}},
                   {"shift": {"event": "herzog_visit_baku", "days": -30}},
                   {"remove": {"event": "iran_accuses_israeli_presence", "cascade": True}}]
    path = save(sc, timeline, tmp_path)
    assert path == tmp_path / "experiment" / "probe.yaml"
    with pytest.raises(SaveError, match="exists"):
        save(sc, timeline, tmp_path)
    with pytest.raises(SaveError, match="letters, digits"):
        save(Scenario(name="../x"), timeline, tmp_path)
    cli = build_spec(validate(compose_cfg(["experiment=probe", f"hydra.searchpath=[file://{tmp_path}]"])))
    app = build_spec(to_plain(default_plain, sc, timeline))
    for e in ("dynamics.reaction.IRN", "decisions.rungs.4.rate", "dynamics.reaction.ISR"):
        assert cli.parameter(e) == app.parameter(e)
    assert cli.counterfactual.raw_ops == app.counterfactual.raw_ops == ops
    from sim.runs.plan import plan_run

    applied = plan_run(app).applied["probe"]  # the scale before the cascade that removes its event: no error
    assert "iran_border_exercises" in applied.changed_events
    assert "iran_accuses_israeli_presence" not in {e.id for e in applied.scenario.events}
    assert (cli.settings.seed, cli.settings.replicates) == (app.settings.seed, app.settings.replicates) == (5, 40)
    # the same switches as counterfactual `set` ops instead of overrides of both runs
    sc2 = Scenario(values={"dynamics.reaction.IRN": 0.02}, params_in_counterfactual=True)
    assert sc2.ops(timeline) == [{"set": {"param": "dynamics.reaction.IRN", "value": 0.02}}]
    assert build_spec(to_plain(default_plain, sc2, timeline)).parameter("dynamics.reaction.IRN") == 0.012


def test_explorer_numbers_are_the_runs_own(default_plain):
    """The app reads the run's summary functions on views of the statistics: same numbers as
    the full read-outs."""
    from sim.config.spec import build_spec
    from sim.runs import summary
    from sim.runs.ensemble import run_ensemble
    from sim.runs.plan import plan_run
    from sim.ui import compute
    from sim.ui.scenario import EventChoice, Scenario, to_plain

    base = {**default_plain, "end": "2023-04-30"}
    sc = Scenario(events={"tehran_embassy_attack": EventChoice(keep=False)}, replicates=30)
    out = compute.simulate(sc, base)
    spec = build_spec(to_plain(base, sc, build_spec(base).settings.events))
    plan = plan_run(spec)
    results, _ = run_ensemble(spec.settings, [plan.baseline], plan.pairs, None, 1, quiet=True)
    for name, r in results.items():
        assert out.scenarios[name] == summary.scenario_summary(r.stats, spec.settings.actors)
        full = r.stats.quantiles(compute.QS)
        s = r.stats.series
        col = next(i for i, (a, b, v) in enumerate(zip(s.source, s.target, s.variable))
                   if v == "tension" and f"{a}-{b}" == "AZE-IRN")
        step = -(-spec.settings.n_days // compute.FAN_POINTS)
        np.testing.assert_array_equal(out.fans[name]["tension"][:, out.dyads.index("AZE-IRN")], full[::step, col])


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "--port: 70000 is out of range; allowed: 0..65535"),
    (["--save-dir", "/nonexistent/dir"], "--save-dir: '/nonexistent/dir' is not a directory"),
])
def test_bad_arguments_give_one_line_and_exit_2(args, message):
    proc = subprocess.run([sys.executable, "-m", "sim.ui", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2 and proc.stderr == f"triad-explore: error: {message}\n"
