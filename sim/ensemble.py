"""Monte Carlo ensembles: replicates advanced together, chunk by chunk, scenario by scenario.

Every scenario of a run simulates the same replicate ids, so a counterfactual and the
factual baseline share their random numbers (spec §6), and their per-replicate outcomes
are paired inside each chunk before the chunk is dropped. Only streamed statistics,
route counts, paired moments and the recorded replicates outlive a chunk, so memory is
flat in the number of replicates.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .ladder import N_RUNGS
from .model import TriadModel
from .paired import PairedMetric
from .record import Recorder
from .routes import N_ROUTES, RouteStats
from .settings import Scenario, Settings
from .stats import DailyStats

log = logging.getLogger(__name__)


@dataclass
class ScenarioResult:
    name: str
    stats: DailyStats | None = None
    routes: RouteStats | None = None
    trajectories: list[pd.DataFrame] = field(default_factory=list)
    actions: list[pd.DataFrame] = field(default_factory=list)


@dataclass
class PairPlan:
    """What to compare for one counterfactual: P(rung >= k) by ``p_days``, and tension and
    net relation on ``value_days`` (day indices)."""

    scenario: Scenario
    p_days: tuple[int, ...]
    value_days: tuple[int, ...]


@dataclass
class PairResult:
    name: str
    plan: PairPlan
    p: dict[tuple[int, int, int], PairedMetric] = field(default_factory=dict)  # (day, dyad, k)
    values: dict[tuple[str, int, int], PairedMetric] = field(default_factory=dict)  # (variable, day, dyad)
    route_base: np.ndarray | None = None  # (dyads, 64) counts
    route_cf: np.ndarray | None = None
    route_both: np.ndarray | None = None


class Snapshots:
    """Tension and net relation of every replicate on chosen days."""

    def __init__(self, days):
        self.days = set(days)
        self.at: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def observe(self, t: int, model) -> None:
        if t in self.days:
            self.at[t] = (model.tension(), model.net_relation())


def chunks(lo: int, hi: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, hi)) for a in range(lo, hi, size)]


@dataclass
class ChunkRun:
    stats: DailyStats | None
    recorder: Recorder | None
    first_reach: np.ndarray
    snapshots: Snapshots


def run_chunk(settings: Settings, scenario: Scenario, lo: int, hi: int, *, full: bool = True,
              snapshot_days=()) -> ChunkRun:
    """Simulate replicates ``lo .. hi-1`` of one scenario. ``full``: daily statistics and
    recorded replicates; otherwise only what pairing needs."""
    snaps = Snapshots(snapshot_days)
    observers = [snaps.observe]
    stats = rec = None
    if full:
        stats = DailyStats(settings.actors, settings.n_days, settings.bins)
        observers.append(stats.observe)
        m = max(0, min(hi, settings.record_replicates) - lo)
        if m and (settings.record_trajectories or settings.record_actions):
            rec = Recorder(settings, lo, m, settings.record_trajectories, settings.record_actions)
            observers.append(rec.observe)
    model = TriadModel(settings, scenario, lo, hi, observers).run()
    return ChunkRun(stats, rec, model.first_reach, snaps)


def _collect(res: ScenarioResult, run: ChunkRun, n_days: int) -> np.ndarray:
    if run.stats is not None:
        if res.stats is None:
            res.stats = run.stats
        else:
            res.stats.merge(run.stats)
    if res.routes is None:
        res.routes = RouteStats(run.first_reach.shape[1], n_days)
    masks = res.routes.add(run.first_reach)
    if run.recorder is not None:
        if run.recorder.keep_traj:
            res.trajectories.append(run.recorder.trajectories(res.name))
        if run.recorder.keep_actions:
            res.actions.append(run.recorder.actions(res.name))
    return masks


def _pair(pr: PairResult, base: ChunkRun, cf: ChunkRun, mb: np.ndarray, mc: np.ndarray) -> None:
    n_dyads = base.first_reach.shape[1]
    for day in pr.plan.p_days:
        for k in range(1, N_RUNGS + 1):
            rb = (base.first_reach[k] >= 0) & (base.first_reach[k] <= day)
            rc = (cf.first_reach[k] >= 0) & (cf.first_reach[k] <= day)
            for d in range(n_dyads):
                pr.p.setdefault((day, d, k), PairedMetric()).add(rb[d], rc[d])
    for day in pr.plan.value_days:
        (tb, nb), (tc, nc) = base.snapshots.at[day], cf.snapshots.at[day]
        for d in range(n_dyads):
            pr.values.setdefault(("tension", day, d), PairedMetric()).add(tb[d], tc[d])
            pr.values.setdefault(("net_relation", day, d), PairedMetric()).add(nb[d], nc[d])
    if pr.route_base is None:
        pr.route_base = np.zeros((n_dyads, N_ROUTES), dtype=np.int64)
        pr.route_cf = np.zeros_like(pr.route_base)
        pr.route_both = np.zeros_like(pr.route_base)
    for d in range(n_dyads):
        pr.route_base[d] += np.bincount(mb[d], minlength=N_ROUTES)
        pr.route_cf[d] += np.bincount(mc[d], minlength=N_ROUTES)
        pr.route_both[d] += np.bincount(mb[d][mb[d] == mc[d]], minlength=N_ROUTES)


def run_ensemble(settings: Settings, scenarios: Sequence[Scenario], pairs: Sequence[PairPlan] = (),
                 recorded: Sequence[str] | None = None,
                 on_chunk: Callable[[int, int], None] | None = None) -> tuple[dict[str, ScenarioResult], dict[str, PairResult]]:
    """Run the baseline (``scenarios[0]``), other scenarios and the paired counterfactuals
    over this job's replicates, chunk by chunk.

    Args:
        settings: validated settings.
        scenarios: scenarios simulated on their own; the first is the pairs' baseline.
        pairs: counterfactuals compared with the first scenario, replicate by replicate.
        recorded: names of scenarios that get daily statistics and recorded replicates
            (default: all).
        on_chunk: progress callback ``f(done, total)``.
    """
    lo, hi = settings.replicate_range()
    parts = chunks(lo, hi, settings.chunk_size)
    wanted = set(recorded) if recorded is not None else None
    full = lambda name: wanted is None or name in wanted  # noqa: E731
    snap_days = sorted({d for p in pairs for d in p.value_days})
    results: dict[str, ScenarioResult] = {}
    paired: dict[str, PairResult] = {p.scenario.name: PairResult(p.scenario.name, p) for p in pairs}
    for n, (a, b) in enumerate(parts):
        base_run = base_masks = None
        for i, sc in enumerate(scenarios):
            run = run_chunk(settings, sc, a, b, full=full(sc.name), snapshot_days=snap_days if i == 0 else ())
            masks = _collect(results.setdefault(sc.name, ScenarioResult(sc.name)), run, settings.n_days)
            if i == 0:
                base_run, base_masks = run, masks
        for p in pairs:
            run = run_chunk(settings, p.scenario, a, b, full=full(p.scenario.name), snapshot_days=p.value_days)
            masks = _collect(results.setdefault(p.scenario.name, ScenarioResult(p.scenario.name)), run, settings.n_days)
            _pair(paired[p.scenario.name], base_run, run, base_masks, masks)
        log.info("chunk %d/%d done (replicates %d-%d)", n + 1, len(parts), a, b - 1)
        if on_chunk:
            on_chunk(n + 1, len(parts))
    return results, paired
