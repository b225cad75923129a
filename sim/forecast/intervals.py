"""Intervals that hold: the observation model's noise, calibrated on training months only.

The observation model's σ is the residual sd of an in-sample fit, so its forecasts are too
narrow out of sample (the issue measured 30 % / 67 % inside the 50 % / 90 % intervals). Before
forecasting from origin O, ``fit_scale`` replays the forecast on *held-back training
origins*: each of the last ``n_pseudo`` months o' before O (with at least ``min_train``
months before it) acts as an origin, the observation model is refitted on the months before
o' only, and months o' .. O−1 are forecast at every horizon of the run (the simulated states
of those months, known at O, stand in for the simulation). The innovation sd is multiplied
by a factor k from ``SCALES``, chosen so that the share of these held-back months inside the
central 50 % and 90 % intervals is closest to nominal (the larger of the two misses smallest;
ties: the smallest k). The forecast from O then uses σ·k. Every month used is before O.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from sim.forecast import observation as ob

SCALES = tuple(float(v) for v in np.round(np.exp(np.linspace(math.log(0.5), math.log(8.0), 29)), 4))
N_PSEUDO = 12


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


def ensemble_mean(x: np.ndarray) -> np.ndarray:
    """Mean over replicates (axis 0), NaN in the months where every replicate is NaN (the model did not run)."""
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    n = ok.sum(axis=0)
    tot = np.where(ok, x, 0.0).sum(axis=0)
    return np.where(n > 0, tot / np.maximum(n, 1), np.nan)


def fit_scale(y: np.ndarray, x_ens: np.ndarray, x_rest: float, horizons: tuple[int, ...], rng: np.random.Generator,
              *, n_pseudo: int = N_PSEUDO, min_train: int = 3) -> dict:
    """The noise factor k for forecasts issued after the training months ``y (T,)``.

    Args:
        x_ens: ``(R, T)`` simulated states of the training months per replicate (NaN where the
            model did not run); the observation model is fitted on their ensemble mean.
    Returns ``{"scale", "held_cover50", "held_cover90", "held_targets", "pseudo_origins"}``;
    with no held-back target, k = 1 and the coverages are None.
    """
    y = np.asarray(y, dtype=float)
    x_ens = np.atleast_2d(np.asarray(x_ens, dtype=float))
    T = len(y)
    xm = ensemble_mean(x_ens)
    S = np.array(SCALES)
    hits = {50: [], 90: []}
    for j in range(max(min_train, T - n_pseudo), T):
        hs = [h for h in horizons if j + h - 1 < T]
        if not hs:
            continue
        p = ob.fit(y[:j], xm[:j], x_rest)
        M = max(hs)
        base = ob.mean(x_ens[:, j:j + M], p) + (p.phi ** np.arange(1, M + 1)) * p.last_resid
        unit = p.sigma * unit_paths(x_ens.shape[0], M, p.phi, rng)
        cols = np.array(hs) - 1
        draws = base[:, cols, None] + unit[:, cols, None] * S[None, None, :]  # (R, targets, scales)
        q = np.quantile(draws, [0.05, 0.25, 0.75, 0.95], axis=0)
        obs = y[j + cols][:, None]
        hits[50].append((q[1] <= obs) & (obs <= q[2]))
        hits[90].append((q[0] <= obs) & (obs <= q[3]))
    if not hits[50]:
        return {"scale": 1.0, "held_cover50": None, "held_cover90": None, "held_targets": 0, "pseudo_origins": 0}
    c50, c90 = (np.concatenate(hits[c]).mean(axis=0) for c in (50, 90))
    miss = np.maximum(np.abs(c50 - 0.5), np.abs(c90 - 0.9))
    k = int(np.flatnonzero(miss == miss.min())[0])
    return {"scale": SCALES[k], "held_cover50": float(c50[k]), "held_cover90": float(c90[k]),
            "held_targets": int(sum(len(a) for a in hits[50])), "pseudo_origins": len(hits[50])}


def calibrated(p: ob.ObsParams, scale: float) -> ob.ObsParams:
    """The observation model with its noise sd multiplied by ``scale``."""
    return replace(p, sigma=p.sigma * scale)
