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
act, at the cost of four squarings and a division (``exp_bound``). The cooperative level is the
ordered logit of spec §4, with the second uniform. When the replicates share the
coefficients, a vectorised screen (``_screen``) first settles the pair-days with neither act
by looser provable bounds; the body decides the rest, with the same results (issue 19).
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


@njit(inline="always")
def exp_bound(x):
    """(1 − x/16)^−16 ≥ e^x for x < 16 (−16·ln(1 − x/16) ≥ x), within 3 % of e^x at
    x = −1 and 28 % at x = −3 (e^x ≤ 1/(1 − x) is 5x loose there): an upper bound with
    four squarings and one division, which vectorises."""
    q = 1.0 - x * 0.0625
    q *= q
    q *= q
    q *= q
    return 1.0 / (q * q)


TILE = 1024  # replicates screened, then decided, at a time: the body's reads stay in cache


@njit(cache=True)
def reciprocal_row(i, st, prm, out):
    """Agent i's hostile rung and cooperative level toward every j, in every replicate
    (``st``: ``DayState``, ``prm``: ``ReciprocalParams``, ``out``: ``Acts``; sim/engine/kernel_args.py).
    Replicates go by tiles of ``TILE``: the screen, then the body for what it left, so the
    body's reads are still in cache."""
    H, C, P, cap, u, row_of, M, clock = st.H, st.C, st.P, st.cap, st.u, st.row_of, st.M, st.clock
    drho, dyad_of, use_status = st.drho, st.dyad_of, st.use_status
    rate, beta, gamma, psi, delta, eta, alpha = prm.rate, prm.beta, prm.gamma, prm.psi, prm.delta, prm.eta, prm.alpha
    acol, G, rsum, bmin, gmax, pmin = prm.acol, prm.G, prm.rsum, prm.bmin, prm.gmax, prm.pmin
    dmin, dmax, emin, emax, cwc, cwh, cthr = prm.dmin, prm.dmax, prm.emin, prm.emax, prm.cwc, prm.cwh, prm.cthr
    rung, level = out.rung, out.level
    N, R = H.shape[1], H.shape[2]
    lam = np.empty(6)
    screen = _screenable(cap, prm)
    settled = np.zeros(R, dtype=np.bool_)
    for j in range(N):
        if j == i:
            rung[j, :] = 0
            level[j, :] = 0
            continue
        k = row_of[i, j]
        dj = dyad_of[i, j]
        for lo in range(0, R, TILE):
            hi = min(lo + TILE, R)
            if screen:
                _screen(i, j, k, dj, st, prm, out, settled, lo, hi)
            for r in range(lo, hi):
                if settled[r]:  # no act either way, written by the screen
                    continue
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
                bound = exp_bound(x) if x < 16.0 else math.exp(x)
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


@njit(cache=True)
def _screenable(cap, prm):
    """True when the replicates share every coefficient the screen reads."""
    return (cap.shape[1] == 1 and prm.acol.shape[1] == 1 and prm.G.shape[2] == 1 and prm.rsum.shape[0] == 1
            and prm.bmin.shape[0] == 1 and prm.gmax.shape[0] == 1 and prm.pmin.shape[0] == 1
            and prm.dmin.shape[0] == 1 and prm.dmax.shape[0] == 1 and prm.emin.shape[0] == 1
            and prm.emax.shape[0] == 1 and prm.cwc.shape[0] == 1 and prm.cwh.shape[0] == 1)


SCREEN_MARGIN = 1e-12  # absolute: far above the rounding of the body's own tests (~1e-16 on [0, 1])


