"""Memory of received acts: a decaying trace per receiver, source and rung (the Hawkes
kernel of the reciprocal rule, docs/ODD.md 7f).

``M[i, j, m - 1, r]`` is the decayed count of rung-m acts that i received from j in
replicate r. An act of rung k by i on j first discharges i's traces toward j at rungs ≤ k
(a reply settles what it answers), then adds 1 to j's trace of rung k from i. Discharges
come before increments (an act answers what was received before today). Every day the
traces decay by q = 2^(−1/h).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit

from sim.engine.dynamics import at

N_TRACE = 6  # rungs 1..6


def reply_weights(q: np.ndarray, excitation: np.ndarray, spread: Sequence[float]) -> np.ndarray:
    """α[k, m, r]: the rate of a rung-(k+1) reply per unit of rung-(m+1) trace.

    α_km = (1 − q)·n_m·κ_(k−m), κ = (down, same, up) restricted to reply rungs 1–5 and
    renormalised per received rung, so one received act causes n_m direct replies in
    expectation (its branching ratio, at equal capability).
    """
    q = np.atleast_1d(np.asarray(q, dtype=float))
    n = np.asarray(excitation, dtype=float)  # (6, Rp)
    rp = max(q.shape[-1], n.shape[-1])
    alpha = np.zeros((N_TRACE, N_TRACE, rp))
    for m in range(N_TRACE):
        cells = [(m + d, w) for d, w in zip((-1, 0, 1), spread) if 0 <= m + d < 5]
        total = sum(w for _, w in cells)
        for k, w in cells:
            if total > 0:
                alpha[k, m] = (1.0 - q) * n[m] * (w / total)
    return alpha


def record_exogenous(M: np.ndarray, acts: list, discharge: np.ndarray) -> None:
    """Traces of the day's exogenous hostile acts ``(source, target, rung, mask, weight)``:
    all discharges first, then the increments, in the replicates of ``mask``."""
    keep = 1.0 - discharge
    for s, g, k, mask, _ in acts:
        M[s, g, :k] = np.where(mask, M[s, g, :k] * keep, M[s, g, :k])
    for s, g, k, mask, w in acts:
        M[g, s, k - 1] += np.where(mask, w, 0.0)


@njit(cache=True)
def receive_row(i, M, rung, discharge):
    """Agent i's traces after today's endogenous acts: i's act at rung k toward j discharges
    its traces toward j at rungs ≤ k, then j's act at rung k toward i adds 1 to that trace."""
    N, R = rung.shape[0], rung.shape[2]
    for j in range(N):
        if j == i:
            continue
        for r in range(R):
            k = rung[i, j, r]
            if k > 0:
                d = 1.0 - at(discharge, r)
                for m in range(k):
                    M[i, j, m, r] *= d
            k = rung[j, i, r]
            if k > 0:
                M[i, j, k - 1, r] += 1.0


@njit(cache=True)
def forget_row(Mi, keep):
    """One day of decay of agent i's traces (N, 6, R); values below 1e-12 are flushed to 0
    so that quiet pairs skip the memory sum."""
    N, K, R = Mi.shape
    for j in range(N):
        for m in range(K):
            for r in range(R):
                x = Mi[j, m, r]
                if x != 0.0:
                    x *= at(keep, r)
                    Mi[j, m, r] = x if x >= 1e-12 else 0.0
