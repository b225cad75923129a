"""The ordered-logit rule (spec §4): one hostile and one cooperative latent per pair and
day, cut by the ladder's thresholds.

The kernel is compiled (numba): it runs once per agent, day and replicate, the innermost
loop of every ensemble. ``coop_row`` (the cooperative half) is shared with other rules.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.engine.dynamics import at
from sim.engine.rules.base import DecisionRule, vec

if TYPE_CHECKING:
    from sim.engine.model import TriadModel
    from sim.engine.settings import ModelParams


@njit(inline="always")
def _passed(u, mu, thr):
    """Number of thresholds θ with μ + logit(u) > θ (θ increasing)."""
    x = thr[0] - mu
    if x >= 0.0 and u <= (1.0 + x) / (2.0 + x):  # below a lower bound of σ(x): no act
        return 0
    n = 0
    while n < thr.shape[0] and u > 1.0 / (1.0 + math.exp(mu - thr[n])):
        n += 1
    return n


@njit(cache=True)
def ordered_logit_row(i, H, C, P, cap, u, row_of, wh, wp, wc, wd, cwc, cwh, thr, cthr, rung, level):
    """Agent i's hostile rung and cooperative level toward every j, in every replicate.

    y_hostile = wh·H_ij + wp·P_ij − wc·C_ij − wd·(cap_j − cap_i) + ε,
    y_coop    = cwc·C_ij − cwh·H_ij + ε',  with ε, ε' standard logistic;
    the rung (level) is the number of thresholds strictly below y. With ε = logit(u),
    y > θ is u > σ(θ − μ), so no logarithm is needed; and since σ(x) ≥ (1+x)/(2+x) for
    x ≥ 0, most draws are settled (no act) without even an exponential.
    """
    N, R = H.shape[1], H.shape[2]
    for j in range(N):
        if j == i:
            rung[j, :] = 0
            level[j, :] = 0
            continue
        k = row_of[i, j]
        for r in range(R):
            gap = at(cap[j], r) - at(cap[i], r)
            mu = at(wh, r) * H[i, j, r] + at(wp, r) * P[i, j, r]
            mu = mu - at(wc, r) * C[i, j, r]
            mu = mu - at(wd, r) * gap
            rung[j, r] = _passed(u[0, k, r], mu, thr)
            mu = at(cwc, r) * C[i, j, r] - at(cwh, r) * H[i, j, r]
            level[j, r] = _passed(u[1, k, r], mu, cthr)


class OrderedLogit(DecisionRule):
    """Today's rule before issue 12: hostile and cooperative acts by ordered logit."""

    name = "ordered_logit"

    def __init__(self, weights: tuple[np.ndarray, ...]):
        self.weights = weights  # wh, wp, wc, wd, cwc, cwh

    @classmethod
    def from_params(cls, params: "ModelParams", model: "TriadModel") -> "OrderedLogit":
        d = params.decisions
        return cls(tuple(vec(x) for x in (d.hostility_weight, d.provocation_weight, d.cooperation_weight,
                                          d.deterrence_weight, d.coop_cooperation_weight, d.coop_hostility_weight)))

    def decide(self, i: int, model: "TriadModel") -> None:
        m = model
        ordered_logit_row(i, m.S[0], m.S[1], m.P, m.capability, m.u, m.draw_row_of, *self.weights,
                          m.ladder.thresholds, m.ladder.cooperative_thresholds, m.hostile_rung[i], m.coop_level[i])
