"""Scenario discovery: PRIM boxes where an outcome of interest is common.

``prim(X, y, ...)`` runs ema_workbench's PRIM (2.5.x, the optional ``explore`` extra)
when installed, else a small peeling PRIM of our own (same objective: lenient1, gain in
density per unit of mass removed). Both return the peeling trajectory (coverage, density,
mass, restricted dimensions, box limits per step); ``choose`` picks the step with the
largest coverage whose density reaches ``min_density``, or none: when no box of the
trajectory reaches the threshold there is no box to report (ema_workbench then returns a
"dump box", the whole space, and logs that the threshold was not met), and saying "the
densest box" instead would present the whole sampled space as a finding.
"""
from __future__ import annotations

import logging
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def _traj_row(y: np.ndarray, inside: np.ndarray, lims: np.ndarray, bounds: np.ndarray) -> dict:
    n_in = int(inside.sum())
    tot = max(int(y.sum()), 1)
    restricted = int(np.sum((lims[:, 0] > bounds[:, 0]) | (lims[:, 1] < bounds[:, 1])))
    return {"coverage": float(y[inside].sum() / tot), "density": float(y[inside].mean()) if n_in else 0.0,
            "mass": n_in / len(y), "res_dim": restricted, "n": n_in, "limits": lims.tolist()}


def prim_own(X: np.ndarray, y: np.ndarray, *, peel_alpha: float = 0.05, mass_min: float = 0.05) -> list[dict]:
    """Peeling PRIM (no pasting): at each step remove the ``peel_alpha`` tail of one
    dimension, the one with the best lenient1 objective (density gain / mass removed)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, k = X.shape
    bounds = np.stack([X.min(axis=0), X.max(axis=0)], axis=1)
    lims = bounds.copy()
    inside = np.ones(n, dtype=bool)
    traj = [_traj_row(y, inside, lims, bounds)]
    while inside.mean() > mass_min:
        best = None
        m0 = y[inside].mean()
        xi = X[inside]
        for j in range(k):
            for side in (0, 1):
                q = np.quantile(xi[:, j], peel_alpha if side == 0 else 1 - peel_alpha)
                keep = xi[:, j] >= q if side == 0 else xi[:, j] <= q
                if side == 0 and keep.all():
                    keep = xi[:, j] > q
                if side == 1 and keep.all():
                    keep = xi[:, j] < q
                if keep.all() or not keep.any() or keep.sum() / n < mass_min:
                    continue
                gain = (y[inside][keep].mean() - m0) / ((~keep).sum() / n)
                if best is None or gain > best[0]:
                    best = (gain, j, side, keep)
        if best is None:
            break
        _, j, side, keep = best
        idx = np.nonzero(inside)[0]
        inside[idx[~keep]] = False
        kept = X[inside, j]
        lims[j, side] = kept.min() if side == 0 else kept.max()
        traj.append(_traj_row(y, inside, lims, bounds))
    return traj


def prim_ema(X: np.ndarray, y: np.ndarray, names: Sequence[str], *, threshold: float = 0.8,
             peel_alpha: float = 0.05, mass_min: float = 0.05) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim

        df = pd.DataFrame(np.asarray(X, dtype=float), columns=list(names))
        p = ema_prim.Prim(df, np.asarray(y, dtype=bool), threshold=threshold, peel_alpha=peel_alpha,
                          mass_min=mass_min)
        box = p.find_box()
        if box.mean < threshold:
            # EMA found no box at the threshold and returned its "dump box" (the whole space, one
            # step). Peel again with a threshold every box meets, to keep the trajectory it did
            # reach (the peeling does not depend on the threshold for 0/1 outcomes); `choose`
            # then finds no step at the real threshold, and the report says so.
            log.info("ema_workbench PRIM: no box meets the density threshold %.2f; keeping its peeling "
                     "trajectory to report the densest box it reached", threshold)
            p = ema_prim.Prim(df, np.asarray(y, dtype=bool), threshold=1e-9, peel_alpha=peel_alpha,
                              mass_min=mass_min)
            box = p.find_box()
    tr = box.peeling_trajectory
    bounds = np.stack([df.min().to_numpy(), df.max().to_numpy()], axis=1)
    out = []
    for i in range(len(tr)):
        lims = box.box_lims[i][list(names)].to_numpy().T.astype(float)  # (k, 2)
        inside = np.all((df.to_numpy() >= lims[:, 0]) & (df.to_numpy() <= lims[:, 1]), axis=1)
        row = _traj_row(np.asarray(y, dtype=bool), inside, lims, bounds)
        row.update(coverage=float(tr["coverage"].iloc[i]), density=float(tr["density"].iloc[i]),
                   mass=float(tr["mass"].iloc[i]))
        out.append(row)
    return out


def have_ema() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench  # noqa: F401
        return True
    except Exception:  # pragma: no cover - depends on the environment
        return False


def prim(X: np.ndarray, y: np.ndarray, names: Sequence[str], *, engine: str = "auto", min_density: float = 0.8,
         peel_alpha: float = 0.05, mass_min: float = 0.05) -> tuple[list[dict], str]:
    """Peeling trajectory and the engine used (``ema_workbench`` or ``triad``)."""
    use_ema = engine == "ema_workbench" or (engine == "auto" and have_ema())
    if use_ema:
        return prim_ema(X, y, names, threshold=min_density, peel_alpha=peel_alpha, mass_min=mass_min), "ema_workbench"
    return prim_own(X, y, peel_alpha=peel_alpha, mass_min=mass_min), "triad"


def choose(traj: Sequence[Mapping], min_density: float) -> int | None:
    """Largest coverage among steps with density ≥ min_density; None when no step has it."""
    ok = [i for i, r in enumerate(traj) if r["density"] >= min_density]
    if ok:
        return max(ok, key=lambda i: (traj[i]["coverage"], -i))
    return None


def densest(traj: Sequence[Mapping]) -> int:
    """The step of highest density (ties: larger coverage): what PRIM got closest to."""
    return max(range(len(traj)), key=lambda i: (traj[i]["density"], traj[i]["coverage"]))


def sample_bounds(X: np.ndarray) -> list[list[float]]:
    """Each parameter's sampled extent: the box PRIM starts from (both engines)."""
    X = np.asarray(X, dtype=float)
    return np.stack([X.min(axis=0), X.max(axis=0)], axis=1).tolist()


def describe_box(limits: Sequence[Sequence[float]], bounds: Sequence[Sequence[float]], names: Sequence[str],
                 tol: float = 0.02) -> list[dict]:
    """Restricted dimensions in plain words: ``{"parameter", "low", "high", "text"}``.

    ``bounds`` should be the box PRIM started from (``sample_bounds(X)``): against the design's
    bounds, the unpeeled box would look restricted, since no sample lies exactly on a bound."""
    out = []
    for (lo, hi), (blo, bhi), name in zip(limits, bounds, names):
        w = bhi - blo
        cut_lo, cut_hi = lo > blo + tol * w, hi < bhi - tol * w
        if not (cut_lo or cut_hi):
            continue
        if cut_lo and cut_hi:
            text = f"{name} between {lo:.4g} and {hi:.4g}"
        elif cut_lo:
            text = f"{name} ≥ {lo:.4g}"
        else:
            text = f"{name} ≤ {hi:.4g}"
        out.append({"parameter": name, "low": float(lo), "high": float(hi), "text": text,
                    "sampled": [float(blo), float(bhi)]})
    return out
