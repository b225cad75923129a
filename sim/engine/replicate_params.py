"""Per-replicate parameters: any numeric model parameter may take one value per replicate.

Values are given for every replicate id of the ensemble (``Settings.replicate_values``:
dotted path -> array of length ``ensemble.replicates``); a chunk takes its slice, so a
replicate's parameters, like its random numbers, depend only on its id. Parameters then
carry a trailing replicate axis: per-actor ``(N, R)``, per-pair ``(N, N, R)``, scalars
``(R,)``. The ladder's thresholds stay shared (an ordered logit needs one set of cuts).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from sim.config.build import ACTOR_PARAMS, PAIR_PARAMS
from sim.errors import ConfigError
from sim.engine.settings import ModelParams

SCALARS = {
    "dynamics.noise.hostility": "noise_hostility",
    "dynamics.noise.cooperation": "noise_cooperation",
    "dynamics.impulse.hostility": "impulse_hostility",
    "dynamics.impulse.cooperation": "impulse_cooperation",
    "dynamics.impulse.commitment": "impulse_commitment",
}
DECISIONS = {
    "decisions.hostility_weight": "hostility_weight",
    "decisions.provocation_weight": "provocation_weight",
    "decisions.cooperation_weight": "cooperation_weight",
    "decisions.deterrence_weight": "deterrence_weight",
    "decisions.provocation_half_life_days": "provocation_half_life_days",
    "decisions.cooperative.cooperation_weight": "coop_cooperation_weight",
    "decisions.cooperative.hostility_weight": "coop_hostility_weight",
}


def paths(actors: Sequence[str]) -> list[str]:
    """Every parameter path that can vary by replicate."""
    out = [*SCALARS, *DECISIONS, *(f"actors.{a}.capability" for a in actors)]
    out += [f"dynamics.{p}.{a}" for p in ACTOR_PARAMS for a in actors]
    out += [f"dynamics.{p}.{a}_{b}" for p in PAIR_PARAMS for a in actors for b in actors if a != b]
    return out


def check(values: Mapping[str, np.ndarray], actors: Sequence[str], replicates: int) -> None:
    """Names and lengths; ranges are the caller's (the sampler's bounds)."""
    allowed = set(paths(actors))
    for path, v in values.items():
        if path not in allowed:
            raise ConfigError(path, "cannot vary by replicate; allowed: dynamics.*, decisions.* weights, "
                              "actors.X.capability (see sim/replicate_params.py)")
        if np.shape(v) != (replicates,):
            raise ConfigError(path, f"needs one value per replicate ({replicates}), got shape {np.shape(v)}")
        if not np.all(np.isfinite(v)):
            raise ConfigError(path, "values must be finite")


def localise(params: ModelParams, actors: Sequence[str], values: Mapping[str, np.ndarray], lo: int, hi: int) -> ModelParams:
    """``params`` with the per-replicate values of replicates ``lo .. hi-1`` put in."""
    if not values:
        return params
    R = hi - lo
    drift = params.drift
    dfields = {}
    for path, v in values.items():
        v = np.asarray(v, dtype=float)[lo:hi]
        if np.all(v == v[0]):
            # one value for the whole chunk: keep the shared form (and its exact arithmetic)
            v = np.float64(v[0]) if path in SCALARS or path in DECISIONS else np.full(1, v[0])
        parts = path.split(".")
        if path in SCALARS:
            params = replace(params, **{SCALARS[path]: v})
        elif path in DECISIONS:
            params = replace(params, decisions=replace(params.decisions, **{DECISIONS[path]: v}))
        elif parts[0] == "actors":
            cap = np.array(params.capability, dtype=float)
            if v.shape == (1,) and cap.ndim == 1:
                cap[actors.index(parts[1])] = v[0]
            else:
                cap = np.broadcast_to(cap[:, None] if cap.ndim == 1 else cap, (len(actors), R)).copy()
                cap[actors.index(parts[1])] = v
            params = replace(params, capability=cap)
        else:
            name, key = parts[1], parts[2]
            arr = dfields.get(name, getattr(drift, name))
            width = max(arr.shape[-1], v.shape[-1] if np.ndim(v) else 1)
            arr = np.broadcast_to(arr, arr.shape[:-1] + (width,)).copy()
            if name in PAIR_PARAMS:
                a, b = key.split("_")
                arr[actors.index(a), actors.index(b)] = v
            else:
                arr[actors.index(key)] = v
            dfields[name] = arr
    if dfields:
        params = replace(params, drift=replace(drift, **dfields))
    return params
