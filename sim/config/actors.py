"""Actor-level configuration beyond one actor's own values: pair types, attribution of a
non-state actor's acts to a patron, and the completeness check that names every missing
per-actor or per-pair value at once (docs/actors.md).

Precedence of a per-pair value (``dynamics.grievance``, ``dynamics.affinity``,
``dynamics.initial.hostility``, ``dynamics.initial.cooperation``) for the ordered pair
``SRC_TGT``: the explicit ``SRC_TGT`` key, else the value of the pair's type
(``dynamics.pair_types.SRC_TGT`` or ``TGT_SRC`` -> ``dynamics.by_type.TYPE``), else the
mapping's ``default`` key, else the pair is reported missing. Types are symmetric: one
entry types both directions; ``dynamics.pair_types.default`` types every pair not listed.
"""
from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

import numpy as np

from sim import params
from sim.config.checks import number
from sim.errors import ConfigError

# the per-pair rows a pair type may fill, as paths below `dynamics`
TYPED = ("grievance", "affinity", "initial.hostility", "initial.cooperation")


def _get(node: Mapping[str, Any] | None, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def pair_type(types: Mapping[str, str], a: str, b: str) -> str | None:
    """The pair's type: its own entry (either order), else ``pair_types.default``."""
    return types.get(f"{a}_{b}") or types.get(f"{b}_{a}") or types.get("default")


def _check_types(dy: Mapping[str, Any], actors: Sequence[str]) -> tuple[dict, dict]:
    types, by_type = dict(dy.get("pair_types") or {}), dict(dy.get("by_type") or {})
    for key, t in types.items():
        parts = str(key).split("_")
        if key == "default":
            pass
        elif len(parts) != 2 or parts[0] not in actors or parts[1] not in actors or parts[0] == parts[1]:
            raise ConfigError(f"dynamics.pair_types.{key}",
                              f"not a pair A_B of two different configured actors ({', '.join(actors)})")
        if key != "default" and f"{parts[1]}_{parts[0]}" in types and types[f"{parts[1]}_{parts[0]}"] != t:
            raise ConfigError(f"dynamics.pair_types.{key}", f"{t!r} but {parts[1]}_{parts[0]} is "
                              f"{types[parts[1] + '_' + parts[0]]!r}; a pair has one type (give one order)")
        if t not in by_type:
            raise ConfigError(f"dynamics.pair_types.{key}",
                              f"{t!r} is not a type of dynamics.by_type; allowed: {', '.join(by_type) or '(none defined)'}")
    for t, vals in by_type.items():
        for path in TYPED:
            v = _get(vals, path)
            if v is not None:
                row = params.BY_PATH[f"dynamics.{path}"]
                number(v, f"dynamics.by_type.{t}.{path}", row.lo, row.hi)
    return types, by_type


def resolve_pair_types(cfg: Mapping[str, Any], actors: Sequence[str]) -> dict:
    """A copy of ``cfg`` whose per-pair mappings hold the type value of every typed pair
    without an explicit key (the precedence of the module docstring)."""
    dy = cfg["dynamics"]
    types, by_type = _check_types(dy, actors)
    if not types:
        return dict(cfg)
    out = dict(cfg)
    out["dynamics"] = dyc = copy.deepcopy(dict(dy))
    for path in TYPED:
        node = _get(dyc, path)
        for a in actors:
            for b in actors:
                t = pair_type(types, a, b) if a != b else None
                v = _get(by_type.get(t), path) if t else None
                if v is not None and f"{a}_{b}" not in node:
                    node[f"{a}_{b}"] = v
    return out


def missing_values(cfg: Mapping[str, Any], actors: Sequence[str]) -> list[str]:
    """Every per-actor and per-pair key the configured actors need and the config lacks
    (a ``default`` key covers its mapping), in the order of ``sim/params.py``."""
    out = []
    for a in actors:
        entry = cfg["actors"][a] or {}
        out += [f"actors.{a}.{f}" for f in ("name", "capability") if entry.get(f) in (None, "???")]
    for p in params.PARAMS:
        if p.shape not in (params.ACTOR, params.PAIR) or ".X." in p.path:
            continue
        node = _get(cfg, p.path)
        if not isinstance(node, Mapping) or "default" in node:
            continue
        out += [p.entry(k) for k in p.keys(actors) if k not in node]
    return out


def _offer(missing: Sequence[str], cfg: Mapping[str, Any]) -> str:
    """The pair-type defaults a user could take instead of writing each missing pair."""
    by_type = cfg["dynamics"].get("by_type") or {}
    pairs = sorted({m.rsplit(".", 1)[1] for m in missing if m.startswith("dynamics.") and "_" in m.rsplit(".", 1)[1]})
    if not pairs:
        return ""
    if not by_type:
        return "; or give every pair a `default` key, or type the pairs (dynamics.pair_types, docs/actors.md)"
    shown = []
    for t, vals in by_type.items():
        vs = ", ".join(f"{p} {_get(vals, p)}" for p in TYPED if _get(vals, p) is not None)
        shown.append(f"{t} ({vs})")
    example = pairs[0].split("_")
    return (f"; or type the pairs, e.g. dynamics.pair_types.{example[0]}_{example[1]}: "
            f"{next(iter(by_type))}, to take that type's values: {'; '.join(shown)} (docs/actors.md)")


def check_complete(cfg: Mapping[str, Any], actors: Sequence[str]) -> None:
    """One error naming every missing value, with the pair-type defaults on offer."""
    missing = missing_values(cfg, actors)
    if missing:
        raise ConfigError("actors", f"{len(missing)} value(s) missing for the configured actors: "
                          f"{', '.join(missing)}{_offer(missing, cfg)}")


def attribution_matrix(actors_cfg: Mapping[str, Any], actors: Sequence[str]) -> np.ndarray | None:
    """(N, N) weights W[s, q]: actor s's hostile acts also count as patron q's, with weight
    W[s, q], for their targets' impulses, provocation and memory (not for the ladder).
    None when no actor is attributed (the engine then skips the step)."""
    N = len(actors)
    W = np.zeros((N, N))
    for s, a in enumerate(actors):
        given = (actors_cfg[a] or {}).get("attributed_to") or {}
        if not isinstance(given, Mapping):
            raise ConfigError(f"actors.{a}.attributed_to", "expected a mapping PATRON: weight in [0, 1]")
        for q, w in given.items():
            if q not in actors or q == a:
                raise ConfigError(f"actors.{a}.attributed_to.{q}",
                                  f"not another configured actor; allowed: {', '.join(x for x in actors if x != a)}")
            W[s, actors.index(q)] = number(w, f"actors.{a}.attributed_to.{q}", 0, 1)
        if W[s].sum() > 1 + 1e-12:
            raise ConfigError(f"actors.{a}.attributed_to", f"weights sum to {W[s].sum():g}; allowed: at most 1")
    for s, a in enumerate(actors):
        for q in np.flatnonzero(W[s]):
            if W[q].any():
                raise ConfigError(f"actors.{a}.attributed_to.{actors[q]}", f"{actors[q]} is itself attributed to "
                                  "another actor; chains are not followed, attribute to the final patron")
    return W if W.any() else None
