"""Counterfactuals: common random numbers, paired effects, op validation, routes."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import CONF, compose_cfg, plain_cfg
from sim.config.build import build_settings
from sim.config.ops import Remove, SetParam, parse_ops
from sim.config.spec import build_spec
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.errors import ConfigError
from sim.runs.counterfactual import OpError, apply_ops
from sim.runs.job import run
from sim.runs.routes import route_masks

TIMELINE = {e["id"]: e for e in yaml.safe_load((CONF / "events" / "article.yaml").read_text("utf-8"))["timeline"]}


def trajectories(settings, scenario, R=64):
    out = []
    TriadModel(settings, scenario, 0, R, [lambda t, m: out.append((m.S.copy(), m.P.copy(), m.max_rung.copy()))]).run()
    return out


def scenario(ops, overrides=(), name="cf"):
    cfg = plain_cfg(["end=2023-08-31", *overrides])
    s = build_settings(cfg)
    return s, apply_ops(name, parse_ops(ops, s.actors), s)


@pytest.mark.parametrize("ops", [
    [{"remove": {"event": "tehran_embassy_attack", "cascade": True}}],
    [{"scale": {"event": "tel_aviv_embassy_opening", "factor": 3.0}}],
    [{"shift": {"event": "herzog_visit_baku", "days": -20}}],
    [{"set": {"param": "dynamics.reaction.IRN", "value": 0.03, "from": "2023-02-10"}}],
    [{"add": {"id": "extra_drill", "date": "2023-04-12", "source": "IRN", "target": "AZE", "cameo": "150"}}],
    [{"set": {"param": "events.tehran_embassy_attack.attribution", "value": 1.0}}],
], ids=["remove", "scale", "shift", "set", "add", "attribution"])
def test_identical_until_first_change_then_different(ops):
    s, a = scenario(ops)
    base = trajectories(s, Scenario("baseline", s.events))
    cf = trajectories(s, a.scenario)
    first = s.day_of(a.first_change)
    for t in range(first):
        for x, y in zip(base[t], cf[t]):
            assert np.array_equal(x, y), t
    assert any(not np.array_equal(base[t][0], cf[t][0]) for t in range(first, len(base)))


def test_change_after_end_has_exactly_zero_effect(tmp_path):
    out = tmp_path / "late"
    run(compose_cfg(["experiment=no_herzog_visit", "end=2023-05-15", "ensemble.replicates=100",
                     "report.enabled=false"]), out)
    summ = json.loads((out / "summary.json").read_text())
    eff = summ["counterfactuals"]["no_herzog_visit"]["effects"]
    assert summ["counterfactuals"]["no_herzog_visit"]["answer"].startswith(
        "Every change of this counterfactual takes effect on or after 2023-05-")  # said, not found
    for e in eff.values():
        for var in ("tension", "net_relation"):
            for rep in e[var].values():
                assert rep["diff"] == 0 and rep["lo"] == 0 and rep["hi"] == 0
        for reps in e["p_rung_at_least"].values():
            for k, rep in reps.items():
                for r in (rep.values() if k == "endogenous" else [rep]):
                    assert r["diff"] == 0
    # and a parameter set from after the end
    s, a = scenario([{"set": {"param": "dynamics.restraint.AZE", "value": 0.5, "from": "2030-01-01"}}])
    assert a.scenario.switches == ()
    b, c = trajectories(s, Scenario("baseline", s.events), 16), trajectories(s, a.scenario, 16)
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(b, c))


def test_paired_intervals_narrower_than_unpaired(tmp_path):
    out = tmp_path / "pair"
    run(compose_cfg(["experiment=no_embassy_attack", "ensemble.replicates=300", "report.enabled=false",
                     "record.replicates=0"]), out)
    summ = json.loads((out / "summary.json").read_text())
    c = summ["counterfactuals"]["no_embassy_attack"]
    assert c["answer"].startswith("What if the 27 January 2023 attack")
    n_checked = 0
    for dyad in ("AZE-IRN",):
        for var in ("tension", "net_relation"):
            for date, rep in c["effects"][dyad][var].items():
                if date > c["first_change"] and rep["diff"] != 0:
                    assert rep["hi"] - rep["lo"] < rep["unpaired_hi"] - rep["unpaired_lo"], (var, date)
                    n_checked += 1
    assert n_checked >= 6


def test_remove_then_add_back_is_identity():
    raw = dict(TIMELINE["aliyev_criticizes_iran_security"])
    s, a = scenario([{"remove": raw["id"]}, {"add": raw}])
    assert np.all([np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
                   for x, y in zip(trajectories(s, Scenario("baseline", s.events)), trajectories(s, a.scenario))])


@pytest.mark.parametrize("ops, needle", [
    ([{"remove": "no_such_event"}], "counterfactual.ops[0].remove: unknown event id 'no_such_event'"),
    ([{"scale": {"event": "ghost", "factor": 2}}], "counterfactual.ops[0].scale: unknown event id 'ghost'"),
    ([{"shift": {"event": "ghost", "days": 3}}], "unknown event id 'ghost'"),
    ([{"set": {"param": "dynamics.reacton.IRN", "value": 0.1}}], "unknown parameter path 'dynamics.reacton.IRN'"),
    ([{"set": {"param": "dynamics.reaction.XYZ", "value": 0.1}}], "unknown parameter path 'dynamics.reaction.XYZ'"),
    ([{"set": {"param": "ensemble.seed", "value": 3}}], "'ensemble.seed' is not a settable parameter"),
    ([{"set": {"param": "events.ghost.attribution", "value": 1}}], "unknown event id 'ghost'"),
    ([{"set": {"param": "dynamics.reaction.IRN", "value": -1.0}}], "dynamics.reaction.IRN: -1.0 is out of range"),
    ([{"explode": "tehran_embassy_attack"}], "unknown op 'explode'; allowed: remove, scale, shift, add, set"),
    ([{"remove": "tehran_embassy_attack"}], "has events anchored to it (aliyev_criticizes_iran_security"),
    ([{"add": dict(TIMELINE["herzog_visit_baku"])}], "event id 'herzog_visit_baku' is already in the timeline"),
    ([{"add": {"id": "x", "date": "2023-01-01", "source": "IRN", "target": "MARS", "cameo": "111"}}],
     "'MARS' is not a configured actor"),
    ([{"scale": {"event": "herzog_visit_baku", "factor": -1}}], "factor: -1; allowed: a finite number in [0, 1000000]"),
    ([{"remove": "herzog_praises_azerbaijan"}, {"remove": "herzog_praises_azerbaijan"}],
     "counterfactual.ops[1].remove: unknown event id 'herzog_praises_azerbaijan'"),
])
def test_op_errors_name_the_bad_id_or_path(ops, needle):
    with pytest.raises(OpError) as exc:
        scenario(ops)
    assert needle in str(exc.value)


def test_ops_compose_in_order():
    """Scaling twice multiplies; a later set on the same path wins."""
    s, a = scenario([{"scale": {"event": "herzog_visit_baku", "factor": 2}},
                     {"scale": {"event": "herzog_visit_baku", "factor": 3}},
                     {"set": {"param": "dynamics.reaction.IRN", "value": 0.02, "from": "2023-03-01"}},
                     {"set": {"param": "dynamics.reaction.IRN", "value": 0.04, "from": "2023-03-01"}}])
    ev = {e.id: e for e in a.scenario.events}["herzog_visit_baku"]
    assert ev.scale == 6.0
    (day, params), = a.scenario.switches
    assert day == s.day_of(dt.date(2023, 3, 1))
    assert params.drift.reaction[s.actors.index("IRN"), 0] == 0.04


def test_routes_and_survival(tmp_path):
    out = tmp_path / "routes"
    run(compose_cfg(["experiment=no_tel_aviv_embassy", "ensemble.replicates=200", "report.enabled=false",
                     "record.replicates=0"]), out)
    routes = pd.read_parquet(out / "routes.parquet")
    assert set(routes.scenario) == {"baseline", "no_tel_aviv_embassy"}
    assert set(routes.origin) == {"any", "endogenous"}
    for _, g in routes.groupby(["scenario", "dyad", "origin"]):
        assert g["count"].sum() == 200
        assert g.p.sum() == pytest.approx(1.0, abs=1e-12)
    inc = pd.read_parquet(out / "incidence.parquet")
    assert set(inc.origin) == {"any", "endogenous"}
    for _, g in inc.groupby(["scenario", "dyad", "rung", "origin"]):
        survival = 1 - g.sort_values("date").p.to_numpy()
        assert np.all(np.diff(survival) <= 0)
    summ = json.loads((out / "summary.json").read_text())
    for scen in summ["scenarios"].values():
        for dy in scen.values():
            t = np.array(dy["transitions"])
            rows = t.sum(axis=1)
            assert np.all((np.abs(rows - 1) < 1e-5) | (rows == 0))
            assert np.all(np.tril(t) == 0)  # the ladder only goes up
    assert summ["counterfactuals"]["no_tel_aviv_embassy"]["route_changes"]


def test_route_masks_from_first_reach():
    # dyad 0: 0 -> 1 (day 3) -> 4 (day 9, skipping 2 and 3); dyad 1: never; dyad 2: straight to 2 on day 5
    fr = np.full((7, 3, 1), -1)
    fr[1, 0], fr[2, 0], fr[3, 0], fr[4, 0] = 3, 9, 9, 9
    fr[1, 2], fr[2, 2] = 5, 5
    assert route_masks(fr)[:, 0].tolist() == [0b1001, 0, 0b10]


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_attribution_experiment(tmp_path):
    out = tmp_path / "attr"
    run(compose_cfg(["experiment=attribution", "ensemble.replicates=60", "report.enabled=false",
                     "record.replicates=0", "end=2023-12-31"]), out)
    summ = json.loads((out / "summary.json").read_text())
    att = summ["attribution"]
    assert set(summ["scenarios"]) == {"baseline"}
    rows = att["ranking"]["AZE-IRN"]
    assert len(rows) == len(TIMELINE)
    diffs = [abs(r["lags"]["90"]["tension"]["diff"]) for r in rows]  # ranked 90 days after each event
    assert diffs == sorted(diffs, reverse=True)
    for r in rows:
        assert r["tension"]["lo"] <= r["tension"]["diff"] <= r["tension"]["hi"]
    # the attack (with its anchored reactions) raised AZE–IRN tension a year on, beyond doubt
    attack = {r["event"]: r for r in rows}["tehran_embassy_attack"]
    assert attack["tension"]["lo"] > 0


@pytest.mark.parametrize("overrides, message", [
    (["counterfactual.effect_months=[3,0]"], "counterfactual.effect_months: [3, 0]: months after the change must be in [1, 1200]"),
    (["counterfactual.target_half_width=0"], "counterfactual.target_half_width: 0.0 is out of range; allowed: (0, 1]"),
    (["counterfactual.rank_rung=7"], "counterfactual.rank_rung: 7 is out of range; allowed: 1..6"),
    (["counterfactual.focus=AZE-ARM"], "counterfactual.focus: 'AZE-ARM'; allowed: AZE-IRN, AZE-ISR, IRN-ISR"),
    (["counterfactual.effect_dates=[2023-02-30]"],
     "counterfactual.effect_dates[0]: '2023-02-30' is not a date; use YYYY-MM-DD, e.g. 2023-01-27"),
    (["counterfactual.name=baseline"], "counterfactual.name: 'baseline' is reserved; name the counterfactual"),
    (["counterfactual.ops=[{remove: herzog_visit_baku}]"], "counterfactual.name: 'none' is reserved; name the counterfactual"),
    (["experiment=attribution", "counterfactual.ops=[{remove: herzog_visit_baku}]"],
     "counterfactual.ops: leave_one_out builds its own ops; give no ops with it"),
    (["experiment=no_embassy_attack", "record.scenarios=[baseline,other]"],
     "record.scenarios: unknown scenario(s) ['other']; allowed: baseline, no_embassy_attack"),
])
def test_spec_checks_the_counterfactual_settings(overrides, message):
    with pytest.raises(ConfigError) as exc:
        build_spec(plain_cfg(overrides))
    assert str(exc.value) == message


def test_spec_holds_the_checked_counterfactual():
    spec = build_spec(plain_cfg(["experiment=no_embassy_attack", "counterfactual.effect_dates=[2023-06-01]"]))
    cf = spec.counterfactual
    assert cf.single and not cf.leave_one_out and cf.effect_dates == (dt.date(2023, 6, 1),)
    assert cf.effect_months == (3, 6, 12) and spec.scenario_names() == ["no_embassy_attack"]
    assert all(isinstance(op, Remove) for op in cf.ops) and cf.raw_ops == plain_cfg(
        ["experiment=no_embassy_attack"])["counterfactual"]["ops"]
    loo = build_spec(plain_cfg(["experiment=attribution"]))
    assert loo.record.scenarios == ("baseline",) and len(loo.scenario_names()) == len(TIMELINE)
    (op,) = parse_ops([{"set": {"param": "actors.IRN.capability", "value": 1, "from": "2023-01-01"}}], spec.settings.actors)
    assert isinstance(op, SetParam) and (op.key, op.value, op.start) == ("IRN", 1.0, dt.date(2023, 1, 1))
