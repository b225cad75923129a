"""Counting ICEWS records as the model's observable (docs/ODD.md, "What a rung is in data").

The observable is a coded act between the two states' actors (``state_both``: both ends a
country, a state sector or a named state official), directed, at the rung the project's
ladder gives its CAMEO code (``sim.engine.ladder``, so 171/175/20 follow the ladder, not the
file's own ``rung`` column). Records are not incidents (one incident is coded on many days), so
counts are **dyad-days** (days with at least one act of the class) and **onsets** (a dyad-day
with no act of the class in the previous ``onset_days`` days: a de-clustered incident).

Rung classes: 1 (verbal conflict), 2–3 (sanctions, shows of force), 4–5 (violence).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from sim.engine.ladder import Ladder

CLASSES = ((1, 1), (2, 3), (4, 5))  # rung classes (lo, hi) inclusive
CLASS_NAMES = ("1", "2-3", "4-5")
ONSET_DAYS = 7


def class_of_rung(rung: np.ndarray) -> np.ndarray:
    """Class index 0..2 of rungs 1..6 (rung 6, war, counts with 4–5), −1 for rung 0."""
    r = np.asarray(rung)
    return np.select([r == 1, (r >= 2) & (r <= 3), r >= 4], [0, 1, 2], default=-1)


def read_acts(path: str | Path, ladder: Ladder, actors: Sequence[str], dataset: str = "ICEWS21",
              state_only: bool = True) -> pd.DataFrame:
    """One row per (date, source, target, rung) with at least one record, hostile rungs only:
    the distinct coded dyad-days of every rung between the actors."""
    ev = pd.read_csv(path, dtype={"cameo": str}, usecols=["date", "source", "target", "cameo", "state_both",
                                                          "dataset"])
    ev = ev[(ev.dataset == dataset) & ev.source.isin(actors) & ev.target.isin(actors)]
    if state_only:
        ev = ev[ev.state_both.astype(str).str.lower() == "true"]
    ev = ev.assign(rung=[ladder.rung_of(c) for c in ev.cameo], date=pd.to_datetime(ev.date).dt.date)
    ev = ev[ev.rung > 0]
    return ev[["date", "source", "target", "rung"]].drop_duplicates().reset_index(drop=True)


def daily_classes(acts: pd.DataFrame, pairs: Sequence[tuple[str, str]], start: dt.date, end: dt.date) -> np.ndarray:
    """(pairs, days, 3) bool: a coded act of the class on that day in that directed dyad."""
    n = (end - start).days + 1
    out = np.zeros((len(pairs), n, len(CLASSES)), dtype=bool)
    index = {p: k for k, p in enumerate(pairs)}
    for d, s, t, r in acts[["date", "source", "target", "rung"]].itertuples(index=False):
        k, day, c = index.get((s, t)), (d - start).days, int(class_of_rung(r))
        if k is not None and 0 <= day < n and c >= 0:
            out[k, day, c] = True
    return out


def onsets(days: np.ndarray, window: int = ONSET_DAYS) -> np.ndarray:
    """Onsets of (…, days, classes) dyad-days: a day with an act and none in the ``window``
    previous days (the first ``window`` days count as onsets when active: no earlier data)."""
    d = np.asarray(days, dtype=bool)
    prior = np.zeros_like(d)
    for lag in range(1, window + 1):
        prior[..., lag:, :] |= d[..., :-lag, :]
    return d & ~prior


def cluster_sizes(days: np.ndarray, window: int = ONSET_DAYS) -> list[np.ndarray]:
    """Per class: the number of coded dyad-days of each incident (onset up to the next onset)."""
    on = onsets(days, window)
    out = []
    for c in range(days.shape[-1]):
        sizes = []
        for k in range(days.shape[0]):
            idx = np.nonzero(on[k, :, c])[0]
            cum = np.concatenate([[0], np.cumsum(days[k, :, c])])
            bounds = np.append(idx, days.shape[1])
            sizes += [int(cum[b] - cum[a]) for a, b in zip(bounds[:-1], bounds[1:])]
        out.append(np.array(sizes, dtype=np.int64))
    return out


def month_index(start: dt.date, n_days: int) -> tuple[np.ndarray, list[str]]:
    """Month number of every day from ``start`` and the months' labels (YYYY-MM)."""
    dates = [start + dt.timedelta(days=t) for t in range(n_days)]
    labels = sorted({f"{d.year:04d}-{d.month:02d}" for d in dates})
    pos = {m: k for k, m in enumerate(labels)}
    return np.array([pos[f"{d.year:04d}-{d.month:02d}"] for d in dates]), labels


def monthly(days: np.ndarray, month_of_day: np.ndarray, n_months: int) -> np.ndarray:
    """(pairs, months, classes) sums of a daily (pairs, days, classes) array."""
    out = np.zeros((days.shape[0], n_months, days.shape[-1]), dtype=np.int64)
    for m in range(n_months):
        out[:, m] = days[:, month_of_day == m].sum(axis=1)
    return out
