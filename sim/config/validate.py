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
