"""One check at every door (docs/security.md): whatever reaches triad from the command line,
the Python API, the explorer, a run or sweep directory (``triad-report``,
``triad-aggregate``) or an imported file passes through :func:`check` before anything runs
or is written.

``check(door, overrides=…, config=…, directory=…)`` runs the parts that apply:

- ``overrides`` (``key=value`` strings, as typed or given to the API): no config-group
  choice holding a path (``experiment=../../x``), and every YAML file of the user's config
  folders (``--config-dir``, ``hydra.searchpath``, with or without ``file://``) read with
  the bounded reader before Hydra parses it;
- ``config`` (a composed config, with or without Hydra's node): the trust boundary
  (``sim.config.trust``: no code, no environment, Hydra's knobs pinned);
- ``directory`` (a run or sweep directory triad will write into or read from): no symbolic
  link where triad's files go (``sim.io.safedir``).

Callers import the module, not the function (``door.check(...)``), so one hook sees every door.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from sim.errors import ConfigError

DOORS = ("cli", "api", "explorer", "report", "aggregate", "import")


class ArgumentError(ConfigError, TypeError):
    """An API argument of the wrong type: a ConfigError naming it (L7), and a TypeError."""


MAX_DEPTH = 50  # the bounded YAML reader's limit too


def _depth(text: str) -> int:
    """How deep the brackets of an override nest (quotes ignored)."""
    depth = deepest = 0
    quote = None
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]})":
            depth -= 1
    return deepest


def groups() -> set[str]:
    """The config groups a ``key=value`` may choose from (``experiment``, ``events``, …)."""
    from sim.config.locate import GROUP, conf_dir

    root = conf_dir()
    return {GROUP} | {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def check_overrides(overrides: Sequence[str]) -> None:
    from sim.config.hydra_knobs import group_choice_problem
    from sim.config.userdirs import scan_user_configs

    known = groups()
    for o in overrides:
        if isinstance(o, str) and _depth(o) > MAX_DEPTH:  # Hydra's parser would recurse out of stack (M17)
            raise ConfigError(o.split("=", 1)[0][:60] or "overrides", f"nested more than {MAX_DEPTH} levels deep; "
                              f"allowed: lists and mappings nested up to {MAX_DEPTH} levels")
        if not isinstance(o, str):
            raise ArgumentError("overrides", f"{o!r} is not a 'key=value' string")
        if o == "--experimental-rerun" or o.startswith("--experimental-rerun="):
            raise ConfigError("--experimental-rerun", "is not allowed: Hydra would unpickle the given file, which "
                              "can run any code and skips every check; rerun with the run's overrides "
                              "(its .hydra/overrides.yaml) instead")
        key, sep, value = o.partition("=")
        key = key.lstrip("+~").split("@", 1)[0]
        if sep and (key in known or "/" in key):
            for part in value.strip("[]").split(","):
                problem = group_choice_problem(key, part.strip().strip("'\""))
                if problem:
                    k, _, msg = problem.partition(": ")
                    raise ConfigError(k, msg)
    problem = scan_user_configs(list(overrides))
    if problem:
        k, sep, msg = problem.partition(": ")
        raise ConfigError(k if sep else "hydra.searchpath", msg if sep else problem)


def check_config(config: Any) -> None:
    from omegaconf import DictConfig, OmegaConf

    from sim.config import trust

    cfg = config if isinstance(config, DictConfig) else OmegaConf.create(dict(config))
    trust.refuse_untrusted(cfg)


def check(door: str, *, overrides: Sequence[str] | None = None, config: Any = None,
          directory: str | Path | None = None, sweep: bool = False) -> None:
    """Raise ConfigError (one line naming the key or file) when what came through ``door``
    may not be run, read or written."""
    if door not in DOORS:
        raise ValueError(f"unknown door {door!r}; allowed: {', '.join(DOORS)}")
    if overrides is not None:
        check_overrides(overrides)
    if config is not None:
        check_config(config)
    if directory is not None:
        from sim.io.safedir import refuse_links

        refuse_links(Path(directory), sweep=sweep)
