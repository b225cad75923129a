"""Paired counterfactual effects, streamed: exact integer moments of per-replicate values.

Both scenarios of a pair simulate the same replicate ids, so their difference cancels the
replicate noise they share. Values are rounded to multiples of 2⁻²⁰ and summed as
integers, so any chunking gives the same moments.
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

    def add(self, b: np.ndarray, c: np.ndarray) -> None:
        b, c = np.asarray(b, dtype=float), np.asarray(c, dtype=float)
        self.base.add(b)
        self.cf.add(c)
        self.diff.add(c - b)

    def merge(self, other: "PairedMetric") -> None:
        self.base.merge(other.base)
        self.cf.merge(other.cf)
        self.diff.merge(other.diff)

    def report(self, half_width: float) -> dict:
        """Effect (cf − base) with its paired and unpaired 95 % intervals, and the number
        of replicates a paired interval of ± ``half_width`` needs."""
        n = self.diff.n
        d = self.cf.mean - self.base.mean
        se_p = math.sqrt(self.diff.var / n) if n > 1 else float("nan")
        se_u = math.sqrt(self.base.var / n + self.cf.var / n) if n > 1 else float("nan")
        need = math.ceil((Z95 * math.sqrt(self.diff.var) / half_width) ** 2) if n > 1 else None
        r = lambda x: round(float(x), 6)  # noqa: E731
        return {
            "baseline": r(self.base.mean), "counterfactual": r(self.cf.mean), "diff": r(d),
            "lo": r(d - Z95 * se_p), "hi": r(d + Z95 * se_p),
            "unpaired_lo": r(d - Z95 * se_u), "unpaired_hi": r(d + Z95 * se_u),
            "replicates_for_half_width": max(need, 2) if need is not None else None,
        }
