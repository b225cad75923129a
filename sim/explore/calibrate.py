"""Calibration: fit chosen parameters to monthly net relation.

GDELT's monthly dyad score is a volume-sensitive Goldstein sum (more coverage, bigger
numbers), so its level is not comparable with the model's net relation in [−1, 1]. The
``rank_sign`` loss compares only what both measure: the sign of each month (friendly vs
hostile) and the ordering of months (Spearman):

    loss = (1 − mean_dyads sign agreement) + mean_dyads (1 − ρ_Spearman)/2   ∈ [0, 2]

``mse`` (mean squared difference of levels) is for targets on the model's own scale, e.g.
data the model generated (the recovery test): rank_sign is too coarse to pin parameters.

Candidates are evaluated with common random numbers (every candidate uses replicates
0 … reps−1), so the loss is a deterministic function of the parameters; the optimiser is
scipy's differential evolution with a fixed seed, vectorised: a whole generation is one
ensemble.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Sequence

import numpy as np
import yaml
from scipy import optimize
from scipy import stats as sstats

from sim.engine.settings import Settings
from sim.explore.evaluate import evaluate_monthly
from sim.explore.problem import rng_for

LOSSES = ("rank_sign", "mse")


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    r = sstats.spearmanr(a, b).statistic
    return 0.0 if not np.isfinite(r) else float(r)


def fit_stats(model: np.ndarray, target: np.ndarray) -> dict:
    """Per dyad (columns): sign agreement and Spearman ρ of ``model`` vs ``target`` (months × dyads)."""
    agree = (np.sign(model) == np.sign(target)).mean(axis=0)
    rho = np.array([_spearman(model[:, d], target[:, d]) for d in range(model.shape[1])])
    return {"sign_agreement": agree, "spearman": rho}


def loss(model: np.ndarray, target: np.ndarray, kind: str = "rank_sign") -> float:
    """Loss of one candidate's monthly series (months × dyads) against the target."""
    if kind == "mse":
        return float(np.mean((model - target) ** 2))
    if kind == "rank_sign":
        f = fit_stats(model, target)
        return float((1 - f["sign_agreement"].mean()) + np.mean((1 - f["spearman"]) / 2))
    raise ValueError(f"unknown loss {kind!r}; allowed: {', '.join(LOSSES)}")


def calibrate(problem: Mapping, settings: Settings, target: np.ndarray, months: Sequence[str], *,
              replicates_per_sample: int, loss_kind: str = "rank_sign", seed: int = 0, popsize: int = 8,
              maxiter: int = 10, dyad_index: Sequence[int] | None = None) -> dict:
    """Differential evolution over the box. ``target``: (months, dyads) on the dyads
    ``dyad_index`` (engine order; default all). Returns the best parameters, its loss and
    every evaluated candidate (``X``, ``losses``) in evaluation order."""
    bounds = [tuple(b) for b in problem["bounds"]]
    target = np.asarray(target, dtype=float)
    idx = list(dyad_index) if dyad_index is not None else None
    hist_X: list[np.ndarray] = []
    hist_L: list[np.ndarray] = []

    def f(xT: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(xT).T)
        M = evaluate_monthly(problem, X, settings, replicates_per_sample, months, crn=True)
        if idx is not None:
            M = M[:, :, idx]
        L = np.array([loss(M[i], target, loss_kind) for i in range(X.shape[0])])
        hist_X.append(X.copy())
        hist_L.append(L)
        return L

    res = optimize.differential_evolution(
        f, bounds, popsize=popsize, maxiter=maxiter, rng=rng_for(seed, "calibrate"), polish=False,
        vectorized=True, updating="deferred", init="latinhypercube", tol=0.0, atol=0.0)
    X = np.concatenate(hist_X)
    L = np.concatenate(hist_L)
    b = int(np.argmin(L))  # the first candidate reaching the smallest loss
    return {"x": X[b], "loss": float(L[b]), "X": X, "losses": L, "generations": len(hist_L),
            "evaluations": int(len(L)), "message": str(res.message)}


def spread(X: np.ndarray, losses: np.ndarray, names: Sequence[str], tolerance: float) -> dict:
    """Per parameter, the range and median over candidates whose loss is within
    ``tolerance`` (absolute, loss units) of the best: how well the data pin it down."""
    best = float(np.min(losses))
    near = losses <= best + tolerance
    out = {"tolerance": tolerance, "candidates": int(near.sum()), "parameters": {}}
    for j, name in enumerate(names):
        v = X[near, j]
        out["parameters"][name] = {"min": float(v.min()), "median": float(np.median(v)), "max": float(v.max())}
    return out


def calibrated_yaml(params: Mapping[str, float], loss: float, kind: str, months: list[str]) -> bytes:
    """calibrated.yaml: an experiment file that sets the fitted parameters (6 significant digits)."""
    tree: dict = {}
    for path, v in params.items():
        node = tree
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = float(f"{v:.6g}")
    tree = {"question": f"How does the triangle evolve with parameters calibrated to GDELT {months[0]}..{months[-1]}?",
            **tree}
    head = (f"# @package _global_\n# Calibrated by `triad experiment=calibrate` on {dt.date.today().isoformat()}: "
            f"{kind} loss {loss:.4f} against GDELT monthly net relation {months[0]}..{months[-1]}.\n"
            "# Copy into experiments/ (e.g. experiments/calibrated.yaml) and run `triad experiment=calibrated`.\n")
    return (head + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)).encode("utf-8")
