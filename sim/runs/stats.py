"""Streamed per-day statistics whose memory does not grow with the number of replicates.

Each day every series (hostility and cooperation per ordered pair, tension and
net_relation per dyad) is binned into a fixed histogram and summed in fixed point. Both
are integers, so merging chunks (or jobs) is exact and order-free: a split ensemble gives
the very same numbers as one process. Quantiles invert the binned CDF with the mass of a
bin spread evenly over it (error below one bin width); values exactly at a bound (clipped
at 0 or 1) have bins of their own, so a pinned value is reported exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.engine.dynamics import ordered_pairs, unordered_pairs
from sim.engine.ladder import N_RUNGS

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
    zero_point: bool = False  # exact zeros get a bin of their own (paired differences)

    @staticmethod
    def for_actors(actors: tuple[str, ...]) -> "Series":
        """Hostility and cooperation per ordered pair, tension and net relation per dyad."""
        Io, Jo = ordered_pairs(len(actors))
        src = [actors[i] for i in Io] * 2
        tgt = [actors[j] for j in Jo] * 2
        var = ["hostility"] * len(Io) + ["cooperation"] * len(Io)
        lo = [0.0] * (2 * len(Io))
        s2, t2, v2, lo2 = _dyad_series(actors, (("tension", 0.0), ("net_relation", -1.0)))
        lo_arr = np.array(lo + lo2)
        return Series(tuple(src + s2), tuple(tgt + t2), tuple(var + v2), lo_arr, np.ones_like(lo_arr))

    def __len__(self) -> int:
        return len(self.variable)

    @staticmethod
    def differences(actors: tuple[str, ...]) -> "Series":
        """Paired differences (counterfactual − baseline) of tension and net relation per dyad."""
        src, tgt, var, lo = _dyad_series(actors, (("tension", -1.0), ("net_relation", -2.0)))
        lo_arr = np.array(lo)
        return Series(tuple(src), tuple(tgt), tuple(var), lo_arr, -lo_arr, zero_point=True)


def _dyad_series(actors: tuple[str, ...], variables) -> tuple[list, list, list, list]:
    """(sources, targets, variables, lower bounds) of per-dyad series, codes sorted in a dyad."""
    Id, Jd = unordered_pairs(len(actors))
    src, tgt, var, lo = [], [], [], []
    for v, low in variables:
        for i, j in zip(Id, Jd):
            a, b = sorted((actors[i], actors[j]))
            src.append(a)
            tgt.append(b)
            var.append(v)
            lo.append(low)
    return src, tgt, var, lo


DIFF_BINS_FACTOR = 4  # paired differences are small: 4x finer bins (0.0005 for tension)


def difference_stats(actors: tuple[str, ...], n_days: int, bins: int) -> "DailyStats":
    """Daily statistics of paired differences (counterfactual − baseline) per dyad."""
    return DailyStats(actors, n_days, bins * DIFF_BINS_FACTOR, Series.differences(actors))


def dyad_names(actors: tuple[str, ...]) -> list[str]:
    """Dyad names in engine order (pairs i<j of the config order), codes sorted within."""
    Id, Jd = unordered_pairs(len(actors))
    return ["-".join(sorted((actors[i], actors[j]))) for i, j in zip(Id, Jd)]


@njit(cache=True)
def bin_state(H, C, kind, si, sj, scale, shift, hi, B, hist, sums):
    """Histogram and fixed-point sum of every series of the state, in one pass.

    Bin k (1..B) covers (k-1, k] bin widths above the lower bound; bin 0 holds values at
    the lower bound, bin B+1 values at the upper bound (clipped values are exact).
    """
    R = H.shape[2]
    # per series: the values, then bins and sum in a branch-free pass (it vectorises), then
    # the counts into four partial histograms (replicate r into lane r mod 4: consecutive
    # replicates often share a bin, and one counter would make each increment wait)
    v = np.empty(R)
    kb = np.empty(R, dtype=np.int64)
    lanes = np.zeros((4, hist.shape[1]), dtype=np.int64)
    for s in range(kind.shape[0]):
        i, j, kd = si[s], sj[s], kind[s]
        if kd == 0:  # H and C are read where they are; tension and net relation computed into v
            src = H[i, j]
        elif kd == 1:
            src = C[i, j]
        elif kd == 2:
            for r in range(R):
                v[r] = (H[i, j, r] + H[j, i, r]) * 0.5
            src = v
        else:
            for r in range(R):
                v[r] = (C[i, j, r] + C[j, i, r]) * 0.5 - (H[i, j, r] + H[j, i, r]) * 0.5
            src = v
        top, sc, sh = hi[s], scale[s], shift[s]
        total = 0
        for r in range(R):
            x = src[r]
            kb[r] = B + 1 if x >= top else np.int64(math.ceil(x * sc + sh))
            total += np.int64(np.rint(x * FIXED))
        lanes[:] = 0
        for r in range(R):
            lanes[r & 3, kb[r]] += 1
        for k in range(hist.shape[1]):
            hist[s, k] += lanes[0, k] + lanes[1, k] + lanes[2, k] + lanes[3, k]
        sums[s] += total


@njit(cache=True)
def count_reached(max_rung, reached):
    """Add to ``reached[d, k]`` the replicates whose dyad d has reached at least rung k: one
    compare-and-count pass per rung (it vectorises; a histogram of the highest rungs
    would make each increment wait for the last)."""
    D, R = max_rung.shape
    for d in range(D):
        row = max_rung[d]
        reached[d, 0] += R
        for k in range(1, reached.shape[1]):
            n = 0
            for r in range(R):
                n += row[r] >= k
            reached[d, k] += n


@njit(cache=True)
def invert_cdf(hist, n, qs, left, width, out):
    """``out[d, s, i]``: quantile ``qs[i]`` of the histogram ``hist[d, s]`` of ``n`` values,
    bin k covering (left[s, k], left[s, k] + width[s, k]]: the first bin whose cumulative
    count reaches q·n (never an empty bin before the first filled one), and the fraction
    of its count needed, spread evenly over its width. One pass over each row's bins."""
    D, S, B = hist.shape
    cum = np.empty(B, dtype=np.int64)
    for d in range(D):
        for s in range(S):
            row = hist[d, s]
            c = 0
            first = -1
            for k in range(B):
                c += row[k]
                cum[k] = c
                if first < 0 and row[k] > 0:
                    first = k
            first = max(first, 0)
            for i in range(qs.shape[0]):
                target = qs[i] * n
                k = 0
                while k < B and cum[k] < target:
                    k += 1
                if k == B:  # no bin reaches the target: as argmax of all-False, bin 0
                    k = 0
                k = max(k, first)
                count = row[k]
                below = cum[k] - count
                frac = min(max((target - below) / max(count, 1), 0.0), 1.0)
                out[d, s, i] = left[s, k] + width[s, k] * frac


