"""Hostile trial 3 (issue 23): the Python API and the checks every door shares (branching
ratio of posterior draws and counterfactual ops, trust boundary, bounded YAML, arguments)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import sim
from sim.config.spec import build_spec
from sim.errors import ConfigError
from tests.conftest import plain_cfg


@pytest.fixture(scope="module")
def result():
    return sim.run(replicates=2, seed=3, overrides=["report.enabled=false", "end=2022-10-31"])


def _draws(path, value, rows=5):
    """A draws file varying every excitation (parameter columns only, as read_draws allows)."""
    import pyarrow.parquet as pq

    cols = [f"decisions.memory.excitation.{k}" for k in range(1, 7)]
    pq.write_table(pa.Table.from_pandas(pd.DataFrame({c: np.full(rows, value) for c in cols}),
                                        preserve_index=False), path)
    return path


def test_H7_posterior_draws_branching_checked(tmp_path):
    plain = plain_cfg(["ensemble.replicates=4"])
    plain["ensemble"]["posterior"] = str(_draws(tmp_path / "excite9.parquet", 9.0))
    with pytest.raises(ConfigError, match=r"^ensemble.posterior: a draw \(decisions.memory.excitation.1=9.*"
                                          r"branching ratio .* >= 1"):
        build_spec(plain)
    plain["ensemble"]["posterior"] = str(_draws(tmp_path / "calm.parquet", 0.1))
    assert build_spec(plain).settings.posterior_draws >= 1  # a calm posterior runs


def test_H8_counterfactual_set_ops_branching_checked():
    plain = plain_cfg(["ensemble.replicates=4", "counterfactual.name=hot"])
    plain["counterfactual"]["ops"] = [{"set": {"param": "decisions.memory.excitation.5", "value": 9.0}},
                                      {"set": {"param": "decisions.memory.excitation.4", "value": 9.0}}]
    with pytest.raises(ConfigError, match=r"after this set, the branching ratio .* >= 1"):
        build_spec(plain)
    plain["counterfactual"]["ops"] = [{"set": {"param": "decisions.memory.excitation.5", "value": 9.0,
                                               "from": "2023-06-01"}}]
    with pytest.raises(ConfigError, match="branching ratio"):
        build_spec(plain)
    plain["counterfactual"]["ops"] = [{"set": {"param": "decisions.memory.excitation.5", "value": 0.3}}]
    assert build_spec(plain).counterfactual.single


def test_H11_p_rung_unknown_origin(result):
    for bad in ("exogenous", "Any", "all"):
        with pytest.raises(ConfigError, match=r"^origin: .* is not an origin; allowed: any, endogenous"):
            result.p_rung(4, origin=bad)
    any_, endo = result.p_rung(4), result.p_rung(4, origin="endogenous")
    assert (endo["p"] <= any_["p"] + 1e-12).all()  # endogenous escalation is part of any escalation


def test_L9_p_rung_unknown_rung_and_scenario(result):
    with pytest.raises(ConfigError, match=r"^rung: 99 is not a rung"):
        result.p_rung(99)
    with pytest.raises(ConfigError, match=r"^scenario: 'ghost' is not a scenario of this run; allowed: baseline"):
        result.p_rung(3, scenario="ghost")


def test_H12_save_dotdot_into_conf_refused(result):
    from sim.io.places import PACKAGE

    conf = PACKAGE.parent / "conf"
    before = sorted(p.name for p in conf.iterdir())
    for target in (PACKAGE.parent / "nonexist" / ".." / "conf", PACKAGE.parent / "outputs_absent" / ".." / "conf" / "x"):
        with pytest.raises(ConfigError, match="inside the project's conf/ folder"):
            result.save(target)
    assert sorted(p.name for p in conf.iterdir()) == before


def test_L21_save_empty_path_refused(result):
    for bad in ("", "  ", None, 5):
        with pytest.raises(ConfigError, match=r"^directory: .* is not a directory path"):
            result.save(bad)


def test_M3_api_environment_rule(monkeypatch):
    monkeypatch.setenv("TRIAD_SECRET", "s3cr3t-token")
    with pytest.raises(ConfigError, match="reads an environment variable"):
        sim.run(overrides=["question=${oc.env:TRIAD_SECRET}"], replicates=2)
    with pytest.raises(ConfigError, match="reads an environment variable"):
        sim.run(values={"question": "${oc.env:TRIAD_SECRET}"}, replicates=2)
    with pytest.raises(ConfigError, match=r"^hydra.callbacks.evil._target_: 'os.system' is not allowed"):
        sim.run(overrides=["+hydra.callbacks.evil={_target_: os.system}"], replicates=2)


BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_M26_api_reads_search_path_bounded(tmp_path):
    exp = tmp_path / "experiment"
    exp.mkdir()
    (exp / "bomb.yaml").write_text("# @package _global_\n" + BOMB)
    for item in (f"file://{tmp_path}", str(tmp_path)):  # M1: a bare path is a file:// path to Hydra
        with pytest.raises(ConfigError, match=r"bomb.yaml"):
            sim.run("bomb", [f"hydra.searchpath=[{item}]"], replicates=2)


def test_M1_bare_search_path_is_scanned(tmp_path):
    from sim.config.userdirs import user_config_dirs

    assert user_config_dirs([f"hydra.searchpath=[{tmp_path}]"]) == [tmp_path]
    assert user_config_dirs([f"hydra.searchpath=[file://{tmp_path},pkg://sim]"]) == [tmp_path]


def test_L7_api_argument_types():
    for kw, key in ((dict(overrides=[123]), "overrides"), (dict(overrides="a=b"), "overrides"),
                    (dict(config=[1, 2]), "config"), (dict(values=[1]), "values"), (dict(experiment=5), "experiment")):
        with pytest.raises(ConfigError, match=rf"^{key}: "):
            sim.run(replicates=2, **kw)


def test_L8_numpy_scalars_accepted(monkeypatch):
    from sim.api.config import resolve

    plain = resolve(updates={"ensemble.replicates": np.int64(6), "ensemble.seed": np.int32(3)})
    assert plain["ensemble"]["replicates"] == 6 and type(plain["ensemble"]["replicates"]) is int
    assert plain["ensemble"]["seed"] == 3


def test_M15_the_api_runs_the_backtest_it_is_asked_for():
    """``sim.run("backtest")`` is the backtest (a ``Backtest`` with its long table and the
    ``backtest`` summary block), not a plain ensemble; ``sim.compare`` refuses it in one line
    naming the key.
    The equality with the command's files: tests/test_api_orchestrate.py."""
    small = ["backtest.origins=[2023-02]", "backtest.horizons=[1]", "backtest.seeds=[0]", "backtest.bootstrap=100",
             "report.enabled=false"]
    b = sim.run("backtest", small, replicates=8)
    assert isinstance(b, sim.Backtest) and "backtest" in b.summary
    assert set(b.table["origin"].astype(str).str[:7]) == {"2023-02"} and set(b.table["horizon"]) == {1}
    with pytest.raises(ConfigError, match="^counterfactual: the backtest scores the factual timeline"):
        sim.compare("no_embassy_attack", "backtest", small, replicates=8)
