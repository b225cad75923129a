"""Memory of received acts: a decaying trace per receiver, source and rung (the Hawkes
kernel of the reciprocal rule, docs/ODD.md 7f).

``M[i, j, m - 1, r]`` is the decayed count of rung-m acts that i received from j in
replicate r. An act of rung k by i on j first discharges i's traces toward j at rungs ≤ k
(a reply settles what it answers), then adds 1 to j's trace of rung k from i. Discharges
come before increments (an act answers what was received before today). Every day the
traces decay by q = 2^(−1/h).

Decay is lazy: ``M`` holds the traces in units of each receiver's clock, the true trace is
``M[i, …, r] · clock[i, r]``. Forgetting a day multiplies the receiver's clock (R numbers)
instead of every trace; increments add ``1 / clock``. A clock below 1e-200 is folded back
into the traces (never within realistic horizons). ``traces(M, clock)`` gives the true values.
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


def traces(M: np.ndarray, clock: np.ndarray) -> np.ndarray:
    """The true traces (N, N, 6, R) from the stored ones and the receivers' clocks (N, R)."""
    return M * clock[:, None, None, :]


def record_exogenous(M: np.ndarray, clock: np.ndarray, acts: list, discharge: np.ndarray,
                     cross: np.ndarray | None = None, C: np.ndarray | None = None, H: np.ndarray | None = None) -> None:
    """Traces of the day's exogenous hostile acts ``(source, target, rung, replicates, weight)``
    (``replicates``: an index array; ``weight``: a number or one per listed replicate): all
    discharges first, then the increments; with ``cross`` > 0 also the target's traces toward
    the source's partners (``receive_row``)."""
    keep = 1.0 - discharge
    for s, g, k, idx, _ in acts:
        kp = keep[idx] if keep.shape[0] > 1 else keep
        for m in range(k):
            M[s, g, m, idx] *= kp
    for s, g, k, idx, w in acts:
        M[g, s, k - 1, idx] += w / clock[g, idx]
        if cross is not None and np.any(cross > 0.0):
            cr = cross[idx] if np.ndim(cross) and np.shape(cross)[0] > 1 else cross
            for a in range(M.shape[0]):
                if a != s and a != g:  # s's partner a, in so far as g already distrusts a
                    ally = 0.5 * (C[s, a, idx] + C[a, s, idx]) * H[g, a, idx]
                    M[g, a, k - 1, idx] += cr * ally * w / clock[g, idx]


@njit(cache=True)
def receive_row(i, M, clock, rung, discharge, cross, C, H, use_cross):
    """Agent i's traces after today's endogenous acts: i's act at rung k toward j discharges
    its traces toward j at rungs ≤ k; then (all discharges first) j's act at rung k toward i
    adds 1 to that trace and, through the cross-target channel, cross × (C_ja + C_aj)/2 × H_ia
    to i's rung-k trace toward every third actor a: j's partner, in so far as i already
    distrusts a (an ally of i is not blamed for its enemies' acts; ``use_cross``: some
    replicate's cross > 0). Replicates are visited in order, only those that acted (``acted``)."""
    N, R = rung.shape[0], rung.shape[2]
    idx = np.empty(R, dtype=np.int64)
    for j in range(N):
        if j == i:
            continue
        for t in range(acted(rung[i, j], idx)):
            r = idx[t]
            d = 1.0 - at(discharge, r)
            for m in range(rung[i, j, r]):
                M[i, j, m, r] *= d
    for j in range(N):
        if j == i:
            continue
        for t in range(acted(rung[j, i], idx)):
            r = idx[t]
            k = rung[j, i, r]
            M[i, j, k - 1, r] += 1.0 / clock[i, r]
            if use_cross:
                x = at(cross, r) / clock[i, r]
                for a in range(N):
                    if a != i and a != j:
                        M[i, a, k - 1, r] += x * 0.5 * (C[j, a, r] + C[a, j, r]) * H[i, a, r]


@njit(cache=True)
def acted(row, idx):
    """The replicates with an act in ``row`` (int8, 0: none), in order, into ``idx``; returns
    how many. Acts are rare: the row is read eight replicates to a 64-bit word and words
    without an act are skipped."""
    R = row.shape[0]
    whole = R // 8
    words = row[: 8 * whole].view(np.uint64)
    n = 0
    for w in range((R + 7) // 8):
        if w < whole and words[w] == 0:
            continue
        for r in range(8 * w, min(8 * w + 8, R)):
            if row[r] != 0:
                idx[n] = r
                n += 1
    return n


@njit(cache=True)
def forget_row(Mi, clock_i, keep):
    """One day of decay of agent i's traces (N, 6, R): its clock (R,) shrinks by ``keep``."""
    for r in range(clock_i.shape[0]):
        c = clock_i[r] * at(keep, r)
        if c < 1e-200:  # fold the clock into the traces before it underflows
            for j in range(Mi.shape[0]):
                for m in range(Mi.shape[1]):
                    Mi[j, m, r] *= c
            c = 1.0
        clock_i[r] = c
