"""Per-replicate parameters: any numeric model parameter may take one value per replicate.

Values are given for every replicate id of the ensemble (``Settings.replicate_values``:
dotted path -> array of length ``ensemble.replicates``); a chunk takes its slice, so a
replicate's parameters, like its random numbers, depend only on its id. Parameters then
carry a trailing replicate axis: per-actor ``(N, R)``, per-pair ``(N, N, R)``, scalars
``(R,)``. Which parameters may vary is a column of ``sim/params.py`` (not the initial
state; the ladder's thresholds stay shared: an ordered logit needs one set of cuts).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from sim import params as table
from sim.engine.settings import ModelParams
from sim.errors import ConfigError


def paths(actors: Sequence[str]) -> list[str]:
    """Every parameter path that can vary by replicate."""
    return table.varying(actors)


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
    R = hi - lo
    for path, v in values.items():
        hit = table.lookup(path, actors)
        if hit is None or not hit[0].varies:
            raise ConfigError(path, "cannot vary by replicate (see sim/params.py)")
        row, key = hit
        target = row.target.removeprefix("params.")
        v = np.asarray(v, dtype=float)[lo:hi]
        if row.shape == table.SCALAR:
            # one value for the whole chunk: keep the shared form (and its exact arithmetic)
            params = params.replaced(target, np.float64(v[0]) if np.all(v == v[0]) else v)
            continue
        if np.all(v == v[0]):
            v = np.full(1, v[0])
        idx = row.index(key, actors)
        arr = np.asarray(params.get(target), dtype=float)
        if arr.ndim == len(idx):  # no replicate axis yet (capability is (N,) when shared)
            if v.shape == (1,):
                arr = arr.copy()
                arr[idx] = v[0]
            else:
                arr = np.broadcast_to(arr[..., None], arr.shape + (R,)).copy()
                arr[idx] = v
        else:
            width = max(arr.shape[-1], v.shape[-1])
            arr = np.broadcast_to(arr, arr.shape[:-1] + (width,)).copy()
            arr[idx] = v
        params = params.replaced(target, arr)
    return params
