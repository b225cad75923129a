"""Counterfactual operations on the factual timeline and parameters (spec §7).

Ops compose in the order written, each on the result of the ones before:

- ``remove: ID`` drops an event (an event others are anchored to needs
  ``remove: {event: ID, cascade: true}``, which drops its dependents too);
- ``scale: {event: ID, factor: F}`` multiplies the event's impulses by F ≥ 0;
- ``shift: {event: ID, days: N}`` moves the event's date window, and with it every event
  anchored to it, by N days;
- ``add: {…event…}`` adds an event (spec §3 fields, a new id);
- ``set: {param: dotted.path, value: V, from: DATE}`` changes one value of a model
  parameter (a row of ``sim/params.py`` that is ``settable``: ``dynamics.*`` but the
  initial state, ``decisions.*``, ``actors.X.capability``) from DATE on (default: the
  start); or, without ``from``, an event's ``attribution`` or ``goldstein`` via
  ``events.ID.attribution``.

The result is a ``Scenario``: a timeline plus parameter switches by day. The ops come
checked and typed from ``sim/config/ops.py``; what depends on the timeline (an unknown or
anchored event id) is checked here. Every op error names the op (``counterfactual.ops[k]``)
and the bad id or path.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Sequence

from sim.config.events import check_anchors, parse_event
from sim.config.ops import Add, Op, OpError, Remove, Scale, SetEvent, SetParam, Shift
from sim.engine.events import Event, dependents, possible_days
from sim.engine.settings import ModelParams, Scenario, Settings
from sim.errors import EventError

__all__ = ["Applied", "OpError", "apply_ops"]


@dataclass(frozen=True)
class Applied:
    """A scenario and what changed: the first day on which it can differ from the factual."""

    scenario: Scenario
    first_change: dt.date | None
    changed_events: tuple[str, ...]


def _find(events: list[Event], eid: Any, where: str) -> int:
    for k, ev in enumerate(events):
        if ev.id == eid:
            return k
    raise OpError(f"{where}: unknown event id {eid!r}; ids in the timeline: {', '.join(e.id for e in events) or 'none'}")


def _earliest(ev: Event, events: Sequence[Event]) -> dt.date:
    """The earliest day the event can fall on (anchors and lags included)."""
    return possible_days(ev, events)[0]


def _set_event(op: SetEvent, ev: Event, actors: Sequence[str]) -> Event:
    """``ev`` with one field changed, checked as a new event would be."""
    raw_ev = {**ev.as_dict(), op.name: op.value}
    raw_ev = {kk: raw_ev[kk] for kk in ("id", "date", "precision", "source", "target", "cameo", "goldstein",
                                        "attribution", "mutual", "summary", "quote", "sources", "anchor", "lag_days",
                                        "status", "occasion", "after")}
    raw_ev["date"] = ev.date.isoformat()
    if not raw_ev["sources"]:  # an article event: its provenance is the quote
        raw_ev.pop("sources")
    if raw_ev["anchor"] is None:
        raw_ev.pop("anchor")
        raw_ev.pop("lag_days")
    try:
        new = parse_event(raw_ev, actors, op.where)
    except EventError as exc:
        raise OpError(str(exc)) from None
    return replace(new, scale=ev.scale, shift_days=ev.shift_days)


def apply_ops(name: str, ops: Sequence[Op], settings: Settings) -> Applied:
    """Apply ``ops`` (``sim.config.ops.parse_ops``) to the factual timeline and parameters."""
    events = list(settings.events)
    sets: list[tuple[int, SetParam]] = []  # (day, op), in the order written
    first: list[dt.date] = []
    changed: list[str] = []
    for op in ops:
        where = op.where
        if isinstance(op, Remove):
            _find(events, op.event, where)
            deps = dependents(events, op.event)
            if deps and not op.cascade:
                raise OpError(f"{where}: event {op.event!r} has events anchored to it ({', '.join(deps)}); "
                              f"remove them first, or use remove: {{event: {op.event}, cascade: true}}")
            gone = {op.event, *deps}
            for ev in events:
                if ev.id in gone:
                    first.append(_earliest(ev, events))
                    changed.append(ev.id)
            for ev in events:  # an event ordered `after` a removed one may now fall earlier
                if ev.after in gone and ev.id not in gone:
                    first.append(_earliest(ev, [e for e in events if e.id not in gone]))
                    changed.append(ev.id)
            events = [ev for ev in events if ev.id not in gone]
        elif isinstance(op, Scale):
            i = _find(events, op.event, where)
            events[i] = replace(events[i], scale=events[i].scale * op.factor)
            first.append(_earliest(events[i], events))
            changed.append(events[i].id)
        elif isinstance(op, Shift):
            i = _find(events, op.event, where)
            moved = {events[i].id, *dependents(events, events[i].id)}
            for j, ev in enumerate(events):
                if ev.id in moved:
                    first.append(min(_earliest(ev, events), _earliest(ev, events) + dt.timedelta(days=op.days)))
                    events[j] = replace(ev, shift_days=ev.shift_days + op.days)
                    changed.append(ev.id)
            for ev in events:  # events ordered `after` a moved one may move too
                if ev.after in moved and ev.id not in moved:
                    first.append(min(_earliest(ev, events), _earliest(ev, events) + dt.timedelta(days=op.days)))
                    changed.append(ev.id)
        elif isinstance(op, Add):
            if any(e.id == op.event.id for e in events):
                raise OpError(f"{where}.id: event id {op.event.id!r} is already in the timeline; remove it first")
            events.append(op.event)
            first.append(_earliest(op.event, events))
            changed.append(op.event.id)
        elif isinstance(op, SetEvent):
            i = _find(events, op.event, where)
            events[i] = _set_event(op, events[i], settings.actors)
            first.append(_earliest(events[i], events))
            changed.append(events[i].id)
            continue
        else:
            day = 0 if op.start is None else max(0, (op.start - settings.start).days)
            sets.append((day, op))
            first.append(settings.start + dt.timedelta(days=day))
        try:
            check_anchors(events, f"counterfactual {name!r} timeline")
        except EventError as exc:
            raise OpError(f"{where}: {exc}") from None
    switches = _switches(sets, settings)
    return Applied(Scenario(name, tuple(events), switches), min(first) if first else None, tuple(dict.fromkeys(changed)))


def _switches(sets: list[tuple[int, SetParam]], settings: Settings) -> tuple[tuple[int, ModelParams], ...]:
    """ModelParams in force from each day a ``set`` starts; later ops win on the same path."""
    out = []
    for day in sorted({d for d, _ in sets}):
        if day >= settings.n_days:
            continue
        params = settings.params
        for _, op in (s for s in sets if s[0] <= day):
            target = op.param.target.removeprefix("params.")
            params = params.with_entry(target, op.param.index(op.key, settings.actors), op.value)
        out.append((day, params))
    return tuple(out)
