"""Validation of a composed config against the structured schema."""
from __future__ import annotations

from typing import Any, Mapping

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.schema import TriadConf
from sim.config.suggest import unknown_key
from sim.errors import ConfigError


def validate(cfg: DictConfig | Mapping[str, Any]) -> dict:
    """Check types and unknown keys against the schema; return a plain, resolved dict."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(TriadConf), cfg)
        _all_missing_at_once(merged)
        return OmegaConf.to_container(merged, resolve=True, throw_on_missing=True)  # type: ignore[return-value]
    except OmegaConfBaseException as exc:
        key = str(getattr(exc, "full_key", None) or "config")
        msg = str(getattr(exc, "msg", exc)).splitlines()[0]
        if msg.startswith("Key '") and " not in '" in msg:  # an unknown key: name the valid ones
            schema = OmegaConf.to_container(OmegaConf.structured(TriadConf), resolve=False, throw_on_missing=False)
            hint = unknown_key(key, schema)  # type: ignore[arg-type]
            if hint:
                raise ConfigError(key, hint.split(": ", 1)[1]) from None
        raise ConfigError(key, msg) from None


def _all_missing_at_once(merged: DictConfig) -> None:
    """A new actor lacking its name or capability: name every missing value of every actor
    and pair in one message (sim/config/actors.py), not the first one alone."""
    missing = OmegaConf.missing_keys(merged)
    if missing and all(k.startswith("actors.") for k in missing):
        from sim.config.actors import check_complete, resolve_pair_types

        plain = OmegaConf.to_container(merged, resolve=True, throw_on_missing=False)
        actors = list(plain["actors"])  # type: ignore[index]
        check_complete(resolve_pair_types(plain, actors), actors)  # type: ignore[arg-type]
