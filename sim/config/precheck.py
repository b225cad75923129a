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

from sim.config.limits import MAX_JOBS
from sim.config.locate import conf_dir, register_experiments
from sim.config.suggest import unknown_key, unknown_option
from sim.config.userdirs import MAX_USER_FILES, parse_args, scan_user_configs, user_config_dirs  # noqa: F401
from sim.errors import TriadError
from sim.io.places import forbidden_output_dir

MAX_VALUES = 20
planned: list[tuple[Path, str]] = []  # (output directory, key) of the last command that passed, to lock


def _job_variants(overrides: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """(override list, its swept values) of the single jobs to check (module docstring)."""
    from itertools import islice

    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.errors import ConfigError

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    basic = not any(o.lstrip("+").startswith("hydra/sweeper=") for o in overrides)
    fixed, swept = [], []
    jobs = 1
    for o in parsed:
        if not o.is_sweep_override():
            fixed.append(o.input_line)
            continue
        if o.is_interval_sweep() and basic:  # M14
            raise ConfigError(o.get_key_element(), f"{o.input_line.split('=', 1)[1]}: Hydra's basic sweeper cannot "
                              "sweep an interval (it enumerates values); give a list a,b,c or range(start,stop,step)")
        try:
            if o.value_type is not None and o.value_type.name == "GLOB_CHOICE_SWEEP":  # a group's options (L5)
                values = o.value().filter(_options(o.get_key_element()))
            else:
                values = list(islice(o.sweep_string_iterator(), MAX_JOBS + 1))
        except Exception:  # noqa: BLE001 - a glob over something else: Hydra enumerates it itself
            continue
        if not values:
            continue
        internal = [v for v in values if o.value_type.name == "GLOB_CHOICE_SWEEP" and v.startswith("_")]
        if internal:  # shared fragments (_common), not options: Hydra's glob would run them as jobs (L5)
            raise ConfigError(o.get_key_element(), f"{o.input_line.split('=', 1)[1]} selects {internal[0]!r}, an "
                              "internal file of the group, not an option; exclude it: glob(*,exclude=_*)")
        jobs *= len(values)
        if jobs > MAX_JOBS:  # M18: refused before Hydra lists a million jobs
            raise ConfigError("hydra.sweeper", f"this sweep has more than {MAX_JOBS} jobs (the product of the "
                              "swept values' counts); each job is one triad run: sweep fewer values, or split the "
                              "sweep")
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


def _options(group: str) -> list[str]:
    """The option names of a config group, as Hydra's glob sees them (internal files included)."""
    from sim.config.locate import GROUP, experiments_dir

    folder = experiments_dir() if group == GROUP else conf_dir() / group
    return sorted(p.stem for p in folder.glob("*.yaml"))


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


def _defaults_tree(groups: Sequence[str] = ()) -> dict:
    """The composed config with the run's group choices (``actors=region``), so an unknown
    key is explained against the keys the run has."""
    from omegaconf import OmegaConf

    try:
        return OmegaConf.to_container(_compose(list(groups), None), resolve=False)  # type: ignore[return-value]
    except Exception:  # noqa: BLE001 - a bad group choice is explained elsewhere; fall back to the defaults
        return OmegaConf.to_container(_compose([], None), resolve=False)  # type: ignore[return-value]


def _syntax_hint(text: str, overrides: Sequence[str]) -> str | None:
    """A line for two override mistakes whose Hydra message does not say what to do (L4, L13)."""
    for o in overrides:
        key, _, value = o.partition("=")
        if "LexerNoViableAltException" in text and value.lstrip().startswith("~") and key in text:
            return (f"{key}: {value!r}: Hydra reads '~' as its delete prefix, not as the home folder; write the "
                    f"full path (e.g. {key}=$HOME/{value.lstrip().lstrip('~').lstrip('/')})")
        if "Error merging override" in text and key.endswith(".ops") and value.lstrip().startswith("{") \
                and key in text:
            return (f"{key}: {value!r} is a mapping; a list of ops is expected, e.g. "
                    f"'{key}=[{{remove: {{event: ID}}}}]'")
    return None


def _explain(exc: Exception, overrides: Sequence[str]) -> str:
    """Hydra's message, or a did-you-mean line for an unknown key or option."""
    text = " ".join(ln.strip() for ln in str(exc).split("Config search path:")[0].splitlines() if ln.strip())
    hint = _syntax_hint(text, overrides)
    if hint:
        return hint
    if "Could not override" in text or "not in struct" in text or "Key '" in text:
        tree = _defaults_tree([o for o in overrides if "=" in o and "." not in o.split("=", 1)[0]
                               and not o.startswith(("+", "~", "-"))])
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

    planned.clear()
    try:
        args = parse_args(argv)
    except SystemExit:
        return None  # argparse has printed its own usage error; Hydra will repeat it
    if args.cfg and args.multirun:  # L10: Hydra raises a ValueError with a traceback
        return "--cfg: cannot be combined with -m/--multirun (Hydra shows one config); drop one of them"
    if args.cfg and not args.config_name and not args.config_path:  # L11: a config that does not parse: one line
        broken = register_experiments()
        for o in args.overrides:
            key, _, value = o.partition("=")
            if key.lstrip("+") == "experiment" and value in broken:
                return broken[value]
        try:
            _compose(args.overrides, args.config_dir)
        except TriadError as exc:
            return str(exc)
        except (HydraException, OmegaConfBaseException, ValueError, YAMLError) as exc:
            return _explain(exc, args.overrides)
    if args.help or args.hydra_help or args.info or args.shell_completion or args.cfg or args.config_path \
            or args.config_name not in (None, "config") or args.experimental_rerun:
        return None  # nothing runs (or the primary config is the user's); the trust guard still holds
    multirun = args.multirun or any(o.replace(" ", "") == "hydra.mode=MULTIRUN" for o in args.overrides)
    broken = register_experiments()
    try:
        variants = _job_variants(args.overrides)
    except TriadError as exc:
        return str(exc)
    except RecursionError:
        return "overrides: nested too deeply to parse; allowed: lists and mappings nested up to 50 levels"
    except (HydraException, OmegaConfBaseException) as exc:
        return _explain(exc, args.overrides)
    for overrides, swept in variants:
        chosen = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0].lstrip("+") == "experiment"]
        if chosen and chosen[-1] in broken:
            return broken[chosen[-1]]
        where = f" (sweep job {' '.join(swept)})" if multirun and swept else ""
        try:
            cfg = _compose(overrides, args.config_dir)
            run_dir = Path(str(cfg.hydra.sweep.dir if multirun else cfg.hydra.run.dir))
            check_job(cfg)
        except TriadError as exc:
            return f"{exc}{where}"
        except (HydraException, OmegaConfBaseException, ValueError, YAMLError) as exc:
            return _explain(exc, overrides) + where
        problem = _writable(run_dir, "hydra.sweep.dir" if multirun else "hydra.run.dir")
        if problem:
            return problem
        node = cfg.hydra.sweep if multirun else cfg.hydra.run
        if "${now:" not in str(node._get_node("dir")._value()) and run_dir not in [p for p, _ in planned]:
            planned.append((run_dir, "hydra.sweep.dir" if multirun else "hydra.run.dir"))
        if run_dir.is_dir():
            from sim.config import door

            try:
                door.check("cli", directory=run_dir, sweep=multirun)
                if multirun:
                    from sim.sweep.occupied import foreign_sweep

                    foreign_sweep(run_dir, args.overrides)
            except TriadError as exc:
                return str(exc)
        if not multirun and run_dir.is_dir():
            try:
                problem = _occupied(run_dir, cfg)
            except TriadError as exc:
                problem = str(exc)
            if problem:
                return problem
    return None
