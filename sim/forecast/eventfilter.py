"""The event filter: the strongest cheap competitor of the simulation. It reads the same
timeline the model reads (the events realised before the origin, per replicate), and keeps
for each dyad a decayed sum of the events' Goldstein weights:

    s_t = λ·s_{t−1} + Σ_{events e of the dyad on day t} scale_e·w_e/10,    λ = 2^(−1/half_life)

(w_e the event's Goldstein weight, /10 as the engine scales an act, either direction of the
pair). x_m = the calendar-month mean of s_t, per replicate; it then goes through the same
observation model as the simulation's net relation (`sim.forecast.observation`, x̄ = 0: no
event yet). The half-life is fitted on the training months only: the one of ``HALF_LIVES``
whose fitted observation model gives the training months the highest exact AR(1)
log-likelihood (ties: the shorter). So the simulation is compared with a filter that had the
same events and the same chance to fit.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from sim.forecast import observation as ob

HALF_LIVES = (3, 7, 14, 30, 60, 90, 180, 365)  # days


def impulses(days: np.ndarray, events: Sequence, dyads: Sequence[str], n_days: int) -> np.ndarray:
    """``(R, n_days, D)`` daily sums of scale·w/10 of the events realised on each day (``days``:
    ``(E, R)`` day index per event and replicate, −1: not realised or not yet known)."""
    E, R = days.shape
    out = np.zeros((R, n_days, len(dyads)))
    col = {d: i for i, d in enumerate(dyads)}
    for e, ev in enumerate(events):
        d = col.get("-".join(sorted((ev.source, ev.target))))
        if d is None or ev.goldstein == 0:
            continue
        r = np.flatnonzero((days[e] >= 0) & (days[e] < n_days))
        np.add.at(out, (r, days[e, r], d), ev.scale * ev.goldstein / 10.0)
    return out


def monthly(imp: np.ndarray, half_life: float, day_month: np.ndarray, n_months: int) -> np.ndarray:
    """``(R, n_months, D)`` calendar-month means of the decayed sum of ``imp (R, days, D)``;
    ``day_month``: the month index of each day."""
    lam = 2.0 ** (-1.0 / half_life)
    R, T, D = imp.shape
    s = np.zeros((R, D))
    acc = np.zeros((R, n_months, D))
    for t in range(T):
        s = lam * s + imp[:, t]
        acc[:, day_month[t]] += s
    days_in = np.bincount(day_month, minlength=n_months).astype(float)
    return acc / np.maximum(days_in, 1.0)[None, :, None]


def fit_half_life(y: np.ndarray, x_by_half_life: dict[float, np.ndarray]) -> tuple[float, dict[float, float]]:
    """The half-life whose observation model fits the training months ``y (T,)`` best; each
    candidate's x ``(T,)`` is the ensemble-mean filter (NaN before the model's first month).
    Returns it and every candidate's log-likelihood."""
    ll = {}
    for hl, x in x_by_half_life.items():
        p = ob.fit(y, x, 0.0)
        ll[hl] = float(ob.log_likelihood(y, x, p))
    best = max(sorted(ll), key=lambda k: (ll[k], -k))
    return best, ll
