"""Pure functions of the state: the exact affine step, the balance terms, the impulses of
acts and the noise (compiled kernels for the day loop).

Layout: ``S`` has shape ``(2, N, N, R)``; ``S[0]`` is hostility H, ``S[1]`` cooperation C,
``S[k][i, j]`` the value of i toward j across R replicates (diagonals stay 0).
Parameters carry a trailing replicate axis of length 1 (shared) or R (per replicate):
per-actor arrays are ``(N, Rp)``, per-pair arrays ``(N, N, Rp)``.

For an unordered pair (i, j) the affine part of spec §2 is linear in
z = (H_ij, H_ji, C_ij, C_ji):  dz/dt = A z + b, with

    A = [[-restraint_i, reaction_i, -damping_i, 0],
         [reaction_j, -restraint_j, 0, -damping_j],
         [-drag_i, 0, -decay_i, reciprocity_i],
         [0, -drag_j, reciprocity_j, -decay_j]],   b = (grievance_ij, grievance_ji, affinity_ij, affinity_ji).

One day is integrated exactly: expm([[A, b], [0, 0]]·dt) = [[Φ, φ], [0, 1]] and
z(t+dt) = Φ z(t) + φ. The augmented form needs no inverse of A, so singular A is fine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.linalg import expm


@njit(inline="always")
def at(a, r):
    """A parameter's value in replicate r: arrays hold one value, or one per replicate."""
    return a[r] if a.shape[0] > 1 else a[0]


@dataclass(frozen=True)
class DriftParams:
    """Drift coefficients (per day). Per-actor arrays ``(N, Rp)``, per-pair ``(N, N, Rp)``."""

    reaction: np.ndarray
    restraint: np.ndarray
    balance: np.ndarray
    cooperation_damping: np.ndarray
    reciprocity: np.ndarray
    decay: np.ndarray
    hostility_drag: np.ndarray
    grievance: np.ndarray
    affinity: np.ndarray

    @property
    def n_actors(self) -> int:
        return self.reaction.shape[0]


def unordered_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (I, J) of the pairs i < j, in row-major order."""
    i, j = np.triu_indices(n, k=1)
    return i, j


def ordered_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (I, J) of the pairs i != j, in row-major order."""
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    return i, j


def affine_system(p: DriftParams) -> tuple[np.ndarray, np.ndarray]:
    """A with shape (Rp, P, 4, 4) and b with shape (Rp, P, 4) for every unordered pair."""
    I, J = unordered_pairs(p.n_actors)
    rp = max(a.shape[-1] for a in (p.reaction, p.restraint, p.cooperation_damping, p.reciprocity,
                                   p.decay, p.hostility_drag, p.grievance, p.affinity))
    P = len(I)
    A = np.zeros((rp, P, 4, 4))
    b = np.zeros((rp, P, 4))

    def actor(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x[k], (P, rp)).T  # (rp, P)

    def pair(x: np.ndarray, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x[a, c], (P, rp)).T

    A[:, :, 0, 0] = -actor(p.restraint, I)
    A[:, :, 0, 1] = actor(p.reaction, I)
    A[:, :, 0, 2] = -actor(p.cooperation_damping, I)
    A[:, :, 1, 0] = actor(p.reaction, J)
    A[:, :, 1, 1] = -actor(p.restraint, J)
    A[:, :, 1, 3] = -actor(p.cooperation_damping, J)
    A[:, :, 2, 0] = -actor(p.hostility_drag, I)
    A[:, :, 2, 2] = -actor(p.decay, I)
    A[:, :, 2, 3] = actor(p.reciprocity, I)
    A[:, :, 3, 1] = -actor(p.hostility_drag, J)
    A[:, :, 3, 2] = actor(p.reciprocity, J)
    A[:, :, 3, 3] = -actor(p.decay, J)
    b[:, :, 0] = pair(p.grievance, I, J)
    b[:, :, 1] = pair(p.grievance, J, I)
    b[:, :, 2] = pair(p.affinity, I, J)
    b[:, :, 3] = pair(p.affinity, J, I)
    return A, b