@njit(cache=True, error_model="numpy")
def _screen(i, j, k, dj, st, prm, out, settled, lo, hi):
    """The replicates where i does nothing toward j today, decided in one branch-free pass
    over the replicates (it vectorises): ``settled[r]`` is set where both hold

    - u₀ < 1 − (Σ_k rate_k e^(−δ_k gap) · B(x) + msum) − margin, with B = ``exp_bound``
      (x < 16), msum the body's memory term and x its bound on the rest of the exponent
      (β, γ, ψ, η at their least favourable over the rungs; the pair's deterrence exactly, per
      rung): then u₀ < e^(−Λ) and the body draws no act;
    - u₁ ≤ T/(1 + T) − margin with y = θ₁ − μ ≥ 0 and T = 1 + y + y²/2 + y³/6 + y⁴/24 ≤ e^y:
      then u₁ ≤ σ(y) and the cooperative level is 0;

    the margin covers the rounding of the body's floating-point tests, so a settled
    replicate gets exactly the body's answer (0, 0); every other replicate goes through the
    body, which overwrites both. A mechanism that adds hazard to the body must add it to
    this bound too (tests/test_kernel_paths.py compares the screened and unscreened paths).
    """
    H, C, P, u, M, clock = st.H, st.C, st.P, st.u, st.M, st.clock
    a0, a1, a2, a3, a4, a5 = (prm.acol[0, 0], prm.acol[1, 0], prm.acol[2, 0], prm.acol[3, 0], prm.acol[4, 0],
                              prm.acol[5, 0])
    gij, bmin, gmax, pmin = prm.G[i, j, 0], prm.bmin[0], prm.gmax[0], prm.pmin[0]
    emin, emax, cwc, cwh, thr0 = prm.emin[0], prm.emax[0], prm.cwc[0], prm.cwh[0], prm.cthr[0]
    gap = st.cap[j, 0] - st.cap[i, 0]
    # the pair's deterrence per rung, exactly: Σ_k rate_k e^(−δ_k gap) (one number per pair
    # and day), not Σ_k rate_k times the least favourable e^(−δ gap) of any rung
    rs = 0.0
    for kk in range(6):
        rs += prm.rate[kk, 0] * math.exp(-prm.delta[kk, 0] * gap)
    rs *= 1.0 + 1e-12  # covers the rounding of the six exponentials
    # views of replicates lo..hi-1, indexed from 0: an index known to be ≥ 0 needs no
    # wraparound test, which would keep the loop from vectorising
    Hr, Cr, Pr, u0, u1, ck = H[i, j, lo:hi], C[i, j, lo:hi], P[i, j, lo:hi], u[0, k, lo:hi], u[1, k, lo:hi], clock[i, lo:hi]
    M0, M1, M2 = M[i, j, 0, lo:hi], M[i, j, 1, lo:hi], M[i, j, 2, lo:hi]
    M3, M4, M5 = M[i, j, 3, lo:hi], M[i, j, 4, lo:hi], M[i, j, 5, lo:hi]
    dr_row = st.drho[dj, lo:hi]  # all 0 unless st.use_status
    rung, level, done = out.rung[j, lo:hi], out.level[j, lo:hi], settled[lo:hi]
    for r in range(hi - lo):
        h, c, p = Hr[r], Cr[r], Pr[r]
        msum = a0 * M0[r] + a1 * M1[r] + a2 * M2[r] + a3 * M3[r] + a4 * M4[r] + a5 * M5[r]
        if msum > 0.0:
            msum *= gij * ck[r]
        x = bmin * (h - 1.0) + gmax * p - pmin * c
        dr = dr_row[r]
        if dr != 0.0:
            x += (emax if dr >= 0.0 else emin) * dr
        quiet = (x < 16.0) & (u0[r] < 1.0 - (rs * exp_bound(x) + msum) - SCREEN_MARGIN)
        y = thr0 - (cwc * c - cwh * h)
        t = 1.0 + y * (1.0 + y * (0.5 + y * (1.0 / 6.0 + y * (1.0 / 24.0))))
        calm = (y >= 0.0) & (u1[r] <= t / (1.0 + t) - SCREEN_MARGIN)
        done[r] = quiet & calm
        rung[r] = 0  # the body overwrites both where not settled
        level[r] = 0


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
