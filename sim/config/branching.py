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


def network_matrix(N: np.ndarray, g: np.ndarray, cross: float, remembers: Sequence[bool]) -> np.ndarray:
    """Mean offspring over every directed pair and rung, with the cross-target channel (issue 21):
    one rung-m act of j on i causes g_ij N_km replies of i on j and at most cross · g_ia N_km
    replies of i on each third actor a (the weight (C_ja + C_aj)/2 · H_ia ≤ 1). Types: act
    (source, target, rung), indexed (pair p of ``pairs``, rung)."""
    n = g.shape[0]
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    idx = {p: k for k, p in enumerate(pairs)}
    B = np.zeros((len(pairs) * 6, len(pairs) * 6))
    for (j, i), col in idx.items():  # the act j → i ...
        if not remembers[i]:
            continue
        for a in range(n):  # ... causes i → a replies
            if a == i:
                continue
            w = g[i, a] * (1.0 if a == j else cross)
            row = idx[(i, a)]
            B[row * 6:(row + 1) * 6, col * 6:(col + 1) * 6] += w * N
    return B


def network_ratio(params: ModelParams, actors: Sequence[str]) -> float:
    """ρ of ``network_matrix`` at the configured values (upper bound: partner weight 1)."""
    d = params.decisions
    spread = (float(d.memory_spread_down), float(d.memory_spread_same), float(d.memory_spread_up))
    N = offspring_matrix(np.asarray(d.memory_excitation, dtype=float)[:, 0], spread)
    cap = np.asarray(params.capability, dtype=float).reshape(len(actors), -1)[:, 0]
    det = float(np.atleast_1d(np.asarray(d.memory_deterrence_weight, dtype=float))[0])
    g = np.exp(-det * (cap[None, :] - cap[:, None]))  # g[i, a] = exp(−δ_M (cap_a − cap_i))
    remembers = [bool(getattr(RULES.get(r), "uses_memory", False)) for r in d.rules] or [True] * len(actors)
    cross = float(np.max(np.atleast_1d(np.asarray(d.memory_cross_target, dtype=float))))
    return spectral_radius(network_matrix(N, g, cross, remembers))


def check_branching(params: ModelParams, actors: Sequence[str]) -> None:
    """A ConfigError naming the keys when some dyad's retaliation cascade would not die out."""
    # dyads whose ratios agree to 1e-9 tie (equal by construction, apart from the last bits an
    # eigenvalue solver gives: numpy 2.4 and 2.5 differ there); the first in name order is named
    worst = max(sorted(branching_ratios(params, actors).items()), key=lambda kv: round(kv[1], 9), default=None)
    if worst is not None and worst[1] >= 1.0:
        raise ConfigError(KEY, f"branching ratio {worst[1]:.3f} >= 1 for {worst[0]} (the spectral radius of its "
                          "reply matrix, from the excitation and decisions.memory.spread): the retaliation cascade "
                          "would not die out; allowed: < 1 (lower the excitation)")
    d = params.decisions
    if d.enabled and len(actors) > 2 and np.any(np.asarray(d.memory_cross_target, dtype=float) > 0):
        rho = network_ratio(params, actors)
        if rho >= 1.0:
            raise ConfigError("decisions.memory.cross_target", f"branching ratio {rho:.3f} >= 1 over all pairs with "
                              "the cross-target channel (partner weight at most 1): the retaliation cascade could "
                              "not die out; allowed: < 1 (lower cross_target or the excitation)")


RELEVANT = ("memory", "capability", "deterrence", "decisions.enabled", "rules")  # targets ρ depends on


def check_draws(params: ModelParams, actors: Sequence[str], values: dict, where: str) -> None:
    """The same check for every per-replicate row of ``values`` (parameter path -> array,
    a posterior's draws: H7): each distinct row, applied to ``params``, must die out."""
    from sim import params as table

    cols = []
    for path, v in values.items():
        hit = table.lookup(path, actors)
        if hit is None:
            continue
        row, key = hit
        if row.target.startswith("params.") and any(r in row.target for r in RELEVANT):
            cols.append((row.target.removeprefix("params."), row.index(key, actors), np.asarray(v, dtype=float), path))
    if not cols:
        return
    rows = np.unique(np.stack([c[2] for c in cols], axis=1), axis=0)
    for r in rows:
        p = params
        for (target, index, _, _), value in zip(cols, r):
            p = p.with_entry(target, index, float(value))
        try:
            check_branching(p, actors)
        except ConfigError as exc:
            shown = ", ".join(f"{c[3]}={v:g}" for c, v in zip(cols, r))
            raise ConfigError(where, f"a draw ({shown}) gives a {str(exc).split(': ', 1)[1]}") from None


def check_sets(params: ModelParams, actors: Sequence[str], ops: Sequence, where: str) -> None:
    """The check on the parameters a counterfactual's ``set`` ops put in force, each op
    added in the order of its start day (H8)."""
    import datetime as dt

    sets = [op for op in ops if hasattr(op, "param") and hasattr(op, "value") and hasattr(op, "key")]
    sets.sort(key=lambda op: getattr(op, "start", None) or dt.date.min)
    p = params
    for op in sets:
        if not op.param.target.startswith("params."):
            continue
        p = p.with_entry(op.param.target.removeprefix("params."), op.param.index(op.key, actors), op.value)
        try:
            check_branching(p, actors)
        except ConfigError as exc:
            raise ConfigError(getattr(op, "where", where), f"after this set, the {str(exc).split(': ', 1)[1]}") from None
