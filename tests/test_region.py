"""actors=region (issue 24): pair types and their precedence, the attribution of a proxy's
acts to its patron (paired, closed-form checks), every missing value named at once, a
fifth actor added by following docs/actors.md, and the regional timeline's provenance."""
from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from conftest import CONF, ROOT, deep_update, plain_cfg
from sim.config.build import build_settings
from sim.config.validate import validate
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.errors import ConfigError
from sim.runs.ensemble import run_ensemble

REGION = ("ISR", "AZE", "IRN", "USA", "RUS", "TUR", "ARM", "HZB")


@pytest.fixture(scope="module")
def region_plain():
    return plain_cfg(["actors=region", "events=none", "end=2022-10-31", "record.replicates=0"])


def test_region_actors_and_types(region_plain):
    s = build_settings(region_plain)
    assert s.actors == REGION
    i = s.actors.index
    assert s.attribution[i("HZB"), i("IRN")] == 0.3 and np.count_nonzero(s.attribution) == 1
    # the triangle's own values are those of the default config
    tri = build_settings(plain_cfg(["events=none", "end=2022-10-31", "record.replicates=0"]))
    for a in ("ISR", "AZE", "IRN"):
        for b in ("ISR", "AZE", "IRN"):
            assert s.initial_hostility[i(a), i(b)] == tri.initial_hostility[tri.actors.index(a), tri.actors.index(b)]


def test_pair_type_precedence(region_plain):
    """explicit SRC_TGT > the pair's type > pair_types.default > the mapping's `default`."""
    dy = region_plain["dynamics"]
    cfg = deep_update(region_plain, {"dynamics": {
        "grievance": {"__replace__": True, **{k: v for k, v in dy["grievance"].items() if "HZB" not in k},
                      "default": 0.5, "USA_HZB": 0.123},
        "pair_types": {"HZB_TUR": "allies"}}})
    s = build_settings(cfg)
    g = s.params.drift.grievance[..., 0]
    i = s.actors.index
    by = dy["by_type"]
    assert g[i("USA"), i("HZB")] == 0.123  # explicit
    assert g[i("HZB"), i("USA")] == by["rivals"]["grievance"]  # the pair's own type (HZB_USA: rivals)
    assert g[i("TUR"), i("HZB")] == g[i("HZB"), i("TUR")] == by["allies"]["grievance"]  # typed now, both ways
    assert g[i("ARM"), i("HZB")] == by["neighbours"]["grievance"]  # pair_types.default beats `default`
    with pytest.raises(ConfigError, match="dynamics.pair_types.HZB_TUR: 'enemies' is not a type"):
        build_settings(deep_update(region_plain, {"dynamics": {"pair_types": {"HZB_TUR": "enemies"}}}))


def _attribution_run(w: float, event: bool, days: int = 40):
    """Decisions off, noise and balance 0, the cross-target channel off (it too would raise
    ISR's trace toward HZB's partner IRN; tests/test_cross_target.py): one HZB->ISR strike
    (m = 1) on day 5."""
    zero = {a: 0.0 for a in REGION}
    ev = [{"id": "strike", "date": "2022-09-06", "source": "HZB", "target": "ISR", "cameo": "190",
           "summary": "test strike", "sources": ["test, 2022-09-06: injected"]}]
    cfg = plain_cfg(["actors=region", "events=none", "end=2022-10-10", "record.replicates=0",
                     "decisions.enabled=false", "dynamics.noise.hostility=0", "dynamics.noise.cooperation=0",
                     "decisions.memory.cross_target=0"])
    cfg = deep_update(cfg, {"actors": {"HZB": {"attributed_to": {"__replace__": True, "IRN": w}}},
                            "dynamics": {"balance": {"__replace__": True, **zero}},
                            "events": {"timeline": ev if event else []}})
    s = build_settings(cfg)
    m = TriadModel(s, Scenario("b", s.events), 0, 2)
    out = []
    for _ in range(days):
        m.step()
        out.append((m.S[0].copy(), m.P.copy(), m.agents[s.actors.index("ISR")].memory.copy()))
    return s, out


def test_attribution_zero_changes_nothing_toward_the_patron():
    s, none = _attribution_run(0.3, event=False)
    _, w0 = _attribution_run(0.0, event=True)
    isr, irn, hzb = (s.actors.index(a) for a in ("ISR", "IRN", "HZB"))
    for (h0, p0, _), (h1, p1, m1) in zip(none, w0):
        assert np.array_equal(h0[isr, irn], h1[isr, irn]) and np.array_equal(p0[isr, irn], p1[isr, irn])
        assert not m1[irn].any()
    assert w0[10][0][isr, hzb, 0] > none[10][0][isr, hzb, 0]  # the act itself did land on ISR->HZB


