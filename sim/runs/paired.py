"""Paired counterfactual effects, streamed: exact integer moments of per-replicate values.

Both scenarios of a pair simulate the same replicate ids, so their difference cancels the
replicate noise they share. Values are rounded to multiples of 2⁻²⁰ and summed as
integers, so any chunking gives the same moments.

Two intervals (``INTERVALS`` says them in words). ``lo``/``hi``: the common-random-number
interval, simulation noise only, at the parameters of the run. ``total_lo``/``total_hi``:
with a posterior (``ensemble.posterior``) the replicates are grouped by posterior draw
(replicate r has draw r mod G) and the paired differences are also summed per draw; the
total interval is ``d ± z·sqrt(s_b² + se²)``, with s_b² the variance across draws of the
per-draw mean effect (parameter uncertainty, plus the noise of a draw's few replicates)
and se² the CRN variance of the mean: it contains the CRN interval by construction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.runs.summary import Z95

SCALE = 2**20
_PIECE = 2**20  # elements per int64 partial sum of squares (|q| <= 2^21 -> q^2 <= 2^42)


@dataclass
class Moments:
    n: int = 0
    s1: int = 0
    s2: int = 0

    def add(self, x: np.ndarray) -> None:
        q = np.rint(np.asarray(x, dtype=float).ravel() * SCALE).astype(np.int64)
        self.n += q.size
        self.s1 += int(q.sum())
        for a in range(0, q.size, _PIECE):
            part = q[a:a + _PIECE]
            self.s2 += int(np.dot(part, part))

    def merge(self, other: "Moments") -> None:
        self.n += other.n
        self.s1 += other.s1
        self.s2 += other.s2

    @property
    def mean(self) -> float:
        return self.s1 / (self.n * SCALE) if self.n else float("nan")

    @property
    def var(self) -> float:
        if self.n < 2:
            return float("nan")
        return max(0.0, (self.s2 - self.s1 * self.s1 / self.n) / (self.n - 1)) / SCALE**2


@dataclass
class PairedMetric:
    """Baseline, counterfactual and their paired difference for one quantity."""

    base: Moments = field(default_factory=Moments)
    cf: Moments = field(default_factory=Moments)
    diff: Moments = field(default_factory=Moments)
    by_draw: dict[int, Moments] = field(default_factory=dict)  # posterior draw -> moments of the difference

    def add(self, b: np.ndarray, c: np.ndarray, draw: np.ndarray | None = None) -> None:
        b, c = np.asarray(b, dtype=float), np.asarray(c, dtype=float)
        self.base.add(b)
        self.cf.add(c)
        self.diff.add(c - b)
        if draw is not None:
            d = (c - b).ravel()
            for g in np.unique(draw):
                self.by_draw.setdefault(int(g), Moments()).add(d[draw == g])

    def merge(self, other: "PairedMetric") -> None:
        self.base.merge(other.base)
        self.cf.merge(other.cf)
        self.diff.merge(other.diff)
        for g, m in other.by_draw.items():
            self.by_draw.setdefault(g, Moments()).merge(m)

    def between_draws_var(self) -> float | None:
        """Variance across posterior draws of the per-draw mean difference (None: < 2 draws)."""
        means = [m.mean for _, m in sorted(self.by_draw.items()) if m.n]
        return float(np.var(means, ddof=1)) if len(means) >= 2 else None

    def report(self, half_width: float) -> dict:
        """Effect (cf − base) with its paired and unpaired 95 % intervals, and the number
        of replicates a paired interval of ± ``half_width`` needs."""
        n = self.diff.n
        d = self.cf.mean - self.base.mean
        se_p = math.sqrt(self.diff.var / n) if n > 1 else float("nan")
        se_u = math.sqrt(self.base.var / n + self.cf.var / n) if n > 1 else float("nan")
        need = math.ceil((Z95 * math.sqrt(self.diff.var) / half_width) ** 2) if n > 1 else None
        r = lambda x: round(float(x), 6)  # noqa: E731
        out = {
            "baseline": r(self.base.mean), "counterfactual": r(self.cf.mean), "diff": r(d),
            "lo": r(d - Z95 * se_p), "hi": r(d + Z95 * se_p),
            "unpaired_lo": r(d - Z95 * se_u), "unpaired_hi": r(d + Z95 * se_u),
            "replicates_for_half_width": max(need, 2) if need is not None else None,
        }
        sb2 = self.between_draws_var()
        if sb2 is not None and n > 1:
            half = Z95 * math.sqrt(sb2 + se_p * se_p)
            # rounded outward, so that the rounded total interval still contains the rounded CRN one
            out["total_lo"] = min(out["lo"], r(d - half))
            out["total_hi"] = max(out["hi"], r(d + half))
        return out


CRN_LABEL = ("common-random-number 95% interval (lo, hi): simulation noise only, at the run's parameters; "
             "factual and counterfactual share every replicate's random numbers")
TOTAL_LABEL = ("total 95% interval over the posterior (total_lo, total_hi): parameter uncertainty plus simulation "
               "noise; replicates grouped by posterior draw, factual and counterfactual sharing each replicate's "
               "parameters and random numbers; diff ± 1.96·sqrt(variance across draws of the per-draw mean effect "
               "+ CRN variance of the mean)")


NO_POSTERIOR = ("absent: this run has no posterior (ensemble.posterior is not set) and uses one parameter set, "
                "so only simulation noise is measured; parameter uncertainty is not in any interval")


def intervals(draws: int) -> dict:
    """The words for the intervals of a counterfactual's effects (summary.json); ``draws``:
    the posterior draws the replicates are grouped by (0: no posterior)."""
    total = {"label": TOTAL_LABEL, "draws": draws} if draws >= 2 else {"label": None, "absent": NO_POSTERIOR}
    return {"crn": CRN_LABEL, "total": total}
