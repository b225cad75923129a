"""The branching ratio of the retaliation cascade (docs/design/escalation.md §2.4).

One rung-m act of j on i causes on average g_ij·N_km direct replies of rung k by i on j,
N_km = n_m κ^(m)_(k−m) (``decisions.memory.excitation``, ``spread``), g_ij =
exp(−δ_M (cap_j − cap_i)) (``deterrence_weight``, ``actors.X.capability``). The replies of
the pair form a two-type branching process with mean-offspring matrix

    B_ij = [[0, g_ij N], [g_ji N, 0]]

(an actor whose rule keeps no memory replies to nothing: its block is 0). The cascade dies
out iff the spectral radius ρ(B_ij) < 1. With the exponential g, g_ij g_ji = 1 and
ρ(B_ij) = ρ(N), which may be below max_m n_m (a rung-5 act's replies fall on rungs 4 and 5
only): the check is on ρ, computed numerically, not on each n_m.
"""
from __future__ import annotations

import math
from itertools import combinations
from typing import Sequence

import numpy as np

from sim.engine.memory import reply_weights
from sim.engine.rules import RULES
from sim.engine.settings import ModelParams
from sim.errors import ConfigError

KEY = "decisions.memory.excitation"


def offspring_matrix(excitation: Sequence[float], spread: Sequence[float]) -> np.ndarray:
    """N[k-1, m-1]: expected direct replies at rung k to one received rung-m act (g = 1)."""
    n = np.asarray(excitation, dtype=float).reshape(6, 1)
    return reply_weights(np.zeros(1), n, spread)[:, :, 0]


def pair_matrix(N: np.ndarray, g_ij: float, g_ji: float, i_replies: bool = True, j_replies: bool = True) -> np.ndarray:
    """B_ij (12 × 12): types (act on i by j, act on j by i), rungs 1–6 each."""
    z = np.zeros_like(N)
    return np.block([[z, g_ij * N if i_replies else z], [g_ji * N if j_replies else z, z]])


def spectral_radius(B: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(B)))) if B.size else 0.0


def branching_ratios(params: ModelParams, actors: Sequence[str]) -> dict[str, float]:
    """ρ(B_ij) per dyad ("AZE-IRN"), for the configured (not per-replicate) values."""
    d = params.decisions
    if not d.enabled:
        return {}
    spread = (float(d.memory_spread_down), float(d.memory_spread_same), float(d.memory_spread_up))
    N = offspring_matrix(np.asarray(d.memory_excitation, dtype=float)[:, 0], spread)
    cap = np.asarray(params.capability, dtype=float).reshape(len(actors), -1)[:, 0]
    det = float(np.atleast_1d(np.asarray(d.memory_deterrence_weight, dtype=float))[0])
    remembers = [bool(getattr(RULES.get(r), "uses_memory", False)) for r in d.rules] or [True] * len(actors)
    out = {}
    for i, j in combinations(range(len(actors)), 2):
        g_ij, g_ji = math.exp(-det * (cap[j] - cap[i])), math.exp(-det * (cap[i] - cap[j]))
        name = "-".join(sorted((actors[i], actors[j])))
        out[name] = spectral_radius(pair_matrix(N, g_ij, g_ji, remembers[i], remembers[j]))
    return out


def check_branching(params: ModelParams, actors: Sequence[str]) -> None:
    """A ConfigError naming the keys when some dyad's retaliation cascade would not die out."""
    # dyads whose ratios agree to 1e-9 tie (equal by construction, apart from the last bits an
    # eigenvalue solver gives: numpy 2.4 and 2.5 differ there); the first in name order is named
    worst = max(sorted(branching_ratios(params, actors).items()), key=lambda kv: round(kv[1], 9), default=None)
    if worst is not None and worst[1] >= 1.0:
        raise ConfigError(KEY, f"branching ratio {worst[1]:.3f} >= 1 for {worst[0]} (the spectral radius of its "
                          "reply matrix, from the excitation and decisions.memory.spread): the retaliation cascade "
                          "would not die out; allowed: < 1 (lower the excitation)")
