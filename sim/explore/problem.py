"""The parameter box (a SALib ``problem``), seeds that are always honoured, and samplers.

A problem is SALib's plain dict ``{"num_vars", "names", "bounds"}``; names are dotted
parameter paths that can vary by replicate (``sim.replicate_params.paths``).
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from sim.engine.replicate_params import paths as varying_paths
from sim.engine.rng import name_words
from sim.errors import ConfigError

SAMPLERS = ("sobol", "morris", "lhs")


def problem_from_config(box: Any, actors: Sequence[str], key: str = "explore.parameters") -> dict:
    """SALib problem from ``{path: [lo, hi]}``; every error names the offending key."""
    if not isinstance(box, Mapping) or not box:
        raise ConfigError(key, "needs a mapping of parameter path -> [low, high], e.g. "
                          "{dynamics.reaction.IRN: [0.005, 0.03]}")
    allowed = set(varying_paths(actors))
    names, bounds = [], []
    for name, b in box.items():
        k = f"{key}.{name}"
        if name not in allowed:
            raise ConfigError(k, "cannot vary by replicate; allowed: dynamics.<param>.<ACTOR or SRC_TGT>, "
                              "dynamics.noise.*, dynamics.impulse.*, decisions.* weights, actors.<ACTOR>.capability")
        if not isinstance(b, (list, tuple)) or len(b) != 2:
            raise ConfigError(k, f"{b!r}: bounds must be a list [low, high]")
        lo, hi = b
        for v in (lo, hi):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ConfigError(k, f"{v!r} is not a finite number")
        if not lo < hi:
            raise ConfigError(k, f"bounds [{lo}, {hi}] must be increasing (low < high)")
        names.append(str(name))
        bounds.append([float(lo), float(hi)])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def rng_for(seed: int, tag: str) -> np.random.Generator:
    """A generator that depends only on (seed, tag); ``seed=0`` is an ordinary seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), *name_words(tag, 2)])))


def nonzero_seed(seed: int, tag: str) -> int:
    """An int seed in [1, 2**31) from (seed, tag), for SALib functions whose ``if seed:``
    silently falls back to the global RNG when given 0."""
    s = int(np.random.SeedSequence([int(seed), *name_words(tag, 2)]).generate_state(1)[0]) % (2**31 - 1)
    return s + 1


def sample(problem: Mapping, method: str, n: int, seed: int, *, levels: int = 4) -> np.ndarray:
    """Sample the box. ``sobol``: Saltelli's scheme (SALib, first and total order only),
    ``n`` base samples (a power of two) -> n·(k+2) rows; ``morris``: ``n`` trajectories
    of k+1 rows on a ``levels`` grid; ``lhs``: ``n`` Latin-hypercube rows (scipy.qmc).
    The same (problem, method, n, seed) always gives the same rows, whatever the
    global numpy state."""
    k = problem["num_vars"]
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        if n < 2 or n & (n - 1):
            raise ConfigError("explore.sobol.n", f"{n}: Saltelli sampling needs a power of two >= 2")
        return sobol_sample.sample(dict(problem), n, calc_second_order=False, scramble=True,
                                   seed=rng_for(seed, "sobol"))
    if method == "morris":
        from SALib.sample import morris as morris_sample

        if n < 2:
            raise ConfigError("explore.morris.trajectories", f"{n}: needs at least 2 trajectories")
        return morris_sample.sample(dict(problem), n, num_levels=levels, seed=rng_for(seed, "morris"))
    if method == "lhs":
        from scipy.stats import qmc

        if n < 2:
            raise ConfigError("explore.samples", f"{n}: needs at least 2 samples")
        u = qmc.LatinHypercube(d=k, rng=rng_for(seed, "lhs")).random(n)
        b = np.asarray(problem["bounds"], dtype=float)
        return qmc.scale(u, b[:, 0], b[:, 1])
    raise ConfigError("explore.sampler", f"{method!r}; allowed: {', '.join(SAMPLERS)}")


def config_value(plain: Mapping, path: str) -> float:
    """The configured value of a dotted parameter path (``default`` entries resolved)."""
    node: Any = plain
    parts = path.split(".")
    for n, p in enumerate(parts):
        if isinstance(node, Mapping) and p in node:
            node = node[p]
        elif isinstance(node, Mapping) and "default" in node and n == len(parts) - 1:
            node = node["default"]
        else:
            raise ConfigError(path, "not found in the config")
    return float(node)
