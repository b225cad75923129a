"""Comparing two forecasters on the same targets, with the two kinds of noise a reader must
see before believing a difference (any score where lower is better):

- **seed noise**: the backtest is run with several seeds (``backtest.seeds``); each seed
  gives a mean score per forecaster. ``seed_sd`` is the standard deviation (ddof 1) over seeds
  of the mean *gap* (baseline − model: positive when the model is better);
- **sampling noise over origins**: a percentile bootstrap that resamples whole origins
  (all targets of one origin, which share its simulation and its observation-model fit, stay
  together) of the seed-averaged scores; it gives the interval of the gap and of the skill
  1 − Σ model / Σ baseline.

A **win** is claimed only where the gap exceeds twice the seed SD *and* the bootstrap interval
of the gap excludes 0 (a loss symmetrically); otherwise "no call". ``verdict`` is that rule.
"""
from __future__ import annotations

import math

import numpy as np

LEVEL = 0.95


def verdict(gap: float, seed_sd: float, lo: float | None, hi: float | None) -> str:
    """"win" (the model is better), "loss" or "no call". ``gap`` = baseline − model mean score
    (positive: the model is better); ``lo``, ``hi``: its bootstrap interval (None: no interval,
    e.g. a single origin, so no claim)."""
    if gap is None or lo is None or hi is None or not math.isfinite(gap):
        return "no call"
    sd = seed_sd if seed_sd is not None and math.isfinite(seed_sd) else math.inf
    if gap > 2 * sd and lo > 0:
        return "win"
    if gap < -2 * sd and hi < 0:
        return "loss"
    return "no call"


def seed_sd(per_seed: np.ndarray) -> float:
    """SD over seeds (ddof 1) of per-seed means; NaN with one seed (unknown, so never a win)."""
    v = np.asarray(per_seed, dtype=float)
    return float(np.std(v, ddof=1)) if len(v) > 1 else math.nan


def compare(model: np.ndarray, base: np.ndarray, origins: np.ndarray, *, n_boot: int = 2000, seed: int = 0,
            level: float = LEVEL) -> dict:
    """Model vs baseline on the same targets.

    Args:
        model, base: ``(S, n)`` scores of S seeds on n targets (the same targets in every seed).
        origins: ``(n,)`` the origin of each target (the bootstrap's block).

    Returns the model's and the baseline's mean score (``model_score``, ``baseline_score``), ``gap`` (baseline − model), its
    ``seed_sd``, its bootstrap interval ``gap_lo``/``gap_hi``, ``skill`` (1 − Σ model / Σ base,
    None where the baseline's total is 0) with ``lo``/``hi``, ``verdict``, ``n`` and ``origins``.
    """
    m, b = np.atleast_2d(np.asarray(model, dtype=float)), np.atleast_2d(np.asarray(base, dtype=float))
    keys, inv = np.unique(np.asarray(origins), return_inverse=True)
    G = len(keys)
    out = {"n": int(m.shape[1]), "origins": int(G), "seeds": int(m.shape[0]), "model_score": None, "baseline_score": None,
           "gap": None, "seed_sd": None, "gap_lo": None, "gap_hi": None, "skill": None, "lo": None, "hi": None}
    if m.shape[1] == 0:
        out["verdict"] = "no call"
        return out
    out["model_score"], out["baseline_score"] = float(m.mean()), float(b.mean())
    out["gap"] = float(b.mean() - m.mean())
    out["seed_sd"] = seed_sd(b.mean(axis=1) - m.mean(axis=1))
    mb = np.bincount(inv, weights=m.mean(axis=0), minlength=G)  # per-origin sums of the seed means
    bb = np.bincount(inv, weights=b.mean(axis=0), minlength=G)
    nb = np.bincount(inv, minlength=G).astype(float)
    if bb.sum() > 0:
        out["skill"] = float(1.0 - mb.sum() / bb.sum())
    if G > 1:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, G, size=(n_boot, G))
        ms, bs, ns = mb[idx].sum(axis=1), bb[idx].sum(axis=1), nb[idx].sum(axis=1)
        a = (1 - level) / 2
        out["gap_lo"], out["gap_hi"] = (float(v) for v in np.quantile((bs - ms) / ns, [a, 1 - a]))
        ok = bs > 0  # resamples where the baseline was perfect have no skill: left out
        if out["skill"] is not None and ok.mean() >= 0.5:
            out["lo"], out["hi"] = (float(v) for v in np.quantile(1.0 - ms[ok] / bs[ok], [a, 1 - a]))
    out["verdict"] = verdict(out["gap"], out["seed_sd"], out["gap_lo"], out["gap_hi"])
    return out
