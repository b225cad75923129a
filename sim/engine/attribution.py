"""Attribution of a non-state actor's hostile acts to a patron (``actors.X.attributed_to``).

A proxy s attributed to patron q with weight w is a full agent toward everyone, and in
addition each hostile act of magnitude m = |Goldstein|/10 that s commits on a target x
(x ≠ q) is also received by x as if q had committed it with weight w: H_xq rises by
``impulse.hostility``·w·m, P_xq by w·m, and x's memory trace of q at the act's rung by w.
The ladder is not touched (the act stays on the s–x dyad), the patron's own hostility
(commitment) is not raised, and no trace of q is discharged: q did not act.
Why here and not as events: the weight must apply to endogenous acts too, every day.
"""
from __future__ import annotations

import numpy as np

Links = list[tuple[int, int, float]]  # (proxy s, patron q, weight w)


def links(W: np.ndarray | None) -> Links:
    if W is None:
        return []
    return [(int(s), int(q), float(W[s, q])) for s, q in zip(*np.nonzero(W))]


def spill_event(H, P, lk: Links, a: int, b: int, m: np.ndarray, ih: np.ndarray) -> list:
    """An exogenous hostile act a -> b of magnitude m (R,): the patrons' shares.
    Returns the traces to add, ``(patron, target, weight)``."""
    out = []
    for s, q, w in lk:
        if s == a and q != b:
            H[b, q] += ih * w * m
            P[b, q] += w * m
            out.append((q, b, w))
    return out


def spill_acts(H, P, rung, hmag: np.ndarray, lk: Links, ih: np.ndarray) -> None:
    """The day's endogenous hostile acts of every proxy, counted for its patrons (before the
    clip of P to [0, 1], which the caller applies as for any act)."""
    for s, q, w in lk:
        for x in range(H.shape[0]):
            if x in (s, q):
                continue
            m = hmag[rung[s, x]]  # (R,)
            H[x, q] += ih * w * m
            P[x, q] = np.clip(P[x, q] + w * m, 0.0, 1.0)


def spill_traces(M, clock, rung, lk: Links) -> None:
    """Memory: x's trace of patron q at the rung of s's act on x grows by w (after the
    day's own receipts, so the patron's traces are never discharged by it)."""
    for s, q, w in lk:
        for x in range(M.shape[0]):
            if x in (s, q):
                continue
            k = rung[s, x]
            hit = k > 0
            if hit.any():
                r = np.flatnonzero(hit)
                M[x, q, k[r] - 1, r] += w / clock[x, r]
