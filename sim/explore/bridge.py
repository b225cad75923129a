"""The bridge from simulated state to the observed series, fitted ONCE and then fixed.

Refitting the observation model's gain β at every parameter value θ lets β absorb what θ does
(the issue measured: as ``impulse.hostility`` makes the model move 4.7 times more, β falls
from 174 to 95, and the likelihood barely moves over the priors). So the calibration fits the
observation model (`sim.forecast.observation`: μ, β, σ, φ per dyad) once, on the training
months, at the frozen defaults θ0, stores it with its fit months, and evaluates every θ with
it unchanged: a θ that moves the model more now predicts a larger observed movement.

``likelihood_movement`` reports, for each parameter, the synthetic log-likelihood on a grid
over its prior box (the others at their defaults), with the bridge fixed and, for
comparison, refitted at each value: how much the data can say about that parameter.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from sim.engine.settings import Settings
from sim.explore import posterior as post

GRID = 5  # points over each prior box


def fit_once(problem: Mapping, theta0: Sequence[float], settings: Settings, reps: int,
             target: post.Target) -> tuple[post.Target, dict]:
    """The target with its bridge fixed at θ0 (the defaults, clipped into the box), and the record."""
    lo, hi = np.array(problem["bounds"], dtype=float).T
    th = np.clip(np.asarray(theta0, dtype=float), lo, hi)
    xr = post.monthly_replicates(problem, th[None, :], settings, reps, target.model_months)[0]
    _, ps = post.synthetic_loglik(xr, replace(target, bridge=None))
    rec = {"fitted_at": dict(zip(problem["names"], th.tolist())), "fit_months": [target.months[0], target.months[-1]],
           "model_months": [target.model_months[0], target.model_months[-1]], "replicates": reps,
           "params": [p.as_dict() for p in ps],
           "meaning": "observation model fitted once on the training months at the defaults, then fixed for every "
                      "parameter value (sim/explore/bridge.py)"}
    return replace(target, bridge=tuple(ps)), rec


def likelihood_movement(problem: Mapping, theta0: Sequence[float], settings: Settings, reps: int,
                        target: post.Target, points: int = GRID) -> dict:
    """Per parameter: the grid, log-likelihoods with the fixed bridge and refitted, and their ranges."""
    lo, hi = np.array(problem["bounds"], dtype=float).T
    th0 = np.clip(np.asarray(theta0, dtype=float), lo, hi)
    k = len(lo)
    X = np.repeat(th0[None, :], k * points, axis=0)
    for j in range(k):
        X[j * points:(j + 1) * points, j] = np.linspace(lo[j], hi[j], points)
    xr = post.monthly_replicates(problem, X, settings, reps, target.model_months)
    refit = replace(target, bridge=None)
    fixed = np.array([post.synthetic_loglik(x, target)[0] for x in xr])
    free = np.array([post.synthetic_loglik(x, refit)[0] for x in xr])
    out = {}
    for j, n in enumerate(problem["names"]):
        s = slice(j * points, (j + 1) * points)
        out[n] = {"grid": X[s, j].tolist(), "loglik_fixed_bridge": fixed[s].tolist(),
                  "loglik_refitted_bridge": free[s].tolist(),
                  "range_fixed_bridge": float(np.ptp(fixed[s])), "range_refitted_bridge": float(np.ptp(free[s]))}
    return out