def exact_step(A: np.ndarray, b: np.ndarray, dt: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(Φ, φ) of the affine flow over ``dt`` via the augmented matrix exponential.

    Returns Φ shaped (P, 4, 4, Rp) and φ shaped (P, 4, Rp): the replicate axis last,
    like the state.
    """
    rp, P = A.shape[:2]
    M = np.zeros((rp, P, 5, 5))
    M[..., :4, :4] = A * dt
    M[..., :4, 4] = b * dt
    E = expm(M.reshape(-1, 5, 5)).reshape(rp, P, 5, 5)
    return np.moveaxis(E[..., :4, :4], 0, -1).copy(), np.moveaxis(E[..., :4, 4], 0, -1).copy()


def status_step(A: np.ndarray, dt: float = 1.0) -> np.ndarray:
    """Ψ = ∫₀^dt e^{As} ds shaped (P, 4, 4, Rp): a constant offset Δb of the inputs moves one
    exact day by Ψ Δb (top-right block of expm([[A, I], [0, 0]]·dt); singular A is fine)."""
    rp, P = A.shape[:2]
    M = np.zeros((rp, P, 8, 8))
    M[..., :4, :4] = A * dt
    M[..., :4, 4:] = np.eye(4) * dt
    E = expm(M.reshape(-1, 8, 8)).reshape(rp, P, 8, 8)
    return np.moveaxis(E[..., :4, 4:], 0, -1).copy()


@njit(cache=True)
def apply_acts(H, C, P, rung, level, hmag, cmag, ih, ic, icom, Id, Jd, dyad_rung, dyad_rung_endo):
    """Impulses of the day's endogenous acts (spec §5), and the dyad-day rungs: of
    endogenous acts only (``dyad_rung_endo``) and of any act (``dyad_rung``, which already
    holds the day's exogenous events).

    i's act toward j of magnitude m = |w|/10 raises H_ij by commitment·m, H_ji by
    hostility·m and P_ji by m (cooperative acts: C likewise); P stays in [0, 1].
    """
    R = H.shape[2]
    for d in range(Id.shape[0]):  # both directions of a dyad in one pass: one test of its four acts
        i, j = Id[d], Jd[d]
        for r in range(R):
            # no act either way (most replicate-days): the impulses below are ±0, which
            # leaves H, C and P (already in [0, 1]) exactly as they are
            if rung[i, j, r] == 0 and rung[j, i, r] == 0 and level[i, j, r] == 0 and level[j, i, r] == 0:
                continue
            for a, b in ((i, j), (j, i)):
                H[a, b, r] += at(icom, r) * hmag[rung[a, b, r]] + at(ih, r) * hmag[rung[b, a, r]]
                P[a, b, r] = min(max(P[a, b, r] + hmag[rung[b, a, r]], 0.0), 1.0)
                C[a, b, r] += at(icom, r) * cmag[level[a, b, r]] + at(ic, r) * cmag[level[b, a, r]]
    for d in range(Id.shape[0]):
        i, j = Id[d], Jd[d]
        for r in range(R):
            e = max(rung[i, j, r], rung[j, i, r])
            dyad_rung_endo[d, r] = e
            dyad_rung[d, r] = max(dyad_rung[d, r], e)


@njit(cache=True)
def drift(st, step):
    """One day of drift, in place (``st``: ``DriftState``, ``step``: ``DriftStep``;
    sim/engine/kernel_args.py): the balance terms of Heider's four cases on the state
    before the step (into the buffers dH, dC; ``cases`` = weights of friend of friend, enemy
    of friend, friend of enemy, enemy of enemy):

        dH_ij = balance_i Σ_m (ω_fe H_im C_jm + ω_ef C_im H_jm)
        dC_ij = balance_i Σ_m (ω_ee H_im H_jm + ω_ff C_im C_jm),

    the
    exact affine step z ← Φ z + φ of every pair (plus ``off[p, :, r]`` = Ψ Δb_r, the shift of
    the inputs by the diplomatic status, when ``use_off``), the noise σ·√dt (dt = 1),
    clipping to [0, 1], and the provocation's decay by ``keep``. Replicates are the
    innermost loop.
    """
    H, C, P, noise, dH, dC, off, use_off = st.H, st.C, st.P, st.noise, st.dH, st.dC, st.off, st.use_off
    Phi, phi, Id, Jd, bal, cases = step.Phi, step.phi, step.Id, step.Jd, step.bal, step.cases
    row_of, sig_h, sig_c, keep = step.row_of, step.sig_h, step.sig_c, step.keep
    N, R = H.shape[0], H.shape[2]
    use_bal = np.any(bal != 0.0)
    if (Phi.shape[3] == 1 and cases.shape[1] == 1 and bal.shape[1] == 1 and sig_h.shape[0] == 1
            and sig_c.shape[0] == 1 and keep.shape[0] == 1):
        _drift_shared(st, step, use_bal)
        return
    if use_bal:
        for i in range(N):
            for j in range(N):
                for r in range(R):
                    w_ff, w_ef, w_fe, w_ee = at(cases[0], r), at(cases[1], r), at(cases[2], r), at(cases[3], r)
                    sh = 0.0
                    sc = 0.0
                    for m in range(N):
                        sh += w_fe * H[i, m, r] * C[j, m, r] + w_ef * C[i, m, r] * H[j, m, r]
                        sc += w_ee * H[i, m, r] * H[j, m, r] + w_ff * C[i, m, r] * C[j, m, r]
                    dH[i, j, r] = at(bal[i], r) * sh
                    dC[i, j, r] = at(bal[i], r) * sc
    shared = Phi.shape[3] == 1
    for p in range(Id.shape[0]):
        i, j = Id[p], Jd[p]
        F, f = Phi[p], phi[p]
        for r in range(R):
            rp = 0 if shared else r
            z0, z1, z2, z3 = H[i, j, r], H[j, i, r], C[i, j, r], C[j, i, r]
            H[i, j, r] = F[0, 0, rp] * z0 + F[0, 1, rp] * z1 + F[0, 2, rp] * z2 + F[0, 3, rp] * z3 + f[0, rp]
            H[j, i, r] = F[1, 0, rp] * z0 + F[1, 1, rp] * z1 + F[1, 2, rp] * z2 + F[1, 3, rp] * z3 + f[1, rp]
            C[i, j, r] = F[2, 0, rp] * z0 + F[2, 1, rp] * z1 + F[2, 2, rp] * z2 + F[2, 3, rp] * z3 + f[2, rp]
            C[j, i, r] = F[3, 0, rp] * z0 + F[3, 1, rp] * z1 + F[3, 2, rp] * z2 + F[3, 3, rp] * z3 + f[3, rp]
            if use_off:
                H[i, j, r] += off[p, 0, r]
                H[j, i, r] += off[p, 1, r]
                C[i, j, r] += off[p, 2, r]
                C[j, i, r] += off[p, 3, r]
    for i in range(N):
        for j in range(N):
            if i == j:
                continue
            k = row_of[i, j]
            for r in range(R):
                h = H[i, j, r]
                c = C[i, j, r]
                if use_bal:
                    h += dH[i, j, r]
                    c += dC[i, j, r]
                h += at(sig_h, r) * noise[0, k, r]
                c += at(sig_c, r) * noise[1, k, r]
                H[i, j, r] = min(max(h, 0.0), 1.0)
                C[i, j, r] = min(max(c, 0.0), 1.0)
                P[i, j, r] *= at(keep, r)


@njit(cache=True)
def _drift_shared(st, step, use_bal):
    """``drift`` when the replicates share every coefficient (no per-replicate values): the
    same operations on each replicate in the same order, so the same numbers, with the
    coefficients read once, so that the loops over replicates vectorise. The balance sums
    skip m = i and m = j, whose terms are exactly 0 (H and C vanish on the diagonal and
    are finite): adding ±0 to the running sum leaves it unchanged. Each pair's step, status
    offset, balance term, noise, clipping and provocation decay run in one pass."""
    H, C, P, noise, dH, dC, off, use_off = st.H, st.C, st.P, st.noise, st.dH, st.dC, st.off, st.use_off
    Phi, phi, Id, Jd, bal, cases, row_of = step.Phi, step.phi, step.Id, step.Jd, step.bal, step.cases, step.row_of
    sg_h, sg_c, kp = step.sig_h[0], step.sig_c[0], step.keep[0]
    N, R = H.shape[0], H.shape[2]
    if use_bal:
        w_ff, w_ef, w_fe, w_ee = cases[0, 0], cases[1, 0], cases[2, 0], cases[3, 0]
        for i in range(N):
            b = bal[i, 0]
            for j in range(N):
                if i == j:
                    continue
                a, c = dH[i, j], dC[i, j]
                a[:] = 0.0
                c[:] = 0.0
                for m in range(N):
                    if m == i or m == j:
                        continue
                    for r in range(R):
                        a[r] += w_fe * H[i, m, r] * C[j, m, r] + w_ef * C[i, m, r] * H[j, m, r]
                        c[r] += w_ee * H[i, m, r] * H[j, m, r] + w_ff * C[i, m, r] * C[j, m, r]
                for r in range(R):
                    a[r] = b * a[r]
                    c[r] = b * c[r]
    for p in range(Id.shape[0]):
        i, j = Id[p], Jd[p]
        ki, kj = row_of[i, j], row_of[j, i]
        F, f = Phi[p], phi[p]
        F00, F01, F02, F03, f0 = F[0, 0, 0], F[0, 1, 0], F[0, 2, 0], F[0, 3, 0], f[0, 0]
        F10, F11, F12, F13, f1 = F[1, 0, 0], F[1, 1, 0], F[1, 2, 0], F[1, 3, 0], f[1, 0]
        F20, F21, F22, F23, f2 = F[2, 0, 0], F[2, 1, 0], F[2, 2, 0], F[2, 3, 0], f[2, 0]
        F30, F31, F32, F33, f3 = F[3, 0, 0], F[3, 1, 0], F[3, 2, 0], F[3, 3, 0], f[3, 0]
        Hij, Hji, Cij, Cji, Pij, Pji = H[i, j], H[j, i], C[i, j], C[j, i], P[i, j], P[j, i]
        dHij, dHji, dCij, dCji = dH[i, j], dH[j, i], dC[i, j], dC[j, i]
        nhi, nhj, nci, ncj = noise[0, ki], noise[0, kj], noise[1, ki], noise[1, kj]
        o0, o1, o2, o3 = off[p, 0], off[p, 1], off[p, 2], off[p, 3]
        for r in range(R):
            z0, z1, z2, z3 = Hij[r], Hji[r], Cij[r], Cji[r]
            h0 = F00 * z0 + F01 * z1 + F02 * z2 + F03 * z3 + f0
            h1 = F10 * z0 + F11 * z1 + F12 * z2 + F13 * z3 + f1
            c0 = F20 * z0 + F21 * z1 + F22 * z2 + F23 * z3 + f2
            c1 = F30 * z0 + F31 * z1 + F32 * z2 + F33 * z3 + f3
            if use_off:
                h0 += o0[r]
                h1 += o1[r]
                c0 += o2[r]
                c1 += o3[r]
            if use_bal:
                h0 += dHij[r]
                h1 += dHji[r]
                c0 += dCij[r]
                c1 += dCji[r]
            h0 += sg_h * nhi[r]
            h1 += sg_h * nhj[r]
            c0 += sg_c * nci[r]
            c1 += sg_c * ncj[r]
            Hij[r] = min(max(h0, 0.0), 1.0)
            Hji[r] = min(max(h1, 0.0), 1.0)
            Cij[r] = min(max(c0, 0.0), 1.0)
            Cji[r] = min(max(c1, 0.0), 1.0)
            Pij[r] *= kp
            Pji[r] *= kp


def equilibrium(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fixed point z* = -A⁻¹ b of the affine system (for documentation and tests)."""
    return -np.linalg.solve(A, b[..., None])[..., 0]
