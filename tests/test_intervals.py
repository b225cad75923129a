"""Two intervals of a counterfactual effect: common random numbers (simulation noise) and the
total interval over a posterior (parameters plus noise), and their labels."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import compose_cfg
from sim.errors import ConfigError
from sim.io.atomic import write_parquet
from sim.io.posterior import draws_table, read_draws
from sim.runs.job import run
from sim.runs.paired import PairedMetric

PATHS = ["dynamics.reaction.IRN", "dynamics.reaction.AZE"]


def _draws(path, n=40, seed=1, **cols):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"draw": np.arange(n), "walker": 0, "step": np.arange(n), "log_likelihood": 0.0,
                       "log_posterior": 0.0})
    for p in PATHS:
        df[p] = cols.get(p, rng.uniform(0.001, 0.03, n))
    write_parquet(path, draws_table(df, PATHS))
    return path


def _run(tmp_path, name, extra):
    out = tmp_path / name
    run(compose_cfg(["end=2023-06-30", "ensemble.replicates=160", "report.enabled=false", "record.replicates=0",
                     "counterfactual.effect_months=[3]", *extra]), out)
    return json.loads((out / "summary.json").read_text())


def _records(eff):
    for e in eff.values():
        for var in ("tension", "net_relation"):
            yield from e[var].values()
        for by in e["p_rung_at_least"].values():
            yield from (v for k, v in by.items() if k != "endogenous")


def test_total_interval_contains_crn_interval_and_is_labelled(tmp_path):
    post = _draws(tmp_path / "posterior.parquet")
    summ = _run(tmp_path, "post", ["experiment=no_embassy_attack", f"ensemble.posterior={post}",
                                    "ensemble.posterior_draws=20"])
    assert summ["posterior"]["draws"] == 20 and summ["posterior"]["parameters"] == sorted(PATHS)
    c = summ["counterfactuals"]["no_embassy_attack"]
    assert c["intervals"]["total"]["draws"] == 20 and "parameter uncertainty" in c["intervals"]["total"]["label"]
    assert "simulation noise only" in c["intervals"]["crn"]
    wider = 0
    for rec in _records(c["effects"]):
        assert rec["total_lo"] <= rec["lo"] <= rec["diff"] <= rec["hi"] <= rec["total_hi"]
        wider += rec["total_hi"] - rec["total_lo"] > rec["hi"] - rec["lo"] + 1e-6
    assert wider > 10  # parameters that differ by replicate do widen the interval
    assert "total over the posterior [" in c["answer"] and "parameter uncertainty" in c["answer"]


def test_no_posterior_says_total_interval_is_absent(tmp_path):
    summ = _run(tmp_path, "plain", ["experiment=no_embassy_attack"])
    assert "posterior" not in summ
    c = summ["counterfactuals"]["no_embassy_attack"]
    assert c["intervals"]["total"]["label"] is None and "no posterior" in c["intervals"]["total"]["absent"]
    assert all("total_lo" not in rec for rec in _records(c["effects"]))
    assert "no posterior" in c["answer"] and "total over the posterior" not in c["answer"]


def test_identity_counterfactual_gives_zero_in_both_intervals(tmp_path):
    post = _draws(tmp_path / "posterior.parquet")
    summ = _run(tmp_path, "ident", [f"ensemble.posterior={post}", "counterfactual.name=same",
                                     "counterfactual.ops=[{scale: {event: herzog_visit_baku, factor: 1.0}}]"])
    c = summ["counterfactuals"]["same"]
    for rec in _records(c["effects"]):
        assert rec["diff"] == rec["lo"] == rec["hi"] == rec["total_lo"] == rec["total_hi"] == 0


def test_total_interval_closed_form():
    """Two draws, two replicates each: diffs (1, 3) and (5, 7): per-draw means 2 and 6."""
    m = PairedMetric()
    b = np.zeros(4)
    m.add(b, np.array([1.0, 3.0, 5.0, 7.0]), np.array([0, 0, 1, 1]))
    r = m.report(0.01)
    se2 = np.var([1, 3, 5, 7], ddof=1) / 4
    half = 1.959963984540054 * np.sqrt(np.var([2.0, 6.0], ddof=1) + se2)
    assert r["total_lo"] == pytest.approx(4 - half, abs=1e-6) and r["total_hi"] == pytest.approx(4 + half, abs=1e-6)
    split = PairedMetric()
    split.add(b[:3], np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]))
    part = PairedMetric()
    part.add(b[3:], np.array([7.0]), np.array([1]))
    split.merge(part)
    assert split.report(0.01) == r  # chunking does not change it


@pytest.mark.parametrize("cols, needle", [
    ({"dynamics.reaction.IRN": np.full(40, 5.0)}, "allowed: [0, 1]"),
    ({"dynamics.reaction.IRN": np.full(40, np.nan)}, "non-finite"),
])
def test_bad_draws_files(tmp_path, cols, needle):
    p = _draws(tmp_path / "bad.parquet", **cols)
    with pytest.raises(ConfigError, match=r"ensemble\.posterior") as e:
        read_draws(p, ("ISR", "AZE", "IRN"))
    assert needle in str(e.value)


def test_draws_file_missing_or_unknown_column(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        read_draws(tmp_path / "nope.parquet", ("ISR", "AZE", "IRN"))
    pd.DataFrame({"dynamics.nonsense": [0.1]}).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(ConfigError, match="not parameters that may vary"):
        read_draws(tmp_path / "x.parquet", ("ISR", "AZE", "IRN"))



def test_accumulators_keep_the_per_draw_moments():
    """accumulators.npz (split ensembles) carries the per-draw moments: merged halves give the total interval."""
    from types import SimpleNamespace

    from sim.io.accumulators import add_paired_moments, paired_moments

    m = PairedMetric()
    m.add(np.zeros(4), np.array([1.0, 3.0, 5.0, 7.0]), np.array([0, 0, 1, 1]))
    routes = np.zeros((1, 64), dtype=np.int64)
    pr = SimpleNamespace(p={(0, 0, 1): m}, values={}, lagged={}, route_base=routes, route_cf=routes, route_both=routes)
    data = json.loads(json.dumps(paired_moments(pr)))
    back = SimpleNamespace(p={}, values={}, lagged={}, route_base=None, route_cf=None, route_both=None)
    add_paired_moments(back, data)
    add_paired_moments(back, data)  # two jobs with the same moments
    twice = PairedMetric()
    twice.merge(m)
    twice.merge(m)
    assert back.p[(0, 0, 1)].report(0.01) == twice.report(0.01) and "total_lo" in twice.report(0.01)
