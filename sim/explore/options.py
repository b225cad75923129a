"""The ``explore.*`` keys: which each method accepts, and typed, range-checked reads that
name the offending key in every error."""
from __future__ import annotations

from typing import Any, Mapping

from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.explore.problem import problem_from_config

COMMON = {"method", "parameters", "seed", "replicates_per_sample"}
KEYS = {
    "sensitivity": COMMON | {"sobol", "morris", "outputs", "dyads", "horizon_months", "focus"},
    "discovery": COMMON | {"samples", "target", "threshold", "min_density", "peel_alpha", "mass_min", "engine",
                           "horizon_months"},
    "calibrate": COMMON | {"window", "loss", "dyads", "popsize", "maxiter", "spread_tolerance", "target",
                           "sampler", "walkers", "steps", "burn", "cut"},
}


def check_keys(ex: Mapping, method: str) -> None:
    """``method`` is known and ``ex`` holds only keys it reads."""
    if method not in KEYS:
        raise ConfigError("explore.method", f"{method!r}; allowed: none, {', '.join(KEYS)}")
    bad = sorted(set(ex) - KEYS[method])
    if bad:
        raise ConfigError(f"explore.{bad[0]}", f"unknown key for method {method}; allowed: {', '.join(sorted(KEYS[method]))}")


def get(ex: Mapping, key: str, default: Any = None, *, kind: type | tuple = (int, float), lo: float | None = None,
        hi: float | None = None) -> Any:
    """``explore.<key>``: a number (a whole one for ``kind=int``) in [lo, hi]."""
    v = ex.get(key, default)
    if v is None:
        raise ConfigError(f"explore.{key}", "missing")
    if kind in (int, (int, float)) and (isinstance(v, bool) or not isinstance(v, kind if kind is int else (int, float))):
        raise ConfigError(f"explore.{key}", f"{v!r} is not a {'whole ' if kind is int else ''}number")
    if lo is not None and v < lo or hi is not None and v > hi:
        raise ConfigError(f"explore.{key}", f"{v} is out of range; allowed: [{lo}, {'inf' if hi is None else hi}]")
    return v


def sub(ex: Mapping, key: str, name: str, default: Any, lo: float, integer: bool = True) -> Any:
    """``explore.<key>.<name>``: a number >= lo (whole unless ``integer=False``)."""
    node = ex.get(key) or {}
    if not isinstance(node, Mapping):
        raise ConfigError(f"explore.{key}", "expected a mapping")
    v = node.get(name, default)
    if isinstance(v, bool) or not isinstance(v, int if integer else (int, float)) or v < lo:
        raise ConfigError(f"explore.{key}.{name}", f"{v!r}: needs a {'whole ' if integer else ''}number >= {lo}")
    return v


def common(ex: Mapping, settings: Settings, reps_default: int, reps_lo: int) -> tuple[dict, int, int]:
    """What every method reads first: the parameter box, the seed (default: the run's)
    and the replicates per sample."""
    problem = problem_from_config(ex.get("parameters"), settings.actors)
    seed = get(ex, "seed", settings.seed, kind=int, lo=0)
    reps = get(ex, "replicates_per_sample", reps_default, kind=int, lo=reps_lo)
    return problem, seed, reps


MAX_POINTS = 1_000_000  # design points of one exploration (each a small ensemble)


def check_design(plain: Mapping, settings: Settings, points: int, reps: int, key: str) -> None:
    """Refuse, before the design is drawn, an exploration too large to run (M25): more than
    ``MAX_POINTS`` design points, or an estimated time over ``ensemble.max_hours`` (the run's
    own per-replicate-day cost, from two short probes, times points × replicates × days)."""
    from sim.engine.settings import Scenario
    from sim.runs.estimate import SMALL_RUN, _duration, estimate

    if points > MAX_POINTS:
        raise ConfigError(key, f"{points} design points; at most {MAX_POINTS} (each is an ensemble of "
                          f"{reps} replicates): lower it")
    if points * reps * settings.n_days <= SMALL_RUN:  # seconds: the probes would cost more than they tell
        return
    max_hours = float((plain.get("ensemble") or {}).get("max_hours", 2.0))
    est = estimate(settings, [Scenario("baseline", tuple(settings.events))])
    seconds = points * reps * settings.n_days * est.per_replicate_day / max(1, settings.workers)
    if seconds > max_hours * 3600:
        raise ConfigError(key, f"this exploration would take about {_duration(seconds)} ({points} design points × "
                          f"{reps} replicates × {settings.n_days} days), over the limit of {max_hours:g} h; lower "
                          f"{key} or explore.replicates_per_sample, or raise ensemble.max_hours")