def test_attribution_is_proportional_to_the_weight():
    """The affine drift is linear: ISR's extra hostility toward IRN scales with w, exactly
    w·impulse·m on the day (through one exact step), P = w·q and the memory = w·(its HZB trace)."""
    s, base = _attribution_run(0.0, event=True)
    _, a = _attribution_run(0.3, event=True)
    _, b = _attribution_run(0.6, event=True)
    isr, irn, hzb = (s.actors.index(x) for x in ("ISR", "IRN", "HZB"))
    day = 5
    for t in range(day, 40):
        da = a[t][0][isr, irn] - base[t][0][isr, irn]
        db = b[t][0][isr, irn] - base[t][0][isr, irn]
        assert np.all(da > 0)
        np.testing.assert_allclose(db, 2 * da, rtol=1e-9, atol=1e-15)
    q = 0.5 ** (1 / s.params.decisions.provocation_half_life_days)
    np.testing.assert_allclose(a[day][1][isr, irn], 0.3 * q, rtol=1e-12)
    mem = a[day][2]  # ISR's traces (N, 6, R): rung 5 of IRN is 0.3 of rung 5 of HZB
    np.testing.assert_allclose(mem[irn, 4], 0.3 * mem[hzb, 4], rtol=1e-12)
    assert mem[hzb, 4].min() > 0 and not a[day][1][irn, isr].any()  # the patron received nothing


def test_endogenous_acts_spill_to_the_patron(region_plain):
    s = build_settings(region_plain)
    m = TriadModel(s, Scenario("b", ()), 0, 3)
    isr, irn, hzb = (s.actors.index(x) for x in ("ISR", "IRN", "HZB"))
    H0, P0 = m.S[0].copy(), m.P.copy()
    m.hostile_rung[:] = 0
    m.coop_level[:] = 0
    m.hostile_rung[hzb, isr] = [5, 0, 3]
    m._apply_acts()
    mag = m.hostile_mag[np.array([5, 0, 3])]
    ih = s.params.impulse_hostility
    np.testing.assert_allclose(m.S[0][isr, irn] - H0[isr, irn], 0.3 * ih * mag, rtol=1e-12)
    np.testing.assert_allclose(m.P[isr, irn] - P0[isr, irn], np.minimum(P0[isr, irn] + 0.3 * mag, 1) - P0[isr, irn])
    np.testing.assert_array_equal(m.S[0][irn], H0[irn])  # the patron's own hostility: untouched


def test_every_missing_value_in_one_message():
    with pytest.raises(ConfigError) as exc:
        plain = plain_cfg(["+actors.GEO.name=Georgia"])
        build_settings(plain)
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith("actors: 32 value(s) missing")  # capability + 7 rates + 4 x 6 pair values
    for key in ("actors.GEO.capability", "dynamics.reaction.GEO", "dynamics.hostility_drag.GEO",
                "dynamics.grievance.GEO_ISR", "dynamics.affinity.IRN_GEO", "dynamics.initial.cooperation.GEO_AZE"):
        assert key in msg
    # with pair types on offer (the region), the message names them and their values
    with pytest.raises(ConfigError) as exc:
        build_settings(plain_cfg(["actors=region", "+actors.GEO.name=Georgia", "+actors.GEO.capability=0.2",
                                  "~dynamics.pair_types.default"]))
    msg = str(exc.value)
    assert "dynamics.reaction.GEO" in msg and "dynamics.initial.hostility.GEO_HZB" in msg
    assert "rivals (grievance 0.0065, affinity 0.0045, initial.hostility 0.6, initial.cooperation 0.1)" in msg


def _doc_block() -> str:
    text = (ROOT / "docs" / "actors.md").read_text("utf-8")
    return re.search(r"<!-- actors-example.*?```yaml\n(.*?)```", text, re.S).group(1)


def test_actor_added_following_the_docs(tmp_path):
    """docs/actors.md's file, put in a copy of conf/ as the walkthrough says, runs."""
    conf = tmp_path / "conf"
    shutil.copytree(CONF, conf)
    (conf / "actors" / "region_geo.yaml").write_text(_doc_block(), "utf-8")
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
            cfg = compose(config_name="config", overrides=["actors=region_geo", "end=2022-11-30",
                                                            "ensemble.replicates=20", "record.replicates=0"])
    finally:
        GlobalHydra.instance().clear()
    s = build_settings(validate(cfg))
    assert s.actors == REGION + ("GEO",)
    i = s.actors.index
    assert s.initial_hostility[i("GEO"), i("RUS")] == 0.5  # explicit
    by = yaml.safe_load((CONF / "actors" / "region.yaml").read_text("utf-8"))["dynamics"]["by_type"]
    assert s.initial_hostility[i("RUS"), i("GEO")] == 0.4
    assert s.initial_hostility[i("TUR"), i("GEO")] == by["allies"]["initial"]["hostility"]  # typed
    assert s.initial_hostility[i("GEO"), i("USA")] == by["neighbours"]["initial"]["hostility"]  # default type
    st = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
    n, d = 9, 36
    assert len(st.series) == 2 * n * (n - 1) + 2 * d
    assert st.reached.shape[1] == d


