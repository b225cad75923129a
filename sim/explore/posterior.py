"""Bayesian calibration: a posterior over a few model parameters, by MCMC (emcee's affine-
invariant ensemble sampler) on a Gaussian synthetic likelihood (Wood 2010, Nature 466:1102).

For a parameter vector θ (inside the prior box; the prior is uniform on it):

1. simulate ``reps`` replicates with common random numbers (every θ uses replicates
   0 … reps−1, so the synthetic likelihood is a deterministic, smooth-ish function of θ);
2. per replicate r, dyad d and *model training month* m (from the model's start to the
   month before the cut): ``x[r, m, d]``, the monthly mean of the daily net relation;
3. the observation model of ``sim/forecast/observation.py`` per dyad (μ, β, σ, φ), fitted on
   *all* observed training months (GDELT months before the cut; months before the model
   starts sit at rest) against the ensemble-mean x: ONCE at the defaults and then fixed
   (``Target.bridge``, `sim.explore.bridge`), so a θ that moves the model moves the
   prediction; with ``bridge=None`` it is refitted at each θ (a profile plug-in, which lets β
   absorb what θ does: kept for comparison);
4. summary statistics: ``s_r = μ_d + β_d·(x[r, m, d] − x̄_d)`` over (m, d) — the observed-
   scale value each replicate implies, without observation error;
5. Gaussian: mean = mean_r s_r; covariance = cov_r s_r (model noise) + the observation
   error's stationary AR(1) covariance σ_d²·φ_d^|i−j| per dyad (added in closed form rather
   than simulated; dyads' errors independent);
6. log-likelihood = log N(y; mean, covariance) of the observed training months y.

Only training months enter; the held-out months (from the cut on) are reported, never fit.
The pre-model training months inform only the observation model's level and noise (their
error correlation with the first model month is ignored).
"""
from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from sim.engine.settings import Settings
from sim.explore.evaluate import _run, month_labels
from sim.forecast import observation as obs
from sim.runs.stats import dyad_names


@dataclass(frozen=True)
class Target:
    """Observed training data: ``y_all (T, D)`` for the observed training months ``months``
    (oldest first, the last one before the cut); the model runs in ``model_months`` (their
    tail); ``dyads``: engine dyad indices of the columns."""

    months: tuple[str, ...]
    y_all: np.ndarray
    model_months: tuple[str, ...]
    dyads: tuple[int, ...]
    held_y: np.ndarray | None = None  # (held-out months, D): observed, for the out-of-sample score only
    bridge: tuple | None = None  # per dyad ObsParams fixed once (sim/explore/bridge.py); None: refitted per θ

    @property
    def y_model(self) -> np.ndarray:
        return self.y_all[len(self.months) - len(self.model_months):]


def monthly_replicates(problem: Mapping, X: np.ndarray, settings: Settings, reps: int,
                       months: Sequence[str]) -> np.ndarray:
    """Monthly mean net relation per sample and replicate: ``(n, reps, len(months), dyads)``,
    every sample on replicates 0 … reps−1 (common random numbers)."""
    lab = month_labels(settings)
    m_of = {m: i for i, m in enumerate(months)}
    day_month = np.array([m_of.get(m, -1) for m in lab])
    days_in = np.bincount(day_month[day_month >= 0], minlength=len(months)).astype(float)
    last = int(np.nonzero(day_month >= 0)[0].max())
    n, M = np.asarray(X).shape[0], len(months)
    D = len(dyad_names(settings.actors))
    out = np.zeros((n, reps, M, D))
    s = replace(settings, end=settings.start + dt.timedelta(days=last))  # nothing after the last month is needed

    def observers():
        box: dict = {}

        def o(t, model):
            m = day_month[t]
            if m >= 0:
                acc = box.setdefault("acc", np.zeros((M, D, model.R)))
                acc[m] += model.net_relation()
        o.box = box  # type: ignore[attr-defined]
        return [o]

    def collect(model, a, b, ob):
        acc = ob[0].box["acc"] / days_in[:, None, None]  # (M, D, R)
        out[a:b] = acc.reshape(M, D, b - a, reps).transpose(2, 3, 0, 1)

    _run(problem, X, s, reps, True, observers, collect)
    return out


def ar1_cov(sigma: float, phi: float, n: int) -> np.ndarray:
    """Stationary AR(1) covariance σ²·φ^|i−j| (n × n)."""
    k = np.arange(n)
    return sigma ** 2 * phi ** np.abs(k[:, None] - k[None, :])


def synthetic_loglik(xr: np.ndarray, target: Target) -> tuple[float, list[obs.ObsParams]]:
    """Gaussian synthetic log-likelihood of the observed training months given one θ's
    replicates ``xr (reps, model months, dyads)`` (module docstring, steps 3–6)."""
    reps, Mm, _ = xr.shape
    pre = len(target.months) - Mm
    covs, ps = [], []
    S = []
    for j, d in enumerate(target.dyads):
        xm = xr[:, :, d].mean(axis=0)
        x_full = np.concatenate([np.full(pre, np.nan), xm])
        p = target.bridge[j] if target.bridge is not None else obs.fit(target.y_all[:, j], x_full, float(xm[0]))
        ps.append(p)
        S.append(obs.mean(xr[:, :, d], p))  # (reps, Mm)
        covs.append(ar1_cov(p.sigma, p.phi, Mm))
    s = np.concatenate(S, axis=1)  # (reps, Mm * dyads), dyad-major
    mu = s.mean(axis=0)
    cov = np.cov(s, rowvar=False, ddof=1) if reps > 1 else np.zeros((s.shape[1],) * 2)
    k = 0
    for c in covs:
        cov[k:k + Mm, k:k + Mm] += c
        k += Mm
    y = target.y_model.T.ravel()  # dyad-major, as s
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return -math.inf, ps
    z = np.linalg.solve(L, y - mu)
    ll = -0.5 * (z @ z) - np.log(np.diag(L)).sum() - 0.5 * len(y) * math.log(2 * math.pi)
    return float(ll), ps


