"""Proper scores of a forecast of one observed value (scoringrules 0.10, numpy backend).

A forecast is either an ensemble (samples, `Ensemble`; a point forecast is an ensemble of
one member) or a normal distribution (`Normal`). Scores, lower is better, 0 is perfect:

- CRPS of the value, in the observation's units (for a point forecast: the absolute error);
- Brier score and log score of the sign event "the observed value is > 0" (net cooperation),
  from the forecast's P(value > 0). The log score of a probability of exactly 0 or 1 that
  turns out wrong is infinite, so probabilities are clipped to [P_CLIP, 1 − P_CLIP] for the
  log score only (a certain and right forecast then scores −log(1 − P_CLIP) ≈ 0.01, the
  floor); the Brier score uses the unclipped probability.

`skill` is 1 − mean(score)/mean(baseline score) with a bootstrap interval over origins.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scoringrules as sr
from scipy import stats

P_CLIP = 0.01


@dataclass(frozen=True)
class Ensemble:
    """An ensemble forecast: equally weighted samples (one member: a point forecast)."""

    samples: np.ndarray

    def crps(self, obs: float) -> float:
        return float(sr.crps_ensemble(obs, np.asarray(self.samples, dtype=float)))

    def p_positive(self) -> float:
        return float(np.mean(np.asarray(self.samples) > 0))

    def quantiles(self, qs) -> np.ndarray:
        return np.quantile(np.asarray(self.samples, dtype=float), qs)

    def pit(self, obs: float) -> float:
        """Mid-rank PIT: share of members below obs, ties counted half."""
        s = np.asarray(self.samples, dtype=float)
        return float((np.sum(s < obs) + 0.5 * np.sum(s == obs)) / len(s))

    def mean(self) -> float:
        return float(np.mean(self.samples))


@dataclass(frozen=True)
class Normal:
    """A normal forecast N(mu, sd²)."""

    mu: float
    sd: float

    def crps(self, obs: float) -> float:
        return float(sr.crps_normal(obs, self.mu, self.sd))

    def p_positive(self) -> float:
        return float(stats.norm.sf(0.0, self.mu, self.sd))

    def quantiles(self, qs) -> np.ndarray:
        return stats.norm.ppf(qs, self.mu, self.sd)

    def pit(self, obs: float) -> float:
        return float(stats.norm.cdf(obs, self.mu, self.sd))

    def mean(self) -> float:
        return float(self.mu)


def brier(p_positive: float, obs: float) -> float:
    """Brier score of P(value > 0) for the observed value."""
    return float(sr.brier_score(float(obs > 0), p_positive))


def log_score(p_positive: float, obs: float) -> float:
    """Log score (natural log) of P(value > 0), probabilities clipped to [P_CLIP, 1 − P_CLIP]."""
    return float(sr.log_score(float(obs > 0), float(np.clip(p_positive, P_CLIP, 1 - P_CLIP))))


def scores(fc: Ensemble | Normal, obs: float) -> dict[str, float]:
    """CRPS, Brier, log score and P(value > 0) of one forecast for one observation."""
    p = fc.p_positive()
    return {"crps": fc.crps(obs), "brier": brier(p, obs), "log": log_score(p, obs), "p_positive": p}


def skill(model: np.ndarray, baseline: np.ndarray, groups: np.ndarray, *, n_boot: int = 2000,
          seed: int = 0, level: float = 0.95) -> dict:
    """Skill 1 − Σ model / Σ baseline (so 1 − ratio of mean scores) with a percentile
    bootstrap interval: whole origins (``groups``) are resampled with replacement, so targets
    of one origin, which share its simulation, stay together.

    Returns ``{"skill", "lo", "hi", "n", "origins"}``; skill is None where the baseline's
    total is 0 (it is perfect: no skill can be defined). Resamples whose baseline total is 0
    are left out of the interval; with over half of them so, or one origin, it is None.
    """
    model, baseline, groups = (np.asarray(a) for a in (model, baseline, groups))
    keys, inv = np.unique(groups, return_inverse=True)
    G = len(keys)
    m = np.bincount(inv, weights=model, minlength=G)
    b = np.bincount(inv, weights=baseline, minlength=G)
    out = {"n": int(len(model)), "origins": int(G), "skill": None, "lo": None, "hi": None}
    if G == 0 or b.sum() <= 0:
        return out
    out["skill"] = float(1.0 - m.sum() / b.sum())
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, G, size=(n_boot, G))
    bs, ms = b[idx].sum(axis=1), m[idx].sum(axis=1)
    ok = bs > 0  # a resample of only origins where the baseline was perfect has no skill: left out
    if G > 1 and ok.mean() >= 0.5:
        draws = 1.0 - ms[ok] / bs[ok]
        a = (1 - level) / 2
        out["lo"], out["hi"] = (float(v) for v in np.quantile(draws, [a, 1 - a]))
    return out