EVENTS = yaml.safe_load((CONF / "events" / "region_2023_2024.yaml").read_text("utf-8"))


@pytest.mark.parametrize("ev", EVENTS["timeline"], ids=[e["id"] for e in EVENTS["timeline"]])
def test_region_events_carry_sources_not_quotes(ev):
    assert "quote" not in ev
    assert ev["sources"] and all(re.search(r"\b(19|20)\d\d-\d\d", s) for s in ev["sources"])
    assert "2023-06-01" <= ev["date"] <= "2024-05-31"


def test_region_timeline_builds_after_the_article():
    s = build_settings(plain_cfg(["actors=region", "events=region_2023_2024"]))
    ids = [e.id for e in s.events]
    article = yaml.safe_load((CONF / "events" / "article.yaml").read_text("utf-8"))["timeline"]
    assert ids[:len(article)] == [e["id"] for e in article]
    assert {"damascus_consulate_strike", "iran_attack_on_israel", "isfahan_strike", "tower_22_attack",
            "us_strikes_iraq_syria", "karabakh_offensive", "qiz_qalasi_dam_opening",
            "hezbollah_opens_front"} <= set(ids)
    with pytest.raises(Exception, match="not a configured actor"):
        build_settings(plain_cfg(["events=region_2023_2024"]))  # needs actors=region


def test_sources_are_checked():
    from sim.config.events import parse_events
    from sim.errors import EventError

    ev = {"id": "x", "date": "2023-10-08", "source": "ISR", "target": "IRN", "cameo": "111"}
    assert parse_events([{**ev, "sources": ["Reuters, 2023-10-08: t"]}], ("ISR", "IRN"))[0].sources
    for bad in ([], ["Reuters"], "Reuters, 2023-10-08", [3]):
        with pytest.raises(EventError, match="sources"):
            parse_events([{**ev, "sources": bad}], ("ISR", "IRN"))


def test_explorer_dyad_selector(region_plain):
    """The explorer runs the region and shows a chosen subset of its 28 dyads: the same
    numbers as the full outcome, column for column."""
    from sim.report import dyads
    from sim.ui import compute
    from sim.ui.scenario import Scenario

    full = compute.simulate(Scenario(replicates=4), {**region_plain, "end": "2022-09-20"})
    assert len(full.dyads) == 28
    default = dyads.shown(full.dyads, {"scenarios": full.scenarios})
    assert len(default) == dyads.MAX_SHOWN and set(dyads.TRIANGLE) <= set(default)
    sub = compute.select(full, ["IRN-ISR", "HZB-ISR", "nonsense"])
    assert sorted(sub.dyads) == ["HZB-ISR", "IRN-ISR"]
    for v in compute.VARIABLES:
        for k, d in enumerate(sub.dyads):
            np.testing.assert_array_equal(sub.fans["baseline"][v][:, k], full.fans["baseline"][v][:, full.dyads.index(d)])
    assert compute.select(full, []) is full


def test_explorer_refuses_an_unknown_actors_option():
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "sim.ui", "--actors", "galaxy"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr == "triad-explore: error: --actors: 'galaxy' is not a shipped actors option; allowed: default, region\n"


def test_sweep_axis_labels_name_the_region_actors():
    from sim.report.sweep_axes import readable

    assert readable("override.dynamics.reaction.USA").startswith("Richardson k")
    assert "HZB_ISR" in readable("override.dynamics.grievance.HZB_ISR") and "1/day" in readable(
        "override.dynamics.grievance.HZB_ISR")


def test_story_facts_and_gdelt_on_the_region(region_plain):
    """The triangle's narrative checks and the GDELT comparison read the region's run: only
    dyads with GDELT data are compared."""
    from sim.runs import story, validation

    s = build_settings({**region_plain, "end": "2023-06-30", "events": plain_cfg(["actors=region"])["events"],
                        "ensemble": {**region_plain["ensemble"], "replicates": 8}})
    st = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
    facts = story.facts(st, s.start)
    assert all(np.isfinite(v) for v in facts.values()) and set(story.holds(facts))
    v = validation.validation(st, s.dates, s.actors)
    assert set(v["dyads"]) == {"AZE-IRN", "AZE-ISR", "IRN-ISR"}


def test_report_and_sweep_show_nine_dyads_beyond_nine():
    from itertools import combinations

    from sim.report import dyads

    every = ["-".join(sorted(p)) for p in combinations(REGION, 2)]
    score = {d: k / 100 for k, d in enumerate(sorted(every))}  # the last names score highest
    got = dyads.by_score(every, score)
    others = sorted((d for d in every if d not in dyads.TRIANGLE), key=lambda d: -score[d])[:6]
    assert got == sorted([*dyads.TRIANGLE, *others]) and len(got) == dyads.MAX_SHOWN
    assert dyads.by_score(every[:5], score) == sorted(every[:5])
    assert dyads.shown(every, {}, wanted=["IRN-ISR", "HZB-ISR"]) == ["HZB-ISR", "IRN-ISR"]
