"""The run: validated config in, every output file of spec §9 out. No Hydra here: the
entry point (``__main__``) hands over a plain config and the output directory."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
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
from sim.runs.estimate import check_time, estimate
from sim.runs.plan import Plan, counterfactual_summary, outside_horizon, plan_run

log = logging.getLogger("triad")
SMALL_RUN = 2e7


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
        summ = _simulate_and_write(spec, plan, out, config_yaml, outside)
        # the report is a view of the data files, built from them on disk; then the manifest
        if spec.report.enabled:
            from sim.report import build_report  # matplotlib only when a report is wanted

            log.info("building the report")
            build_report(out)
        finish(out, config_yaml, settings.seed, settings.replicates, started, t0,
               {"chunk": settings.chunk, "chunks": settings.chunks, "scenarios": summ.pop("_scenarios")})
    return summ


def _simulate_and_write(spec: RunSpec, plan: Plan, out: Path, config_yaml: str, outside: list[str]) -> dict:
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
        **counterfactual_summary(plan, paired, spec),
    }
    keep_acc = settings.chunks > 1 or spec.record.accumulators
    write_run_dir(
        out, settings, stats={n: r.stats for n, r in kept.items()}, routes={n: r.routes for n, r in results.items()},
        effects={n: pr.daily for n, pr in paired.items() if pr.daily is not None},
        trajectories=[df for r in results.values() for df in r.trajectories],
        actions=[df for r in results.values() for df in r.actions],
        summary=summ, config_yaml=config_yaml, accumulators=(results, paired) if keep_acc else None)
    return {**summ, "_scenarios": list(results)}


def main_task(cfg: DictConfig, out_dir: str | Path, multirun: bool = False) -> dict | None:
    """Run and report; a user mistake prints one clear line and exits 2.

    In a multirun (``multirun=True``) one job must not end the sweep: any error is printed
    to stderr and recorded in ``error.json`` of the job (no manifest, so nothing looks
    complete), and None is returned so the launcher goes on with the other jobs and the
    sweep aggregate lists this one as failed."""
    from sim.runs.headline import headline_lines, validation_line
    from sim.sweep.jobs import clear_failure, record_failure

    clear_failure(out_dir)
    try:
        summ = run(cfg, out_dir)
    except TriadError as exc:
        if not multirun:
            print(f"triad: error: {exc}", file=sys.stderr)
            if Path(out_dir).is_dir():
                record_failure(out_dir, exc, user_error=True)
            sys.exit(exc.exit_code)
        print(f"triad: error: {exc} (job {Path(out_dir).resolve()})", file=sys.stderr)
        record_failure(out_dir, exc, user_error=True)
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
    print(f"output: {Path(out_dir).resolve()}")
    if summ.get("skipped"):
        print("skipped: this directory already holds the complete outputs of the same config")
    for line in headline_lines(summ):  # labelled by scenario, one format (sim/runs/headline.py)
        print(line)
    for name, c in summ.get("counterfactuals", {}).items():
        print(f"answer ({name}): {c['answer']}")
    if "attribution" in summ:
        print(f"answer ({summ['attribution']['name']}): {summ['attribution']['answer']}")
    if validation_line(summ):
        print(validation_line(summ))
    return summ