class DailyStats:
    """Histogram, fixed-point sums and rung incidence, per day, for one scenario."""

    def __init__(self, actors: tuple[str, ...], n_days: int, bins: int, series: Series | None = None):
        self.series = series or Series.for_actors(actors)
        self.n_days, self.bins = n_days, bins
        S = len(self.series)
        # bins: [value == lo] [interior ...] [value == hi] [spare]; with zero_point the
        # interior is split at 0 by a bin for value == 0 (bins must then be even)
        self.hist = np.zeros((n_days, S, bins + 3), dtype=np.int32)  # < 2^31 replicates
        self.sums = np.zeros((n_days, S), dtype=np.int64)
        n_dyads = len(unordered_pairs(len(actors))[0])
        # rung incidence (unused for difference series)
        self.reached = np.zeros((n_days, n_dyads, N_RUNGS + 1), dtype=np.int64)
        self.reached_endo = np.zeros_like(self.reached)  # by endogenous acts only (provenance)
        self.n = 0
        self._offsets = (np.arange(S) * (bins + 3))[:, None]
        self._scale = (bins / (self.series.hi - self.series.lo))[:, None]
        self._lo = self.series.lo[:, None]
        self._hi = self.series.hi[:, None]
        self._shift = self._offsets - self._lo * self._scale  # exact: small integers and powers of 2
        self._left, self._width = self._edges()

    def _edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Left edge and width of every bin, per series (width 0: a point mass)."""
        S, B = len(self.series), self.bins
        left = np.zeros((S, B + 3))
        width = np.zeros((S, B + 3))
        w = (self.series.hi - self.series.lo) / B
        for s in range(S):
            lo, hi = self.series.lo[s], self.series.hi[s]
            interior = lo + w[s] * np.arange(B)
            left[s, 0], left[s, B + 1], left[s, B + 2] = lo, hi, hi
            if self.series.zero_point:
                h = B // 2
                left[s, 1:h + 1], width[s, 1:h + 1] = interior[:h], w[s]
                left[s, h + 1] = 0.0
                left[s, h + 2:B + 2], width[s, h + 2:B + 2] = interior[h:], w[s]
                left[s, B + 2] = hi
            else:
                left[s, 1:B + 1], width[s, 1:B + 1] = interior, w[s]  # bin k: (left, left + w]
        return left, width

    def values(self, model) -> np.ndarray:
        """The series of the model's current state, shape (S, R): the numpy statement of
        what ``bin_state`` reads, kept as the tests' reference."""
        N, K = model.N, len(model.Io)
        D = len(model.Id)
        flat = model.S.reshape(2 * N * N, -1)
        V = np.empty((2 * K + 2 * D, flat.shape[1]))
        rows = np.concatenate([model.Io * N + model.Jo, N * N + model.Io * N + model.Jo])
        np.take(flat, rows, axis=0, out=V[: 2 * K])
        ten, net = V[2 * K: 2 * K + D], V[2 * K + D:]
        np.add(flat[model.Id * N + model.Jd], flat[model.Jd * N + model.Id], out=ten)
        ten *= 0.5
        np.add(flat[N * N + model.Id * N + model.Jd], flat[N * N + model.Jd * N + model.Id], out=net)
        net *= 0.5
        net -= ten
        return V

    def observe(self, t: int, model) -> None:
        if t == 0:
            self.n += model.R
            self._kind, self._si, self._sj = self._layout(model)
        bin_state(model.S[0], model.S[1], self._kind, self._si, self._sj, self._scale[:, 0],
                  -self._lo[:, 0] * self._scale[:, 0], self._hi[:, 0], self.bins, self.hist[t], self.sums[t])
        count_reached(model.max_rung, self.reached[t])
        count_reached(model.max_rung_endo, self.reached_endo[t])

    def _layout(self, model):
        """Per series: kind (0 H, 1 C, 2 tension, 3 net relation) and its pair (i, j)."""
        K, D = len(model.Io), len(model.Id)
        kind = np.repeat([0, 1, 2, 3], [K, K, D, D])
        si = np.concatenate([model.Io, model.Io, model.Id, model.Id])
        sj = np.concatenate([model.Jo, model.Jo, model.Jd, model.Jd])
        return kind, si, sj

    def observe_values(self, t: int, V: np.ndarray) -> None:
        """Bin and sum the (S, R) values of day t."""
        if t == 0:
            self.n += V.shape[1]
        B = self.bins
        size = self.hist.shape[1] * self.hist.shape[2]
        if self.series.zero_point:
            U = (V - self._lo) * self._scale  # 0 .. bins
            idx = np.minimum(U.astype(np.int64), B - 1) + 1
            idx += idx > B // 2
            idx[V == 0] = B // 2 + 1
            idx[U <= 0] = 0
            idx[U >= B] = B + 2
            idx += self._offsets
            counts = np.bincount(idx.ravel(), minlength=size).reshape(self.hist.shape[1:])
        else:
            # bin k covers (k-1, k] in units of the bin width; ceil puts the lower bound in
            # its own bin 0 and the upper bound in bin `bins`, moved to bin bins+1 below
            W = V * self._scale
            W += self._shift
            np.ceil(W, out=W)
            counts = np.bincount(W.astype(np.int64).ravel(), minlength=size).reshape(self.hist.shape[1:])
            at_top = (V >= self._hi).sum(axis=1)
            counts[:, B] -= at_top
            counts[:, B + 1] += at_top
        self.hist[t] += counts
        # integers below 2^53 are exact in float64: chunks of up to 2^21 replicates
        self.sums[t] += np.rint(V * FIXED).sum(axis=1).astype(np.int64)

    def merge(self, other: "DailyStats") -> None:
        """Add another chunk's counts (exact: integers)."""
        self.hist += other.hist
        self.sums += other.sums
        self.reached += other.reached
        self.reached_endo += other.reached_endo
        self.n += other.n

    # -- read-outs --------------------------------------------------------------------
    def mean(self) -> np.ndarray:
        """(days, S) ensemble means."""
        return self.sums / (FIXED * self.n)

    def quantiles(self, qs=QUANTILES, days: slice = slice(None)) -> np.ndarray:
        """(days, S, len(qs)) quantiles of the days selected by ``days`` (default all): the
        binned CDF inverted, mass spread evenly over a bin (``invert_cdf``)."""
        hist = np.ascontiguousarray(self.hist[days])
        out = np.empty(hist.shape[:2] + (len(qs),))
        invert_cdf(hist, float(self.n), np.asarray(qs, dtype=float), self._left, self._width, out)
        return out

    def p_reached(self, origin: str = "any") -> np.ndarray:
        """(days, dyads, 7) share of replicates whose dyad reached at least rung k by the day,
        by any act or (``origin="endogenous"``) by the model's own acts only."""
        return (self.reached if origin == "any" else self.reached_endo) / self.n
