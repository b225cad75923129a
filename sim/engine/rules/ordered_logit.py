"""The ordered-logit rule (spec §4): one hostile and one cooperative latent per pair and
day, cut by the ladder's thresholds.

The kernel is compiled (numba): it runs once per agent, day and replicate, the innermost
loop of every ensemble. ``coop_row`` (the cooperative half) is shared with other rules.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from numba import njit

from sim.engine.dynamics import at
from sim.engine.kernel_args import Acts, OrderedLogitParams
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
def ordered_logit_row(i, st, prm, out):
    """Agent i's hostile rung and cooperative level toward every j, in every replicate
    (``st``: ``DayState``, ``prm``: ``OrderedLogitParams``, ``out``: ``Acts``; sim/engine/kernel_args.py).

    y_hostile = wh·H_ij + wp·P_ij − wc·C_ij − wd·(cap_j − cap_i) + ε,
    y_coop    = cwc·C_ij − cwh·H_ij + ε',  with ε, ε' standard logistic;
    the rung (level) is the number of thresholds strictly below y. With ε = logit(u),
    y > θ is u > σ(θ − μ), so no logarithm is needed; and since σ(x) ≥ (1+x)/(2+x) for
    x ≥ 0, most draws are settled (no act) without even an exponential.
    """
    H, C, P, cap, u, row_of = st.H, st.C, st.P, st.cap, st.u, st.row_of
    wh, wp, wc, wd, cwc, cwh, thr, cthr = prm.wh, prm.wp, prm.wc, prm.wd, prm.cwc, prm.cwh, prm.thr, prm.cthr
    rung, level = out.rung, out.level
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

    def __init__(self, prm: OrderedLogitParams):
        self.prm = prm

    @classmethod
    def from_params(cls, params: "ModelParams", model: "TriadModel") -> "OrderedLogit":
        d = params.decisions
        return cls(OrderedLogitParams(
            wh=vec(d.hostility_weight), wp=vec(d.provocation_weight), wc=vec(d.cooperation_weight),
            wd=vec(d.deterrence_weight), cwc=vec(d.coop_cooperation_weight), cwh=vec(d.coop_hostility_weight),
            thr=model.ladder.thresholds, cthr=model.ladder.cooperative_thresholds))

    def decide(self, i: int, model: "TriadModel") -> None:
        ordered_logit_row(i, model.day_state(), self.prm, Acts(model.hostile_rung[i], model.coop_level[i]))
