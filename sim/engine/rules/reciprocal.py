"""The reciprocal rule: rung-specific hazards plus a self-exciting (Hawkes-type) memory
of received acts, drawn as competing risks with one uniform per directed pair and day.

Hazard of i acting toward j at rung k (per day):

    λ_ijk = rate_k · exp(β_k (H_ij − 1) + γ_k P_ij − ψ_k C_ij − δ_k (cap_j − cap_i) + η_k Δρ_ij)
            + g_ij Σ_m α_km M_ijm,         g_ij = exp(−δ_M (cap_j − cap_i)),

with M the decayed traces of the acts i received from j (``sim/engine/memory.py``) and Δρ
the dyad's diplomatic rupture (read only while some replicate has one). With
Λ = Σ_k λ_k the day's act is none with probability e^(−Λ) and rung k with probability
(λ_k/Λ)(1 − e^(−Λ)); the uniform u maps to it by inverse CDF with the highest rung at the
top of [0, 1). Fast path (exact): with an upper bound U ≥ Λ, u < 1 − U ≤ e^(−Λ) means no
act, at the cost of one division (e^x ≤ 1/(1 − x) for x < 1). The cooperative level is the
ordered logit of spec §4, with the second uniform.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.engine.dynamics import at
from sim.engine.kernel_args import Acts, ReciprocalParams
from sim.engine.memory import reply_weights
from sim.engine.rules.base import DecisionRule, vec
from sim.engine.rules.ordered_logit import _passed

if TYPE_CHECKING:
    from sim.engine.model import TriadModel
    from sim.engine.settings import ModelParams


@njit(cache=True)
def draw_rung(uu, lam, total):
    """The rung (0 = none) of uniform ``uu`` under competing hazards ``lam`` (sum ``total``)."""
    if total <= 0.0:
        return 0
    e = math.exp(-total)
    if uu < e:
        return 0
    t = 1.0
    for k in range(5, -1, -1):
        t -= lam[k] / total * (1.0 - e)
        if uu >= t:
            return k + 1
    for k in range(6):  # rounding guard: the lowest rung with a hazard
        if lam[k] > 0.0:
            return k + 1
    return 0


@njit(cache=True)
def reciprocal_row(i, st, prm, out):
    """Agent i's hostile rung and cooperative level toward every j, in every replicate
    (``st``: ``DayState``, ``prm``: ``ReciprocalParams``, ``out``: ``Acts``; sim/engine/kernel_args.py)."""
    H, C, P, cap, u, row_of, M, clock = st.H, st.C, st.P, st.cap, st.u, st.row_of, st.M, st.clock
    drho, dyad_of, use_status = st.drho, st.dyad_of, st.use_status
    rate, beta, gamma, psi, delta, eta, alpha = prm.rate, prm.beta, prm.gamma, prm.psi, prm.delta, prm.eta, prm.alpha
    acol, G, rsum, bmin, gmax, pmin = prm.acol, prm.G, prm.rsum, prm.bmin, prm.gmax, prm.pmin
    dmin, dmax, emin, emax, cwc, cwh, cthr = prm.dmin, prm.dmax, prm.emin, prm.emax, prm.cwc, prm.cwh, prm.cthr
    rung, level = out.rung, out.level
    N, R = H.shape[1], H.shape[2]
    lam = np.empty(6)
    for j in range(N):
        if j == i:
            rung[j, :] = 0
            level[j, :] = 0
            continue
        k = row_of[i, j]
        dj = dyad_of[i, j]
        for r in range(R):
            gap = at(cap[j], r) - at(cap[i], r)
            h, c, p = H[i, j, r], C[i, j, r], P[i, j, r]
            # Σ_k g Σ_m α_km M_m = g Σ_m a_m M_m, a_m the replies per unit of trace m (≥ 0:
            # zero iff no trace that excites a reply is left); stored traces × i's clock
            msum = 0.0
            g = 0.0
            for m in range(6):
                msum += at(acol[m], r) * M[i, j, m, r]
            has = msum > 0.0
            if has:
                g = at(G[i, j], r) * clock[i, r]
                msum *= g
            x = at(bmin, r) * (h - 1.0) + at(gmax, r) * p - at(pmin, r) * c
            x -= (at(dmin, r) if gap >= 0.0 else at(dmax, r)) * gap
            dr = drho[dj, r] if use_status else 0.0
            if dr != 0.0:
                x += (at(emax, r) if dr >= 0.0 else at(emin, r)) * dr
            bound = 1.0 / (1.0 - x) if x < 0.5 else math.exp(x)
            uu = u[0, k, r]
            if uu < 1.0 - (at(rsum, r) * bound + msum):
                rung[j, r] = 0
            else:
                total = 0.0
                for kk in range(6):
                    y = at(beta[kk], r) * (h - 1.0) + at(gamma[kk], r) * p - at(psi[kk], r) * c
                    y -= at(delta[kk], r) * gap
                    if dr != 0.0:
                        y += at(eta[kk], r) * dr
                    lam[kk] = at(rate[kk], r) * math.exp(y)
                    if has:
                        s = 0.0
                        for m in range(6):
                            s += at(alpha[kk, m], r) * M[i, j, m, r]
                        lam[kk] += g * s
                    total += lam[kk]
                rung[j, r] = draw_rung(uu, lam, total)
            mu = at(cwc, r) * c - at(cwh, r) * h
            level[j, r] = _passed(u[1, k, r], mu, cthr)


class Reciprocal(DecisionRule):
    """Rung-specific hazards with retaliation: the default rule (issue 12)."""

    name = "reciprocal"
    uses_memory = True

    def __init__(self, prm: ReciprocalParams):
        self.prm = prm

    @classmethod
    def from_params(cls, params: "ModelParams", model: "TriadModel") -> "Reciprocal":
        d = params.decisions
        rate, beta, gamma, psi, delta, eta = (np.ascontiguousarray(np.asarray(a, dtype=float))
                                              for a in (d.rung_rate, d.rung_hostility, d.rung_provocation,
                                                        d.rung_cooperation, d.rung_deterrence, d.rung_rupture))
        q = 0.5 ** (1.0 / vec(d.memory_half_life_days))
        spread = (float(d.memory_spread_down), float(d.memory_spread_same), float(d.memory_spread_up))
        alpha = reply_weights(q, d.memory_excitation, spread)
        # g_ij = exp(−δ_M (cap_j − cap_i)) per pair (and replicate), computed once per parameter set
        cap, det = model.capability, vec(d.memory_deterrence_weight)
        N, rp = cap.shape[0], max(cap.shape[1], det.shape[0])
        G = np.ones((N, N, rp))
        for i in range(N):
            for j in range(N):
                for r in range(rp):
                    gap = float(cap[j, min(r, cap.shape[1] - 1)]) - float(cap[i, min(r, cap.shape[1] - 1)])
                    G[i, j, r] = math.exp(-float(det[min(r, det.shape[0] - 1)]) * gap)
        return cls(ReciprocalParams(
            rate=rate, beta=beta, gamma=gamma, psi=psi, delta=delta, eta=eta, alpha=alpha, acol=alpha.sum(axis=0),
            G=G, rsum=rate.sum(axis=0), bmin=beta.min(axis=0), gmax=gamma.max(axis=0), pmin=psi.min(axis=0),
            dmin=delta.min(axis=0), dmax=delta.max(axis=0), emin=eta.min(axis=0), emax=eta.max(axis=0),
            cwc=vec(d.coop_cooperation_weight), cwh=vec(d.coop_hostility_weight),
            cthr=model.ladder.cooperative_thresholds))

    def decide(self, i: int, model: "TriadModel") -> None:
        reciprocal_row(i, model.day_state(), self.prm, Acts(model.hostile_rung[i], model.coop_level[i]))
