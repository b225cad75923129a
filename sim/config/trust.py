"""The trust boundary for configuration: what a composed config may ask Hydra to run.

Experiments, searchpath configs, overrides and event files come from users and strangers.
Hydra turns some config keys into live objects: ``_target_`` (instantiate), and in
``hydra.job_logging`` / ``hydra.hydra_logging`` (``logging.config.dictConfig``) the keys
``class``, ``()`` and a handler's ``filename``; ``hydra.job.env_set`` writes the process
environment (``LD_PRELOAD`` would load a library into every subprocess). Only values the
package itself uses are allowed there:

- logging: ``logging.StreamHandler`` on ``ext://sys.stdout``/``ext://sys.stderr``, and
  ``logging.FileHandler`` writing Hydra's job log inside the output directory;
- ``_target_``: Hydra's own launchers and sweepers (``hydra._internal.``,
  ``hydra_plugins.``) and our sweep callback;
- no ``hydra.job.env_set`` / ``env_copy``, and no ``${oc.env:…}`` outside Hydra's own node (the
  environment would be copied into ``config.yaml`` and the report);
- Hydra's knobs that name files or run commands are pinned (``hydra_knobs``, hostile trial 3):
  ``hydra.output_subdir`` is ``.hydra``, ``hydra.job.name`` a plain name, ``hydra.job.chdir``
  false, ``hydra.sweep.subdir`` names one folder per job, a launcher has no shell ``setup``,
  ``srun_args``, ``additional_parameters`` or Ray ``runtime_env``, a callback is exactly
  ``{_target_: sim.sweep.AggregateCallback}``, a config-group choice is a plain name (no
  ``/``, ``\\`` or ``..``), and ``${hydra:…}`` is not read outside Hydra's node.

``check`` is a pure function of the composed config; ``install`` makes Hydra run it on
every config it composes (single runs, sweeps and each sweep job, ``--cfg``, ``--info``,
whatever flags are given), before logging is configured or anything is instantiated.
"""
from __future__ import annotations

from typing import Any, Callable

from omegaconf import DictConfig, ListConfig

from sim.errors import ConfigError

ALLOWED_TARGETS = ("hydra._internal.", "hydra_plugins.")
CALLBACK_TARGETS = ("sim.sweep.AggregateCallback",)  # exact names, no arguments
LOG_HANDLER_CLASSES = ("logging.StreamHandler", "logging.FileHandler")
LOG_STREAMS = ("ext://sys.stdout", "ext://sys.stderr")
# Hydra's job log, inside the run directory (unresolved, as composed)
LOG_FILENAMES = ("${hydra.runtime.output_dir}/${hydra.job.name}.log",)
LIVE_KEYS = ("_target_", "class", "()", "filename")


def _raw(node: Any, key: Any) -> Any:
    """A child's value without resolving interpolations (``${oc.env:…}`` stays text)."""
    child = node._get_node(key)
    if isinstance(child, (DictConfig, ListConfig)):
        return child
    return child._value() if child is not None else None


def _walk(node: Any, path: str):
    """(dotted path, key, raw value) of every leaf and container under ``node``."""
    if isinstance(node, DictConfig):
        if node._is_none() or node._is_missing():
            return
        for key in node.keys():
            value = _raw(node, key)
            sub = f"{path}.{key}" if path else str(key)
            yield sub, str(key), value
            yield from _walk(value, sub)
    elif isinstance(node, ListConfig):
        if node._is_none() or node._is_missing():
            return
        for k in range(len(node)):
            value = _raw(node, k)
            sub = f"{path}[{k}]"
            yield sub, None, value
            yield from _walk(value, sub)


