"""Baseline forecasts of a dyad's observed monthly value, from its observed past only.

``past`` is the dyad's observed months before the origin, oldest first (all of them, from
the series' first month); ``h`` is the horizon in months (1: the origin's own month).

- persistence: the last observed month, as a point forecast (the forecast "nothing changes");
- climatology: the empirical distribution of every past month (equal weights);
- random walk: N(last month, h·s²), s the sample sd (ddof 1) of past month-to-month steps.
"""
from __future__ import annotations

import math

import numpy as np

from sim.forecast.scoring import Ensemble, Normal

NAMES = ("persistence", "climatology", "random_walk")


def persistence(past: np.ndarray, h: int) -> Ensemble:
    return Ensemble(np.asarray(past[-1:], dtype=float))


def climatology(past: np.ndarray, h: int) -> Ensemble:
    return Ensemble(np.asarray(past, dtype=float))


def random_walk(past: np.ndarray, h: int) -> Normal:
    steps = np.diff(np.asarray(past, dtype=float))
    s = float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0
    return Normal(float(past[-1]), max(s * math.sqrt(h), 1e-9))


def forecasts(past: np.ndarray, h: int) -> dict[str, Ensemble | Normal]:
    """Every baseline's forecast for horizon ``h``, by name (order of ``NAMES``)."""
    return {"persistence": persistence(past, h), "climatology": climatology(past, h),
            "random_walk": random_walk(past, h)}
