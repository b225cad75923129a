"""Baseline forecasts of a dyad's observed monthly value, from its observed past only.

``past`` is the dyad's observed months before the origin, oldest first (all of them, from
the series' first month); ``h`` is the horizon in months (1: the origin's own month).

- persistence: the last observed month, as a point forecast (the forecast "nothing changes");
- climatology: the empirical distribution of every past month (equal weights);
- random walk: N(last month, h·s²), s the sample sd (ddof 1) of past month-to-month steps;
- ar1: the observation model (`sim.forecast.observation`) with no simulation (β = 0): the
  normal AR(1) forecast around the past mean, fitted on the same past months. The model's
  skill over it is what the simulation adds to the observation model's statistics.
"""
from __future__ import annotations

import math

import numpy as np

from sim.forecast import observation as ob
from sim.forecast.scoring import Ensemble, Normal

NAMES = ("persistence", "climatology", "random_walk", "ar1")


def persistence(past: np.ndarray, h: int) -> Ensemble:
    return Ensemble(np.asarray(past[-1:], dtype=float))


def climatology(past: np.ndarray, h: int) -> Ensemble:
    return Ensemble(np.asarray(past, dtype=float))


def random_walk(past: np.ndarray, h: int) -> Normal:
    steps = np.diff(np.asarray(past, dtype=float))
    s = float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0
    return Normal(float(past[-1]), max(s * math.sqrt(h), 1e-9))


def ar1(past: np.ndarray, h: int) -> Normal:
    p = ob.fit(np.asarray(past, dtype=float), np.full(len(past), np.nan), 0.0)
    m, sd = ob.predictive_moments(np.zeros(h), p)
    return Normal(float(m[-1]), max(float(sd[-1]), 1e-9))


def forecasts(past: np.ndarray, h: int) -> dict[str, Ensemble | Normal]:
    """Every baseline's forecast for horizon ``h``, by name (order of ``NAMES``)."""
    return {"persistence": persistence(past, h), "climatology": climatology(past, h),
            "random_walk": random_walk(past, h), "ar1": ar1(past, h)}
