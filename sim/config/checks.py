"""Value checks shared by the config builders: numbers, whole numbers, dates, keyed arrays.

Every error names the dotted key and what is allowed.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from sim.config.events import parse_date
from sim.errors import ConfigError, EventError


def number(value: Any, key: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, f"{value!r} is not a finite number")
    if lo is not None and value < lo or hi is not None and value > hi:
        rng = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        raise ConfigError(key, f"{value} is out of range; allowed: {rng}")
    return float(value)


def whole(value: Any, key: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"{value!r} is not a whole number")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(key, f"{value} is out of range; allowed: [{lo}, {'inf' if hi is None else hi}]")
    return int(value)


def worker_count(value: Any, key: str = "ensemble.workers") -> int:
    """``auto``: every core this process may run on (its CPU affinity), at most 64; or a
    whole number in [1, 64]."""
    if value == "auto":
        try:
            n = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not on Linux
            n = os.cpu_count() or 1
        return max(1, min(n, 64))
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise ConfigError(key, f"{value!r} is not allowed; allowed: auto (every core) or a whole number in [1, 64]")
    return int(value)


def iso_date(value: Any, key: str) -> dt.date:
    try:
        return parse_date(value, key)
    except EventError as exc:
        raise ConfigError(key, str(exc).split(": ", 1)[1]) from None


def actor_array(d: Mapping[str, Any], key: str, actors: Sequence[str], lo: float, hi: float) -> np.ndarray:
    """Per-actor values keyed by actor code (``default`` fills the rest): shape (N,)."""
    if not isinstance(d, Mapping):
        raise ConfigError(key, "expected a mapping of actor code -> value")
    for k in d:
        if k != "default" and k not in actors:
            raise ConfigError(f"{key}.{k}", f"unknown actor code; allowed: {', '.join(actors)} (or 'default')")
    out = np.empty(len(actors))
    for n, a in enumerate(actors):
        if a in d:
            out[n] = number(d[a], f"{key}.{a}", lo, hi)
        elif "default" in d:
            out[n] = number(d["default"], f"{key}.default", lo, hi)
        else:
            raise ConfigError(f"{key}.{a}", "missing, and no 'default' given")
    return out


def pair_array(d: Mapping[str, Any], key: str, actors: Sequence[str], lo: float, hi: float) -> np.ndarray:
    """Per-ordered-pair values keyed ``SRC_TGT`` (``default`` fills the rest): (N, N), 0 on the diagonal."""
    if not isinstance(d, Mapping):
        raise ConfigError(key, "expected a mapping of SRC_TGT -> value")
    for k in d:
        if k == "default":
            continue
        parts = str(k).split("_")
        if len(parts) != 2 or parts[0] not in actors or parts[1] not in actors or parts[0] == parts[1]:
            raise ConfigError(f"{key}.{k}", f"not a pair SRC_TGT of two different configured actors ({', '.join(actors)})")
    N = len(actors)
    out = np.zeros((N, N))
    for i, a in enumerate(actors):
        for j, b in enumerate(actors):
            if i == j:
                continue
            name = f"{a}_{b}"
            if name in d:
                out[i, j] = number(d[name], f"{key}.{name}", lo, hi)
            elif "default" in d:
                out[i, j] = number(d["default"], f"{key}.default", lo, hi)
            else:
                raise ConfigError(f"{key}.{name}", "missing, and no 'default' given")
    return out
