"""One path from a validated config to a run, for every door: the ``triad`` command
(``sim.runs.job``), the Python API (``sim.run``, ``Result.save``) and, for its ensembles,
the explorer (``sim.runs.simulate.run_plan``).

A run is one of three kinds, read from the config: ``backtest`` (``backtest.enabled``),
``exploration`` (``explore.method`` not ``none``) or ``ensemble`` (the factual baseline and
its counterfactuals). ``compute`` simulates it in memory; ``save`` writes a computed run into
a directory (data files, report, manifest last) under the directory's lock, leaving a
directory that already holds the same complete run as it is; ``execute`` is both, and skips
the simulation when the directory already holds the run.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sim.config.spec import RunSpec, build_spec
from sim.errors import ConfigError

log = logging.getLogger("triad")
KINDS = ("ensemble", "backtest", "exploration")


def kind_of(plain: Mapping) -> str:
    """``backtest``, ``exploration`` or ``ensemble``: what the config asks for."""
    if (plain.get("backtest") or {}).get("enabled"):
        return "backtest"
    if ((plain.get("explore") or {}).get("method") or "none") != "none":
        return "exploration"
    return "ensemble"


@dataclass
class Computed:
    """A run held in memory, ready to be written by ``save``.

    ``payload``: a ``sim.runs.simulate.Simulated`` (ensemble), ``(summary, table)``
    (backtest) or the exploration method's result dict (exploration)."""

    kind: str
    plain: dict
    spec: RunSpec
    config_yaml: str
    payload: Any
    started: str = field(default_factory=lambda: _now()[0])
    t0: float = field(default_factory=time.perf_counter)


@dataclass
class RunOutcome:
    """A run on disk: its kind, the content of its ``summary.json``, its directory, and
    whether the directory already held it (``skipped``: nothing was simulated or written)."""

    kind: str
    summary: dict
    out: Path
    skipped: bool = False


def _now() -> tuple[str, float]:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), time.perf_counter()


def config_text(plain: Mapping) -> str:
    from omegaconf import OmegaConf

    return OmegaConf.to_yaml(OmegaConf.create(dict(plain)))


def precheck(plain: Mapping, spec: RunSpec):
    """Every check that needs no simulation (options, memory; for an ensemble its plan and
    the events outside the horizon). Returns the ensemble's ``(plan, outside)``, else None."""
    kind = kind_of(plain)
    if kind == "backtest":
        from sim.forecast.runner import check_backtest

        check_backtest(plain, spec.settings)
        return None
    if kind == "exploration":
        from sim.explore.runner import check_exploration  # heavy optional imports only when exploring

        check_exploration(plain, spec.settings)
        return None
    from sim.runs.plan import outside_horizon, plan_run
    from sim.runs.simulate import check_plan_memory

    plan = plan_run(spec)
    check_plan_memory(spec.settings, plan)
    return plan, outside_horizon(spec.settings)


def compute(plain: Mapping, spec: RunSpec | None = None, *, checked=None, check_time: bool = True) -> Computed:
    """Simulate the run the config asks for, in memory. ``checked``: ``precheck``'s result
    when the caller has already run it; ``check_time``: refuse an ensemble estimated to take
    over ``max_hours`` (probing its speed first)."""
    from sim.runs.ensemble import tune_malloc

    started, t0 = _now()
    tune_malloc()
    plain = dict(plain)
    spec = spec or build_spec(plain)
    kind = kind_of(plain)
    checked = checked if checked is not None else precheck(plain, spec)
    if kind == "backtest":
        from sim.forecast.runner import compute_backtest

        payload: Any = compute_backtest(plain, spec.settings)
    elif kind == "exploration":
        from sim.explore.runner import compute_exploration

        payload = compute_exploration(plain, spec.settings)
    else:
        from sim.runs.simulate import check_duration, simulate

        plan, outside = checked
        if outside:
            log.warning("events outside the horizon %s .. %s, not simulated: %s", spec.settings.start,
                        spec.settings.end, ", ".join(outside))
        if check_time:
            check_duration(spec.settings, plan, spec.max_hours)
        payload = simulate(spec, plan, outside)
    return Computed(kind, plain, spec, config_text(plain), payload, started, t0)


