"""Dated events and their per-replicate realisation (no parsing here: ``sim/config/events.py``).

Dates become day indices once, here. An event's nominal ``date`` and ``precision`` give a
window (the day, the month or the year); the realised day of each replicate is drawn
uniformly inside the part of the window that lies in the horizon, from the event's own
keyed stream (``event:<id>``), so adding or removing one event shifts nobody else's draws.
An event may instead be ``anchor``-ed to an earlier event ("during the same", "after
which"): its day is the anchor's realised day plus ``lag_days`` (a number, or a
``[lo, hi]`` range), the lag drawn uniformly over the lags that keep the event inside its
own window (truncated, so nothing piles on a window end; the window's nearest end only if
no lag fits). ``after: ID`` orders without causing: the day is uniform over the part of
the window from ID's day on (ID absent or outside the horizon: the whole window).

Events may share an ``occasion`` (a visit, one announcement): per channel (occasion,
actor, target, sign) and replicate their joint magnitude is F = min(cap, Σ share^(l−1)
m_(l)) over the acts sorted by raw magnitude m = scale·|w|/10, applied cumulatively by day
and shared among a day's acts in proportion to m (``occasion_magnitudes``). Events may
change a diplomatic status (``status``; the table is ``STATUS``).
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
    sources: tuple[str, ...] = ()  # provenance of a fact not from the article: "Outlet, YYYY-MM-DD: ..."
    anchor: str | None = None
    lag_days: tuple[int, int] = (0, 0)
    scale: float = 1.0  # set by the counterfactual op `scale`
    shift_days: int = 0  # set by the counterfactual op `shift`: window (and so the day) moves
    status: tuple[tuple[str, str], ...] = ()  # (key, value) changes of a mission (STATUS)
    occasion: str | None = None  # events of one occasion have a bounded joint impact
    after: str | None = None  # ordering without causation: not before this event's day

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
            "sources": list(self.sources),
            "anchor": self.anchor, "lag_days": list(self.lag_days), "scale": self.scale,
            "shift_days": self.shift_days, "status": dict(self.status) or None, "occasion": self.occasion,
            "after": self.after,
        }

    def parent(self) -> str | None:
        """The event whose realised day this one's draw depends on (anchor or after)."""
        return self.anchor if self.anchor is not None else self.after


# The diplomatic status of a mission (i's representation in j's capital): key -> (values,
# rupture weights, whose mission an event changes: the source's ("sender") or the target's
# ("host")). docs/design/escalation.md §4.1; the values' order gives the int8 codes.
STATUS: dict[str, tuple[tuple[str, ...], tuple[float, ...], str]] = {
    "embassy": (("none", "open", "suspended"), (0.3, 0.0, 0.4), "sender"),
    "ambassador": (("none", "present", "recalled"), (0.1, 0.0, 0.2), "sender"),
    "staff": (("normal", "reduced"), (0.0, 0.2), "host"),
}
STATUS_KEYS = tuple(STATUS)
STATUS_DEFAULT = {"embassy": "open", "ambassador": "present", "staff": "normal"}


def status_code(key: str, value: str) -> int:
    return STATUS[key][0].index(value)


# Thaw (issue 21): a downgraded status returns to normal after a random delay. key index ->
# (downgraded code, normal code); `none` (no relations) never thaws by itself.
THAW: dict[int, tuple[int, int]] = {0: (2, 1), 1: (2, 1), 2: (1, 0)}
NEVER = 2**40  # a day after any horizon


def thaw_delays(seed: int, event_id: str, lo: int, hi: int, half_life: float) -> np.ndarray:
    """Days (≥ 1) until the statuses an event downgraded return to normal (together: a
    suspended embassy reopens with its ambassador), per replicate lo … hi−1: geometric with
    P(delay > d) = 2^(−d/half_life). One uniform per replicate from the stream
    ``thaw:<event id>``, so the delay depends on the replicate and the event only (common
    random numbers: removing another event moves no thaw)."""
    u = Stream(seed, f"thaw:{event_id}", lo, hi).uniform(())
    keep = 0.5 ** (1.0 / float(half_life))  # daily probability of staying downgraded
    if keep >= 1.0:
        return np.full(hi - lo, NEVER, dtype=np.int64)
    d = 1.0 + np.floor(np.log1p(-u) / np.log(keep))
    return np.minimum(d, NEVER).astype(np.int64)


def status_weights() -> np.ndarray:
    """(3, 3) rupture weight of each key's code (unused codes 0)."""
    w = np.zeros((len(STATUS_KEYS), 3))
    for k, key in enumerate(STATUS_KEYS):
        w[k, :len(STATUS[key][1])] = STATUS[key][1]
    return w


