"""Diplomatic statuses in the day loop: the thaw of downgraded missions, each dyad's
rupture Δρ with its drift offsets, and the acts of dyads without relations (compiled
kernels; the rules of the statuses themselves are in ``sim/engine/events.py``).

Layouts: ``status`` and ``reopen`` are (N, N, 3, R): mission of i in j, status key,
replicate; dyad arrays are (D, R) with dyads in ``unordered_pairs`` order. A kernel touches
only the replicates whose status changes: the thaw runs most days (delays differ per
replicate), and a pass over every array in numpy cost more than the decisions (issue 19).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from sim.engine.dynamics import at


@njit(cache=True)
def thaw(t, status, reopen, row_next, to_code, never, dyad_of, changed):
    """Statuses due by day ``t`` return to ``to_code[key]`` and their return is cleared;
    ``changed[d, r]`` is set for every dyad and replicate with a change. ``row_next[i, j, key]`` is the
    earliest return pending in that row of ``reopen`` (rows with none due are skipped) and
    is kept up to date. Returns the next day a status is due (``never``: none pending)."""
    N, K, R = status.shape[0], status.shape[2], status.shape[3]
    nxt = never
    for i in range(N):
        for j in range(N):
            for key in range(K):
                if row_next[i, j, key] <= t:
                    due = reopen[i, j, key]
                    row = never
                    for r in range(R):
                        day = due[r]
                        if day <= t:
                            status[i, j, key, r] = to_code[key]
                            due[r] = never
                            changed[dyad_of[i, j], r] = True
                        elif day < row:
                            row = day
                    row_next[i, j, key] = row
                nxt = min(nxt, row_next[i, j, key])
    return nxt


@njit(cache=True)
def rupture(status, w, Id, Jd, rho):
    """ρ of every dyad (D, R) into ``rho``: the status weights ``w[key, code]`` of both
    missions, each mission's three keys summed in key order, then the two missions."""
    K, R = status.shape[2], status.shape[3]
    for d in range(Id.shape[0]):
        i, j = Id[d], Jd[d]
        for r in range(R):
            a = w[0, status[i, j, 0, r]]
            b = w[0, status[j, i, 0, r]]
            for key in range(1, K):
                a += w[key, status[i, j, key, r]]
                b += w[key, status[j, i, key, r]]
            rho[d, r] = a + b


@njit(cache=True)
def refresh(changed, status, w, Id, Jd, rho0, direction, norel, drho, off):
    """After a status change: where ``changed[d, r]`` (the only dyads and replicates whose
    values can differ), whether the dyad is without relations
    (neither embassy open: code 0), their rupture Δρ = clip(ρ − ρ₀, −1, 1) and their drift
    offsets ``off[d, q, r] = direction[d, q] · Δρ[d, r]`` (Ψ Δb). Returns whether some
    dyad of some replicate has a rupture (Δρ ≠ 0)."""
    K, R = status.shape[2], status.shape[3]
    shared = direction.shape[2] == 1
    for d in range(Id.shape[0]):
        i, j = Id[d], Jd[d]
        for r in range(R):
            if not changed[d, r]:
                continue
            norel[d, r] = status[i, j, 0, r] == 0 and status[j, i, 0, r] == 0
            a = w[0, status[i, j, 0, r]]
            b = w[0, status[j, i, 0, r]]
            for key in range(1, K):
                a += w[key, status[i, j, key, r]]
                b += w[key, status[j, i, key, r]]
            x = min(max((a + b) - rho0[d, r], -1.0), 1.0)
            drho[d, r] = x
            rp = 0 if shared else r
            for q in range(off.shape[1]):
                off[d, q, r] = direction[d, q, rp] * x
    for d in range(drho.shape[0]):
        for r in range(R):
            if drho[d, r] != 0.0:
                return True
    return False


@njit(cache=True)
def norel_impulses(H, P, rung, norel, delta, ih, icom, Id, Jd):
    """The impulse difference of the acts replaced in dyads without relations (rung 2: 163
    sanctions instead of 161 break relations), on top of the menu's impulses already applied:
    ``delta[k]`` is the magnitude difference at rung k. Each replicate's updates come in the
    order of the vectorised original: i's act toward j, then j's toward i."""
    R = H.shape[2]
    for d in range(Id.shape[0]):
        i, j = Id[d], Jd[d]
        for r in range(R):
            if not norel[d, r]:
                continue
            dm = delta[rung[i, j, r]]
            if dm != 0.0:
                H[i, j, r] += at(icom, r) * dm
                H[j, i, r] += at(ih, r) * dm
                P[j, i, r] = min(P[j, i, r] + dm, 1.0)
            dm = delta[rung[j, i, r]]
            if dm != 0.0:
                H[j, i, r] += at(icom, r) * dm
                H[i, j, r] += at(ih, r) * dm
                P[i, j, r] = min(P[i, j, r] + dm, 1.0)


def codes_after_thaw(thaw_map: dict[int, tuple[int, int]], n_keys: int) -> np.ndarray:
    """(n_keys,) int8: the code each key returns to (-1 for a key that never thaws)."""
    out = np.full(n_keys, -1, dtype=np.int8)
    for key, (_, back) in thaw_map.items():
        out[key] = back
    return out
