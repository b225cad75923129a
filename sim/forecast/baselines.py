"""Baseline forecasts of a dyad's observed monthly value from its observed past only, each
an ensemble of members scored by the same code as the model (`sim.forecast.metrics`).

``past`` is the dyad's observed months before the origin, oldest first (all of them, from
the series' first month); ``h`` the horizon in months (1: the origin's own month); ``n`` the
number of members of a distributional forecast (the run's replicates, as the model has).

- persistence ("no change"): the last observed month, a point forecast (one member);
- zero: the value 0 as a point forecast (for a Goldstein sum: nothing happens; for a count:
  no event);
- climatology: every past month, equal weights;
- conflictology (ViEWS 2023/24's benchmark): ``n`` draws with replacement from the dyad's
  last 12 observed months, seeded (reproducible by seed);
- random walk: N(last month, h·s²), s the sd (ddof 1) of past month-to-month steps, as
  ``n`` members at the normal's quantiles (i + ½)/n (deterministic).

Two more baselines go through the same observation model as the simulation, with the same
noise calibration (`sim.forecast.backtest`): ar1 (the observation model with no simulated
state: β = 0) and the event filter (`sim.forecast.eventfilter`).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

SIMPLE = ("persistence", "zero", "climatology", "conflictology", "random_walk")
CONFLICTOLOGY_MONTHS = 12


def persistence(past: np.ndarray) -> np.ndarray:
    return np.asarray(past[-1:], dtype=float)


def zero() -> np.ndarray:
    return np.zeros(1)


def climatology(past: np.ndarray) -> np.ndarray:
    return np.asarray(past, dtype=float)


def conflictology(past: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    last = np.asarray(past[-CONFLICTOLOGY_MONTHS:], dtype=float)
    return last[rng.integers(0, len(last), size=n)]


def random_walk(past: np.ndarray, h: int, n: int) -> np.ndarray:
    steps = np.diff(np.asarray(past, dtype=float))
    s = float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0
    return float(past[-1]) + max(s * math.sqrt(h), 1e-9) * stats.norm.ppf((np.arange(n) + 0.5) / n)


def simple(past: np.ndarray, h: int, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every baseline of ``SIMPLE`` for horizon ``h``, by name; ``rng`` feeds conflictology only."""
    return {"persistence": persistence(past), "zero": zero(), "climatology": climatology(past),
            "conflictology": conflictology(past, n, rng), "random_walk": random_walk(past, h, n)}
