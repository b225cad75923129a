"""Intervals that hold: the observation model's noise, calibrated on training months only.

The observation model's σ is the residual sd of an in-sample fit and its error is normal, so
its forecasts were too narrow out of sample (the issue measured 30 % / 67 % inside the 50 % /
90 % intervals). Before forecasting from origin O, ``fit_noise`` replays the forecast on
*held-back training origins*: each of the last ``n_pseudo`` months o' before O (with at least
``min_train`` months before it) acts as an origin, the observation model is refitted on the
months before o' only, and months o' .. O−1 are forecast at every horizon of the run (the
simulated states of those months, known at O, stand in for the simulation). Two knobs of the
error are chosen on these held-back months:

- a scale k (``SCALES``) multiplying the error's sd;
- a tail shape γ (``SHAPES``): each unit AR(1) error path u becomes sign(u)·|u|^γ (γ = 1:
  normal; above 1 heavier tails, below 1 lighter), so the 50 % and 90 % intervals can be
  calibrated together, which one scale cannot do when the errors are not normal;

so that the share of held-back months inside the central 50 % and 90 % intervals is closest
to nominal (the larger of the two misses smallest; ties: γ nearest 1, then the smallest k).
The forecast from O then draws its errors the same way (``sample``). Every month used is
before O; the coverage reached on the held-back months is reported with the forecast, and
the coverage out of sample is whatever it turns out to be.
"""
from __future__ import annotations

import math

import numpy as np

from sim.forecast import observation as ob

SCALES = tuple(float(v) for v in np.round(np.exp(np.linspace(math.log(0.25), math.log(8.0), 31)), 4))
SHAPES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 2.0)
N_PSEUDO = 12
CAL_MEMBERS = 200  # replicates used to calibrate (the forecast itself uses all)


def unit_paths(R: int, M: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """AR(1) error paths with unit marginal sd, starting from 0: ``(R, M)``."""
    eps = rng.standard_normal((R, M))
    out = np.empty((R, M))
    prev = np.zeros(R)
    c = math.sqrt(1.0 - phi ** 2)
    for h in range(M):
        prev = phi * prev + c * eps[:, h]
        out[:, h] = prev
    return out


def shaped(u: np.ndarray, gamma: float) -> np.ndarray:
    return u if gamma == 1.0 else np.sign(u) * np.abs(u) ** gamma


def sample(x: np.ndarray, p: ob.ObsParams, scale: float, gamma: float, rng: np.random.Generator) -> np.ndarray:
    """Predictive draws ``(R, M)`` for model months ``x (R, M)`` (horizons 1..M): the observation
    model's mean, φ^h of the last training residual, and k·σ·shaped unit AR(1) error paths."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    R, M = x.shape
    carry = p.phi ** np.arange(1, M + 1) * p.last_resid
    return ob.mean(x, p) + carry + scale * p.sigma * shaped(unit_paths(R, M, p.phi, rng), gamma)


def ensemble_mean(x: np.ndarray) -> np.ndarray:
    """Mean over replicates (axis 0), NaN in the months where every replicate is NaN (the model did not run)."""
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    n = ok.sum(axis=0)
    tot = np.where(ok, x, 0.0).sum(axis=0)
    return np.where(n > 0, tot / np.maximum(n, 1), np.nan)


def fit_noise(y: np.ndarray, x_ens: np.ndarray, x_rest: float, horizons: tuple[int, ...], rng: np.random.Generator,
              *, n_pseudo: int = N_PSEUDO, min_train: int = 3) -> dict:
    """The error's scale k and tail shape γ for forecasts issued after the training months ``y (T,)``.

    Args:
        x_ens: ``(R, T)`` simulated states of the training months per replicate (NaN where the
            model did not run); the observation model is fitted on their ensemble mean.
    Returns ``{"scale", "shape", "held_cover50", "held_cover90", "held_targets", "pseudo_origins"}``;
    with no held-back target, k = γ = 1 and the coverages are None.
    """
    y = np.asarray(y, dtype=float)
    x_ens = np.atleast_2d(np.asarray(x_ens, dtype=float))[:CAL_MEMBERS]
    T = len(y)
    xm = ensemble_mean(x_ens)
    S, G = np.array(SCALES), SHAPES
    hits = {50: [], 90: []}
    for j in range(max(min_train, T - n_pseudo), T):
        hs = [h for h in horizons if j + h - 1 < T]
        if not hs:
            continue
        p = ob.fit(y[:j], xm[:j], x_rest)
        M = max(hs)
        cols = np.array(hs) - 1
        base = (ob.mean(x_ens[:, j:j + M], p) + (p.phi ** np.arange(1, M + 1)) * p.last_resid)[:, cols]
        u = unit_paths(x_ens.shape[0], M, p.phi, rng)[:, cols]
        noise = np.stack([p.sigma * shaped(u, g) for g in G], axis=-1)  # (R, targets, shapes)
        draws = base[:, :, None, None] + noise[:, :, :, None] * S[None, None, None, :]  # (R, targets, shapes, scales)
        q = np.quantile(draws, [0.05, 0.25, 0.75, 0.95], axis=0)
        obs = y[j + cols][:, None, None]
        hits[50].append((q[1] <= obs) & (obs <= q[2]))
        hits[90].append((q[0] <= obs) & (obs <= q[3]))
    if not hits[50]:
        return {"scale": 1.0, "shape": 1.0, "held_cover50": None, "held_cover90": None, "held_targets": 0,
                "pseudo_origins": 0}
    c50, c90 = (np.concatenate(hits[c]).mean(axis=0) for c in (50, 90))  # (shapes, scales)
    miss = np.maximum(np.abs(c50 - 0.5), np.abs(c90 - 0.9))
    cands = np.argwhere(np.isclose(miss, miss.min()))
    gi, si = min(cands.tolist(), key=lambda c: (abs(math.log(G[c[0]])), c[1]))
    return {"scale": SCALES[si], "shape": G[gi], "held_cover50": float(c50[gi, si]), "held_cover90": float(c90[gi, si]),
            "held_targets": int(sum(len(a) for a in hits[50])), "pseudo_origins": len(hits[50])}


def forecast(y_past: np.ndarray, x_past: np.ndarray, x_future: np.ndarray, x_rest: float, horizons: tuple[int, ...],
             rng: np.random.Generator, **_context) -> tuple[np.ndarray, ob.ObsParams, dict]:
    """The Goldstein target's bridge: forecast draws ``(R, months)`` through the observation
    model fitted on the training months (``x_past (R, T)``, NaN where the model did not run),
    its noise calibrated on them; also the fitted parameters and the calibration record.
    ``_context`` (the series' name, the months' days) is what other targets' bridges use."""
    cal = fit_noise(y_past, x_past, x_rest, horizons, rng)
    p = ob.fit(y_past, ensemble_mean(x_past), x_rest)
    return sample(x_future, p, cal["scale"], cal["shape"], rng), p, cal
