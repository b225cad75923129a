"""The compiled kernels' arguments, named and grouped (numba takes NamedTuples of arrays and
scalars as arguments; ``st.H`` inside a kernel is resolved at compile time, so a group
costs nothing at run time over positional arguments).

Groups, by who owns them and how often they change:

- ``DayState``: the model's arrays the decision rules read (and the day's uniforms), built
  by ``TriadModel.day_state()`` each time a rule decides, so it always holds the model's
  current arrays (tests replace ``model.u`` or ``model.drho`` in place or by assignment);
- ``Acts``: where a rule writes agent i's row of acts;
- ``ReciprocalParams`` / ``OrderedLogitParams``: a rule's arrays, built once per parameter
  set (``DecisionRule.from_params``);
- ``DriftStep`` (once per parameter set) and ``DriftState`` (each day): the drift kernel's.

A new mechanism adds a field to the group it belongs to (and fills it where the group is
built); the kernels' signatures stay ``(i, st, prm, out)`` and ``(st, step)``.

Shapes: N actors, R replicates of the chunk, Rp = 1 (shared) or R (per replicate)
parameter values, K = N(N−1) directed pairs (rows of the day's draws), D = N(N−1)/2 dyads.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class DayState(NamedTuple):
    """The state after the day's events, as every decision rule reads it."""

    H: np.ndarray  # (N, N, R) hostility H[i, j]: i toward j
    C: np.ndarray  # (N, N, R) cooperation
    P: np.ndarray  # (N, N, R) provocation
    cap: np.ndarray  # (N, Rp) capability
    u: np.ndarray  # (2, K, R) the day's uniforms: hostile, cooperative
    row_of: np.ndarray  # (N, N) int64: row of pair (i, j) in the day's draws
    M: np.ndarray  # (N, N, 6, R) memory traces in units of the receiver's clock
    clock: np.ndarray  # (N, R) each receiver's clock (true trace = M · clock)
    drho: np.ndarray  # (D, R) each dyad's diplomatic rupture Δρ
    dyad_of: np.ndarray  # (N, N) int64: dyad index of pair (i, j) (-1 on the diagonal)
    use_status: bool  # some replicate has a rupture (else Δρ is never read)


class Acts(NamedTuple):
    """Agent i's acts of the day, written by its rule."""

    rung: np.ndarray  # (N, R) int8: hostile rung toward each j (0: none)
    level: np.ndarray  # (N, R) int8: cooperative level toward each j (0: none)


class ReciprocalParams(NamedTuple):
    """The reciprocal rule's arrays (``sim/engine/rules/reciprocal.py``); per-rung arrays
    are (6, Rp), per-replicate scalars (Rp,)."""

    rate: np.ndarray  # base hazard of each rung
    beta: np.ndarray  # weight of hostility
    gamma: np.ndarray  # weight of provocation
    psi: np.ndarray  # weight of cooperation
    delta: np.ndarray  # weight of the capability gap (deterrence)
    eta: np.ndarray  # weight of the rupture Δρ
    alpha: np.ndarray  # (6, 6, Rp) replies at rung k per unit of rung-m trace
    acol: np.ndarray  # (6, Rp) Σ_k α_km
    G: np.ndarray  # (N, N, Rp) exp(−δ_M (cap_j − cap_i))
    rsum: np.ndarray  # Σ_k rate_k (fast-path bound)
    bmin: np.ndarray  # min_k β_k  (the bounds of the fast path ...)
    gmax: np.ndarray  # max_k γ_k
    pmin: np.ndarray  # min_k ψ_k
    dmin: np.ndarray  # min_k δ_k
    dmax: np.ndarray  # max_k δ_k
    emin: np.ndarray  # min_k η_k
    emax: np.ndarray  # max_k η_k  (... end)
    cwc: np.ndarray  # cooperative latent: weight of cooperation
    cwh: np.ndarray  # cooperative latent: weight of hostility
    cthr: np.ndarray  # (L,) cooperative thresholds of the ladder


class OrderedLogitParams(NamedTuple):
    """The ordered-logit rule's arrays (spec §4); each (Rp,) unless said."""

    wh: np.ndarray  # hostile latent: weight of hostility
    wp: np.ndarray  # of provocation
    wc: np.ndarray  # of cooperation
    wd: np.ndarray  # of the capability gap
    cwc: np.ndarray  # cooperative latent: weight of cooperation
    cwh: np.ndarray  # of hostility
    thr: np.ndarray  # (6,) hostile thresholds of the ladder
    cthr: np.ndarray  # (L,) cooperative thresholds


class DriftStep(NamedTuple):
    """The drift's coefficients, once per parameter set (``dynamics.drift``)."""

    Phi: np.ndarray  # (D, 4, 4, Rp) one exact day of the affine flow
    phi: np.ndarray  # (D, 4, Rp)
    Id: np.ndarray  # (D,) first actor of each dyad
    Jd: np.ndarray  # (D,) second actor
    bal: np.ndarray  # (N, Rp) balance weight of each actor
    cases: np.ndarray  # (4, Rp) Heider's cases: ff, ef, fe, ee
    row_of: np.ndarray  # (N, N) row of pair (i, j) in the day's draws
    sig_h: np.ndarray  # (Rp,) noise of hostility
    sig_c: np.ndarray  # (Rp,) noise of cooperation
    keep: np.ndarray  # (Rp,) one day of provocation decay, 2^(−1/h)


class DriftState(NamedTuple):
    """The drift's state and buffers, each day."""

    H: np.ndarray  # (N, N, R), updated in place
    C: np.ndarray
    P: np.ndarray
    noise: np.ndarray  # (2, K, R) the day's normals: H, C
    dH: np.ndarray  # (N, N, R) buffers of the balance terms
    dC: np.ndarray
    off: np.ndarray  # (D, 4, R) the status offsets Ψ Δb
    use_off: bool  # some replicate has a rupture
