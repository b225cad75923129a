"""The observation model (sim/forecast/observation.py): fit, predictive draws, likelihood."""
from __future__ import annotations

import numpy as np
from scipy import stats

from sim.forecast import observation as ob


def _ar1(n, phi, sigma, rng):
    e = np.empty(n)
    e[0] = sigma * rng.standard_normal()
    for t in range(1, n):
        e[t] = phi * e[t - 1] + sigma * np.sqrt(1 - phi ** 2) * rng.standard_normal()
    return e


def test_fit_recovers_level_gain_and_noise_from_long_synthetic_series():
    rng = np.random.default_rng(1)
    T, start = 4000, 100
    x = np.full(T, np.nan)
    x[start:] = 0.5 + 0.3 * np.sin(np.arange(T - start) / 7.0)
    x_rest = 0.5
    y = 10.0 + 40.0 * ob.displacement(x, x_rest) + _ar1(T, 0.5, 3.0, rng)
    p = ob.fit(y, x, x_rest)
    assert abs(p.mu - 10.0) < 0.5 and abs(p.beta - 40.0) < 1.0
    assert abs(p.sigma - 3.0) < 0.15 and abs(p.phi - 0.5) < 0.05
    assert p.n_train == T and p.n_model == T - start - 1


def test_model_that_does_not_move_gets_no_gain_and_gain_is_never_negative():
    rng = np.random.default_rng(2)
    y = rng.normal(5, 2, 30)
    x = np.full(30, np.nan)
    x[20:] = 0.3  # at rest throughout
    assert ob.fit(y, x, 0.3).beta == 0.0
    x[20:] = 0.3 + np.linspace(0, 0.5, 10)
    y[20:] = 5 - 100 * (x[20:] - 0.3)  # the news goes the other way: β bounded at 0
    assert ob.fit(y, x, 0.3).beta == 0.0
    x[20:] = 0.3 + np.linspace(0, 0.001, 10)  # a tiny move: the ridge keeps β small
    y[20:] = 5 + 1e4 * (x[20:] - 0.3)
    dc = ob.displacement(x, 0.3) - ob.displacement(x, 0.3).mean()
    ridge = dc @ (y - y.mean()) / (dc @ dc + ob.PRIOR_SCALE ** 2)
    assert abs(ob.fit(y, x, 0.3).beta - ridge) < 1e-9 and ridge < 0.01 * 1e4  # shrunk by over 100x


def test_samples_follow_the_predictive_moments():
    p = ob.ObsParams(mu=2.0, beta=10.0, x_rest=0.1, sigma=3.0, phi=0.6, last_resid=5.0, n_train=30, n_model=4)
    x = np.tile([0.1, 0.2, 0.4], (200_000, 1))
    y = ob.sample(x, p, np.random.default_rng(3))
    m, sd = ob.predictive_moments(x[0], p)
    # h=1: 2 + 0 + 0.6*5 = 5; h=2: 2 + 1 + 0.36*5 = 4.8; h=3: 2 + 3 + 0.216*5 = 6.08
    np.testing.assert_allclose(m, [5.0, 4.8, 6.08])
    np.testing.assert_allclose(sd, 3.0 * np.sqrt(1 - 0.6 ** (2 * np.arange(1, 4))))
    np.testing.assert_allclose(y.mean(axis=0), m, atol=0.03)
    np.testing.assert_allclose(y.std(axis=0), sd, rtol=0.01)
    # consecutive months share the error: corr(y1, y2) = φ·sd1/sd2
    assert abs(np.corrcoef(y[:, 0], y[:, 1])[0, 1] - 0.6 * sd[0] / sd[1]) < 0.01


def test_log_likelihood_is_the_gaussian_ar1_density():
    p = ob.ObsParams(mu=1.0, beta=4.0, x_rest=0.0, sigma=2.0, phi=0.7, last_resid=0.0, n_train=5, n_model=5)
    x = np.array([0.0, 0.1, -0.2, 0.3, 0.05])
    y = np.array([1.5, 0.2, -1.0, 4.0, 2.5])
    lag = np.abs(np.subtract.outer(np.arange(5), np.arange(5)))
    cov = 4.0 * 0.7 ** lag
    want = stats.multivariate_normal(mean=1.0 + 4.0 * x, cov=cov).logpdf(y)
    assert abs(ob.log_likelihood(y, x, p) - want) < 1e-10
    # per replicate: rows of x scored separately
    X = np.vstack([x, x + 0.1])
    got = ob.log_likelihood(y, X, p)
    assert got.shape == (2,) and abs(got[0] - want) < 1e-10
    # φ = 0: independent normals
    p0 = ob.ObsParams(mu=1.0, beta=4.0, x_rest=0.0, sigma=2.0, phi=0.0, last_resid=0.0, n_train=5, n_model=5)
    assert abs(ob.log_likelihood(y, x, p0) - stats.norm(1.0 + 4.0 * x, 2.0).logpdf(y).sum()) < 1e-10
