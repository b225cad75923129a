"""Counterfactual ops: the raw list of the config checked and turned into typed ops.

What can be checked without the timeline is checked here: the op's name and keys, the
types of factor and days, a new event's fields, the parameter path of a ``set`` (a row of
``sim/params.py``), its value and range, its date. What depends on the timeline the ops
are applied to (an unknown or anchored event id) is checked when they are applied
(``sim/runs/counterfactual.py``). Every message names the op (``counterfactual.ops[k]``).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Union

from sim import params
from sim.config.checks import number
from sim.config.events import MAX_DAYS, parse_date, parse_event
from sim.config.schema import leaves
from sim.engine.events import Event
from sim.errors import ConfigError, EventError, TriadError

OPS = ("remove", "scale", "shift", "add", "set")
SETTABLE_ROOTS = ("dynamics", "decisions", "actors")
EVENT_FIELDS = ("attribution", "goldstein")


class OpError(TriadError):
    """A counterfactual op names something that does not exist, or conflicts."""


@dataclass(frozen=True)
class Remove:
    where: str  # counterfactual.ops[k].remove: the prefix of its messages
    raw: Any  # the op as written (for summary.json)
    event: Any
    cascade: bool = False


@dataclass(frozen=True)
class Scale:
    where: str
    raw: Any
    event: Any
    factor: float


@dataclass(frozen=True)
class Shift:
    where: str
    raw: Any
    event: Any
    days: int


@dataclass(frozen=True)
class Add:
    where: str
    raw: Any
    event: Event


@dataclass(frozen=True)
class SetEvent:
    """``set`` of one field of an event, for the whole run (checked against the event
    when applied)."""

    where: str
    raw: Any
    event: str
    name: str  # one of EVENT_FIELDS
    value: Any


@dataclass(frozen=True)
class SetParam:
    """``set`` of one parameter value from ``start`` on (None: the first day)."""

    where: str
    raw: Any
    param: params.Param
    key: str | None  # actor code or SRC_TGT pair; None for a scalar
    value: float
    start: dt.date | None


Op = Union[Remove, Scale, Shift, Add, SetEvent, SetParam]


def _need(arg: Any, keys: Sequence[str], where: str, optional: Sequence[str] = ()) -> Mapping:
    if not isinstance(arg, Mapping):
        raise OpError(f"{where}: expected a mapping with {', '.join(keys)}")
    missing = [k for k in keys if k not in arg]
    extra = [k for k in arg if k not in keys and k not in optional]
    if missing or extra:
        raise OpError(f"{where}: expected keys {list(keys) + list(optional)}; "
                      f"{'missing ' + str(missing) if missing else ''}{' unknown ' + str(extra) if extra else ''}".strip())
    return arg


def _known(actors: Sequence[str]) -> set[str]:
    """Every path of the settable roots (and their prefixes) the config can hold."""
    paths = [p.replace(".X.", f".{a}.") if ".X." in p else p
             for p in leaves() if p.split(".")[0] in SETTABLE_ROOTS for a in actors]
    paths += [e for p in params.PARAMS for e in p.entries(actors)]
    return {".".join(p.split(".")[:n]) for p in paths for n in range(1, len(p.split(".")) + 1)}


def _param(path: str, where: str, actors: Sequence[str]) -> tuple[params.Param, str | None]:
    parts = path.split(".")
    if parts[0] not in SETTABLE_ROOTS or len(parts) < 2:
        raise OpError(f"{where}.param: {path!r} is not a settable parameter; paths start with "
                      f"{', '.join(SETTABLE_ROOTS)} (or events.ID.attribution / events.ID.goldstein)")
    hit = params.lookup(path, actors)
    if hit is not None:
        if not hit[0].settable:
            raise OpError(f"{where}.param: {path!r} is an initial value; a counterfactual cannot set it")
        return hit
    known = _known(actors)
    for n in range(1, len(parts)):
        if ".".join(parts[:n]) not in known:
            raise OpError(f"{where}.param: unknown parameter path {path!r} (no {'.'.join(parts[:n])!r})")
    if path in known:
        raise OpError(f"{where}.param: {path!r} is not a number; set one value (e.g. dynamics.reaction.IRN)")
    raise OpError(f"{where}.param: unknown parameter path {path!r}")


def _set(raw: Any, arg: Any, where: str, actors: Sequence[str]) -> Op:
    arg = _need(arg, ["param", "value"], where, ["from"])
    path, value = str(arg["param"]), arg["value"]
    if path.startswith("events."):
        parts = path.split(".")
        if len(parts) != 3 or parts[2] not in EVENT_FIELDS:
            raise OpError(f"{where}.param: {path!r}; event fields that can be set: "
                          + ", ".join(f"events.ID.{f}" for f in EVENT_FIELDS))
        if "from" in arg:
            raise OpError(f"{where}.from: an event field has no start date; drop 'from'")
        return SetEvent(where, raw, parts[1], parts[2], value)
    row, key = _param(path, where, actors)
    start = None
    if arg.get("from") is not None:
        try:
            start = parse_date(arg["from"], f"{where}.from")
        except EventError as exc:
            raise OpError(str(exc)) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OpError(f"{where}.value: {value!r} is not a number")
    try:
        value = number(value, path, row.lo, row.hi)
    except ConfigError as exc:
        raise OpError(f"{where}: {exc}") from None
    return SetParam(where, raw, row, key, value, start)


def parse_op(raw: Any, k: int, actors: Sequence[str]) -> Op:
    """One op of ``counterfactual.ops`` (index ``k``)."""
    where = f"counterfactual.ops[{k}]"
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise OpError(f"{where}: an op is a mapping with exactly one of {', '.join(OPS)}")
    (name, arg), = raw.items()
    if name not in OPS:
        raise OpError(f"{where}: unknown op {name!r}; allowed: {', '.join(OPS)}")
    where = f"{where}.{name}"
    if name == "remove":
        if isinstance(arg, Mapping):
            arg = _need(arg, ["event"], where, ["cascade"])
            cascade = arg.get("cascade", False)
            if not isinstance(cascade, bool):  # 'no' is a string, and a non-empty string is true
                raise OpError(f"{where}.cascade: {cascade!r}; allowed: true, false")
            return Remove(where, raw, arg["event"], cascade)
        return Remove(where, raw, arg)
    if name == "scale":
        arg = _need(arg, ["event", "factor"], where)
        f = arg["factor"]
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or not 0 <= f <= 1e6:
            raise OpError(f"{where}.factor: {f!r}; allowed: a finite number in [0, 1000000]")
        return Scale(where, raw, arg["event"], float(f))
    if name == "shift":
        arg = _need(arg, ["event", "days"], where)
        n = arg["days"]
        if isinstance(n, bool) or not isinstance(n, int) or abs(n) > MAX_DAYS:
            raise OpError(f"{where}.days: {n!r}; allowed: a whole number of days in [-{MAX_DAYS}, {MAX_DAYS}] "
                          "(negative = earlier)")
        return Shift(where, raw, arg["event"], n)
    if name == "add":
        try:
            return Add(where, raw, parse_event(dict(arg) if isinstance(arg, Mapping) else arg, actors, where))
        except EventError as exc:
            raise OpError(str(exc)) from None
    return _set(raw, arg, where, actors)


def parse_ops(raw: Sequence[Any] | None, actors: Sequence[str]) -> tuple[Op, ...]:
    """The ops of ``counterfactual.ops``, checked, in the order written."""
    return tuple(parse_op(r, k, actors) for k, r in enumerate(raw or ()))
