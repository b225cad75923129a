"""The ensemble kind of run, in memory and on disk: the checks before simulating
(memory, duration), ``simulate`` (the plan's ensembles and their summary, nothing written)
and ``write_ensemble`` (the data files, the report, the manifest last). The sequence that
calls them is ``sim.runs.orchestrate``; the explorer calls ``run_plan`` alone."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sim.config.spec import RunSpec
from sim.engine.settings import Settings
from sim.io.rundir import finish, write_run_dir
from sim.runs import effects, summary
from sim.runs.ensemble import check_memory, run_ensemble
from sim.runs.estimate import SMALL_RUN, check_time, estimate
from sim.runs.plan import Plan, counterfactual_summary

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


def run_plan(settings: Settings, plan: Plan, *, workers: int | None = None, quiet: bool = False,
             all_stats: bool = False):
    """The plan's factual and counterfactual ensembles, paired: ``(results, paired)`` of
    ``run_ensemble``. Every ensemble run (the command, the API, the explorer) goes through
    here; ``all_stats``: daily statistics of every scenario, whatever ``record`` keeps."""
    return run_ensemble(settings, [plan.baseline], plan.pairs, None if all_stats else plan.recorded,
                        settings.workers if workers is None else workers, quiet=quiet)


@dataclass
class Simulated:
    """A simulated run held in memory: its summary and the data ``write_run_dir`` writes."""

    summary: dict
    data: dict  # keyword arguments of sim.io.rundir.write_run_dir (stats, routes, effects, ...)
    scenarios: list[str]


def simulate(spec: RunSpec, plan: Plan, outside: list[str]) -> Simulated:
    """Simulate the plan; nothing is written (``write_ensemble`` does that)."""
    settings = spec.settings
    log.info("simulating %d replicates x %d days x %d scenario(s)", settings.replicates, settings.n_days,
             1 + len(plan.pairs))
    results, paired = run_plan(settings, plan)
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


def write_ensemble(out: Path, spec: RunSpec, simulated: Simulated, config_yaml: str, started: str, t0: float,
                   extra: dict | None = None, report: bool = True) -> None:
    """Write a simulated run into ``out``: the data files, the report (when ``report`` and
    the config's ``report.enabled``), the manifest last."""
    write_run_dir(out, spec.settings, summary=simulated.summary, config_yaml=config_yaml, **simulated.data)
    # the report is a view of the data files, built from them on disk; then the manifest
    if report and spec.report.enabled:
        from sim.report import build_report  # matplotlib only when a report is wanted

        log.info("building report …")
        log.info("report: %s", build_report(out))
    settings = spec.settings
    finish(out, config_yaml, settings.seed, settings.replicates, started, t0,
           {"chunk": settings.chunk, "chunks": settings.chunks, "scenarios": simulated.scenarios, **(extra or {})})
