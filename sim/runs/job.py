"""The run: validated config in, every output file of spec §9 out. No Hydra here: the
entry point (``__main__``) hands over a plain config and the output directory."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig, OmegaConf

from sim.config.spec import RunSpec, build_spec
from sim.config.validate import validate
from sim.engine.settings import Settings
from sim.errors import ConfigError, TriadError
from sim.io.lock import run_lock
from sim.io.places import forbidden_output_dir
from sim.io.rundir import completed, finish, mark_incomplete, write_run_dir
from sim.runs import effects, summary
from sim.runs.ensemble import check_memory, run_ensemble, tune_malloc
from sim.runs.estimate import SMALL_RUN, check_time, estimate
from sim.runs.plan import Plan, counterfactual_summary, outside_horizon, plan_run

log = logging.getLogger("triad")


def check_plan_memory(settings: Settings, plan: Plan) -> None:
    """Refuse, before allocating, a run whose scenarios would not fit in memory."""
    names = ["baseline", *(p.scenario.name for p in plan.pairs)]
    full = len(names) if plan.recorded is None else sum(n in plan.recorded for n in names)
    check_memory(settings, full, len(names) - full, sum(p.daily for p in plan.pairs))


def check_duration(settings: Settings, plan: Plan, max_hours: float) -> None:
    """Refuse, before simulating, a run estimated to take over ``max_hours``; log the
    estimate of a long one. Small runs (under ``SMALL_RUN`` scenario-replicate-days, about
    ten seconds) are not probed: the probes would cost more than they tell."""
    lo, hi = settings.replicate_range()
    scenarios = [plan.baseline, *(p.scenario for p in plan.pairs)]
    if (hi - lo) * settings.n_days * len(scenarios) <= SMALL_RUN:
        return
    est = estimate(settings, [plan.baseline], plan.pairs)
    check_time(est, max_hours)
    log.info("estimated run time: %s", est.describe())


def run(cfg: DictConfig | Mapping[str, Any], out_dir: str | Path) -> dict:
    """Simulate, write every output into ``out_dir`` (manifest last), return the summary."""
    started, t0 = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    tune_malloc()
    out = Path(out_dir)
    forbidden = forbidden_output_dir(out)
    if forbidden:
        raise ConfigError("hydra.run.dir", forbidden)
    plain = validate(cfg)
    spec = build_spec(plain)
    settings = spec.settings
    if (plain.get("backtest") or {}).get("enabled"):
        from sim.forecast.runner import run_backtest_job

        return run_backtest_job(plain, settings, out)
    method = spec.explore.get("method", "none")
    if method != "none":
        from sim.explore import run_exploration  # heavy optional imports only when exploring

        return run_exploration(plain, settings, Path(out_dir))
    plan = plan_run(spec)
    check_plan_memory(settings, plan)
    outside = outside_horizon(settings)
    if outside:
        log.warning("events outside the horizon %s .. %s, not simulated: %s", settings.start, settings.end,
                    ", ".join(outside))
    config_yaml = OmegaConf.to_yaml(OmegaConf.create(plain))
    with run_lock(out):
        done = completed(out, config_yaml)
        if done is not None:
            log.info("%s already holds the complete outputs of this config: skipped", out)
            summ = json.loads((out / "summary.json").read_text("utf-8"))
            return {**summ, "skipped": True}
        check_duration(settings, plan, spec.max_hours)
        mark_incomplete(out)  # a rerun over stale outputs is incomplete until it ends
        simulated = simulate(spec, plan, outside)
        write(out, spec, simulated, config_yaml, started, t0)
    return simulated.summary


@dataclass
class Simulated:
    """A simulated run held in memory: its summary and the data ``write_run_dir`` writes."""

    summary: dict
    data: dict  # keyword arguments of sim.io.rundir.write_run_dir (stats, routes, effects, ...)
    scenarios: list[str]


def simulate(spec: RunSpec, plan: Plan, outside: list[str]) -> Simulated:
    """Simulate the plan; nothing is written (``write`` does that)."""
    settings = spec.settings
    log.info("simulating %d replicates x %d days x %d scenario(s)", settings.replicates, settings.n_days,
             1 + len(plan.pairs))
    results, paired = run_ensemble(settings, [plan.baseline], plan.pairs, plan.recorded, settings.workers)
    dates = settings.dates
    kept = {n: r for n, r in results.items() if r.stats is not None}
    base = results["baseline"].stats
    scen = {n: summary.scenario_summary(r.stats, settings.actors) for n, r in kept.items()}
    for n, r in kept.items():
        for dyad, rt in effects.route_table(r.routes, settings).items():
            scen[n][dyad].update(rt)
    summ = {
        "question": spec.question,
        "start": settings.start.isoformat(), "end": settings.end.isoformat(),
        "replicates": settings.replicates, "simulated_replicates": list(settings.replicate_range()),
        "seed": settings.seed,
        "headline": summary.headline(scen["baseline"], settings.ladder.names, settings.end.isoformat()),
        "scenarios": scen,
        "validation": summary.validation(base, dates, settings.actors),
        "events_outside_horizon": outside,
        **({"posterior": {"draws": settings.posterior_draws, "parameters": sorted(settings.replicate_values),
                          "note": "each replicate's parameters come from a posterior draw (ensemble.posterior, "
                                  "in config.yaml); replicate r takes draw r mod draws"}}
           if settings.posterior_draws else {}),
        **counterfactual_summary(plan, paired, spec),
    }
    keep_acc = settings.chunks > 1 or spec.record.accumulators
    data = dict(stats={n: r.stats for n, r in kept.items()}, routes={n: r.routes for n, r in results.items()},
                effects={n: pr.daily for n, pr in paired.items() if pr.daily is not None},
                trajectories=[df for r in results.values() for df in r.trajectories],
                actions=[df for r in results.values() for df in r.actions],
                accumulators=(results, paired) if keep_acc else None, behaviorspace=spec.record.behaviorspace)
    return Simulated(summ, data, list(results))


def write(out: Path, spec: RunSpec, simulated: Simulated, config_yaml: str, started: str, t0: float,
          extra: dict | None = None) -> None:
    """Write a simulated run into ``out``: the data files, the report, the manifest last."""
    write_run_dir(out, spec.settings, summary=simulated.summary, config_yaml=config_yaml, **simulated.data)
    # the report is a view of the data files, built from them on disk; then the manifest
    if spec.report.enabled:
        from sim.report import build_report  # matplotlib only when a report is wanted

        log.info("building report …")
        log.info("report: %s", build_report(out))
    settings = spec.settings
    finish(out, config_yaml, settings.seed, settings.replicates, started, t0,
           {"chunk": settings.chunk, "chunks": settings.chunks, "scenarios": simulated.scenarios, **(extra or {})})


def main_task(cfg: DictConfig, out_dir: str | Path, multirun: bool = False, overrides: list[str] | None = None,
              job: int | None = None) -> dict | None:
    """Run and report; a user mistake prints one clear line and exits 2.

    In a multirun (``multirun=True``) one job must not end the sweep: any error is printed
    to stderr and recorded in ``error.json`` of the job (no manifest, so nothing looks
    complete), and None is returned so the launcher goes on with the other jobs and the
    sweep aggregate lists this one as failed."""
    from sim.io.lock import LockedError, held_by_other
    from sim.sweep.jobs import clear_failure, record_failure

    try:
        if not held_by_other(Path(out_dir)):  # another run's error marker is not ours to clear
            clear_failure(out_dir)
        summ = run(cfg, out_dir)
    except LockedError as exc:  # another run's directory: leave every file of it alone (M11, M12)
        print(f"triad: error: {exc}", file=sys.stderr)
        if not multirun:
            sys.exit(exc.exit_code)
        return None
    except TriadError as exc:
        if not multirun:
            from sim.io.printable import printable_line

            print(f"triad: error: {printable_line(str(exc))}", file=sys.stderr)
            if Path(out_dir).is_dir():
                record_failure(out_dir, exc, user_error=True)
            sys.exit(exc.exit_code)
        print(f"triad: error: {exc} (job {Path(out_dir).resolve()})", file=sys.stderr)
        record_failure(out_dir, exc, user_error=True)
        return None
    except MemoryError as exc:  # the estimate missed (a limit it cannot see): one line, not a traceback (M19)
        err = ConfigError("ensemble.chunk_size", f"out of memory ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else 'allocation failed'}); lower "
                          "ensemble.chunk_size, record.replicates or ensemble.replicates")
        print(f"triad: error: {err}" + (f" (job {Path(out_dir).resolve()})" if multirun else ""), file=sys.stderr)
        if Path(out_dir).is_dir():
            record_failure(out_dir, err, user_error=True)
        if not multirun:
            sys.exit(2)
        return None
    except Exception as exc:
        if not multirun:
            record_failure(out_dir, exc, user_error=False)
            raise
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(f"triad: error: job {Path(out_dir).resolve()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        try:
            record_failure(out_dir, exc, user_error=False)
        except TriadError:  # the job directory itself is unwritable: the aggregate sees no manifest
            pass
        return None
    from sim.runs.console import print_result

    print_result(summ, out_dir, overrides if multirun else None, job)
    return summ
