"""Hydra's own knobs that name files, folders or commands (hostile trial 3: H1, H2, H9b,
H13, H15, M2, M21, M23, M29): pinned to the values the package uses, or to plain names.

Hydra writes ``.hydra/`` into ``hydra.output_subdir`` and the job log into
``<output dir>/<hydra.job.name>.log``, both joined to the run directory without a check, so
``..`` or an absolute path there writes anywhere. A launcher's ``setup`` lines and
``srun_args`` are shell code in the job script; Ray's ``runtime_env`` sets the workers'
environment (``LD_PRELOAD``). A callback's arguments are passed to its constructor, and a
``_target_`` that merely starts with an allowed name can reach one of its methods.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from omegaconf import DictConfig, ListConfig

OUTPUT_SUBDIR = ".hydra"
JOB_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
SUBDIR_NEEDS = "${hydra.job.num}"
CALLBACKS = ("sim.sweep.AggregateCallback",)
# launcher keys whose values are shell code or a process environment
LAUNCHER_CODE = ("setup", "srun_args", "additional_parameters", "runtime_env", "env_vars", "py_modules",
                 "working_dir", "pip", "conda", "container", "worker_process_setup_hook", "setup_commands")
SEPARATORS = ("/", "\\", "..")


def _empty(node: Any) -> bool:
    if node is None:
        return True
    if isinstance(node, (DictConfig, ListConfig)):
        return node._is_none() or len(node) == 0
    return node == ""


def group_choice_problem(group: str, value: Any) -> str | None:
    """A config-group choice with a path in it (``experiment=../../x``), or None."""
    if not isinstance(value, str):
        return None
    if value.startswith("~") or any(s in value for s in SEPARATORS) or ":" in value:
        return (f"{group}: {value!r} is not an option name; a choice of a config group is a plain name (no "
                f"'/', '\\\\', '..' or ':'); add a folder of configs with --config-dir DIR instead")
    return None


def knob_problems(hydra: DictConfig, raw: Callable, walk: Callable) -> list[str]:
    """``dotted.key: what is wrong; allowed`` lines for the Hydra node of a composed config."""
    bad: list[str] = []

    def get(*path: str) -> Any:
        node: Any = hydra
        for part in path:
            if not isinstance(node, DictConfig) or part not in node:
                return None
            node = raw(node, part)
        return node

    sub = get("output_subdir")
    if "output_subdir" in hydra and sub != OUTPUT_SUBDIR:
        bad.append(f"hydra.output_subdir: {sub!r} is not allowed; allowed: {OUTPUT_SUBDIR!r} (Hydra's records "
                   "stay inside the run directory)")
    name = get("job", "name")
    if name is not None and not (isinstance(name, str) and JOB_NAME.fullmatch(name)):
        bad.append(f"hydra.job.name: {name!r} is not allowed; allowed: a plain name of letters, digits, '_' and "
                   "'-' (it names the job log inside the run directory)")
    chdir = get("job", "chdir")
    if chdir not in (None, False):
        bad.append(f"hydra.job.chdir: {chdir!r} is not allowed; allowed: false (triad reads relative paths "
                   "from the directory it was started in)")
    subdir = get("sweep", "subdir")
    if subdir is not None and not (isinstance(subdir, str) and SUBDIR_NEEDS in subdir
                                   and ".." not in subdir and not subdir.startswith(("/", "\\"))):
        bad.append(f"hydra.sweep.subdir: {subdir!r} is not allowed; it must contain {SUBDIR_NEEDS} (one folder "
                   "per job, inside the sweep directory), e.g. the default '${hydra.job.num}'")
    callbacks = get("callbacks")
    if isinstance(callbacks, DictConfig) and not callbacks._is_none():
        for cb in callbacks.keys():
            node = raw(callbacks, cb)
            where = f"hydra.callbacks.{cb}"
            if node is None or (isinstance(node, DictConfig) and node._is_none()):
                continue
            if not isinstance(node, DictConfig) or set(node.keys()) != {"_target_"} \
                    or raw(node, "_target_") not in CALLBACKS:
                shown = raw(node, "_target_") if isinstance(node, DictConfig) and "_target_" in node else node
                bad.append(f"{where}._target_: {shown!r} is not allowed; allowed: exactly "
                           f"{{_target_: {CALLBACKS[0]}}}, with no other keys")
    launcher = get("launcher")
    if isinstance(launcher, DictConfig):
        for path, key, value in walk(launcher, "hydra.launcher"):
            if key in LAUNCHER_CODE and not _empty(value):
                bad.append(f"{path}: a config may not set a launcher's {key!r} (shell commands or the workers' "
                           "environment); allowed: empty")
    choices = get("runtime", "choices")
    if isinstance(choices, DictConfig):
        for group in choices.keys():
            problem = group_choice_problem(str(group), raw(choices, group))
            if problem:
                bad.append(problem)
    return bad
