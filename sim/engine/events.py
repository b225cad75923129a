"""Dated events: loading, validation, CAMEO lookup, and per-replicate realisation.

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
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import yaml

from sim.engine import cameo
from sim.errors import EventError
from sim.engine.ladder import Ladder
from sim.engine.rng import Stream

PRECISIONS = ("day", "month", "year")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {
    "id", "date", "precision", "source", "target", "cameo", "goldstein", "attribution",
    "mutual", "summary", "quote", "anchor", "lag_days",
}


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


def parse_date(value: Any, key: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) from a string or a YAML date; EventError names ``key``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise EventError(f"{key}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2023-01-27") from None


def parse_event(raw: Any, actors: Sequence[str], where: str) -> Event:
    """Validate one raw mapping against spec §3; messages name ``where`` and the field."""
    if not isinstance(raw, dict):
        raise EventError(f"{where}: an event must be a mapping with keys {sorted(_FIELDS)}")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise EventError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    for req in ("id", "date", "source", "target", "cameo"):
        if raw.get(req) is None:
            raise EventError(f"{where}.{req}: required field is missing")
    eid = str(raw["id"])
    if not _ID.match(eid):
        raise EventError(f"{where}.id: {eid!r} is not snake_case (lower-case letters, digits, _)")
    where = f"{where} (id {eid})"
    precision = str(raw.get("precision", "day"))
    if precision not in PRECISIONS:
        raise EventError(f"{where}.precision: {precision!r}; allowed: {', '.join(PRECISIONS)}")
    date = parse_date(raw["date"], f"{where}.date")
    if precision == "month" and date.day != 1 or precision == "year" and (date.month, date.day) != (1, 1):
        raise EventError(f"{where}.date: with precision {precision} the date must be the first day of the {precision}")
    for role in ("source", "target"):
        if raw[role] not in actors:
            raise EventError(f"{where}.{role}: {raw[role]!r} is not a configured actor; allowed: {', '.join(actors)}")
    if raw["source"] == raw["target"]:
        raise EventError(f"{where}: source and target are both {raw['source']!r}; an event is between two actors")
    code = str(raw["cameo"])
    try:
        entry = cameo.lookup(code)
    except KeyError:
        raise EventError(f"{where}.cameo: {code!r} is not in the CAMEO table (sim/data/cameo_goldstein.tsv, GDELT column)") from None
    goldstein = entry.goldstein if raw.get("goldstein") is None else _number(raw["goldstein"], f"{where}.goldstein")
    if not -10 <= goldstein <= 10:
        raise EventError(f"{where}.goldstein: {goldstein} is outside [-10, 10]")
    attribution = _number(raw.get("attribution", 1.0), f"{where}.attribution")
    if not 0 <= attribution <= 1:
        raise EventError(f"{where}.attribution: {attribution} is outside [0, 1]")
    mutual = raw.get("mutual", False)
    if not isinstance(mutual, bool):
        raise EventError(f"{where}.mutual: {mutual!r}; allowed: true, false")
    lag = raw.get("lag_days", 0)
    lag_pair = tuple(lag) if isinstance(lag, (list, tuple)) else (lag, lag)
    if len(lag_pair) != 2 or not all(isinstance(x, int) and x >= 0 for x in lag_pair) or lag_pair[0] > lag_pair[1]:
        raise EventError(f"{where}.lag_days: {lag!r}; use a whole number of days >= 0 or a range [lo, hi]")
    anchor = raw.get("anchor")
    if anchor is None and lag_pair != (0, 0):
        raise EventError(f"{where}.lag_days: only meaningful with an anchor")
    return Event(
        id=eid, date=date, precision=precision, source=raw["source"], target=raw["target"],
        cameo=code, goldstein=float(goldstein), attribution=float(attribution), mutual=mutual,
        summary=str(raw.get("summary", "")), quote=str(raw.get("quote", "")),
        anchor=None if anchor is None else str(anchor), lag_days=lag_pair,  # type: ignore[arg-type]
    )


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EventError(f"{key}: {value!r} is not a number")
    return float(value)


def parse_events(raw: Iterable[Any], actors: Sequence[str], where: str = "events.timeline",
                 lines: Sequence[int] | None = None) -> list[Event]:
    """Validate a list of raw events: fields, unique ids, anchors that exist. ``lines``
    (of a file) put "line N" into the messages."""
    events: list[Event] = []
    seen: set[str] = set()
    for k, item in enumerate(raw):
        at = f"{where}[{k}]" if lines is None else f"{where} line {lines[k]} (event {k})"
        ev = parse_event(item, actors, at)
        if ev.id in seen:
            raise EventError(f"{at}.id: duplicate event id {ev.id!r}")
        seen.add(ev.id)
        events.append(ev)
    check_anchors(events, where)
    return events


def check_anchors(events: Sequence[Event], where: str = "events") -> list[int]:
    """Indices of ``events`` with every anchor before its dependents; EventError on a
    missing anchor or a cycle."""
    index = {ev.id: k for k, ev in enumerate(events)}
    for k, ev in enumerate(events):
        if ev.anchor is not None and ev.anchor not in index:
            raise EventError(f"{where}[{k}].anchor: {ev.anchor!r} is not an event id in this timeline")
    order: list[int] = []
    state: dict[int, int] = {}

    def visit(k: int, path: tuple[str, ...]) -> None:
        if state.get(k) == 2:
            return
        if state.get(k) == 1:
            raise EventError(f"{where}: anchors form a cycle: {' -> '.join(path)}")
        state[k] = 1
        anchor = events[k].anchor
        if anchor is not None:
            visit(index[anchor], path + (anchor,))
        state[k] = 2
        order.append(k)

    for k in range(len(events)):
        visit(k, (events[k].id,))
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


def load_event_file(path: str | Path, actors: Sequence[str]) -> list[Event]:
    """Events from a YAML file holding a list (spec §3)."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise EventError(f"events.file: cannot read {str(p)!r}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise EventError(f"events.file: {p}{at}: YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise EventError(f"events.file: {p} must hold a YAML list of events")
    node = yaml.compose(text)
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
    return parse_events(data, actors, where=f"{p}", lines=lines)


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
    for k in check_anchors(events):
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
