"""The observation model: how the model's state maps to the observed monthly GDELT dyad score.

Observed: ``y[d, m]``, the shipped GDELT series (``sim/data/gdelt_dyads_monthly.csv``): the
calendar-month mean of a daily, volume-sensitive Goldstein sum over the dyad's events,
in *GDELT units* (positive: net cooperation). Model: ``x[d, m]``, the calendar-month mean of
the daily ``net_relation`` of one replicate (cooperation − tension, *model units*, in
[−1, 1]). For dyad d (one parameter set per dyad; the index is dropped below):

    y_m = μ + β·(x_m − x̄) + e_m,      e_m = φ·e_{m−1} + σ·√(1 − φ²)·ε_m,   ε_m ~ N(0, 1)

- ``x̄`` (model units): the model's value at rest, the ensemble mean of its first simulated
  month. Months before the model starts (GDELT begins 2021-01, the model 2022-09-01) are
  taken at rest: ``x_m = x̄`` there, so they pin the level μ and the noise, not the gain.
- ``μ`` (GDELT units): the observed level when the model is at rest.
- ``β`` (GDELT units per unit of net relation): the observation gain. Ridge least squares
  (with μ) on the ensemble-mean x of the training months:
  ``β = Σ(dx − d̄x)(y − ȳ) / (Σ(dx − d̄x)² + PRIOR_SCALE²)``, the posterior mode under a
  prior β ~ N(0, (sd(y)/PRIOR_SCALE)²) with the error variance taken as var(y): a priori a
  move of PRIOR_SCALE = 0.1 in net relation is worth about one sd of the observed series,
  and a model that barely moves over the training months gets β ≈ 0 instead of a huge gain
  fitted to noise. Then bounded below by 0 (more cooperation in the model never means more
  conflict in the news). With no training month in which the model moves, β = 0.
- ``σ`` (GDELT units): the marginal sd of the observation error e (residual sd, ddof 2).
- ``φ``: lag-1 autocorrelation of e (news regimes persist for months), from the residuals,
  clipped to [0, PHI_MAX]. φ = 0 gives independent months.
- ``last_resid`` (GDELT units): e in the last training month; the forecast of month
  origin + h − 1 carries φ^h of it (with β = 0 and φ = 0 the forecast is a normal
  climatology; as φ → 1 it tends to persistence plus the model's predicted change).

Which months fit what: every parameter is fitted on the *training months only*, the
observed months before the forecast origin (all of them, from the series' first month);
nothing from the origin's month on enters. GDELT's month-to-month spread of news volume
(``n_days``, the number of daily matrices in a month) is not modelled.

Pure functions; `ObsParams` is frozen. `fit` → parameters; `sample` → predictive draws;
`log_likelihood` → the exact Gaussian AR(1) log-likelihood (for the calibration).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

PRIOR_SCALE = 0.1  # model units of net relation a priori worth one sd of the observed series (ridge on β)
PHI_MAX = 0.9  # bound on the error's autocorrelation (a unit root would be a random walk)


@dataclass(frozen=True)
class ObsParams:
    """Observation-model parameters of one dyad (units in the module docstring)."""

    mu: float
    beta: float
    x_rest: float
    sigma: float
    phi: float
    last_resid: float
    n_train: int  # training months (observed, before the origin)
    n_model: int  # of which the model ran in (its first month excluded)

    def as_dict(self) -> dict:
        return asdict(self)


def displacement(x: np.ndarray, x_rest: float) -> np.ndarray:
    """x − x̄, with months the model did not run (NaN) at rest (0)."""
    dx = np.asarray(x, dtype=float) - x_rest
    return np.where(np.isnan(dx), 0.0, dx)


def fit(y: np.ndarray, x: np.ndarray, x_rest: float, *, prior_scale: float = PRIOR_SCALE,
        phi_max: float = PHI_MAX) -> ObsParams:
    """Fit μ, β, σ, φ on training months.

    Args:
        y: (T,) observed GDELT values of consecutive training months, oldest first, the last
           one the month before the origin; no NaN.
        x: (T,) the ensemble-mean monthly net relation of the same months; NaN where the
           model did not run (before its start).
        x_rest: x̄, the model's value at rest.
    """
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or len(y) < 3 or not np.isfinite(y).all():
        raise ValueError("fit needs at least 3 finite training months")
    dx = displacement(x, x_rest)
    n_model = int(np.count_nonzero(~np.isnan(np.asarray(x, dtype=float)))) - 1
    n_model = max(n_model, 0)
    beta = 0.0
    dc = dx - dx.mean()
    sxx = float(dc @ dc)
    if n_model > 0 and sxx > 0:
        beta = max(float(dc @ (y - y.mean())) / (sxx + prior_scale ** 2), 0.0)
    mu = float(np.mean(y - beta * dx))
    e = y - mu - beta * dx
    sigma = float(np.sqrt(e @ e / max(len(y) - 2, 1)))
    phi = 0.0
    if sigma > 0 and np.std(e[:-1]) > 0 and np.std(e[1:]) > 0:
        phi = float(np.clip(np.corrcoef(e[:-1], e[1:])[0, 1], 0.0, phi_max))
    return ObsParams(mu=mu, beta=beta, x_rest=float(x_rest), sigma=max(sigma, 1e-9), phi=phi,
                     last_resid=float(e[-1]), n_train=len(y), n_model=n_model)


def mean(x: np.ndarray, p: ObsParams) -> np.ndarray:
    """μ + β·(x − x̄): the observation the state x implies, without error (GDELT units)."""
    return p.mu + p.beta * displacement(x, p.x_rest)


def sample(x: np.ndarray, p: ObsParams, rng: np.random.Generator) -> np.ndarray:
    """Predictive draws ``y (R, M)`` for model months ``x (R, M)``.

    Row r is replicate r's monthly net relation; column h − 1 is the h-th month after the
    last training month (horizon h). The error path starts from ``p.last_resid`` and
    follows the AR(1), independently per row, so each draw is one coherent future.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    R, M = x.shape
    eps = rng.standard_normal((R, M))
    e = np.empty((R, M))
    prev = np.full(R, p.last_resid)
    innov = p.sigma * math.sqrt(1.0 - p.phi ** 2)
    for h in range(M):
        prev = p.phi * prev + innov * eps[:, h]
        e[:, h] = prev
    return mean(x, p) + e


