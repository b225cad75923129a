"""From a plain config mapping (Hydra's, converted) to validated ``Settings``.

Types and unknown keys are checked by the structured schema (``schema.py``) before this
runs; here we check what a schema cannot: ranges, enums, actor codes, pair keys, dates.
Every error names the dotted key and what is allowed.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Mapping, Sequence

import numpy as np

from sim.engine import cameo
from sim.engine.dynamics import DriftParams
from sim.errors import ConfigError, EventError
from sim.engine.events import Event, load_event_file, parse_date, parse_events
from sim.engine.ladder import N_RUNGS, Ladder
from sim.engine.settings import DecisionParams, ModelParams, Settings

RATE_MAX = 1.0  # per day: a rate above 1/day has no meaning at a one-day step
ACTOR_PARAMS = ("reaction", "restraint", "balance", "cooperation_damping", "reciprocity", "decay", "hostility_drag")
PAIR_PARAMS = ("grievance", "affinity")


def _num(value: Any, key: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, f"{value!r} is not a finite number")
    if lo is not None and value < lo or hi is not None and value > hi:
        rng = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        raise ConfigError(key, f"{value} is out of range; allowed: {rng}")
    return float(value)


def _int(value: Any, key: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"{value!r} is not a whole number")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(key, f"{value} is out of range; allowed: [{lo}, {'inf' if hi is None else hi}]")
    return int(value)


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
            out[n] = _num(d[a], f"{key}.{a}", lo, hi)
        elif "default" in d:
            out[n] = _num(d["default"], f"{key}.default", lo, hi)
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
                out[i, j] = _num(d[name], f"{key}.{name}", lo, hi)
            elif "default" in d:
                out[i, j] = _num(d["default"], f"{key}.default", lo, hi)
            else:
                raise ConfigError(f"{key}.{name}", "missing, and no 'default' given")
    return out


def _date(value: Any, key: str) -> dt.date:
    try:
        return parse_date(value, key)
    except EventError as exc:
        raise ConfigError(key, str(exc).split(": ", 1)[1]) from None


def build_params(cfg: Mapping[str, Any], actors: Sequence[str]) -> ModelParams:
    """The time-varying part of the settings (drift, noise, impulses, decisions, capability)."""
    dy = cfg["dynamics"]
    col = lambda name: actor_array(dy[name], f"dynamics.{name}", actors, 0.0, RATE_MAX)[:, None]  # noqa: E731
    pair = lambda name: pair_array(dy[name], f"dynamics.{name}", actors, -RATE_MAX, RATE_MAX)[:, :, None]  # noqa: E731
    drift = DriftParams(**{n: col(n) for n in ACTOR_PARAMS}, **{n: pair(n) for n in PAIR_PARAMS})
    de = cfg["decisions"]
    co = de["cooperative"]
    decisions = DecisionParams(
        enabled=bool(de["enabled"]),
        hostility_weight=_num(de["hostility_weight"], "decisions.hostility_weight", 0, 100),
        provocation_weight=_num(de["provocation_weight"], "decisions.provocation_weight", 0, 100),
        cooperation_weight=_num(de["cooperation_weight"], "decisions.cooperation_weight", 0, 100),
        deterrence_weight=_num(de["deterrence_weight"], "decisions.deterrence_weight", 0, 100),
        provocation_half_life_days=_num(de["provocation_half_life_days"], "decisions.provocation_half_life_days", 0.01, 1e6),
        coop_cooperation_weight=_num(co["cooperation_weight"], "decisions.cooperative.cooperation_weight", 0, 100),
        coop_hostility_weight=_num(co["hostility_weight"], "decisions.cooperative.hostility_weight", 0, 100),
    )
    cap = np.array([_num(cfg["actors"][a]["capability"], f"actors.{a}.capability", 0, 1) for a in actors])
    return ModelParams(
        drift=drift,
        noise_hostility=_num(dy["noise"]["hostility"], "dynamics.noise.hostility", 0, 1),
        noise_cooperation=_num(dy["noise"]["cooperation"], "dynamics.noise.cooperation", 0, 1),
        impulse_hostility=_num(dy["impulse"]["hostility"], "dynamics.impulse.hostility", 0, 1),
        impulse_cooperation=_num(dy["impulse"]["cooperation"], "dynamics.impulse.cooperation", 0, 1),
        impulse_commitment=_num(dy["impulse"]["commitment"], "dynamics.impulse.commitment", 0, 1),
        decisions=decisions,
        capability=cap,
    )


def build_ladder(lc: Mapping[str, Any]) -> Ladder:
    names = list(lc["names"])
    if len(names) != N_RUNGS + 1:
        raise ConfigError("ladder.names", f"needs {N_RUNGS + 1} names (rungs 0..{N_RUNGS}), got {len(names)}")
    roots = {}
    for code, rung in lc["roots"].items():
        roots[str(code)] = _int(rung, f"ladder.roots.{code}", 0, N_RUNGS)
    for key, n in (("acts", N_RUNGS), ("cooperative_acts", 3)):
        codes = [str(c) for c in lc[key]]
        if len(codes) != n:
            raise ConfigError(f"ladder.{key}", f"needs {n} CAMEO codes, got {len(codes)}")
        for c in codes:
            if c not in cameo.table():
                raise ConfigError(f"ladder.{key}", f"{c!r} is not in the CAMEO table")
    acts = tuple(str(c) for c in lc["acts"])
    if any(cameo.lookup(c).goldstein >= 0 for c in acts):
        raise ConfigError("ladder.acts", "hostile acts need CAMEO codes with a negative Goldstein weight")
    coop = tuple(str(c) for c in lc["cooperative_acts"])
    if any(cameo.lookup(c).goldstein <= 0 for c in coop):
        raise ConfigError("ladder.cooperative_acts", "cooperative acts need CAMEO codes with a positive Goldstein weight")
    thr = np.array([_num(x, f"ladder.thresholds[{k}]") for k, x in enumerate(lc["thresholds"])])
    cthr = np.array([_num(x, f"ladder.cooperative_thresholds[{k}]") for k, x in enumerate(lc["cooperative_thresholds"])])
    for key, arr, n in (("thresholds", thr, N_RUNGS), ("cooperative_thresholds", cthr, 3)):
        if len(arr) != n or np.any(np.diff(arr) <= 0):
            raise ConfigError(f"ladder.{key}", f"needs {n} strictly increasing numbers, got {arr.tolist()}")
    return Ladder(
        names=tuple(names), roots=roots, acts=acts, cooperative_acts=coop, thresholds=thr,
        cooperative_thresholds=cthr,
        war_sustained_days=_int(lc["war_sustained_days"], "ladder.war_sustained_days", 1, 3650),
    )


def build_events(cfg: Mapping[str, Any], actors: Sequence[str]) -> list[Event]:
    ec = cfg["events"]
    events = parse_events(ec.get("timeline") or [], actors, "events.timeline")
    if ec.get("file"):
        extra = load_event_file(ec["file"], actors)
        if not extra:
            raise EventError(f"events.file: {ec['file']} holds no events; use events=none to run without "
                             "exogenous events")
        ids = {e.id for e in events}
        dup = [e.id for e in extra if e.id in ids]
        if dup:
            raise EventError(f"events.file: event id(s) {dup} already in events.timeline")
        events += extra
    return events


def build_settings(cfg: Mapping[str, Any]) -> Settings:
    """Validate a plain config mapping and build the engine's settings."""
    actors_cfg = cfg["actors"]
    actors = list(actors_cfg)
    if len(actors) < 2:
        raise ConfigError("actors", f"needs at least 2 actors, got {len(actors)} ({', '.join(actors) or 'none'})")
    for a in actors:
        if not (isinstance(a, str) and a.isupper() and a.isalpha() and len(a) == 3):
            raise ConfigError(f"actors.{a}", "actor codes are three capital letters (ISO 3166 alpha-3), e.g. ISR")
    start, end = _date(cfg["start"], "start"), _date(cfg["end"], "end")
    if end < start:
        raise ConfigError("end", f"{end} is before start {start}")
    dy = cfg["dynamics"]
    h0 = pair_array(dy["initial"]["hostility"], "dynamics.initial.hostility", actors, 0, 1)
    c0 = pair_array(dy["initial"]["cooperation"], "dynamics.initial.cooperation", actors, 0, 1)
    en, rec = cfg["ensemble"], cfg["record"]
    replicates = _int(en["replicates"], "ensemble.replicates", 1)
    chunks = _int(en["chunks"], "ensemble.chunks", 1, replicates)
    chunk = _int(en["chunk"], "ensemble.chunk", 0, chunks - 1)
    chunk_size = _int(en["chunk_size"], "ensemble.chunk_size", 1, 2**21)  # exact float sums (stats.py)
    return Settings(
        actors=tuple(actors),
        names=tuple(str(actors_cfg[a]["name"]) for a in actors),
        start=start, end=end,
        params=build_params(cfg, actors),
        initial_hostility=h0, initial_cooperation=c0,
        ladder=build_ladder(cfg["ladder"]),
        events=tuple(build_events(cfg, actors)),
        replicates=replicates,
        seed=_int(en["seed"], "ensemble.seed", 0, 2**63 - 1),
        chunk_size=chunk_size, chunk=chunk, chunks=chunks,
        workers=_int(en["workers"], "ensemble.workers", 1, 64),
        record_replicates=_int(rec["replicates"], "record.replicates", 0),
        record_trajectories=bool(rec["trajectories"]),
        record_actions=bool(rec["actions"]),
        bins=_int(rec["bins"], "record.bins", 10, 100000),
    )
