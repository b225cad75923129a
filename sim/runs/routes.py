"""Escalation routes: the sequence of rungs a dyad first reaches, with their dates.

A replicate's route is the set of rungs its dyad's highest-rung-so-far takes as values
(a jump straight from 0 to 4 skips 1–3); since the maximum only rises, the set fixes the
order, so a route is a 6-bit mask and the whole distribution is 64 counts per dyad.
Step dates are kept as day histograms, so nothing grows with the number of replicates.

Routes come by origin (docs/design/escalation.md §8): ``any`` act (scripted or the
model's own) and ``endogenous`` acts only, the latter kept in ``RouteStats.endogenous``.
"""
from __future__ import annotations

import numpy as np

from sim.engine.ladder import N_RUNGS

N_ROUTES = 2**N_RUNGS


def route_masks(first_reach: np.ndarray) -> np.ndarray:
    """(dyads, R) route masks from first-reach days (7, dyads, R); bit k-1 = rung k on the route."""
    reached = first_reach[1:] >= 0  # (6, D, R)
    nxt = np.concatenate([first_reach[2:], np.full_like(first_reach[:1], -1)])  # rung k+1's day
    on = reached & ((nxt < 0) | (nxt > first_reach[1:]))
    weights = (1 << np.arange(N_RUNGS))[:, None, None]
    return (on * weights).sum(axis=0)


def route_rungs(mask: int) -> list[int]:
    return [k + 1 for k in range(N_RUNGS) if mask >> k & 1]


def route_name(mask: int) -> str:
    return ">".join(["0", *map(str, route_rungs(mask))])


ORIGINS = ("any", "endogenous")


class RouteStats:
    """Route counts and step-day histograms of one scenario, per dyad (any act); the routes
    of the endogenous acts alone in ``endogenous`` (another RouteStats) once they are added."""

    def __init__(self, n_dyads: int, n_days: int):
        self.counts = np.zeros((n_dyads, N_ROUTES), dtype=np.int64)
        self.step_days = np.zeros((n_dyads, N_ROUTES, N_RUNGS, n_days), dtype=np.int64)
        self.n = 0
        self.endogenous: RouteStats | None = None

    def by_origin(self) -> dict[str, "RouteStats"]:
        """{"any": self, "endogenous": …} (the latter only when it was counted)."""
        return {"any": self, **({"endogenous": self.endogenous} if self.endogenous is not None else {})}

    def _endo(self) -> "RouteStats":
        if self.endogenous is None:
            self.endogenous = RouteStats(*self.step_days.shape[::3])
        return self.endogenous

    def add(self, first_reach: np.ndarray, first_reach_endo: np.ndarray | None = None) -> np.ndarray:
        """Count a chunk's routes (and, given ``first_reach_endo``, its endogenous routes);
        return the any-act masks (for pairing)."""
        if first_reach_endo is not None:
            self._endo().add(first_reach_endo)
        masks = route_masks(first_reach)
        D, R = masks.shape
        self.n += R
        n_days = self.step_days.shape[-1]
        for d in range(D):
            self.counts[d] += np.bincount(masks[d], minlength=N_ROUTES)
            for k in range(1, N_RUNGS + 1):
                on = (masks[d] >> (k - 1) & 1).astype(bool)
                if on.any():
                    idx = masks[d][on] * n_days + first_reach[k, d][on]
                    self.step_days[d, :, k - 1] += np.bincount(idx, minlength=N_ROUTES * n_days).reshape(N_ROUTES, n_days)
        return masks

    def merge(self, other: "RouteStats") -> None:
        self.counts += other.counts
        self.step_days += other.step_days
        self.n += other.n
        if other.endogenous is not None:
            self._endo().merge(other.endogenous)

    def transitions(self) -> np.ndarray:
        """(dyads, 7, 7) counts of steps a -> b along the routes (a = 0 is the start)."""
        out = np.zeros((self.counts.shape[0], N_RUNGS + 1, N_RUNGS + 1), dtype=np.int64)
        for mask in range(1, N_ROUTES):
            rungs = [0, *route_rungs(mask)]
            for a, b in zip(rungs, rungs[1:]):
                out[:, a, b] += self.counts[:, mask]
        return out

    def step_quantiles(self, d: int, mask: int, qs=(0.25, 0.5, 0.75)) -> list[list[int]]:
        """Day quantiles of each step of a route in dyad d: one list per rung on the route."""
        out = []
        for k in route_rungs(mask):
            h = self.step_days[d, mask, k - 1]
            cum = np.cumsum(h)
            out.append([int(np.searchsorted(cum, q * cum[-1], side="left")) for q in qs])
        return out
