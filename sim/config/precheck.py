"""The command line's pre-check: compose every job a command would run, as Hydra will, and
validate it, before Hydra creates a directory or starts a job.

A typo, a missing experiment, a YAML error, a value out of range in any value of any swept
key, an unwritable or forbidden output directory: one line naming the key, exit 2, and
nothing written. The trust boundary (``sim.config.trust``) is not left to this check: it is
installed into Hydra itself, so it holds for flags this check does not model.

Sweeps: every value of a comma list, ``choice(…)`` or ``range(…)`` is checked with the first
value of every other swept key (up to ``MAX_VALUES`` values per key: the first and the last
half of them, since ranges fail at their ends); ``interval(…)`` and ``glob(…)`` cannot be
enumerated here and are left to Hydra.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from sim.config.locate import conf_dir, register_experiments
from sim.config.suggest import unknown_key, unknown_option
from sim.errors import TriadError
from sim.io.places import forbidden_output_dir

MAX_VALUES = 20


def parse_args(argv: Sequence[str]):
    """Hydra's own argument parser, so flags mean what they will mean to Hydra."""
    from hydra._internal.utils import get_args_parser

    return get_args_parser().parse_args(list(argv))


MAX_USER_FILES = 1000


def user_config_dirs(argv: Sequence[str]) -> list[Path]:
    """Folders of config files the user adds (``-cd DIR``, ``hydra.searchpath=[file://…]``)."""
    try:
        args = parse_args(argv)
    except SystemExit:
        return []
    dirs = [Path(args.config_dir)] if args.config_dir else []
    if args.config_path:
        dirs.append(Path(args.config_path))
    for o in args.overrides:
        key, _, value = o.partition("=")
        if key.lstrip("+~") == "hydra.searchpath":
            for item in value.strip("[]").split(","):
                item = item.strip().strip("'\"")
                if item.startswith("file://"):
                    dirs.append(Path(item[len("file://"):]))
    return dirs


def scan_user_configs(argv: Sequence[str]) -> str | None:
    """Read every YAML file of the user's config folders with the bounded reader before Hydra
    parses them: a few hundred bytes of nested aliases must not hang the machine, whatever
    the flags. One line naming the file, or None."""
    from sim.config import safeyaml

    seen = 0
    for d in user_config_dirs(argv):
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*.yaml")) + sorted(d.rglob("*.yml")):
            seen += 1
            if seen > MAX_USER_FILES:
                return f"hydra.searchpath: more than {MAX_USER_FILES} YAML files under {d}"
            try:
                safeyaml.compose(safeyaml.read_text(p, str(p)), str(p))
            except TriadError as exc:
                return str(exc)
            except Exception:  # noqa: BLE001 - a syntax error is Hydra's to report, with its context
                continue
    return None


def _job_variants(overrides: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """(override list, its swept values) of the single jobs to check (module docstring)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    fixed, swept = [], []
    for o in parsed:
        if not o.is_sweep_override():
            fixed.append(o.input_line)
            continue
        try:
            values = list(o.sweep_string_iterator())
        except Exception:  # noqa: BLE001 - interval/glob: Hydra enumerates them itself
            continue
        if len(values) > MAX_VALUES:
            values = values[: MAX_VALUES // 2] + values[-(MAX_VALUES // 2):]
        swept.append([f"{o.get_key_element()}={v}" for v in values])
    first = [vals[0] for vals in swept]
    variants = [(fixed + first, first)]
    for k, vals in enumerate(swept):
        for v in vals[1:]:
            job = first[:k] + [v] + first[k + 1:]
            variants.append((fixed + job, job))
    return variants


def _compose(overrides: Sequence[str], config_dir: str | None):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    extra = list(overrides)
    if config_dir:  # `-cd DIR` adds DIR to the search path, as Hydra does
        extra.append(f"hydra.searchpath=[file://{Path(config_dir).absolute()}]")
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
            return compose(config_name="config", overrides=extra, return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()


def _defaults_tree() -> dict:
    from omegaconf import OmegaConf

    return OmegaConf.to_container(_compose([], None), resolve=False)  # type: ignore[return-value]


def _explain(exc: Exception, overrides: Sequence[str]) -> str:
    """Hydra's message, or a did-you-mean line for an unknown key or option."""
    text = " ".join(ln.strip() for ln in str(exc).split("Config search path:")[0].splitlines() if ln.strip())
    if "Could not override" in text or "not in struct" in text or "Key '" in text:
        tree = _defaults_tree()
        for o in overrides:
            key = o.split("=", 1)[0]
            if "/" in key or key.startswith(("~", "hydra.")):
                continue
            msg = unknown_key(key.lstrip("+"), tree)
            if msg and not (key.startswith("+") and "." not in key):
                from sim.config.usage import plus_hint

                return plus_hint(o, msg)
    if "Could not find '" in text and "Available options in" in text:
        missing = text.split("Could not find '", 1)[1].split("'", 1)[0]
        group, _, option = missing.rpartition("/")
        options = text.split(f"Available options in '{group}':", 1)[-1].split()
        from sim.config.usage import launcher_hint

        return unknown_option(group, option, options) + launcher_hint(group, option)
    return text or type(exc).__name__


def _writable(run_dir: Path, key: str) -> str | None:
    forbidden = forbidden_output_dir(run_dir)
    if forbidden:
        return f"{key}: {forbidden}"
    parent = run_dir.absolute()
    while not parent.exists():  # the nearest existing ancestor; nothing stays behind
        parent = parent.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".triad-write-test-", dir=parent))
    except OSError as exc:
        return f"{key}: cannot create the output directory {str(run_dir)!r} in {str(parent)!r}: {exc.strerror}"
    return None


