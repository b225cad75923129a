"""Dated events and their per-replicate realisation (no parsing here: ``sim/config/events.py``).

Dates become day indices once, here. An event's nominal ``date`` and ``precision`` give a
window (the day, the month or the year); the realised day of each replicate is drawn
uniformly inside the part of the window that lies in the horizon, from the event's own
keyed stream (``event:<id>``), so adding or removing one event shifts nobody else's draws.
An event may instead be ``anchor``-ed to an earlier event ("during the same", "after
which"): its day is the anchor's realised day plus ``lag_days`` (a number, or a
``[lo, hi]`` range drawn per replicate), clipped into its own window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from sim.engine.ladder import Ladder
from sim.engine.rng import Stream

PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class Event:
    id: str
    date: dt.date
    precision: str
    source: str
    target: str
    cameo: str
    goldstein: float
    attribution: float = 1.0
    mutual: bool = False
    summary: str = ""
    quote: str = ""
    anchor: str | None = None
    lag_days: tuple[int, int] = (0, 0)
    scale: float = 1.0  # set by the counterfactual op `scale`
    shift_days: int = 0  # set by the counterfactual op `shift`: window (and so the day) moves

    def window(self) -> tuple[dt.date, dt.date]:
        """First and last calendar day the article's precision allows."""
        d = self.date
        if self.precision == "day":
            return d, d
        if self.precision == "month":
            nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            return d, nxt - dt.timedelta(days=1)
        return d, dt.date(d.year, 12, 31)

    def as_dict(self) -> dict[str, Any]:
        lo, hi = (d + dt.timedelta(days=self.shift_days) for d in self.window())
        return {
            "id": self.id, "date": self.date.isoformat(), "window": [lo.isoformat(), hi.isoformat()],
            "precision": self.precision, "source": self.source, "target": self.target,
            "cameo": self.cameo, "goldstein": self.goldstein, "attribution": self.attribution,
            "mutual": self.mutual, "summary": self.summary, "quote": self.quote,
            "anchor": self.anchor, "lag_days": list(self.lag_days), "scale": self.scale,
            "shift_days": self.shift_days,
        }


def anchor_order(events: Sequence[Event]) -> list[int]:
    """Indices of ``events`` with every anchor before its dependents (anchors are checked
    when the timeline is built: ``sim/config/events.check_anchors``)."""
    index = {ev.id: k for k, ev in enumerate(events)}
    order: list[int] = []
    placed: set[int] = set()
    for k in range(len(events)):
        chain = [k]
        while events[chain[-1]].anchor is not None:
            j = index[events[chain[-1]].anchor]
            if j in placed or j in chain:
                break
            chain.append(j)
        for j in reversed(chain):
            placed.add(j)
            order.append(j)
    return order


def dependents(events: Sequence[Event], eid: str) -> list[str]:
    """Ids of the events anchored, directly or not, to ``eid``."""
    out: list[str] = []
    frontier = [eid]
    while frontier:
        cur = frontier.pop()
        for ev in events:
            if ev.anchor == cur and ev.id not in out:
                out.append(ev.id)
                frontier.append(ev.id)
    return out


@dataclass
class Realised:
    """Per-replicate days of every event over one chunk of replicates.

    ``day[e, r]`` is the day index of event ``e`` in replicate ``r`` (-1: not in the
    horizon), ``attributed[e, r]`` whether the target treats it as the source's act.
    """

    events: list[Event]
    day: np.ndarray
    attributed: np.ndarray
    by_day: dict[int, list[int]] = field(default_factory=dict)


def realise(events: Sequence[Event], start: dt.date, n_days: int, seed: int, lo: int, hi: int) -> Realised:
    """Draw each event's day and attribution for replicates ``lo .. hi-1`` (keyed by id)."""
    n = hi - lo
    day = np.full((len(events), n), -1, dtype=np.int64)
    attributed = np.zeros((len(events), n), dtype=bool)
    index = {ev.id: k for k, ev in enumerate(events)}
    by_day: dict[int, list[int]] = {}
    for k in anchor_order(events):
        ev = events[k]
        u_date, u_attr, u_lag = Stream(seed, f"event:{ev.id}", lo, hi).uniform((3,))
        w_lo, w_hi = ((d - start).days + ev.shift_days for d in ev.window())
        a, b = max(w_lo, 0), min(w_hi, n_days - 1)
        if a > b:
            continue  # window outside the horizon
        if ev.anchor is None:
            d = a + np.floor(u_date * (b - a + 1)).astype(np.int64)
        else:
            base = day[index[ev.anchor]]
            lag = ev.lag_days[0] + np.floor(u_lag * (ev.lag_days[1] - ev.lag_days[0] + 1)).astype(np.int64)
            d = np.where(base >= 0, np.clip(base + lag, a, b), -1)
        day[k] = d
        attributed[k] = u_attr < ev.attribution
    # Within a day events apply in id order, not list order, so where an op put an event
    # in the list never matters (removing and re-adding one is exactly the identity).
    for k in sorted(range(len(events)), key=lambda k: events[k].id):
        for t in np.unique(day[k][day[k] >= 0]).tolist():
            by_day.setdefault(t, []).append(k)
    return Realised(list(events), day, attributed, by_day)


def possible_days(ev: Event, events: Sequence[Event]) -> tuple[dt.date, dt.date]:
    """First and last date the event can fall on: its (shifted) window, narrowed for an
    anchored event to its anchor's possible dates plus the lag range."""
    lo, hi = (d + dt.timedelta(days=ev.shift_days) for d in ev.window())
    anchor = next((e for e in events if e.id == ev.anchor), None) if ev.anchor else None
    if anchor is not None:
        a_lo, a_hi = possible_days(anchor, events)
        lo = min(max(lo, a_lo + dt.timedelta(days=ev.lag_days[0])), hi)
        hi = max(min(hi, a_hi + dt.timedelta(days=ev.lag_days[1])), lo)
    return lo, hi


def event_rung(ev: Event, ladder: Ladder) -> int:
    """Rung of an event's act (0 for cooperative or neutral codes)."""
    return ladder.rung_of(ev.cameo) if ev.goldstein < 0 else 0


def with_scale(ev: Event, factor: float) -> Event:
    return replace(ev, scale=ev.scale * factor)
