"""Event entries and event files: parsing and validation against spec §3.

The engine (``sim/engine/events.py``) holds the ``Event`` and draws its day per replicate;
here raw mappings from the config or a YAML file become validated ``Event``s, and every
message names where the bad field is (``events.timeline[3]``, a file and its line).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from sim.config import safeyaml
from sim.engine import cameo
from sim.engine.events import PRECISIONS, STATUS, Event, possible_days
from sim.errors import EventError

_ID = re.compile(r"[a-z][a-z0-9_]*")  # matched with fullmatch: no trailing newline slips through
# The supported calendar: wide enough for any question about states, narrow enough that every
# date, window, shift and lag stays a valid date (and a valid Arrow date32) with room to spare.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
MAX_DAYS = (LAST_DATE - FIRST_DATE).days  # the largest shift or lag that can still land inside it
_FIELDS = {
    "id", "date", "precision", "source", "target", "cameo", "goldstein", "attribution",
    "mutual", "summary", "quote", "anchor", "lag_days", "status", "occasion", "after", "provenance",
}
_PROVENANCE = {"dataset": str, "event_id": str, "records": int}  # written by `triad import` (sim/events)


def parse_date(value: Any, key: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) from a string or a YAML date; EventError names ``key``."""
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value))
        except ValueError:
            raise EventError(f"{key}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2023-01-27") from None
    if not FIRST_DATE <= d <= LAST_DATE:
        raise EventError(f"{key}: {d} is outside the supported calendar {FIRST_DATE} .. {LAST_DATE}")
    return d


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
    eid = raw["id"]
    if not isinstance(eid, str) or not _ID.fullmatch(eid):
        raise EventError(f"{where}.id: {eid!r} is not snake_case (lower-case letters, digits, _)")
    where = f"{where} (id {eid})"
    precision = str(raw.get("precision", "day"))
    if precision not in PRECISIONS:
        raise EventError(f"{where}.precision: {precision!r}; allowed: {', '.join(PRECISIONS)}")
    date = parse_date(raw["date"], f"{where}.date")
    if precision == "month" and date.day != 1 or precision == "year" and (date.month, date.day) != (1, 1):
        raise EventError(f"{where}.date: with precision {precision} the date must be the first day of the {precision}")
    if precision == "year" and date.year == LAST_DATE.year + 1 or date > LAST_DATE:
        raise EventError(f"{where}.date: {date} is outside the supported calendar {FIRST_DATE} .. {LAST_DATE}")
    for role in ("source", "target"):
        if raw[role] not in actors:
            raise EventError(f"{where}.{role}: {raw[role]!r} is not a configured actor; allowed: {', '.join(actors)}")
    if raw["source"] == raw["target"]:
        raise EventError(f"{where}: source and target are both {raw['source']!r}; an event is between two actors")
    if not isinstance(raw["cameo"], str):  # unquoted 0150 is YAML's octal 104; 150 loses nothing but is a number
        raise EventError(f"{where}.cameo: {raw['cameo']!r}; write CAMEO codes as quoted strings, e.g. \"0150\"")
    code = raw["cameo"]
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
    if len(lag_pair) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_DAYS
                                     for x in lag_pair) or lag_pair[0] > lag_pair[1]:
        raise EventError(f"{where}.lag_days: {lag!r}; use a whole number of days in [0, {MAX_DAYS}] or a range "
                         "[lo, hi]")
    _check_provenance(raw.get("provenance"), f"{where}.provenance")
    anchor = raw.get("anchor")
    if anchor is None and lag_pair != (0, 0):
        raise EventError(f"{where}.lag_days: only meaningful with an anchor")
    after = raw.get("after")
    if after is not None and anchor is not None:
        raise EventError(f"{where}.after: not together with anchor (an anchor already orders the event); "
                         "keep one of them")
    for key in ("occasion", "after"):
        if raw.get(key) is not None and not (isinstance(raw[key], str) and _ID.fullmatch(raw[key])):
            raise EventError(f"{where}.{key}: {raw[key]!r} is not snake_case (lower-case letters, digits, _)")
    return Event(
        id=eid, date=date, precision=precision, source=raw["source"], target=raw["target"],
        cameo=code, goldstein=float(goldstein), attribution=float(attribution), mutual=mutual,
        summary=str(raw.get("summary", "")), quote=str(raw.get("quote", "")),
        anchor=None if anchor is None else str(anchor), lag_days=lag_pair,  # type: ignore[arg-type]
        status=parse_status(raw.get("status"), f"{where}.status"), occasion=raw.get("occasion"), after=after,
    )


