"""Counterfactual operations on the factual timeline and parameters (spec §7).

Ops compose in the order written, each on the result of the ones before:

- ``remove: ID`` drops an event (an event others are anchored to needs
  ``remove: {event: ID, cascade: true}``, which drops its dependents too);
- ``scale: {event: ID, factor: F}`` multiplies the event's impulses by F ≥ 0;
- ``shift: {event: ID, days: N}`` moves the event's date window, and with it every event
  anchored to it, by N days;
- ``add: {…event…}`` adds an event (spec §3 fields, a new id);
- ``set: {param: dotted.path, value: V, from: DATE}`` changes a numeric parameter
  (``dynamics.*``, ``decisions.*``, ``actors.X.capability``) from DATE on (default: the
  start); or, without ``from``, an event's ``attribution`` or ``goldstein`` via
  ``events.ID.attribution``.

The result is a ``Scenario``: a timeline plus parameter switches by day. Every op error
names the op (``counterfactual.ops[k]``) and the bad id or path.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from sim.config.build import build_params
from sim.errors import ConfigError, EventError, TriadError
from sim.engine.events import Event, check_anchors, dependents, parse_date, parse_event, possible_days
from sim.engine.settings import ModelParams, Scenario, Settings

OPS = ("remove", "scale", "shift", "add", "set")
SETTABLE_ROOTS = ("dynamics", "decisions", "actors")
EVENT_FIELDS = ("attribution", "goldstein")


class OpError(TriadError):
    """A counterfactual op names something that does not exist, or conflicts."""


@dataclass(frozen=True)
class Applied:
    """A scenario and what changed: the first day on which it can differ from the factual."""

    scenario: Scenario
    first_change: dt.date | None
    changed_events: tuple[str, ...]


def _op(raw: Any, k: int) -> tuple[str, Any, str]:
    where = f"counterfactual.ops[{k}]"
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise OpError(f"{where}: an op is a mapping with exactly one of {', '.join(OPS)}")
    (name, arg), = raw.items()
    if name not in OPS:
        raise OpError(f"{where}: unknown op {name!r}; allowed: {', '.join(OPS)}")
    return name, arg, f"{where}.{name}"


def _need(arg: Any, keys: Sequence[str], where: str, optional: Sequence[str] = ()) -> Mapping:
    if not isinstance(arg, Mapping):
        raise OpError(f"{where}: expected a mapping with {', '.join(keys)}")
    missing = [k for k in keys if k not in arg]
    extra = [k for k in arg if k not in keys and k not in optional]
    if missing or extra:
        raise OpError(f"{where}: expected keys {list(keys) + list(optional)}; "
                      f"{'missing ' + str(missing) if missing else ''}{' unknown ' + str(extra) if extra else ''}".strip())
    return arg


def _find(events: list[Event], eid: Any, where: str) -> int:
    for k, ev in enumerate(events):
        if ev.id == eid:
            return k
    raise OpError(f"{where}: unknown event id {eid!r}; ids in the timeline: {', '.join(e.id for e in events) or 'none'}")


def _earliest(ev: Event, events: Sequence[Event]) -> dt.date:
    """The earliest day the event can fall on (anchors and lags included)."""
    return possible_days(ev, events)[0]


def _get_path(cfg: Mapping, path: str, where: str) -> tuple[Mapping, str]:
    parts = path.split(".")
    if parts[0] not in SETTABLE_ROOTS or len(parts) < 2:
        raise OpError(f"{where}.param: {path!r} is not a settable parameter; paths start with "
                      f"{', '.join(SETTABLE_ROOTS)} (or events.ID.attribution / events.ID.goldstein)")
    node: Any = cfg
    for n, part in enumerate(parts[:-1]):
        if not isinstance(node, Mapping) or part not in node:
            raise OpError(f"{where}.param: unknown parameter path {path!r} (no {'.'.join(parts[:n + 1])!r})")
        node = node[part]
    if not isinstance(node, Mapping) or parts[-1] not in node:
        raise OpError(f"{where}.param: unknown parameter path {path!r}")
    if isinstance(node[parts[-1]], (Mapping, list, str, bool)) or node[parts[-1]] is None:
        raise OpError(f"{where}.param: {path!r} is not a number; set one value (e.g. dynamics.reaction.IRN)")
    return node, parts[-1]


def apply_ops(name: str, ops: Sequence[Any], settings: Settings, cfg: Mapping[str, Any]) -> Applied:
    """Apply ``ops`` to the factual timeline and parameters of ``settings``/``cfg``."""
    events = list(settings.events)
    actors = settings.actors
    sets: list[tuple[int, str, float, int]] = []  # (day, path, value, op index)
    first: list[dt.date] = []
    changed: list[str] = []
    for k, raw in enumerate(ops or ()):
        op, arg, where = _op(raw, k)
        if op == "remove":
            cascade = False
            if isinstance(arg, Mapping):
                arg = _need(arg, ["event"], where, ["cascade"])
                cascade = bool(arg.get("cascade", False))
                arg = arg["event"]
            i = _find(events, arg, where)
            deps = dependents(events, arg)
            if deps and not cascade:
                raise OpError(f"{where}: event {arg!r} has events anchored to it ({', '.join(deps)}); "
                              f"remove them first, or use remove: {{event: {arg}, cascade: true}}")
            gone = {arg, *deps}
            for ev in events:
                if ev.id in gone:
                    first.append(_earliest(ev, events))
                    changed.append(ev.id)
            events = [ev for ev in events if ev.id not in gone]
        elif op == "scale":
            arg = _need(arg, ["event", "factor"], where)
            i = _find(events, arg["event"], where)
            f = arg["factor"]
            if isinstance(f, bool) or not isinstance(f, (int, float)) or f < 0:
                raise OpError(f"{where}.factor: {f!r}; allowed: a number >= 0")
            events[i] = replace(events[i], scale=events[i].scale * float(f))
            first.append(_earliest(events[i], events))
            changed.append(events[i].id)
        elif op == "shift":
            arg = _need(arg, ["event", "days"], where)
            i = _find(events, arg["event"], where)
            n = arg["days"]
            if isinstance(n, bool) or not isinstance(n, int):
                raise OpError(f"{where}.days: {n!r}; allowed: a whole number of days (negative = earlier)")
            moved = {events[i].id, *dependents(events, events[i].id)}
            for j, ev in enumerate(events):
                if ev.id in moved:
                    first.append(min(_earliest(ev, events), _earliest(ev, events) + dt.timedelta(days=n)))
                    events[j] = replace(ev, shift_days=ev.shift_days + n)
                    changed.append(ev.id)
        elif op == "add":
            try:
                ev = parse_event(dict(arg) if isinstance(arg, Mapping) else arg, actors, where)
            except EventError as exc:
                raise OpError(str(exc)) from None
            if any(e.id == ev.id for e in events):
                raise OpError(f"{where}.id: event id {ev.id!r} is already in the timeline; remove it first")
            events.append(ev)
            first.append(_earliest(ev, events))
            changed.append(ev.id)
        elif op == "set":
            arg = _need(arg, ["param", "value"], where, ["from"])
            path, value = str(arg["param"]), arg["value"]
            if path.startswith("events."):
                parts = path.split(".")
                if len(parts) != 3 or parts[2] not in EVENT_FIELDS:
                    raise OpError(f"{where}.param: {path!r}; event fields that can be set: "
                                  + ", ".join(f"events.ID.{f}" for f in EVENT_FIELDS))
                if "from" in arg:
                    raise OpError(f"{where}.from: an event field has no start date; drop 'from'")
                i = _find(events, parts[1], where)
                raw_ev = {**events[i].as_dict(), parts[2]: value}
                raw_ev = {kk: raw_ev[kk] for kk in ("id", "date", "precision", "source", "target", "cameo", "goldstein",
                                                    "attribution", "mutual", "summary", "quote", "anchor", "lag_days")}
                raw_ev["date"] = events[i].date.isoformat()
                if raw_ev["anchor"] is None:
                    raw_ev.pop("anchor")
                    raw_ev.pop("lag_days")
                try:
                    new = parse_event(raw_ev, actors, where)
                except EventError as exc:
                    raise OpError(str(exc)) from None
                events[i] = replace(new, scale=events[i].scale, shift_days=events[i].shift_days)
                first.append(_earliest(events[i], events))
                changed.append(events[i].id)
                continue
            _get_path(cfg, path, where)
            start = settings.start
            day = 0
            if arg.get("from") is not None:
                try:
                    d = parse_date(arg["from"], f"{where}.from")
                except EventError as exc:
                    raise OpError(str(exc)) from None
                day = max(0, (d - start).days)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise OpError(f"{where}.value: {value!r} is not a number")
            sets.append((day, path, float(value), k))
            first.append(start + dt.timedelta(days=day))
        try:
            check_anchors(events, f"counterfactual {name!r} timeline")
        except EventError as exc:
            raise OpError(f"{where}: {exc}") from None
    switches = _switches(sets, settings, cfg)
    return Applied(Scenario(name, tuple(events), switches), min(first) if first else None, tuple(dict.fromkeys(changed)))


def _switches(sets: list[tuple[int, str, float, int]], settings: Settings, cfg: Mapping) -> tuple[tuple[int, ModelParams], ...]:
    """ModelParams in force from each day a ``set`` starts; later ops win on the same path."""
    out = []
    for day in sorted({d for d, *_ in sets}):
        if day >= settings.n_days:
            continue
        c = copy.deepcopy(cfg)
        for d, path, value, k in sorted((s for s in sets if s[0] <= day), key=lambda s: s[3]):
            node, key = _get_path(c, path, f"counterfactual.ops[{k}].set")
            node[key] = value
        try:
            params = build_params(c, settings.actors)
        except ConfigError as exc:
            ks = [k for d, p, v, k in sets if exc.key.startswith(p) or p.startswith(exc.key)]
            where = f"counterfactual.ops[{ks[0]}].set" if ks else "counterfactual.ops"
            raise OpError(f"{where}: {exc}") from None
        out.append((day, params))
    return tuple(out)