def _logging_problems(node: Any, path: str) -> list[str]:
    bad = []
    for sub, key, value in _walk(node, path):
        if key == "()" or key == "_target_":
            bad.append(f"{sub}: {value!r} is not allowed; a config may not instantiate logging objects")
        elif key == "class":
            if value not in LOG_HANDLER_CLASSES:
                bad.append(f"{sub}: {value!r} is not allowed; allowed: {', '.join(LOG_HANDLER_CLASSES)}")
        elif key == "filename":
            if value not in LOG_FILENAMES:
                bad.append(f"{sub}: {value!r} is not allowed; the only log file is Hydra's job log in the "
                           "output directory")
        elif key == "mode" and value not in ("a", None):
            bad.append(f"{sub}: {value!r} is not allowed; allowed: 'a' (append: a log never truncates a file)")
        elif key == "stream" and value not in LOG_STREAMS:
            bad.append(f"{sub}: {value!r} is not allowed; allowed: {', '.join(LOG_STREAMS)}")
    return bad


def check(cfg: DictConfig) -> list[str]:
    """Every place where ``cfg`` asks for something outside the allow-lists, as
    ``dotted.key: what is wrong; what is allowed`` lines (empty when all is well)."""
    bad: list[str] = []
    hydra = cfg._get_node("hydra") if "hydra" in cfg else None
    for sub, key, value in _walk(cfg, ""):
        if sub.startswith(("hydra.job_logging", "hydra.hydra_logging")):
            continue
        if key == "_target_":
            if sub.startswith("hydra.callbacks"):
                continue  # hydra_knobs: exact names
            if not (isinstance(value, str) and value.startswith(ALLOWED_TARGETS)):
                bad.append(f"{sub}: {value!r} is not allowed; allowed: {', '.join(ALLOWED_TARGETS)}")
        elif key in ("class", "()", "filename"):
            bad.append(f"{sub}: a {key!r} key is not allowed in a config (it could name code or a file to write)")
        elif isinstance(value, str) and "oc.env" in value and not sub.startswith("hydra."):
            bad.append(f"{sub}: {value!r} reads an environment variable; a config may not copy the environment "
                       "into the outputs, write the value itself")
        elif isinstance(value, str) and "${hydra:" in value and not sub.startswith("hydra."):
            bad.append(f"{sub}: {value!r} reads Hydra's own node; a config may not copy it into the outputs "
                       "(it can hold an environment variable), write the value itself")
    if isinstance(hydra, DictConfig):
        for part in ("job_logging", "hydra_logging"):
            if part in hydra:
                bad += _logging_problems(_raw(hydra, part), f"hydra.{part}")
        job = _raw(hydra, "job") if "job" in hydra else None
        if isinstance(job, DictConfig):
            for part in ("env_set", "env_copy"):
                if part in job and not _empty(_raw(job, part)):
                    bad.append(f"hydra.job.{part}: a config may not set environment variables (it could "
                               "change what runs)")
        from sim.config.hydra_knobs import knob_problems

        bad += knob_problems(hydra, _raw, _walk)
    return bad


def _empty(node: Any) -> bool:
    if node is None:
        return True
    if isinstance(node, (DictConfig, ListConfig)):
        return node._is_none() or len(node) == 0
    return False


def refuse_untrusted(cfg: DictConfig) -> None:
    """Raise ConfigError naming the first offending key."""
    bad = check(cfg)
    if bad:
        key, _, msg = bad[0].partition(": ")
        raise ConfigError(key, msg)


def install(on_violation: Callable[[ConfigError], None] | None = None,
            check_config: Callable[[DictConfig], None] | None = None) -> None:
    """Check every config Hydra composes, before Hydra configures logging or instantiates
    anything. ``on_violation`` (the CLI prints one line and exits 2) runs instead of raising;
    ``check_config`` (the CLI: ``sim.config.door.check``) replaces ``refuse_untrusted``."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    original = ConfigLoaderImpl.load_configuration
    if getattr(original, "_triad_guard", False):
        return

    def load_configuration(self, *args, **kwargs):  # noqa: ANN001, ANN202 - Hydra's signature
        cfg = original(self, *args, **kwargs)
        try:
            (check_config or refuse_untrusted)(cfg)
        except ConfigError as exc:
            if on_violation is None:
                raise
            on_violation(exc)
        return cfg

    load_configuration._triad_guard = True  # type: ignore[attr-defined]
    ConfigLoaderImpl.load_configuration = load_configuration  # type: ignore[method-assign]