def status_changes(ev: Event, actors: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """(mission holder, host, key index, code) of the event's status changes: a sender key
    changes the source's mission in the target, a host key the target's in the source."""
    s, g = actors.index(ev.source), actors.index(ev.target)
    out = []
    for key, value in ev.status:
        i, j = (s, g) if STATUS[key][2] == "sender" else (g, s)
        out.append((i, j, STATUS_KEYS.index(key), status_code(key, value)))
    return out


def anchor_order(events: Sequence[Event]) -> list[int]:
    """Indices of ``events`` with every anchor before its dependents (anchors are checked
    when the timeline is built: ``sim/config/events.check_anchors``)."""
    index = {ev.id: k for k, ev in enumerate(events)}
    order: list[int] = []
    placed: set[int] = set()
    for k in range(len(events)):
        chain = [k]
        while events[chain[-1]].parent() in index:  # an `after` event removed by an op: no edge
            j = index[events[chain[-1]].parent()]
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
    # event index -> (2, R) magnitudes of its act in the written direction and the reverse
    # one (mutual), for events of an occasion; others use scale·|w|/10
    magnitude: dict[int, np.ndarray] = field(default_factory=dict)


def realise(events: Sequence[Event], start: dt.date, n_days: int, seed: int, lo: int, hi: int,
            occasion: tuple[float, float] = (0.5, 1.0)) -> Realised:
    """Draw each event's day and attribution for replicates ``lo .. hi-1`` (keyed by id);
    ``occasion`` = (share, cap) of the occasions' joint magnitude."""
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
        if ev.anchor is not None and ev.anchor in index:
            base = day[index[ev.anchor]]
            # the lags that keep the event inside its window; if none, the window's nearest end
            l_lo = np.maximum(ev.lag_days[0], a - base)
            l_hi = np.minimum(ev.lag_days[1], b - base)
            lag = l_lo + np.floor(u_lag * (np.maximum(l_hi - l_lo, 0) + 1)).astype(np.int64)
            d = np.where(l_lo <= l_hi, base + lag, np.where(base + ev.lag_days[1] < a, a, b))
            d = np.where(base >= 0, d, -1)
        elif ev.after is not None and ev.after in index:
            first = np.clip(day[index[ev.after]], a, b + 1)  # not simulated (-1): the whole window
            first = np.where(day[index[ev.after]] >= 0, first, a)
            d = np.where(first <= b, first + np.floor(u_date * (b - first + 1)).astype(np.int64), b)
        else:
            d = a + np.floor(u_date * (b - a + 1)).astype(np.int64)
        day[k] = d
        attributed[k] = u_attr < ev.attribution
    # Within a day events apply in id order, not list order, so where an op put an event
    # in the list never matters (removing and re-adding one is exactly the identity).
    for k in sorted(range(len(events)), key=lambda k: events[k].id):
        for t in np.unique(day[k][day[k] >= 0]).tolist():
            by_day.setdefault(t, []).append(k)
    magnitude = occasion_magnitudes(events, day, attributed, *occasion)
    return Realised(list(events), day, attributed, by_day, magnitude)


def occasion_bound(m: np.ndarray, share: float, cap: float) -> np.ndarray:
    """F = min(cap, Σ_l share^(l−1) m_(l)) over axis 0 (m_(1) ≥ m_(2) ≥ …; zeros add nothing)."""
    srt = -np.sort(-m, axis=0)
    w = share ** np.arange(m.shape[0], dtype=float)
    return np.minimum(cap, np.tensordot(w, srt, axes=(0, 0)))


def occasion_magnitudes(events: Sequence[Event], day: np.ndarray, attributed: np.ndarray,
                        share: float, cap: float) -> dict[int, np.ndarray]:
    """Per event of an occasion, the (2, R) magnitudes that give every channel exactly
    F(acts up to day t) by the end of day t, the day's increment shared among its acts in
    proportion to their raw magnitudes (order-free: F depends on the set only)."""
    channels: dict[tuple, list[tuple[int, int]]] = {}  # (occasion, actor, target, sign) -> (event, direction)
    for k, ev in enumerate(events):
        if ev.occasion is None or ev.goldstein == 0:
            continue
        pairs = ((ev.source, ev.target), (ev.target, ev.source)) if ev.mutual else ((ev.source, ev.target),)
        for direction, (x, y) in enumerate(pairs):
            channels.setdefault((ev.occasion, x, y, ev.goldstein > 0), []).append((k, direction))
    out: dict[int, np.ndarray] = {}
    R = day.shape[1]
    for members in channels.values():
        ks = [k for k, _ in members]
        on = (day[ks] >= 0) & attributed[ks]  # (n, R)
        raw = np.array([events[k].scale * abs(events[k].goldstein) / 10.0 for k in ks])[:, None] * on
        d = np.where(on, day[ks], -1)
        for e, (k, direction) in enumerate(members):
            upto = on & (d <= d[e])  # the channel's acts by the end of this act's day
            before = on & (d < d[e])
            same = on & (d == d[e])
            inc = occasion_bound(raw * upto, share, cap) - occasion_bound(raw * before, share, cap)
            tot = (raw * same).sum(axis=0)
            mag = np.where(on[e] & (tot > 0), inc * raw[e] / np.where(tot > 0, tot, 1.0), 0.0)
            out.setdefault(k, np.zeros((2, R)))[direction] = mag
    return out


def possible_days(ev: Event, events: Sequence[Event]) -> tuple[dt.date, dt.date]:
    """First and last date the event can fall on: its (shifted) window, narrowed for an
    anchored event to its anchor's possible dates plus the lag range."""
    lo, hi = (d + dt.timedelta(days=ev.shift_days) for d in ev.window())
    anchor = next((e for e in events if e.id == ev.anchor), None) if ev.anchor else None
    if anchor is not None:
        a_lo, a_hi = possible_days(anchor, events)
        lo = min(max(lo, a_lo + dt.timedelta(days=ev.lag_days[0])), hi)
        hi = max(min(hi, a_hi + dt.timedelta(days=ev.lag_days[1])), lo)
    after = next((e for e in events if e.id == ev.after), None) if ev.after else None
    if after is not None:
        lo = min(max(lo, possible_days(after, events)[0]), hi)
    return lo, hi


def event_rung(ev: Event, ladder: Ladder) -> int:
    """Rung of an event's act (0 for cooperative or neutral codes)."""
    return ladder.rung_of(ev.cameo) if ev.goldstein < 0 else 0


def with_scale(ev: Event, factor: float) -> Event:
    return replace(ev, scale=ev.scale * factor)
