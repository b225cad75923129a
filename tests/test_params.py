"""The parameter table (sim/params.py) against the schema, conf/, the ODD and its readers."""
from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
from typing import Dict

import numpy as np
import pytest

from conftest import ROOT, deep_update, plain_cfg
from sim import params
from sim.config.build import build_params, build_settings
from sim.config.ops import OpError, parse_ops
from sim.config.schema import leaves
from sim.config.spec import build_spec
from sim.engine.replicate_params import localise, paths
from sim.errors import ConfigError
from sim.runs.counterfactual import apply_ops

ACTORS = ("ISR", "AZE", "IRN")
ROOTS = ("dynamics", "decisions", "actors")


def _load_script():
    spec = importlib.util.spec_from_file_location("param_table", ROOT / "scripts" / "param_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _patch(path: str, value) -> dict:
    """A nested mapping that sets one dotted path."""
    out = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def test_rows_are_the_numeric_fields_of_the_schema():
    numeric = {p for p, tp in leaves().items()
               if p.split(".")[0] in ROOTS and tp in (float, Dict[str, float])}
    assert {p.path for p in params.PARAMS} == numeric
    for p in params.PARAMS:  # keyed values are mappings in the schema, one value otherwise
        keyed = p.shape != params.SCALAR and ".X." not in p.path
        assert leaves()[p.path] == (Dict[str, float] if keyed else float), p.path


def test_defaults_are_those_of_conf(default_plain):
    for p in params.PARAMS:
        if ".X." in p.path:
            head, _, tail = p.path.partition(".X.")
            node = default_plain
            for part in head.split("."):
                node = node[part]
            got = {k: node[k][tail] for k in p.keys(ACTORS)}
        else:
            got = default_plain
            for part in p.path.split("."):
                got = got[part]
        assert got == p.default, p.path


def test_odd_table_is_generated_from_the_table():
    text = (ROOT / "docs" / "ODD.md").read_text("utf-8")
    script = _load_script()
    assert script.between(text) == "\n" + params.markdown()
    assert script.render(text) == text
    assert params.markdown().count("\n") == len(params.PARAMS) + 2


def test_lookup_of_every_entry():
    for p in params.PARAMS:
        for key, path in zip(p.keys(ACTORS), p.entries(ACTORS)):
            assert params.lookup(path, ACTORS) == (p, key)
    assert params.lookup("actors.ISR.capability", ACTORS)[1] == "ISR"
    assert params.lookup("dynamics.grievance.IRN_AZE", ACTORS)[0].index("IRN_AZE", ACTORS) == (2, 1)
    for bad in ("dynamics.reaction", "dynamics.reaction.XYZ", "dynamics.grievance.IRN_IRN", "actors.XYZ.capability",
                "dynamics.noise", "decisions.enabled", "dynamics.noise.hostility.ISR", "ladder.thresholds"):
        assert params.lookup(bad, ACTORS) is None, bad


def test_varying_paths_are_the_table_rows_but_the_initial_state():
    expected = (["dynamics.noise.hostility", "dynamics.noise.cooperation", "dynamics.impulse.hostility",
                 "dynamics.impulse.cooperation", "dynamics.impulse.commitment", "decisions.hostility_weight",
                 "decisions.provocation_weight", "decisions.cooperation_weight", "decisions.deterrence_weight",
                 "decisions.provocation_half_life_days", "decisions.cooperative.cooperation_weight",
                 "decisions.cooperative.hostility_weight"]
                + [f"actors.{a}.capability" for a in ACTORS]
                + [f"dynamics.{p}.{a}" for p in ("reaction", "restraint", "balance", "cooperation_damping",
                                                  "reciprocity", "decay", "hostility_drag") for a in ACTORS]
                + [f"dynamics.{p}.{a}_{b}" for p in ("grievance", "affinity") for a in ACTORS for b in ACTORS
                   if a != b]
                + [f"decisions.rungs.{k}.{f}" for k in params.RUNGS
                   for f in ("rate", "hostility", "provocation", "cooperation", "deterrence", "rupture")]
                + [f"decisions.memory.excitation.{k}" for k in params.RUNGS]
                + ["decisions.memory.half_life_days", "decisions.memory.deterrence_weight",
                   "decisions.memory.discharge", "decisions.memory.cross_target"]
                + [f"dynamics.balance_cases.{c}" for c in ("friend_of_friend", "enemy_of_friend", "friend_of_enemy",
                                                           "enemy_of_enemy")]
                + ["dynamics.status.grievance", "dynamics.status.affinity"])
    assert sorted(paths(ACTORS)) == sorted(expected) and len(paths(ACTORS)) == 48 + 40 + 4 + 6 + 2


@pytest.mark.parametrize("row", params.PARAMS, ids=[p.path for p in params.PARAMS])
def test_range_checks_come_from_the_table(default_plain, row):
    path = row.entry(row.keys(ACTORS)[-1])
    for value in (row.hi + 1, row.lo - 1):
        with pytest.raises(ConfigError) as exc:
            build_settings(deep_update(default_plain, _patch(path, value)))
        assert str(exc.value) == f"{path}: {value} is out of range; allowed: [{row.lo}, {row.hi}]"
    s = build_settings(deep_update(default_plain, _patch(path, row.hi)))
    target = row.target.removeprefix("params.")
    got = s.params.get(target) if row.target.startswith("params.") else getattr(s, target)
    assert np.asarray(got)[row.index(row.keys(ACTORS)[-1], ACTORS)] == row.hi


@pytest.mark.parametrize("path, value", [
    ("dynamics.reaction.IRN", 0.031), ("dynamics.affinity.AZE_IRN", -0.004), ("dynamics.noise.cooperation", 0.05),
    ("decisions.cooperative.hostility_weight", 2), ("actors.AZE.capability", 0.9),
])
def test_set_is_the_config_rebuilt_with_the_value(path, value):
    """The functional update of a `set` equals building the parameters from the changed config."""
    cfg = plain_cfg(["end=2023-08-31"])
    s = build_settings(cfg)
    ops = parse_ops([{"set": {"param": path, "value": value, "from": "2023-01-01"}}], s.actors)
    (day, got), = apply_ops("cf", ops, s).scenario.switches
    assert day == s.day_of(dt.date(2023, 1, 1))
    want = build_params(deep_update(cfg, _patch(path, value)), s.actors)
    for p in params.PARAMS:
        if p.target.startswith("params."):
            t = p.target.removeprefix("params.")
            a, b = np.asarray(got.get(t)), np.asarray(want.get(t))
            assert a.shape == b.shape and np.array_equal(a, b), t
    for f in dataclasses.fields(got.decisions):
        assert np.array_equal(getattr(got.decisions, f.name), getattr(want.decisions, f.name)), f.name
    row, key = params.lookup(path, s.actors)
    t = row.target.removeprefix("params.")
    factual = np.asarray(s.params.get(t))[row.index(key, s.actors)]
    assert np.all(factual != value) and np.all(np.asarray(got.get(t))[row.index(key, s.actors)] == value)


@pytest.mark.parametrize("path, needle", [
    ("dynamics.initial.hostility.IRN_ISR", "'dynamics.initial.hostility.IRN_ISR' is an initial value"),
    ("dynamics.reaction", "'dynamics.reaction' is not a number; set one value"),
    ("decisions.enabled", "'decisions.enabled' is not a number"),
    ("actors.IRN.name", "'actors.IRN.name' is not a number"),
    ("actors.XYZ.capability", "unknown parameter path 'actors.XYZ.capability' (no 'actors.XYZ')"),
    ("dynamics.reacton.IRN", "unknown parameter path 'dynamics.reacton.IRN' (no 'dynamics.reacton')"),
    ("ladder.thresholds", "'ladder.thresholds' is not a settable parameter"),
])
def test_set_paths_are_table_entries(path, needle):
    with pytest.raises(OpError) as exc:
        parse_ops([{"set": {"param": path, "value": 0.1}}], ACTORS)
    assert needle in str(exc.value)


def test_set_range_is_the_rows():
    with pytest.raises(OpError) as exc:
        parse_ops([{"set": {"param": "decisions.provocation_half_life_days", "value": 0}}], ACTORS)
    assert str(exc.value) == ("counterfactual.ops[0].set: decisions.provocation_half_life_days: 0 is out of range; "
                              "allowed: [0.01, 1000000.0]")


@pytest.mark.parametrize("row", [p for p in params.PARAMS if p.varies], ids=lambda p: p.path)
def test_localise_puts_each_varying_value_in_its_place(default_settings, row):
    key = row.keys(ACTORS)[-1]
    v = np.array([0.25, 0.5, 0.75, 0.5])
    got = localise(default_settings.params, ACTORS, {row.entry(key): v}, 1, 4)
    t = row.target.removeprefix("params.")
    arr = np.asarray(got.get(t))
    if row.shape == params.SCALAR:
        assert arr.tolist() == [0.5, 0.75, 0.5]
    else:
        idx = row.index(key, ACTORS)
        assert arr[idx].tolist() == [0.5, 0.75, 0.5]
        base = np.asarray(default_settings.params.get(t))
        others = np.ones(arr.shape[:-1], dtype=bool)
        others[idx] = False
        assert np.all(arr[others] == (base[..., :1] if base.ndim == arr.ndim else base[..., None])[others])
    same = localise(default_settings.params, ACTORS, {row.entry(key): np.full(4, 0.5)}, 0, 4)
    assert np.shape(same.get(t)) == np.shape(default_settings.params.get(t))  # the shared form kept


def test_spec_parameter_is_the_configured_value(default_plain):
    from sim.explore.problem import config_value

    spec = build_spec(default_plain)
    for p in params.PARAMS:
        for path in p.entries(ACTORS):
            assert spec.parameter(path) == config_value(default_plain, path), path
    with pytest.raises(ConfigError, match="ladder.thresholds: not a model parameter"):
        spec.parameter("ladder.thresholds")
