"""Exports for the neighbours: the BehaviorSpace table CSV (record.behaviorspace) and EMA
Workbench's (experiments, outcomes) pair of an exploration."""
from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.io.exports import PREAMBLE_LINES
from sim.io.manifest import verify

REC = 3
OVERRIDES = ["end=2023-02-28", f"record.replicates={REC}", "counterfactual=no_embassy_attack",
             "record.behaviorspace=true", "report.enabled=false"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    r = sim.run(overrides=OVERRIDES, replicates=12, seed=5)
    return r, r.save(tmp_path_factory.mktemp("bs") / "run")


def test_behaviorspace_csv_is_one_row_per_run_and_step(saved):
    r, out = saved
    path = out / "behaviorspace.csv"
    assert "behaviorspace.csv" in json.loads((out / "manifest.json").read_text())["files"]
    assert verify(out) == []
    head = path.read_text().splitlines()[:PREAMBLE_LINES + 1]
    assert head[0].startswith('"BehaviorSpace results (triad ')
    assert head[PREAMBLE_LINES].startswith('"[run number]","scenario","replicate","random-seed","[step]","date",')
    bs = pd.read_csv(path, skiprows=PREAMBLE_LINES)
    days = r._spec.settings.n_days
    assert len(bs) == 2 * REC * days  # two scenarios x recorded replicates x days
    assert bs["[run number]"].tolist() == list(np.repeat(np.arange(1, 2 * REC + 1), days))
    assert bs["[step]"].tolist() == list(range(1, days + 1)) * (2 * REC)
    assert (bs["random-seed"] == 5).all()
    assert bs.groupby("[run number]")["scenario"].first().tolist() == ["baseline"] * REC + ["no_embassy_attack"] * REC
    pd.testing.assert_frame_equal(bs, r.behaviorspace(), check_dtype=False)

    # every state value is the trajectories' value, exactly (floats round-trip through the CSV)
    traj = pd.read_parquet(out / "trajectories.parquet")
    traj["step"] = [(d - r._spec.settings.start).days + 1 for d in traj["date"]]
    key = ["scenario", "replicate", "step"]
    for var in ("hostility", "cooperation"):
        wide = traj.pivot_table(index=key, columns=["source", "target"], values=var, aggfunc="first")
        got = bs.set_index(["scenario", "replicate", "[step]"])
        for (a, b) in wide.columns:
            np.testing.assert_array_equal(got[f"{var} {a}->{b}"].to_numpy(), wide[(a, b)].to_numpy())
    for a, b in combinations(["AZE", "IRN", "ISR"], 2):
        t = 0.5 * (bs[f"hostility {a}->{b}"] + bs[f"hostility {b}->{a}"])
        np.testing.assert_array_equal(bs[f"tension {a}-{b}"], t)
        assert bs[f"net-relation {a}-{b}"].between(-1, 1).all()

    # act-rung: the highest hostile act of the day in the dyad, from actions.parquet
    acts = pd.read_parquet(out / "actions.parquet")
    hostile = acts[acts["rung"] > 0]
    rows = bs.set_index(["scenario", "replicate", "date"])
    for (sc, rep, d), g in hostile.groupby(["scenario", "replicate", "date"]):
        for a, b in combinations(["AZE", "IRN", "ISR"], 2):
            in_dyad = g[g["source"].isin([a, b]) & g["target"].isin([a, b])]
            want = int(in_dyad["rung"].max()) if len(in_dyad) else 0
            assert rows.loc[(sc, rep, d.isoformat()), f"act-rung {a}-{b}"] == want
    attack = bs[(bs["date"] == "2023-01-27") & (bs["scenario"] == "baseline")]
    assert set(attack["act-rung AZE-IRN"]) >= {4}  # the embassy attack, in the replicates that attribute it


def test_behaviorspace_is_written_only_on_request(tmp_path):
    r = sim.run(overrides=["end=2022-09-30", "record.replicates=1", "report.enabled=false"], replicates=2)
    out = r.save(tmp_path / "run")
    assert not (out / "behaviorspace.csv").exists()
    assert r.config["record"]["behaviorspace"] is False


@pytest.fixture(scope="module")
def discovery(tmp_path_factory):
    ex = sim.run("discovery", ["explore.samples=40", "explore.replicates_per_sample=8", "explore.threshold=0.05",
                               "ensemble.seed=2"])
    return ex, ex.save(tmp_path_factory.mktemp("disc") / "run")


def test_ema_pair_of_a_discovery_run(discovery):
    ex, out = discovery
    samples = pd.read_parquet(out / "samples.parquet")
    pd.testing.assert_frame_equal(ex.samples, samples)
    summary = json.loads((out / "summary.json").read_text())
    names = summary["exploration"]["problem"]["names"]
    assert ex.parameters == names and len(names) == 6
    experiments, outcomes = ex.to_ema()
    assert list(experiments.columns) == names and experiments.shape == (40, 6)
    assert set(outcomes) == {"p", "of_interest"}
    np.testing.assert_array_equal(experiments.to_numpy(), samples[names].to_numpy())
    np.testing.assert_array_equal(outcomes["p"], samples["p"].to_numpy())
    assert outcomes["of_interest"].dtype == bool and outcomes["of_interest"].sum() == summary["exploration"][
        "cases_of_interest"]
    for name, lo_hi in zip(names, summary["exploration"]["problem"]["bounds"]):
        assert experiments[name].between(*lo_hi).all()


def test_ema_workbench_prim_and_feature_scoring_take_the_pair(discovery):
    pytest.importorskip("ema_workbench")
    from ema_workbench.analysis import feature_scoring, prim

    ex, _ = discovery
    x, y = ex.to_ema()
    p = prim.setup_prim((x, y), "p", threshold=0.05, mass_min=0.05)
    box = p.find_box()
    assert set(box.box_lims[0].columns) == set(ex.parameters)
    # the box's first row is the whole sample: every parameter's limits are its sampled range
    lims = box.box_lims[0]
    for name in ex.parameters:
        assert lims[name].iloc[0] == pytest.approx(x[name].min()) and lims[name].iloc[1] == pytest.approx(x[name].max())
    scores = feature_scoring.get_feature_scores_all(x, {"p": y["p"]}, random_state=1)
    assert set(scores.index) == set(ex.parameters)
    assert scores["p"].sum() == pytest.approx(1.0)


def test_ema_pair_of_sensitivity_samples():
    from sim.explore.ema import ema_results

    df = pd.DataFrame({"a": [0.1, 0.2, 0.3], "b": [1.0, 2.0, 3.0], "design": ["sobol", "sobol", "morris"],
                       "sample": [0, 1, 0], "mean:p_rung_5_IRN-ISR": [0.1, 0.2, 0.3], "var:p_rung_5_IRN-ISR": [0, 0, 0.1]})
    x, y = ema_results(df, ["a", "b"], design="sobol")
    assert x.shape == (2, 2) and set(y) == {"p_rung_5_IRN-ISR", "var:p_rung_5_IRN-ISR"}
    np.testing.assert_array_equal(y["p_rung_5_IRN-ISR"], [0.1, 0.2])
    with pytest.raises(ValueError, match="parameters not in the samples"):
        ema_results(df, ["a", "c"])
