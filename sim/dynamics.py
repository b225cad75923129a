"""Pure functions of the state: the exact affine step and the balance terms (impulses
and noise are added by ``model.py``).

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
from scipy.linalg import expm


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


def pair_slots(n: int) -> np.ndarray:
    """Flat row indices into ``S.reshape(2*N*N, R)`` of z for every unordered pair, (P, 4)."""
    I, J = unordered_pairs(n)
    nn = n * n
    return np.stack([I * n + J, J * n + I, nn + I * n + J, nn + J * n + I], axis=1)


def affine_apply(S: np.ndarray, Phi: np.ndarray, phi: np.ndarray, slots: np.ndarray) -> None:
    """Advance every pair's z by one exact step, in place on ``S``."""
    flat = S.reshape(-1, S.shape[-1])
    z = flat[slots]  # (P, 4, R)
    if Phi.shape[-1] == 1:
        new = np.matmul(Phi[..., 0], z)
        new += phi
    else:
        new = np.einsum("pabr,pbr->par", Phi, z)
        new += phi
    flat[slots] = new


def balance_terms(H: np.ndarray, C: np.ndarray, balance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Structural-balance drift: (balance_i Σ_m C_jm H_im, balance_i Σ_m H_jm H_im).

    With zero diagonals the sums over m ≠ i, j equal full sums over m, so they are
    batched matrix products; ``balance`` is (N, Rp).
    """
    bal = balance[:, None, :]
    dH = np.einsum("imr,jmr->ijr", H, C) * bal
    dC = np.einsum("imr,jmr->ijr", H, H) * bal
    return dH, dC


def equilibrium(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fixed point z* = -A⁻¹ b of the affine system (for documentation and tests)."""
    return -np.linalg.solve(A, b[..., None])[..., 0]