def _write(out: Path, c: Computed, report: bool, extra: dict | None) -> dict:
    """Write ``c`` into ``out`` (the caller holds the lock); the summary written."""
    if c.kind == "ensemble":
        from sim.runs.simulate import write_ensemble

        write_ensemble(out, c.spec, c.payload, c.config_yaml, c.started, c.t0, extra, report=report)
        return c.payload.summary
    if c.kind == "backtest":
        from sim.forecast.runner import write_backtest

        summ, df = c.payload
        write_backtest(out, c.plain, c.spec.settings, summ, df, c.config_yaml, c.started, c.t0, report, extra)
        return summ
    import copy

    from sim.explore.runner import run_exploration

    return run_exploration(c.plain, c.spec.settings, out, computed=copy.deepcopy(c.payload), report=report)


def checked_dir(out: str | Path, key: str) -> Path:
    from sim.io.places import forbidden_output_dir

    out = Path(out)
    forbidden = forbidden_output_dir(out)
    if forbidden:
        raise ConfigError(key, forbidden)
    return out


def api_dir(directory: Any, key: str = "directory") -> Path:
    """A directory the Python API was given: a path, not inside the project's configs or the
    package, not a file, with no symbolic link where the run's files go (H4, H5, H12)."""
    from sim.config import door

    if not isinstance(directory, (str, Path)) or str(directory).strip() == "":
        raise ConfigError(key, f"{directory!r} is not a directory path; give the folder to write, e.g. "
                          "'outputs/api/run1'")
    out = checked_dir(Path(directory).expanduser(), key)
    if out.exists() and not out.is_dir():
        raise ConfigError(key, f"{str(out)!r} exists and is not a directory")
    door.check("api", directory=out)
    return out


def _held(out: Path, config_yaml: str) -> dict | None:
    """The summary of the same complete run already in ``out``, or None."""
    import json

    from sim.io.rundir import completed

    if completed(out, config_yaml) is None:
        return None
    return json.loads((out / "summary.json").read_text("utf-8"))


def save(c: Computed, out_dir: str | Path, *, report: bool = True, extra: dict | None = None,
         key: str = "directory") -> RunOutcome:
    """Write a computed run into ``out_dir`` (``report=False``: no figures nor report.html,
    whatever ``report.enabled`` says); a directory holding the same complete run is left as it is."""
    from sim.io.lock import run_lock
    from sim.io.rundir import mark_incomplete

    out = api_dir(out_dir, key)
    with run_lock(out, key=key):
        held = _held(out, c.config_yaml)
        if held is not None:
            return RunOutcome(c.kind, held, out, skipped=True)
        mark_incomplete(out)
        return RunOutcome(c.kind, _write(out, c, report, extra), out)


def execute(plain: Mapping, out_dir: str | Path, *, report: bool = True, extra: dict | None = None,
            key: str = "hydra.run.dir") -> RunOutcome:
    """Check, simulate and write the run the validated config ``plain`` asks for into
    ``out_dir``, manifest last. Nothing is simulated when the directory already holds the
    complete outputs of the same config (``skipped``)."""
    from sim.io.lock import run_lock
    from sim.io.rundir import mark_incomplete

    out = checked_dir(out_dir, key)
    plain = dict(plain)
    spec = build_spec(plain)
    checked = precheck(plain, spec)
    config_yaml = config_text(plain)
    with run_lock(out):
        held = _held(out, config_yaml)
        if held is not None:
            log.info("%s already holds the complete outputs of this config: skipped", out)
            return RunOutcome(kind_of(plain), held, out, skipped=True)
        if checked is not None:  # an ensemble: refuse a too-long run before touching the directory
            from sim.runs.simulate import check_duration

            check_duration(spec.settings, checked[0], spec.max_hours)
        mark_incomplete(out)  # a rerun over stale outputs is incomplete until it ends
        c = compute(plain, spec, checked=checked, check_time=False)
        return RunOutcome(c.kind, _write(out, c, report, extra), out)
