"""Occasions and diplomatic status for the scalar baseline (``scalar_baseline.py``), written
one replicate and one float at a time, independently of the engine's vectorised code.

Occasion (docs/design/escalation.md §6): per channel (occasion, actor, target, sign) the acts
of the channel realised by the end of day t have joint magnitude F = min(cap, Σ share^(l−1)
m_(l)); the day's increment is shared among the day's acts in proportion to their raw m.
Status (§4): each mission's (embassy, ambassador, staff) values carry rupture weights; a
dyad's Δρ is the change of its two missions' summed weights, clipped to [−1, 1].
"""
from __future__ import annotations

import math

import numpy as np
from scipy.linalg import expm

# values in code order, their rupture weights, whose mission an event changes
STATUS = {
    "embassy": (["none", "open", "suspended"], [0.3, 0.0, 0.4], "sender"),
    "ambassador": (["none", "present", "recalled"], [0.1, 0.0, 0.2], "sender"),
    "staff": (["normal", "reduced"], [0.0, 0.2], "host"),
}
KEYS = ["embassy", "ambassador", "staff"]
# thaw (issue 21): downgraded code -> normal code of each key
THAW = {"embassy": (2, 1), "ambassador": (2, 1), "staff": (1, 0)}


def bound(ms: list[float], share: float, cap: float) -> float:
    total, w = 0.0, 1.0
    for m in sorted(ms, reverse=True):
        total += w * m
        w *= share
    return min(cap, total)


def occasion_magnitudes(acts: list[tuple], share: float, cap: float) -> dict[tuple, float]:
    """``acts``: (key, channel, day, raw m) of one replicate's realised, attributed acts of
    occasions; returns key -> the act's share of its channel's bounded magnitude."""
    out = {}
    channels: dict = {}
    for key, ch, day, m in acts:
        channels.setdefault(ch, []).append((day, m, key))
    for rows in channels.values():
        for t in sorted({d for d, _, _ in rows}):
            upto = [m for d, m, _ in rows if d <= t]
            before = [m for d, m, _ in rows if d < t]
            inc = bound(upto, share, cap) - bound(before, share, cap)
            today = [(m, key) for d, m, key in rows if d == t]
            tot = sum(m for m, _ in today)
            for m, key in today:
                out[key] = inc * m / tot if tot > 0 else 0.0
    return out


def rupture(status: dict, i: int, j: int) -> float:
    """Summed rupture weights of the missions (i, j) and (j, i)."""
    return sum(STATUS[k][1][status[a, b][k]] for a, b in ((i, j), (j, i)) for k in KEYS)


def changes(ev, actors) -> list[tuple[int, int, str, int]]:
    """(holder, host, key, code) of an event's status changes."""
    s, g = actors.index(ev.source), actors.index(ev.target)
    return [((s, g) if STATUS[k][2] == "sender" else (g, s)) + (k, STATUS[k][0].index(v)) for k, v in ev.status]


def status_direction(A: list[list[float]], kh: float, kc: float) -> list[float]:
    """Ψ·(κ_H, κ_H, −κ_C, −κ_C), Ψ = ∫₀¹ e^{As} ds: one day's response to a unit rupture."""
    M = np.zeros((8, 8))
    M[:4, :4] = A
    M[:4, 4:] = np.eye(4)
    Psi = expm(M)[:4, 4:].tolist()
    return [(Psi[a][0] + Psi[a][1]) * kh - (Psi[a][2] + Psi[a][3]) * kc for a in range(4)]


def logistic(u: float) -> float:
    return -math.inf if u == 0.0 else math.log(u) - math.log1p(-u)


def rung_of(code: str, roots: dict) -> int:
    """Longest configured CAMEO prefix wins; 0 if none matches."""
    for n in range(len(code), 0, -1):
        if code[:n] in roots:
            return roots[code[:n]]
    return 0
