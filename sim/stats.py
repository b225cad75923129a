"""Streamed per-day statistics whose memory does not grow with the number of replicates.

Each day every series (hostility and cooperation per ordered pair, tension and
net_relation per dyad) is binned into a fixed histogram and summed in fixed point. Both
are integers, so merging chunks (or jobs) is exact and order-free: a split ensemble gives
the very same numbers as one process. Quantiles invert the binned CDF with the mass of a
bin spread evenly over it (error below one bin width); values exactly at a bound (clipped
at 0 or 1) have bins of their own, so a pinned value is reported exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dynamics import ordered_pairs, unordered_pairs
from .ladder import N_RUNGS

FIXED = 2.0**32  # fixed-point scale of the sums
QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


@dataclass(frozen=True)
class Series:
    """Names of the recorded series: (source, target, variable, lower bound, upper bound)."""

    source: tuple[str, ...]
    target: tuple[str, ...]
    variable: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def for_actors(actors: tuple[str, ...]) -> "Series":
        n = len(actors)
        Io, Jo = ordered_pairs(n)
        src, tgt, var, lo = [], [], [], []
        for v in ("hostility", "cooperation"):
            src += [actors[i] for i in Io]
            tgt += [actors[j] for j in Jo]
            var += [v] * len(Io)
            lo += [0.0] * len(Io)
        Id, Jd = unordered_pairs(n)
        for v, low in (("tension", 0.0), ("net_relation", -1.0)):
            for i, j in zip(Id, Jd):
                a, b = sorted((actors[i], actors[j]))
                src.append(a)
                tgt.append(b)
                var.append(v)
                lo.append(low)
        lo_arr = np.array(lo)
        return Series(tuple(src), tuple(tgt), tuple(var), lo_arr, np.ones_like(lo_arr))

    def __len__(self) -> int:
        return len(self.variable)


def dyad_names(actors: tuple[str, ...]) -> list[str]:
    """Dyad names in engine order (pairs i<j of the config order), codes sorted within."""
    Id, Jd = unordered_pairs(len(actors))
    return ["-".join(sorted((actors[i], actors[j]))) for i, j in zip(Id, Jd)]


class DailyStats:
    """Histogram, fixed-point sums and rung incidence, per day, for one scenario."""

    def __init__(self, actors: tuple[str, ...], n_days: int, bins: int):
        self.series = Series.for_actors(actors)
        self.n_days, self.bins = n_days, bins
        S = len(self.series)
        self.hist = np.zeros((n_days, S, bins + 2), dtype=np.int32)  # < 2^31 replicates
        self.sums = np.zeros((n_days, S), dtype=np.int64)
        n_dyads = len(unordered_pairs(len(actors))[0])
        self.reached = np.zeros((n_days, n_dyads, N_RUNGS + 1), dtype=np.int64)
        self.n = 0
        self._offsets = (np.arange(S) * (bins + 2))[:, None]
        self._scale = (bins / (self.series.hi - self.series.lo))[:, None]
        self._lo = self.series.lo[:, None]

    def values(self, model) -> np.ndarray:
        """The series of the model's current state, shape (S, R)."""
        H, C = model.S[0], model.S[1]
        ten = model.tension()
        net = 0.5 * (C[model.Id, model.Jd] + C[model.Jd, model.Id]) - ten
        return np.concatenate([H[model.Io, model.Jo], C[model.Io, model.Jo], ten, net])

    def observe(self, t: int, model) -> None:
        if t == 0:
            self.n += model.R
        V = self.values(model)
        U = (V - self._lo) * self._scale  # 0 .. bins
        idx = U.astype(np.int64) + 1
        idx[U <= 0] = 0
        idx[U >= self.bins] = self.bins + 1
        idx += self._offsets
        self.hist[t] += np.bincount(idx.ravel(), minlength=self.hist.shape[1] * self.hist.shape[2]).reshape(
            self.hist.shape[1:])
        self.sums[t] += np.rint(V * FIXED).astype(np.int64).sum(axis=1)
        mr = model.max_rung
        for k in range(N_RUNGS + 1):
            self.reached[t, :, k] += (mr >= k).sum(axis=1)

    def merge(self, other: "DailyStats") -> None:
        """Add another chunk's counts (exact: integers)."""
        self.hist += other.hist
        self.sums += other.sums
        self.reached += other.reached
        self.n += other.n

    # -- read-outs --------------------------------------------------------------------
    def mean(self) -> np.ndarray:
        """(days, S) ensemble means."""
        return self.sums / (FIXED * self.n)

    def quantiles(self, qs=QUANTILES) -> np.ndarray:
        """(days, S, len(qs)) quantiles from the binned distribution."""
        hist = self.hist
        cum = np.cumsum(hist, axis=-1, dtype=np.int64)
        width = ((self.series.hi - self.series.lo) / self.bins)[None, :]
        out = np.empty(hist.shape[:2] + (len(qs),))
        for n_q, q in enumerate(qs):
            target = q * self.n
            k = np.argmax(cum >= target, axis=-1)  # first bin reaching the target mass
            k = np.maximum(k, np.argmax(hist > 0, axis=-1))  # never an empty leading bin
            below = np.take_along_axis(cum, k[..., None], -1)[..., 0] - np.take_along_axis(hist, k[..., None], -1)[..., 0]
            count = np.take_along_axis(hist, k[..., None], -1)[..., 0]
            frac = np.clip((target - below) / np.maximum(count, 1), 0.0, 1.0)
            val = self.series.lo[None, :] + width * (k - 1 + frac)
            val = np.where(k == 0, self.series.lo[None, :], val)
            val = np.where(k == self.bins + 1, self.series.hi[None, :], val)
            out[..., n_q] = val
        return out

    def p_reached(self) -> np.ndarray:
        """(days, dyads, 7) share of replicates whose dyad reached at least rung k by the day."""
        return self.reached / self.n