def _occupied(run_dir: Path, cfg: Any) -> str | None:
    """A single run's directory that another run is writing, or that holds the complete
    outputs of another config: refused before Hydra writes its .hydra/ files into it."""
    from omegaconf import OmegaConf, open_dict

    from sim.config.validate import validate
    from sim.io.lock import held_by_other
    from sim.io.rundir import completed

    pid = held_by_other(run_dir)
    if pid:
        return (f"hydra.run.dir: {str(run_dir)!r} is being written by another triad run (pid {pid}); wait for it to "
                "end or choose another output directory")
    cfg = cfg.copy()
    with open_dict(cfg):
        cfg.pop("hydra", None)
    completed(run_dir, OmegaConf.to_yaml(OmegaConf.create(validate(cfg))))  # raises OccupiedError
    return None


def check_job(cfg: Any) -> None:
    """Validate one composed job config as the run will (raises TriadError)."""
    from omegaconf import open_dict

    from sim.config.spec import build_spec
    from sim.config.validate import validate

    cfg = cfg.copy()
    with open_dict(cfg):
        cfg.pop("hydra", None)  # the job sees its config without Hydra's own node
    plain = validate(cfg)
    spec = build_spec(plain)
    if (plain.get("backtest") or {}).get("enabled"):
        from sim.forecast.options import check

        check(plain, spec.settings)
    elif spec.explore.get("method", "none") == "none":
        from sim.runs.plan import plan_run
        from sim.runs.simulate import check_duration, check_plan_memory

        plan = plan_run(spec)
        check_plan_memory(spec.settings, plan)
        check_duration(spec.settings, plan, spec.max_hours)


def precheck(argv: Sequence[str]) -> str | None:
    """None when every job of the command would start; else the one line to print."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    try:
        args = parse_args(argv)
    except SystemExit:
        return None  # argparse has printed its own usage error; Hydra will repeat it
    if args.help or args.hydra_help or args.info or args.shell_completion or args.cfg or args.config_path \
            or args.config_name or args.experimental_rerun:
        return None  # nothing runs (or the primary config is the user's); the trust guard still holds
    broken = register_experiments()
    try:
        variants = _job_variants(args.overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        return _explain(exc, args.overrides)
    for overrides, swept in variants:
        chosen = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0].lstrip("+") == "experiment"]
        if chosen and chosen[-1] in broken:
            return broken[chosen[-1]]
        where = f" (sweep job {' '.join(swept)})" if args.multirun and swept else ""
        try:
            cfg = _compose(overrides, args.config_dir)
            run_dir = Path(str(cfg.hydra.sweep.dir if args.multirun else cfg.hydra.run.dir))
            check_job(cfg)
        except TriadError as exc:
            return f"{exc}{where}"
        except (HydraException, OmegaConfBaseException, ValueError, YAMLError) as exc:
            return _explain(exc, overrides) + where
        problem = _writable(run_dir, "hydra.sweep.dir" if args.multirun else "hydra.run.dir")
        if problem:
            return problem
        if not args.multirun and run_dir.is_dir():
            try:
                problem = _occupied(run_dir, cfg)
            except TriadError as exc:
                problem = str(exc)
            if problem:
                return problem
    return None