def log_posterior_fn(problem: Mapping, settings: Settings, reps: int, target: Target) -> Callable[[np.ndarray], tuple]:
    """Vectorised log posterior for emcee: ``f(θ (walkers, k)) -> (log posterior, log likelihood)``
    with a uniform prior on the box (−inf outside; those walkers are not simulated)."""
    lo, hi = np.array(problem["bounds"], dtype=float).T

    def f(theta: np.ndarray):
        theta = np.atleast_2d(theta)
        lp = np.full(len(theta), -np.inf)
        ll = np.full(len(theta), -np.inf)
        inside = np.all((theta >= lo) & (theta <= hi), axis=1)
        if inside.any():
            xr = monthly_replicates(problem, theta[inside], settings, reps, target.model_months)
            vals = [synthetic_loglik(x, target)[0] for x in xr]
            ll[inside] = vals
            lp[inside] = vals  # + log prior, constant on the box
        return lp, ll
    return f


@dataclass
class Chain:
    """emcee's output: ``samples (steps, walkers, k)``, log posterior / likelihood
    ``(steps, walkers)``, acceptance per walker, and the measured seconds per step."""

    samples: np.ndarray
    log_post: np.ndarray
    log_lik: np.ndarray
    acceptance: np.ndarray
    seconds_per_step: float
    initial: np.ndarray


def sample_posterior(problem: Mapping, settings: Settings, target: Target, *, reps: int, walkers: int,
                     steps: int, seed: int, max_hours: float | None = None,
                     on_estimate: Callable[[float], None] | None = None) -> Chain:
    """Run emcee from walkers drawn uniformly from the prior box (fixed seed). After the
    first step the total time is projected; over ``max_hours`` → ConfigError (no result)."""
    import emcee

    from sim.errors import ConfigError
    from sim.explore.problem import rng_for

    lo, hi = np.array(problem["bounds"], dtype=float).T
    k = len(lo)
    rng = rng_for(seed, "posterior")
    p0 = lo + (hi - lo) * rng.random((walkers, k))
    f = log_posterior_fn(problem, settings, reps, target)
    # vectorised: one ensemble for all walkers; emcee wants one (log posterior, blob) per walker
    sampler = emcee.EnsembleSampler(walkers, k, lambda th: list(zip(*f(th))), vectorize=True,
                                    blobs_dtype=[("log_likelihood", float)])
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    lp0, ll0 = f(p0)  # compiles the day loop on first use
    state = emcee.State(p0, log_prob=lp0, blobs=np.array([(v,) for v in ll0], dtype=[("log_likelihood", float)]))
    t0 = time.perf_counter()
    per_step = math.nan
    for i, _ in enumerate(sampler.sample(state, iterations=steps)):
        if i == 0:
            per_step = time.perf_counter() - t0
            total_h = per_step * steps / 3600
            if on_estimate:
                on_estimate(per_step * steps)
            if max_hours is not None and total_h > max_hours:
                raise ConfigError("ensemble.max_hours", f"this calibration would take about {per_step * steps / 60:.0f} "
                                  f"min ({per_step:.2f} s per step × {steps} steps), over the limit of {max_hours:g} h; "
                                  "lower explore.steps, explore.walkers or explore.replicates_per_sample")
    blobs = sampler.get_blobs()
    return Chain(samples=sampler.get_chain(), log_post=sampler.get_log_prob(), log_lik=np.asarray(blobs["log_likelihood"]),
                 acceptance=np.asarray(sampler.acceptance_fraction), seconds_per_step=per_step, initial=p0)


def interval(draws: np.ndarray, level: float = 0.9) -> tuple[float, float]:
    """Central posterior interval of one parameter's draws."""
    a = (1 - level) / 2
    return float(np.quantile(draws, a)), float(np.quantile(draws, 1 - a))


def held_out_log_score(problem: Mapping, X: np.ndarray, settings: Settings, reps: int, target: Target,
                       held: Sequence[str]) -> np.ndarray:
    """Out-of-sample log score per θ (rows of X) and dyad: Σ over the held-out months of log p(y),
    p the predictive mixture over replicates of the observation model fitted on the training
    months only (AR(1) error carried on from the last training month). Higher is better."""
    months = list(target.model_months) + list(held)
    xr_all = monthly_replicates(problem, X, settings, reps, months)  # (n, reps, M, D)
    gd_y = target.held_y
    Mm = len(target.model_months)
    out = np.zeros((len(X), len(target.dyads)))
    for i in range(len(X)):
        _, ps = synthetic_loglik(xr_all[i, :, :Mm], target)
        for j, (d, p) in enumerate(zip(target.dyads, ps)):
            m, sd = obs.predictive_moments(xr_all[i, :, Mm:, d], p)  # (reps, H)
            z = (gd_y[:, j][None, :] - m) / sd
            logp = -0.5 * z ** 2 - np.log(sd) - 0.5 * math.log(2 * math.pi)  # (reps, H)
            top = logp.max(axis=0)
            out[i, j] = float(np.sum(top + np.log(np.mean(np.exp(logp - top), axis=0))))
    return out