def predictive_moments(x: np.ndarray, p: ObsParams) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of y given the states ``x (..., M)`` (the error only; horizons h = 1..M)."""
    x = np.asarray(x, dtype=float)
    h = np.arange(1, x.shape[-1] + 1)
    m = mean(x, p) + p.phi ** h * p.last_resid
    sd = p.sigma * np.sqrt(1.0 - p.phi ** (2 * h))
    return m, np.broadcast_to(sd, m.shape)


def log_likelihood(y: np.ndarray, x: np.ndarray, p: ObsParams) -> float | np.ndarray:
    """Exact log-likelihood of consecutive observed months ``y (T,)`` given model months
    ``x (T,)`` (a float), or ``x (R, T)`` per replicate (an array of R). The first month's
    error is drawn from the stationary N(0, σ²), each later one given the one before."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    e = y - mean(x, p)
    s2 = p.sigma ** 2
    c2 = s2 * (1.0 - p.phi ** 2)
    first = -0.5 * (math.log(2 * math.pi * s2) + e[..., 0] ** 2 / s2)
    inn = e[..., 1:] - p.phi * e[..., :-1]
    rest = -0.5 * (inn.shape[-1] * math.log(2 * math.pi * c2) + (inn ** 2).sum(axis=-1) / c2)
    out = first + rest
    return float(out) if np.ndim(out) == 0 else out
