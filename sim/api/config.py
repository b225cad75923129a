"""Configs for the Python API: composed as the ``triad`` command composes them, without
leaving Hydra's global state behind (a notebook, a test or an enclosing Hydra app keeps
its own), and validated into the plain dict every run starts from."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping, Sequence

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

    from sim.config.locate import register_experiments
    from sim.config.precheck import _explain

    if isinstance(overrides, str):
        raise TypeError("overrides is a list of 'key=value' strings, e.g. ['ensemble.replicates=200']")
    args = list(overrides)
    if experiment is not None:
        args.insert(0, f"experiment={experiment}")
    broken = register_experiments()
    if experiment in broken:
        raise ConfigError("experiment", broken[experiment])
    try:
        with _hydra_context():
            cfg = hydra_compose(config_name="config", overrides=args)
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        line = _explain(exc, args)
        key, sep, msg = line.partition(": ")
        raise ConfigError(key if sep else "overrides", msg if sep else line) from None
    return OmegaConf.to_container(cfg, resolve=False)  # type: ignore[return-value]


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

    from sim.config.validate import validate

    if config is not None:
        if experiment is not None or overrides:
            raise TypeError("give either config= or experiment/overrides, not both")
        base = OmegaConf.to_container(config, resolve=False) if isinstance(config, DictConfig) else dict(config)
        base.pop("hydra", None)
    else:
        base = compose(experiment, overrides)
    return validate(_merge(base, _dotted(updates or {})))
