"""Configs for the Python API: composed as the ``triad`` command composes them, without
leaving Hydra's global state behind (a notebook, a test or an enclosing Hydra app keeps
its own), and validated into the plain dict every run starts from."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping, Sequence

from sim.config.door import ArgumentError
from sim.errors import ConfigError


@contextlib.contextmanager
def _hydra_context() -> Iterator[None]:
    """Hydra's Compose API needs the global Hydra singleton initialised: initialise it for
    the duration only, then put back exactly what was there (nothing, or the state of a
    running Hydra app or of an enclosing ``initialize``), the version base included."""
    from hydra import initialize_config_dir, version
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    from sim.config.locate import conf_dir

    inst = Singleton._instances.get(GlobalHydra)
    hydra = inst.hydra if inst is not None else None
    base = version.VersionBase.instance().version_base
    if inst is not None:
        inst.hydra = None
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
            yield
    finally:
        if inst is None:
            Singleton._instances.pop(GlobalHydra, None)
        else:
            Singleton._instances[GlobalHydra] = inst
            inst.hydra = hydra
        version.VersionBase.instance().version_base = base


def compose(experiment: str | None = None, overrides: Sequence[str] = ()) -> dict:
    """The composed config of ``triad [experiment=NAME] OVERRIDES…`` as a plain dict
    (unvalidated, without Hydra's own node). A mistake raises ``ConfigError`` with the
    line ``triad`` would print."""
    from hydra import compose as hydra_compose
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim.config import door
    from sim.config.locate import register_experiments
    from sim.config.precheck import _explain

    if isinstance(overrides, (str, bytes)) or not isinstance(overrides, (list, tuple)):
        raise ArgumentError("overrides", f"{overrides!r} is not a list of 'key=value' strings, e.g. "
                          "['ensemble.replicates=200']")
    if experiment is not None and not isinstance(experiment, str):
        raise ArgumentError("experiment", f"{experiment!r} is not an experiment name (triad list experiments)")
    args = list(overrides)
    if experiment is not None:
        args.insert(0, f"experiment={experiment}")
    door.check("api", overrides=args)  # group choices, the user's config folders (bounded reader)
    broken = register_experiments()
    if experiment in broken:
        raise ConfigError("experiment", broken[experiment])
    try:
        with _hydra_context():
            cfg = hydra_compose(config_name="config", overrides=args, return_hydra_config=True)
    except (HydraException, OmegaConfBaseException, ValueError, RecursionError) as exc:
        line = _explain(exc, args) if not isinstance(exc, RecursionError) else "overrides: nested too deeply"
        key, sep, msg = line.partition(": ")
        raise ConfigError(key if sep else "overrides", msg if sep else line) from None
    door.check("api", config=cfg)  # the trust boundary, Hydra's node included, as on the command line
    out = OmegaConf.to_container(cfg, resolve=False)
    out.pop("hydra", None)
    return out  # type: ignore[return-value]


def _merge(base: dict, patch: Mapping[str, Any]) -> dict:
    out = dict(base)
    for k, v in patch.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _dotted(updates: Mapping[str, Any]) -> dict:
    """``{"ensemble.seed": 7}`` -> ``{"ensemble": {"seed": 7}}``."""
    out: dict = {}
    for key, value in updates.items():
        node = out
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def resolve(experiment: str | None = None, overrides: Sequence[str] = (), *, config: Any = None,
            updates: Mapping[str, Any] | None = None) -> dict:
    """The validated plain config of a run: ``config`` (a mapping or DictConfig, e.g. a
    ``Result.config``) when given, else composed from ``experiment`` and ``overrides``;
    then ``updates`` (dotted keys -> Python values) on top."""
    from omegaconf import DictConfig, OmegaConf

    from sim.config import door
    from sim.config.validate import validate

    if config is not None:
        if experiment is not None or overrides:
            raise TypeError("give either config= or experiment/overrides, not both")
        if not isinstance(config, (DictConfig, Mapping)):
            raise ArgumentError("config", f"{type(config).__name__} is not a mapping; give a Result.config or a dict")
        base = OmegaConf.to_container(config, resolve=False) if isinstance(config, DictConfig) else dict(config)
        base.pop("hydra", None)
    else:
        base = compose(experiment, overrides)
    if updates is not None and not isinstance(updates, Mapping):
        raise ArgumentError("values", f"{type(updates).__name__} is not a mapping of dotted keys to values")
    merged = _merge(base, _dotted(_plain_values(updates or {})))
    door.check("api", config=merged)  # the environment rule holds for values= too (M3)
    return validate(merged)


def _plain_values(updates: Mapping[str, Any]) -> dict:
    """numpy scalars (a notebook's usual numbers) as Python numbers (L8)."""
    import numpy as np

    out = {}
    for k, v in updates.items():
        if not isinstance(k, str):
            raise ArgumentError("values", f"key {k!r} is not a dotted string")
        out[k] = v.item() if isinstance(v, np.generic) else v
    return out
