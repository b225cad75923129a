"""Bayesian calibration (sim/explore/posterior.py): the posterior recovers parameters from
data the model itself simulated, and its pieces have their closed forms."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import plain_cfg
from sim.config.build import build_settings
from sim.explore import posterior as P
from sim.explore.problem import problem_from_config
from sim.forecast import observation as obs

MONTHS = ("2022-09", "2022-10", "2022-11", "2022-12")
PRE = tuple(f"2021-{m:02d}" for m in range(9, 13)) + tuple(f"2022-{m:02d}" for m in range(1, 9))
NAME, BOX = "dynamics.reaction.IRN", [0.0, 0.05]
MU, BETA, SIGMA, PHI = 5.0, 60.0, 2.0, 0.3  # the observation model that made the data


def _data(settings, problem, theta: float, k: int) -> P.Target:
    """One replicate of the model at ``theta`` (random numbers of another seed), seen through
    the observation model with AR(1) errors; 12 months at rest before the model starts."""
    x = P.monthly_replicates(problem, np.array([[theta]]), replace(settings, seed=10_000 + k), 1, MONTHS)[0, 0]
    rng = np.random.default_rng(k)
    p = obs.ObsParams(mu=MU, beta=BETA, x_rest=0.0, sigma=SIGMA, phi=PHI, last_resid=0.0, n_train=0, n_model=0)
    e = obs.sample(np.zeros((1, len(PRE) + len(MONTHS))), p, rng)[0] - MU  # an AR(1) error path
    x_rest = x[0]
    y = np.concatenate([np.zeros((len(PRE), x.shape[1])), BETA * (x - x_rest)]) + MU + e[:, None]
    return P.Target(PRE + MONTHS, y, MONTHS, tuple(range(x.shape[1])))


@pytest.mark.calibration
def test_posterior_90_interval_covers_the_true_value():
    settings = build_settings(plain_cfg(["end=2022-12-31"]))
    problem = problem_from_config({NAME: BOX}, settings.actors)
    truths = [0.008, 0.018, 0.028, 0.038, 0.045]
    covered, widths = [], []
    for k, theta in enumerate(truths):
        chain = P.sample_posterior(problem, settings, _data(settings, problem, theta, k), reps=8, walkers=4,
                                   steps=20, seed=k)
        draws = chain.samples[6:, :, 0].ravel()
        lo, hi = P.interval(draws, 0.9)
        covered.append(lo <= theta <= hi)
        widths.append((hi - lo) / (BOX[1] - BOX[0]))
    assert sum(covered) >= 4, (covered, widths)  # nominal 90 %: 4.5 of 5 expected
    assert np.mean(widths) < 0.75, widths  # the data inform, weakly: the prior's 90 % interval is 0.9 wide


def test_ar1_covariance_closed_form():
    c = P.ar1_cov(2.0, 0.5, 3)
    assert np.allclose(c, 4 * np.array([[1, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 1]]))


def test_synthetic_loglik_is_the_gaussian_density():
    """Replicates all equal (no model noise): the synthetic likelihood is the AR(1) Gaussian
    density of the observation error, i.e. observation.log_likelihood at the fitted parameters."""
    rng = np.random.default_rng(0)
    T, M = 10, 4
    x = np.tile(np.array([0.0, 0.1, 0.3, 0.2])[None, :, None], (5, 1, 1))  # (reps, months, 1 dyad)
    y = rng.normal(3.0, 1.0, (T, 1))
    tgt = P.Target(tuple(f"m{i}" for i in range(T)), y, tuple(f"m{i}" for i in range(T - M, T)), (0,))
    ll, (p,) = P.synthetic_loglik(x, tgt)
    expect = obs.log_likelihood(y[T - M:, 0], x[0, :, 0], p)
    assert ll == pytest.approx(expect, rel=1e-9)


def test_calibrate_run_writes_draws_months_and_a_reusable_posterior(tmp_path):
    import json

    import pyarrow.parquet as pq

    from conftest import compose_cfg
    from sim.io.posterior import read_draws
    from sim.io.tables import draws_schema
    from sim.runs.job import run

    out = tmp_path / "cal"
    run(compose_cfg(["experiment=calibrate", "end=2022-12-31", "explore.cut=2022-12", "explore.replicates_per_sample=4",
                     "explore.walkers=6", "explore.steps=4", "explore.burn=1", "report.enabled=false"]), out)
    ex = json.loads((out / "summary.json").read_text())["exploration"]
    names = ex["problem"]["names"]
    assert ex["months"] == {"training_observed": ["2021-01", "2022-11"], "training_simulated": ["2022-09", "2022-10",
                            "2022-11"], "held_out": ["2022-12"], "cut": "2022-12"}
    post, prior = pq.read_table(out / "posterior.parquet"), pq.read_table(out / "prior.parquet")
    assert post.schema == draws_schema(names) == prior.schema
    assert post.num_rows == 6 * (4 - 1) == prior.num_rows
    assert sorted(set(post.column("step").to_pylist())) == [1, 2, 3]
    for n, (lo, hi) in zip(names, ex["problem"]["bounds"]):
        v = np.asarray(post.column(n))
        assert lo <= v.min() and v.max() <= hi
        assert ex["posterior"][n]["lo90"] <= ex["parameters"][n] <= ex["posterior"][n]["hi90"]
    draws = read_draws(out / "posterior.parquet", ("ISR", "AZE", "IRN"))  # usable as ensemble.posterior
    assert set(draws) == set(names)
    man = json.loads((out / "manifest.json").read_text())
    assert {"prior.parquet", "posterior.parquet"} <= set(json.dumps(man).split('"'))


def test_point_fit_still_available(tmp_path):
    from conftest import compose_cfg
    from sim.runs.job import run

    summ = run(compose_cfg(["experiment=calibrate", "explore.sampler=de", "end=2022-12-31",
                            "explore.window=[2022-09,2022-12]", "explore.replicates_per_sample=4", "explore.popsize=2",
                            "explore.maxiter=1", "report.enabled=false"]), tmp_path)
    assert summ["exploration"]["best_loss"] <= summ["exploration"]["default_loss"] + 2  # ran the DE path
    assert not (tmp_path / "posterior.parquet").exists()


def test_a_fixed_bridge_lets_the_parameters_move_the_likelihood():
    """Issue 22: with the observation model refitted at each θ, a θ that doubles the model's
    movement is absorbed by a halved gain; with the bridge fixed once, it is not."""
    from dataclasses import replace as _replace

    from sim.forecast import observation as ob

    rng = np.random.default_rng(2)
    T, M, R = 30, 8, 40
    wave = np.sin(np.arange(M) / 1.5) * 0.3
    x1 = 0.1 + wave[None, :, None] + rng.normal(0, 0.002, (R, M, 1))  # θ1's replicates
    x2 = 0.1 + 2 * (x1 - 0.1)  # θ2: the same path, twice the movement
    y = np.concatenate([10 + rng.normal(0, 1.0, T - M), 10 + 20 * wave + rng.normal(0, 1.0, M)])[:, None]
    tgt = P.Target(tuple(f"m{i}" for i in range(T)), y, tuple(f"m{i}" for i in range(T - M, T)), (0,))
    ll1, (p1,) = P.synthetic_loglik(x1, tgt)
    ll2, (p2,) = P.synthetic_loglik(x2, tgt)
    assert p2.beta == pytest.approx(p1.beta / 2, rel=0.05) and abs(ll1 - ll2) < 1.0  # refitted: absorbed
    fixed = _replace(tgt, bridge=(p1,))
    f1, (q1,) = P.synthetic_loglik(x1, fixed)
    f2, (q2,) = P.synthetic_loglik(x2, fixed)
    assert q1 == q2 == p1 and f1 == pytest.approx(ll1) and f1 - f2 > 10.0  # fixed: θ2 predicts too much movement
    assert isinstance(q1, ob.ObsParams)
