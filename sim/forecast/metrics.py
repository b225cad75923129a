"""Proper scores and calibration measures of ensemble forecasts, whatever the target (a
Goldstein sum, a count of dyad-days): every forecast is an ensemble of equally weighted
members (a point forecast is an ensemble of one), so the model and every baseline are scored
by the same code.

For an observation ``y`` and members ``x_1..x_N`` (lower is better except coverage):

- ``crps``: the continuous ranked probability score, in the target's units
  (``scoringrules.crps_ensemble``, default estimator, equal to the ensemble's own CRPS
  E|X − y| − ½ E|X − X'| with both means over the members; one member: |x − y|);
- ``ignorance``: −log2 of the probability the ensemble gives the *declared bin* holding y.
  The bins are declared by the target before any score is computed (``edges``: increasing,
  the outer ones may be ±inf). Bin probability (n_b + 1/B) / (N + 1): one pseudo-member
  spread evenly over the B bins, so an empty bin costs log2(B·(N + 1)) bits, not infinity,
  and the smoothing weighs as much as one member whatever the number of bins;
- ``interval_score(α)``: the interval score of the central (1 − α) interval [l, u]
  (Gneiting & Raftery 2007, eq. 43): (u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u};
- ``cover{50,80,90,95}``: 1 if y lies in the central interval [l, u] (inclusive), else 0;
- ``pit``: mid-rank probability integral transform, (#{x < y} + ½ #{x = y}) / N.

Interval ends are the ensemble's quantiles (numpy's default linear interpolation).
"""
from __future__ import annotations

import math

import numpy as np

LEVELS = (50, 80, 90, 95)  # central interval levels, percent
IS_LEVEL = 90  # the level of the reported interval score (ViEWS 2023/24)
SCORE_NAMES = ("crps", "ignorance", f"interval{IS_LEVEL}", *(f"cover{c}" for c in LEVELS), "pit")


def quantile_levels() -> tuple[float, ...]:
    """The quantiles every forecast reports: the ends of the central intervals and the median."""
    qs = {0.5}
    for c in LEVELS:
        a = (1 - c / 100) / 2
        qs |= {round(a, 4), round(1 - a, 4)}
    return tuple(sorted(qs))


QUANTILES = quantile_levels()  # 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975
Q_COLUMNS = tuple(f"q{q * 100:g}".replace(".", "_") for q in QUANTILES)


def crps(y: float, members: np.ndarray) -> float:
    # imported here: scoringrules compiles its numba gufuncs at import (≈ 3 s), which every
    # process importing the backtest (the test collection, a plain run) would pay
    import scoringrules as sr

    return float(sr.crps_ensemble(float(y), np.asarray(members, dtype=float)))


def ignorance(y: float, members: np.ndarray, edges: np.ndarray) -> float:
    """−log2 P(bin of y), bins ``[edges[i], edges[i+1])`` (the last one closed)."""
    edges = np.asarray(edges, dtype=float)
    B = len(edges) - 1
    x = np.asarray(members, dtype=float)

    def bin_of(v):
        return np.clip(np.searchsorted(edges, v, side="right") - 1, 0, B - 1)

    n_b = int(np.sum(bin_of(x) == bin_of(y)))
    return float(-math.log2((n_b + 1.0 / B) / (len(x) + 1.0)))


def interval_score(y: float, lo: float, hi: float, alpha: float) -> float:
    return float((hi - lo) + (2.0 / alpha) * max(lo - y, 0.0) + (2.0 / alpha) * max(y - hi, 0.0))


def pit(y: float, members: np.ndarray) -> float:
    x = np.asarray(members, dtype=float)
    return float((np.sum(x < y) + 0.5 * np.sum(x == y)) / len(x))


def summary(members: np.ndarray) -> dict[str, float]:
    """The forecast itself: its mean and the quantiles of ``QUANTILES`` (columns ``Q_COLUMNS``)."""
    x = np.asarray(members, dtype=float)
    return {"mean": float(x.mean()), **dict(zip(Q_COLUMNS, (float(v) for v in np.quantile(x, QUANTILES))))}


def score(y: float, members: np.ndarray, edges: np.ndarray) -> dict[str, float]:
    """Every score of ``SCORE_NAMES`` for one forecast; all NaN when y is NaN (not yet observable)."""
    if not np.isfinite(y):
        return {k: math.nan for k in SCORE_NAMES}
    x = np.asarray(members, dtype=float)
    out = {"crps": crps(y, x), "ignorance": ignorance(y, x, edges)}
    for c in LEVELS:
        a = (1 - c / 100) / 2
        lo, hi = np.quantile(x, [a, 1 - a])
        if c == IS_LEVEL:
            out[f"interval{IS_LEVEL}"] = interval_score(y, float(lo), float(hi), 1 - c / 100)
        out[f"cover{c}"] = float(lo <= y <= hi)
    out["pit"] = pit(y, x)
    return out


def pit_histogram(pits: np.ndarray, bins: int = 10) -> list[int]:
    """Counts of PIT values in ``bins`` equal bins of [0, 1] (NaN left out). Flat: calibrated;
    U-shaped: too narrow; hump-shaped: too wide."""
    p = np.asarray(pits, dtype=float)
    p = p[np.isfinite(p)]
    return np.histogram(np.clip(p, 0.0, 1.0), bins=np.linspace(0.0, 1.0, bins + 1))[0].astype(int).tolist()
