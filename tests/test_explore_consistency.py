"""Exploration reports say what they found and nothing more: PRIM says "no box meets the
threshold" when none does (with either engine), never presents the whole space as a box,
and sensitivity flags outputs that do not vary instead of ranking parameters for them."""
from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from conftest import compose_cfg
from sim.explore import analyze
from sim.explore.discovery import choose, describe_box, prim, sample_bounds
from sim.explore.discovery_run import _discovery_result
from sim.runs.job import run

NAMES = ["a", "b", "c"]
TINY_DISC = ["experiment=discovery", "end=2022-11-30", "explore.horizon_months=2", "explore.samples=24",
             "explore.replicates_per_sample=4", "explore.target.output=p_rung_3", "explore.threshold=0.5"]


def _scattered(share: float, n: int = 1000, seed: int = 3):
    """Cases of interest spread evenly over the space: no axis-aligned box concentrates them."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 3))
    y = np.zeros(n, dtype=bool)
    y[rng.permutation(n)[: int(round(share * n))]] = True
    return X, y


def _result(X, y, traj, used, dens):
    base = {"problem": {"bounds": [[0.0, 1.0]] * 3}}
    return _discovery_result(X, y, NAMES, traj, used, base, "P(x) > 0.1", dens, len(y), 4, 0.1, pd.DataFrame())


@pytest.mark.parametrize("engine", ["triad", "ema_workbench"])
def test_prim_says_no_box_meets_the_threshold_when_none_does(engine, caplog):
    X, y = _scattered(0.2)
    caplog.set_level(logging.INFO)
    traj, used = prim(X, y, NAMES, engine=engine, min_density=0.8)
    assert used == engine
    assert max(r["density"] for r in traj) < 0.8  # the data: no box above the threshold
    assert len(traj) > 1  # the peeling it did, not only the whole space
    if engine == "ema_workbench":  # EMA itself says so, and would return its "dump box" (the whole space)
        assert any("does not meet threshold criteria" in r.getMessage() for r in caplog.records)
    assert choose(traj, 0.8) is None
    res = _result(X, y, traj, used, 0.8)
    r = res["result"]
    assert r["box"] is None and r["threshold_met"] is False and r["chosen_step"] is None
    assert r["densest"]["density"] < 0.8
    assert f"PRIM ({engine}) finds no box that meets the density threshold 0.80" in res["answer"]
    assert res["headline"][1] == f"PRIM ({engine}): no box meets the density threshold 0.80."
    assert not any("Chosen" in h or "chosen" in h for h in res["headline"])
    assert [f[0] for f in res["figures"]] == ["prim_tradeoff"]  # no box figure for a box that is not there
    res["figures"][0][1]()  # the trade-off figure draws without a chosen box


def test_a_box_meeting_the_threshold_is_still_chosen():
    X, y = _scattered(0.2)
    y = y | ((X[:, 0] > 0.7) & (X[:, 1] < 0.3))  # a planted dense corner
    traj, used = prim(X, y, NAMES, engine="triad", min_density=0.8)
    i = choose(traj, 0.8)
    assert i is not None and traj[i]["density"] >= 0.8
    res = _result(X, y, traj, used, 0.8)
    assert res["result"]["threshold_met"] is True and res["result"]["box"]["density"] >= 0.8
    assert {"a", "b"} <= {w["parameter"] for w in res["result"]["box"]["restricted"]}


def test_the_unpeeled_space_is_not_described_as_restricted():
    """When the whole sampled space meets the threshold, PRIM's first box is every sample; its
    limits (the samples' extremes) are not restrictions, though they lie inside the design bounds."""
    X, y = _scattered(0.9, n=40)
    traj, used = prim(X, y, NAMES, engine="triad", min_density=0.8)
    assert choose(traj, 0.8) == 0 and traj[0]["mass"] == 1.0
    assert describe_box(traj[0]["limits"], sample_bounds(X), NAMES) == []
    assert describe_box(traj[0]["limits"], [[0, 1]] * 3, NAMES) != []  # what the design bounds made of it
    res = _result(X, y, traj, used, 0.8)
    assert "anywhere in the sampled box (no restriction needed)" in res["answer"]
    assert res["result"]["box"]["restricted"] == []


def test_discovery_run_reports_no_box_in_summary_and_report(tmp_path):
    # mass_min=1: PRIM may not peel, so the only box is the whole space, below a density threshold of 1
    summ = run(compose_cfg([*TINY_DISC, "explore.engine=triad", "explore.mass_min=1.0", "explore.min_density=1.0"]),
               tmp_path)
    ex = summ["exploration"]
    assert 0 < ex["cases_of_interest"] < ex["samples"], "the case needs cases and non-cases"
    assert ex["box"] is None and ex["threshold_met"] is False
    assert "no box meets the density threshold 1.00" in " ".join(summ["headline"])
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "no box meets the density threshold 1.00" in html and "Chosen PRIM box" not in html
    assert 'src="figures/' not in html and html.count("data:image/png;base64,") == len(ex["figures"]) == 1


# -- sensitivity -------------------------------------------------------------------------

def test_analyze_does_not_rank_an_output_that_does_not_vary():
    from sim.explore import sample

    problem = {"num_vars": 3, "names": NAMES, "bounds": [[0.0, 1.0]] * 3}
    X = sample(problem, "sobol", 16, 0)
    Y = np.stack([X[:, 0] + 0.1 * X[:, 1], np.full(len(X), 0.25)], axis=1)
    res = analyze(problem, X, Y, "sobol", output_names=["varies", "flat"])
    assert res["flat"]["constant"] is True and res["flat"]["value"] == 0.25
    assert "ST" not in res["flat"] and "does not vary" in res["flat"]["note"]
    assert res["varies"]["constant"] is False and int(np.argmax(res["varies"]["ST"])) == 0


def test_sensitivity_run_flags_outputs_that_do_not_vary(tmp_path):
    cfg = compose_cfg(["experiment=sensitivity", "end=2022-11-30", "explore.horizon_months=2", "explore.sobol.n=4",
                       "explore.morris.trajectories=0", "explore.replicates_per_sample=3",
                       "explore.outputs=[p_rung_6,tension_end]", "explore.focus=p_rung_6.IRN-ISR"])
    summ = run(cfg, tmp_path)
    ex = summ["exploration"]
    means = pd.read_parquet(tmp_path / "samples.parquet").filter(like="mean:p_rung_6")
    flat = sorted(c.split(":", 1)[1] for c in means if means[c].nunique() == 1)
    assert flat and sorted(ex["constant_outputs"]) == flat  # war within 2 months: never, in every sample
    most = next(h for h in summ["headline"] if "not ranked" in h or "Most influential" in h)
    assert f"Output does not vary, not ranked: {', '.join(ex['constant_outputs'])}." in most
    for n in flat:
        assert f"{n}:" not in most.split("Output does not vary")[0]  # no parameter named for it
        assert ex["sobol"]["indices"][n]["constant"] is True
    assert "the output does not vary" in ex["answer"]  # the focus is one of them
    assert any("does not vary" in note for note in ex["notes"])
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "Output does not vary, not ranked" in html
    assert json.loads((tmp_path / "summary.json").read_text())["exploration"]["constant_outputs"] == ex["constant_outputs"]
