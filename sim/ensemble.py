"""Monte Carlo ensembles: replicates advanced together, chunk by chunk.

Every scenario of a run simulates the same replicate ids, so a counterfactual and the
factual baseline share their random numbers (spec §6). Chunks bound the memory: only the
streamed statistics and the recorded replicates outlive a chunk.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd

from .model import TriadModel
from .record import Recorder
from .settings import Scenario, Settings
from .stats import DailyStats

log = logging.getLogger(__name__)


@dataclass
class ScenarioResult:
    name: str
    stats: DailyStats
    trajectories: list[pd.DataFrame] = field(default_factory=list)
    actions: list[pd.DataFrame] = field(default_factory=list)


def chunks(lo: int, hi: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, hi)) for a in range(lo, hi, size)]


def run_chunk(settings: Settings, scenario: Scenario, lo: int, hi: int) -> tuple[DailyStats, Recorder | None]:
    """Simulate replicates ``lo .. hi-1`` of one scenario; return its statistics and recorder."""
    stats = DailyStats(settings.actors, settings.n_days, settings.bins)
    observers = [stats.observe]
    m = max(0, min(hi, settings.record_replicates) - lo)
    rec = None
    if m and (settings.record_trajectories or settings.record_actions):
        rec = Recorder(settings, lo, m, settings.record_trajectories, settings.record_actions)
        observers.append(rec.observe)
    TriadModel(settings, scenario, lo, hi, observers).run()
    return stats, rec


def run_ensemble(settings: Settings, scenarios: Sequence[Scenario],
                 on_chunk: Callable[[int, int], None] | None = None) -> dict[str, ScenarioResult]:
    """Run every scenario over this job's replicates, chunk by chunk."""
    lo, hi = settings.replicate_range()
    parts = chunks(lo, hi, settings.chunk_size)
    results: dict[str, ScenarioResult] = {}
    for n, (a, b) in enumerate(parts):
        for sc in scenarios:
            stats, rec = run_chunk(settings, sc, a, b)
            res = results.get(sc.name)
            if res is None:
                res = results[sc.name] = ScenarioResult(sc.name, stats)
            else:
                res.stats.merge(stats)
            if rec is not None:
                if rec.keep_traj:
                    res.trajectories.append(rec.trajectories(sc.name))
                if rec.keep_actions:
                    res.actions.append(rec.actions(sc.name))
        log.info("chunk %d/%d done (replicates %d-%d)", n + 1, len(parts), a, b - 1)
        if on_chunk:
            on_chunk(n + 1, len(parts))
    return results
