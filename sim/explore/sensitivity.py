"""Global sensitivity: SALib analysis of per-sample means, and the noise split.

With ``reps`` replicates per parameter sample θ, the output variance splits as

    Var(Y) = Var_θ(E[Y|θ]) + E_θ[Var(Y|θ)]      (parameters + replicate noise)

estimated without bias from the per-sample means and variances. Sobol/Morris indices are
computed on the per-sample means, so they describe how the *mean* outcome depends on the
parameters (the replicate noise left in a mean of ``reps`` replicates is reported too).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from sim.explore.problem import nonzero_seed, rng_for


def analyze(problem: Mapping, X: np.ndarray, Y: np.ndarray, method: str, *, output_names: Sequence[str] | None = None,
            seed: int = 0, levels: int = 4, conf_level: float = 0.95, num_resamples: int = 500) -> dict:
    """SALib analysis per output column of ``Y`` (``(n,)`` or ``(n, outputs)``, rows in
    the sampler's order). Returns ``{output: {names, S1, S1_conf, ST, ST_conf}}`` (Sobol)
    or ``{output: {names, mu, mu_star, mu_star_conf, sigma}}`` (Morris); an output that
    does not vary gets ``constant: True`` and no indices."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.shape[0] != np.asarray(X).shape[0]:
        raise ValueError(f"Y has {Y.shape[0]} rows, X {np.asarray(X).shape[0]}: sobol.analyze trusts row order")
    names = list(output_names) if output_names is not None else [f"y{j}" for j in range(Y.shape[1])]
    out: dict = {}
    for j, name in enumerate(names):
        y = Y[:, j]
        if not np.all(np.isfinite(y)):
            raise ValueError(f"output {name} has non-finite values")
        if np.ptp(y) == 0:
            # zero variance: nothing to attribute, so no index and no ranking (SALib would divide by 0)
            out[name] = {"names": list(problem["names"]), "constant": True, "value": float(y[0]),
                         "note": "output does not vary: no variance to attribute, not ranked"}
            continue
        if method == "sobol":
            from SALib.analyze import sobol

            r = sobol.analyze(dict(problem), y, calc_second_order=False, conf_level=conf_level,
                              num_resamples=num_resamples, seed=nonzero_seed(seed, f"sobol-analyze:{name}"))
            out[name] = {"names": list(problem["names"]), "constant": False,
                         **{k: np.asarray(r[k], dtype=float).tolist() for k in ("S1", "S1_conf", "ST", "ST_conf")}}
        elif method == "morris":
            from SALib.analyze import morris

            r = morris.analyze(dict(problem), np.asarray(X), y, conf_level=conf_level, num_resamples=num_resamples,
                               num_levels=levels, seed=rng_for(seed, f"morris-analyze:{name}"))
            out[name] = {"names": list(problem["names"]), "constant": False,
                         **{k: np.asarray(r[k], dtype=float).tolist() for k in ("mu", "mu_star", "mu_star_conf", "sigma")}}
        else:
            raise ValueError(f"unknown method {method!r}; allowed: sobol, morris")
    return out


def noise_split(Y: np.ndarray, output_names: Sequence[str] | None = None) -> dict:
    """Split each output's variance into parameters and replicate noise.

    ``Y``: ``(n_samples, reps, outputs)``, reps ≥ 2. Unbiased estimates:
    noise = mean over samples of the within-sample variance s²_i;
    parameters = Var(sample means) − noise/reps (floored at 0);
    ``noise_in_means`` = the share of the variance of the per-sample means that is still
    replicate noise (what the Sobol indices of the means are contaminated by)."""
    Y = np.asarray(Y, dtype=float)
    n, reps, m = Y.shape
    if reps < 2:
        raise ValueError("the noise split needs at least 2 replicates per sample")
    names = list(output_names) if output_names is not None else [f"y{j}" for j in range(m)]
    means = Y.mean(axis=1)
    within = Y.var(axis=1, ddof=1).mean(axis=0)
    var_means = means.var(axis=0, ddof=1)
    param = np.maximum(var_means - within / reps, 0.0)
    out = {}
    for j, name in enumerate(names):
        tot = param[j] + within[j]
        out[name] = {
            "parameter_variance": float(param[j]), "noise_variance": float(within[j]), "total_variance": float(tot),
            "parameter_share": float(param[j] / tot) if tot > 0 else None,
            "noise_share": float(within[j] / tot) if tot > 0 else None,
            "noise_in_means": float(min(1.0, within[j] / reps / var_means[j])) if var_means[j] > 0 else None,
            "mean": float(means[:, j].mean()),
        }
    return out