def parse_status(raw: Any, key: str, allow_empty: bool = True) -> tuple[tuple[str, str], ...]:
    """``{KEY: VALUE}`` checked against the status table (sim/engine/events.STATUS)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw and not allow_empty:
        raise EventError(f"{key}: a mapping of status keys to values, e.g. {{embassy: suspended}}; "
                         f"keys: {', '.join(sorted(STATUS))}")
    out = []
    for k, v in raw.items():
        if k not in STATUS:
            raise EventError(f"{key}.{k}: unknown status key; allowed: {', '.join(sorted(STATUS))}")
        if v not in STATUS[k][0]:
            raise EventError(f"{key}.{k}: {v!r} is not a value of {k}; allowed: {', '.join(sorted(STATUS[k][0]))}")
        out.append((str(k), str(v)))
    return tuple(sorted(out))


def _check_provenance(raw: Any, key: str) -> None:
    """Where an imported event comes from; recorded in the file, not used by the model."""
    if raw is None:
        return
    if not isinstance(raw, dict) or set(raw) - set(_PROVENANCE):
        raise EventError(f"{key}: a mapping with keys {', '.join(_PROVENANCE)}")
    for k, v in raw.items():
        if not isinstance(v, _PROVENANCE[k]) or isinstance(v, bool) or (k == "records" and v < 0):
            raise EventError(f"{key}.{k}: {v!r}; allowed: {'a whole number >= 0' if k == 'records' else 'text'}")


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EventError(f"{key}: {value!r} is not a finite number")
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


def check_anchors(events: Sequence[Event], where: str = "events") -> None:
    """EventError on an anchor that is not an event id, or on anchors that form a cycle."""
    index = {ev.id: k for k, ev in enumerate(events)}
    for k, ev in enumerate(events):
        if ev.anchor is not None and ev.anchor not in index:
            raise EventError(f"{where}[{k}].anchor: {ev.anchor!r} is not an event id in this timeline")
    done: set[int] = set()
    for k in range(len(events)):
        path, chain, cur = [events[k].id], {k}, k
        while events[cur].anchor is not None and index[events[cur].anchor] not in done:
            cur = index[events[cur].anchor]
            path.append(events[cur].id)
            if cur in chain:
                raise EventError(f"{where}: anchors form a cycle: {' -> '.join(path)}")
            chain.add(cur)
        done |= chain


def check_order(events: Sequence[Event], where: str, window_days: int) -> None:
    """At load time: ``after`` names an event of the timeline (no cycle through anchors),
    and every occasion's possible days fit in ``window_days`` consecutive days."""
    index = {ev.id: k for k, ev in enumerate(events)}
    for k, ev in enumerate(events):
        if ev.after is not None and ev.after not in index:
            raise EventError(f"{where}[{k}].after: {ev.after!r} is not an event id in this timeline")
    for k in range(len(events)):
        path, cur = [events[k].id], k
        while events[cur].parent() is not None:
            cur = index[events[cur].parent()]
            path.append(events[cur].id)
            if cur == k or len(path) > len(events) + 1:
                raise EventError(f"{where}: anchors and after form a cycle: {' -> '.join(path)}")
    byid = {ev.id: ev for ev in events}
    groups: dict[str, list[Event]] = {}
    for ev in events:
        if ev.occasion is not None:
            groups.setdefault(ev.occasion, []).append(ev)
    for occ, members in groups.items():
        n = max((_gap(a, b, byid, events) for a in members for b in members), default=1)
        if n > window_days:
            days = [possible_days(ev, events) for ev in members]
            raise EventError(f"{where}: occasion {occ!r} spans {min(d[0] for d in days)} … {max(d[1] for d in days)} "
                             f"(up to {n} days; events {', '.join(e.id for e in members)}), more than "
                             f"events.occasion.window_days = {window_days}")


def _offsets(ev: Event, byid: dict[str, Event]) -> dict[str, tuple[int, int]]:
    """The event's day minus each anchor ancestor's day: (lo, hi) lags summed along the chain."""
    out, lo, hi = {ev.id: (0, 0)}, 0, 0
    while ev.anchor is not None and ev.anchor in byid and ev.anchor not in out:
        lo, hi = lo + ev.lag_days[0], hi + ev.lag_days[1]
        ev = byid[ev.anchor]
        out[ev.id] = (lo, hi)
    return out


def _gap(a: Event, b: Event, byid: dict[str, Event], events: Sequence[Event]) -> int:
    """Most days two events can span (both included): through their nearest common anchor if
    they share one, else from their possible dates."""
    oa, ob = _offsets(a, byid), _offsets(b, byid)
    common = next((k for k in oa if k in ob), None)
    if common is not None:
        (alo, ahi), (blo, bhi) = oa[common], ob[common]
        return max(ahi - blo, bhi - alo) + 1
    (alo_d, ahi_d), (blo_d, bhi_d) = possible_days(a, events), possible_days(b, events)
    return (max(ahi_d, bhi_d) - min(alo_d, blo_d)).days + 1


def load_event_file(path: str | Path, actors: Sequence[str]) -> list[Event]:
    """Events from a YAML file holding a list (spec §3)."""
    p = Path(path)
    # a regular UTF-8 file under the size cap, YAML within the alias and depth budgets
    text = safeyaml.read_text(p, "events.file")
    try:
        node = safeyaml.compose(text, "events.file")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise EventError(f"events.file: {p}{at}: YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    data = safeyaml.construct(node)
    if data is None:
        data = []
    if not isinstance(data, list):
        raise EventError(f"events.file: {p} must hold a YAML list of events")
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
    return parse_events(data, actors, where=f"{p}", lines=lines)
