"""The observation model from model acts to coded dyad-days (docs/ODD.md, "What a rung is in
data"): a model act is an incident that an event coder records on at least one day, and on
1 + X days in all, X ~ NB(mean m − 1, size k) per rung class (reporting multiplicity m,
overdispersion k). Incidents are independent, and a sum of independent NB variables with one
success probability is NB with the sizes added, so A acts in a dyad-month give

    D = A + NB(mean (m − 1)·A, size k·A),   E[D] = m·A,   Var[D] = (m − 1)·A·(1 + (m − 1)/k),

capped at the days of the month. (m, k) are fitted **once**, from the data's own incidents
(onset to next onset, ``sim.calib.icews.cluster_sizes``) by the method of moments on the
training months; they never move with the model's parameters (no gain refitted per θ).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

K_POISSON = 1e3  # size used when the extra days are not overdispersed (variance ≤ mean): ≈ Poisson


@dataclass(frozen=True)
class Bridge:
    m: np.ndarray  # (classes,) coded dyad-days per incident, ≥ 1
    k: np.ndarray  # (classes,) NB size of the extra days per incident
    n: np.ndarray  # (classes,) incidents the fit used

    def mean(self, acts: np.ndarray, c: int) -> np.ndarray:
        return self.m[c] * np.asarray(acts, dtype=float)

    def var(self, acts: np.ndarray, c: int) -> np.ndarray:
        e = self.m[c] - 1.0
        return e * np.asarray(acts, dtype=float) * (1.0 + e / self.k[c])

    def _nb(self, acts: np.ndarray, c: int):
        a = np.maximum(np.asarray(acts, dtype=float), 1e-300)
        mu, size = (self.m[c] - 1.0) * a, self.k[c] * a
        return size, size / (size + mu) if self.m[c] > 1.0 else np.ones_like(a)

    def sample(self, acts: np.ndarray, c: int, rng: np.random.Generator, cap: np.ndarray | int | None = None
               ) -> np.ndarray:
        """Coded dyad-days of ``acts`` (any shape) of class ``c``."""
        acts = np.asarray(acts, dtype=np.int64)
        size, p = self._nb(acts, c)
        extra = np.where(acts > 0, rng.negative_binomial(size, p), 0)
        d = acts + extra
        return d if cap is None else np.minimum(d, cap)

    def logpmf(self, d: np.ndarray, acts: np.ndarray, c: int, cap: np.ndarray | int | None = None) -> np.ndarray:
        """log P(D = d | A = acts); with ``cap`` the mass above it sits on the cap (censoring)."""
        d, acts = np.broadcast_arrays(np.asarray(d, dtype=np.int64), np.asarray(acts, dtype=np.int64))
        size, p = self._nb(acts, c)
        x = d - acts
        lp = stats.nbinom.logpmf(x, size, p)
        if cap is not None:
            at_cap = d >= np.asarray(cap)
            lp = np.where(at_cap, stats.nbinom.logsf(x - 1, size, p), lp)
        zero = acts == 0
        return np.where(zero, np.where(d == 0, 0.0, -np.inf), np.where(x < 0, -np.inf, lp))


def fit(sizes: list[np.ndarray]) -> Bridge:
    """(m, k) per class by the method of moments on incident sizes s ≥ 1: m = mean(s),
    k = (m − 1)² / (var(s) − (m − 1)), Poisson-like (``K_POISSON``) when var(s) ≤ m − 1.
    A class without incidents gets m = 1 (one coded day per act)."""
    m, k, n = [], [], []
    for s in sizes:
        s = np.asarray(s, dtype=float)
        if s.size == 0:
            m.append(1.0), k.append(K_POISSON), n.append(0)
            continue
        e, v = s.mean() - 1.0, s.var(ddof=1) if s.size > 1 else 0.0
        m.append(1.0 + e)
        k.append(e * e / (v - e) if v > e and e > 0 else K_POISSON)
        n.append(s.size)
    return Bridge(np.array(m), np.array(k), np.array(n))


# The bridge fitted once on ICEWS21 (incidents with onset in 2021-01 … 2021-05, all six directed
# triangle pairs; `scripts/calibrate_icews.py --stages data`, docs/results/calibration.json
# `data.bridge`) and then fixed: the counts target of the backtest uses it unchanged.
ICEWS21 = Bridge(np.array([5.3076923076923075, 1.0, 4.0]), np.array([1.3997916976640377, 1000.0, 0.2985781990521327]),
                 np.array([13, 7, 8]))
