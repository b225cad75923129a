"""How long a run will take, measured on this machine before it starts.

Two short probes of the run's own scenarios (same actors, events, decisions and pairs; no
recording) time the engine at two ensemble sizes, which separates the per-day cost that
does not depend on the number of replicates (Python overhead of the day loop, per chunk)
from the per-replicate-day cost. The estimate is

    seconds = chunks · days · a + replicates · days · b,

for this job's replicates, divided among ``ensemble.workers`` processes when the ensemble
has several chunks. It is an estimate, usually within a factor of two (the probes are
short, the machine noisy); it decides whether a run is refused (``ensemble.max_hours``)
and is logged before a long run starts.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, replace
from typing import Sequence

from sim.engine.settings import Scenario, Settings
from sim.errors import ConfigError
from sim.runs.chunking import chunk_size

PROBE_DAYS = 60
PROBE_SMALL, PROBE_LARGE = 64, 4096


SMALL_RUN = 2e7  # scenario-replicate-days (about ten seconds): not worth probing


@dataclass(frozen=True)
class Estimate:
    seconds: float
    per_day: float  # a: seconds per simulated day and chunk, independent of replicates
    per_replicate_day: float  # b: seconds per replicate-day (all scenarios of the run)
    replicates: int
    days: int
    chunks: int
    workers: int

    @property
    def hours(self) -> float:
        return self.seconds / 3600.0

    def describe(self) -> str:
        rate = 1.0 / self.per_replicate_day if self.per_replicate_day > 0 else math.inf
        return (f"about {_duration(self.seconds)} ({self.replicates} replicates x {self.days} days in "
                f"{self.chunks} chunk(s) on {self.workers} worker(s); measured here: "
                f"{rate:,.0f} replicate-days/s)")


def _duration(s: float) -> str:
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    if s < 2 * 365 * 86400:
        return f"{s / 86400:.0f} days"
    return f"{s / (365.25 * 86400):.0f} years"


def _probe(settings: Settings, scenarios: Sequence[Scenario], pairs: Sequence, reps: int, days: int) -> float:
    from sim.runs.ensemble import run_ensemble

    end = settings.start + dt.timedelta(days=days - 1)
    s = replace(settings, replicates=reps, chunk=0, chunks=1, chunk_size=reps, end=end, record_replicates=0,
                record_trajectories=False, record_actions=False)
    t0 = time.perf_counter()
    run_ensemble(s, scenarios, pairs, recorded=[], workers=1, quiet=True)
    return time.perf_counter() - t0


def estimate(settings: Settings, scenarios: Sequence[Scenario], pairs: Sequence = ()) -> Estimate:
    """Time two probes and extrapolate to this job's replicates and horizon."""
    days = min(settings.n_days, PROBE_DAYS)
    # the first calls load (or compile) the kernels and warm the caches: the best of two counts
    t_small = min(_probe(settings, scenarios, pairs, PROBE_SMALL, days) for _ in range(2))
    t_large = min(_probe(settings, scenarios, pairs, PROBE_LARGE, days) for _ in range(2))
    b = (t_large - t_small) / ((PROBE_LARGE - PROBE_SMALL) * days)
    if b <= 0:  # noise swamped the difference: charge everything to the replicates (an upper bound)
        b = t_large / (PROBE_LARGE * days)
    a = max(t_small / days - PROBE_SMALL * b, 0.0)
    lo, hi = settings.replicate_range()
    n = hi - lo
    n_chunks = max(1, math.ceil(n / chunk_size(lo, hi, settings.chunk_size, settings.workers, settings.n_days)))
    parallel = min(settings.workers, n_chunks)
    seconds = (n_chunks * settings.n_days * a + n * settings.n_days * b) / parallel
    return Estimate(seconds, a, b, n, settings.n_days, n_chunks, parallel)


def check_time(est: Estimate, max_hours: float) -> None:
    """Refuse a run estimated to take longer than ``ensemble.max_hours``."""
    if est.hours > max_hours:
        raise ConfigError("ensemble.max_hours", f"this run would take {est.describe()}, over the limit of "
                          f"{max_hours:g} h; lower ensemble.replicates or shorten the horizon, or raise "
                          f"ensemble.max_hours (e.g. ensemble.max_hours={math.ceil(est.hours * 1.5)})")
