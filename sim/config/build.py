"""From a plain config mapping (Hydra's, converted) to validated ``Settings``.

Types and unknown keys are checked by the structured schema (``schema.py``) before this
runs; here we check what a schema cannot: ranges, enums, actor codes, pair keys, dates.
The model parameters and their ranges are the rows of ``sim/params.py``. Every error
names the dotted key and what is allowed.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from sim import params
from sim.config.actors import attribution_matrix, check_complete, resolve_pair_types
from sim.config.checks import actor_array, iso_date, number, pair_array, whole, worker_count
from sim.config.events import check_order, load_event_file, parse_events, parse_status
from sim.engine import cameo
from sim.engine.dynamics import DriftParams
from sim.engine.events import STATUS_DEFAULT, STATUS_KEYS, Event, status_code
from sim.engine.ladder import N_RUNGS, Ladder
from sim.engine.rules import rules_per_actor
from sim.engine.settings import DecisionParams, ModelParams, Settings
from sim.errors import ConfigError, EventError


def _node(cfg: Mapping[str, Any], path: str) -> Any:
    for part in path.split("."):
        cfg = cfg[part]
    return cfg


def param_value(cfg: Mapping[str, Any], p: params.Param, actors: Sequence[str]) -> Any:
    """The checked value of one row: a float, (N,) per actor or (N, N) per pair; drift
    arrays get their trailing replicate axis."""
    if ".X." in p.path:  # a value inside each key's entry (actors.X.capability, decisions.rungs.X.rate)
        head, _, tail = p.path.partition(".X.")
        node = _node(cfg, head)
        for k in node:
            if str(k) not in p.keys(actors):
                raise ConfigError(f"{head}.{k}", f"unknown key; allowed: {', '.join(map(str, p.keys(actors)))}")
        missing = [k for k in p.keys(actors) if k not in node]
        if missing:
            raise ConfigError(f"{head}.{missing[0]}", "missing")
        out: Any = np.array([number(node[k][tail], p.entry(k), p.lo, p.hi) for k in p.keys(actors)])
    elif p.shape == params.SCALAR:
        return number(_node(cfg, p.path), p.path, p.lo, p.hi)
    elif p.shape == params.RUNG:
        node = _node(cfg, p.path)
        for k in node:
            if str(k) not in params.RUNGS:
                raise ConfigError(f"{p.path}.{k}", f"unknown rung; allowed: {', '.join(params.RUNGS)}")
        out = np.array([number(node.get(k, node.get("default")), p.entry(k), p.lo, p.hi) for k in params.RUNGS])
    else:
        array = actor_array if p.shape == params.ACTOR else pair_array
        out = array(_node(cfg, p.path), p.path, actors, p.lo, p.hi)
    return out[..., None] if p.target.startswith("params.drift.") or p.shape == params.RUNG else out


def _group(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def build_params(cfg: Mapping[str, Any], actors: Sequence[str]) -> ModelParams:
    """The time-varying part of the settings (drift, noise, impulses, decisions, capability)."""
    values = {p.target: param_value(cfg, p, actors) for p in params.PARAMS if p.target.startswith("params.")}
    top = {k: v for k, v in _group(values, "params.").items() if "." not in k}
    return ModelParams(
        drift=DriftParams(**_group(values, "params.drift.")),
        decisions=DecisionParams(enabled=bool(cfg["decisions"]["enabled"]),
                                 rules=rules_per_actor(cfg["decisions"]["rule"], actors),
                                 **_group(values, "params.decisions.")),
        **top,
    )


def build_ladder(lc: Mapping[str, Any]) -> Ladder:
    names = list(lc["names"])
    if len(names) != N_RUNGS + 1:
        raise ConfigError("ladder.names", f"needs {N_RUNGS + 1} names (rungs 0..{N_RUNGS}), got {len(names)}")
    roots = {}
    for code, rung in lc["roots"].items():
        roots[str(code)] = whole(rung, f"ladder.roots.{code}", 0, N_RUNGS)
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
    norel = list(acts)
    for key, code in (lc.get("acts_without_relations") or {}).items():
        k = int(str(key)) if str(key).isdigit() else -1
        if not 1 <= k <= N_RUNGS:
            raise ConfigError(f"ladder.acts_without_relations.{key}", f"not a hostile rung; allowed: 1..{N_RUNGS}")
        code = str(code)
        if code not in cameo.table() or cameo.lookup(code).goldstein >= 0:
            raise ConfigError(f"ladder.acts_without_relations.{key}",
                              f"{code!r} is not a CAMEO code with a negative Goldstein weight in the CAMEO table")
        norel[k - 1] = code
    coop = tuple(str(c) for c in lc["cooperative_acts"])
    if any(cameo.lookup(c).goldstein <= 0 for c in coop):
        raise ConfigError("ladder.cooperative_acts", "cooperative acts need CAMEO codes with a positive Goldstein weight")
    thr = np.array([number(x, f"ladder.thresholds[{k}]") for k, x in enumerate(lc["thresholds"])])
    cthr = np.array([number(x, f"ladder.cooperative_thresholds[{k}]") for k, x in enumerate(lc["cooperative_thresholds"])])
    for key, arr, n in (("thresholds", thr, N_RUNGS), ("cooperative_thresholds", cthr, 3)):
        if len(arr) != n or np.any(np.diff(arr) <= 0):
            raise ConfigError(f"ladder.{key}", f"needs {n} strictly increasing numbers, got {arr.tolist()}")
    return Ladder(
        names=tuple(names), roots=roots, acts=acts, acts_without_relations=tuple(norel), cooperative_acts=coop,
        thresholds=thr,
        cooperative_thresholds=cthr,
        war_sustained_days=whole(lc["war_sustained_days"], "ladder.war_sustained_days", 1, 3650),
    )


def base_timeline(name: Any) -> list:
    """The timeline of a shipped events config (``events.base``): only names of conf/events/,
    and one level deep, so a config cannot make the run read an arbitrary file."""
    from sim.config import safeyaml
    from sim.config.locate import conf_dir

    shipped = sorted(p.stem for p in (conf_dir() / "events").glob("*.yaml"))
    if name not in shipped:
        raise ConfigError("events.base", f"{name!r} is not a shipped events config; allowed: {', '.join(shipped)}")
    path = conf_dir() / "events" / f"{name}.yaml"
    node = safeyaml.load(safeyaml.read_text(path, "events.base"), "events.base") or {}
    if node.get("base"):
        raise ConfigError("events.base", f"{name!r} has a base itself; a base is one level deep")
    return list(node.get("timeline") or [])


def build_events(cfg: Mapping[str, Any], actors: Sequence[str]) -> list[Event]:
    ec = cfg["events"]
    events = parse_events(base_timeline(ec["base"]), actors, f"events.base ({ec['base']})") if ec.get("base") else []
    ids = {e.id for e in events}
    own = parse_events(ec.get("timeline") or [], actors, "events.timeline")
    dup = [e.id for e in own if e.id in ids]
    if dup:
        raise EventError(f"events.timeline: event id(s) {dup} already in events.base ({ec['base']})")
    events += own
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
    check_order(events, "events.timeline", whole(ec["occasion"]["window_days"], "events.occasion.window_days", 1,
                                                3650))
    return events


def _checked(p: ModelParams, actors: Sequence[str]) -> ModelParams:
    """The parameters, once the retaliation cascade they define is known to die out."""
    from sim.config.branching import check_branching

    check_branching(p, actors)
    return p


def build_occasion(ec: Mapping[str, Any]) -> tuple[float, float]:
    oc = ec["occasion"]
    share = number(oc["share"], "events.occasion.share", 0, 0.999)
    return share, number(oc["cap"], "events.occasion.cap", 1e-6, 10)


def build_status(node: Mapping[str, Any], actors: Sequence[str]) -> np.ndarray:
    """(N, N, 3) int8 status codes of every mission from ``dynamics.initial.status``."""
    pairs = [f"{a}_{b}" for a in actors for b in actors if a != b]
    codes = np.zeros((len(actors), len(actors), len(STATUS_KEYS)), dtype=np.int8)
    for i, a in enumerate(actors):
        for j, b in enumerate(actors):
            given = dict(parse_status(node.get(f"{a}_{b}") or {}, f"dynamics.initial.status.{a}_{b}"))
            for k, key in enumerate(STATUS_KEYS):
                codes[i, j, k] = status_code(key, given.get(key, STATUS_DEFAULT[key]))
    for key in node:
        if key not in pairs:
            raise ConfigError(f"dynamics.initial.status.{key}", f"unknown pair; allowed: {', '.join(pairs)}")
    return codes


def build_settings(cfg: Mapping[str, Any]) -> Settings:
    """Validate a plain config mapping and build the engine's settings."""
    actors_cfg = cfg["actors"]
    actors = list(actors_cfg)
    if len(actors) < 2:
        raise ConfigError("actors", f"needs at least 2 actors, got {len(actors)} ({', '.join(actors) or 'none'})")
    for a in actors:
        if not (isinstance(a, str) and a.isupper() and a.isalpha() and len(a) == 3):
            raise ConfigError(f"actors.{a}", "actor codes are three capital letters (ISO 3166 alpha-3), e.g. ISR")
    cfg = resolve_pair_types(cfg, actors)  # typed pairs take their type's values (docs/actors.md)
    check_complete(cfg, actors)  # every missing per-actor / per-pair value in one message
    start, end = iso_date(cfg["start"], "start"), iso_date(cfg["end"], "end")
    if end < start:
        raise ConfigError("end", f"{end} is before start {start}")
    initial = {p.target: param_value(cfg, p, actors) for p in params.PARAMS if not p.target.startswith("params.")}
    en, rec = cfg["ensemble"], cfg["record"]
    replicates = whole(en["replicates"], "ensemble.replicates", 1)
    chunks = whole(en["chunks"], "ensemble.chunks", 1, replicates)
    chunk = whole(en["chunk"], "ensemble.chunk", 0, chunks - 1)
    chunk_size = whole(en["chunk_size"], "ensemble.chunk_size", 1, 2**21)  # exact float sums (stats.py)
    return Settings(
        actors=tuple(actors),
        names=tuple(str(actors_cfg[a]["name"]) for a in actors),
        start=start, end=end,
        params=_checked(build_params(cfg, actors), actors),
        **initial,
        ladder=build_ladder(cfg["ladder"]),
        events=tuple(build_events(cfg, actors)),
        replicates=replicates,
        seed=whole(en["seed"], "ensemble.seed", 0, 2**63 - 1),
        chunk_size=chunk_size, chunk=chunk, chunks=chunks,
        workers=worker_count(en["workers"]),
        record_replicates=whole(rec["replicates"], "record.replicates", 0),
        record_trajectories=bool(rec["trajectories"]),
        record_actions=bool(rec["actions"]),
        bins=whole(rec["bins"], "record.bins", 10, 100000),
        initial_status=build_status(cfg["dynamics"]["initial"].get("status") or {}, actors),
        occasion=build_occasion(cfg["events"]),
        attribution=attribution_matrix(actors_cfg, actors),
    )
