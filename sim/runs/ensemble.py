"""Monte Carlo ensembles: replicates advanced together, chunk by chunk.

Every scenario of a run simulates the same replicate ids, so a counterfactual and the
factual baseline share their random numbers (spec §6). Within a chunk all scenarios step
in lockstep, day by day, so each day's paired differences are taken while both states are
in memory. Only streamed statistics, route counts, paired moments and the recorded
replicates outlive a chunk: memory is flat in the number of replicates.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from sim.engine.ladder import N_RUNGS
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario, Settings
from sim.errors import ConfigError
from sim.runs.chunking import chunk_size, plan_chunks
from sim.runs.paired import PairedMetric
from sim.runs.progress import DayTicker, Progress, QueueListener, in_worker
from sim.runs.record import Recorder
from sim.runs.routes import N_ROUTES, RouteStats
from sim.runs.stats import DIFF_BINS_FACTOR, DailyStats, difference_stats

log = logging.getLogger(__name__)


_malloc_tuned = False


def tune_malloc() -> None:
    """Keep freed arrays in the heap instead of returning them to the OS each time.

    The day loop makes many short-lived arrays of about a megabyte; with glibc's default
    thresholds each one is a fresh mmap and munmap, measured at 25–35 % of engine time.
    Once per process, when a run starts (not at import: importing sim changes nothing).
    No effect (and no error) off glibc.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        libc.mallopt(M_MMAP_THRESHOLD, 64 * 2**20)
        libc.mallopt(M_TRIM_THRESHOLD, 32 * 2**20)  # keep up to 32 MB of freed heap
    except (OSError, AttributeError):
        pass


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
    net relation on ``value_days`` (day indices); ``daily``: stream the paired difference
    every day (for the difference fan charts)."""

    scenario: Scenario
    p_days: tuple[int, ...]
    value_days: tuple[int, ...]
    daily: bool = True
    # leave-one-out at fixed lags: the removed event and the lags (days after its own
    # realised day, per replicate) at which its effect is measured
    event_id: str | None = None
    lags: tuple[int, ...] = ()


@dataclass
class PairResult:
    name: str
    plan: PairPlan
    p: dict[tuple[int, int, int], PairedMetric] = field(default_factory=dict)  # (day, dyad, k)
    values: dict[tuple[str, int, int], PairedMetric] = field(default_factory=dict)  # (variable, day, dyad)
    daily: DailyStats | None = None  # paired differences, per day
    route_base: np.ndarray | None = None  # (dyads, 64) counts
    route_cf: np.ndarray | None = None
    route_both: np.ndarray | None = None
    # (variable or "p_K" / "p_K_endogenous", lag, dyad) -> paired metric, at each event's own lag
    lagged: dict[tuple[str, int, int], PairedMetric] = field(default_factory=dict)
    event_day: np.ndarray | None = None  # this chunk's realised day of the removed event (-1: none)
    draw: np.ndarray | None = None  # this chunk's posterior draw per replicate (sim/io/posterior.py), or None
    _win: dict | None = None  # running highest rung within each lag window


def memory_estimate(settings: Settings, n_full: int, n_light: int, n_daily_pairs: int) -> dict[str, float]:
    """Bytes a run will hold at its peak, by part, before anything is allocated.

    ``n_full`` scenarios keep daily statistics and recorded replicates, ``n_light`` only
    what pairing needs; ``n_daily_pairs`` counterfactuals stream daily differences.
    """
    N, days = len(settings.actors), settings.n_days
    K, D = N * (N - 1), N * (N - 1) // 2
    lo, hi = settings.replicate_range()
    size = chunk_size(lo, hi, settings.chunk_size, settings.workers, days)
    R = min(size, settings.replicates)
    side_by_side = max(1, min(settings.workers, -(-(hi - lo) // size)))  # chunks in memory at once
    per_replicate = (5 * N * N * 8 + 2 * N * N + 7 * D * 4 + 3 * D * 8 + 8 * K * 8
                     + len(settings.events) * 9)
    scenarios = n_full + n_light
    rec = min(settings.record_replicates, settings.replicates)
    parts = {
        "engine state": float(per_replicate * R * scenarios * side_by_side),
        "daily statistics": float(n_full * days * (2 * K + 2 * D) * (settings.bins + 3) * 4
                                  + n_daily_pairs * days * 2 * D * (DIFF_BINS_FACTOR * settings.bins + 3) * 4
                                  + 2 * scenarios * D * 64 * 6 * days * 8),  # routes: any, endogenous
        # the recorder's arrays, then the long tables built from them (about 3x)
        "recorded replicates": float(4 * n_full * rec * days * 2 * N * N * 8),
    }
    parts["total"] = sum(parts.values())
    return parts


def check_memory(settings: Settings, n_full: int, n_light: int, n_daily_pairs: int) -> None:
    """Refuse, before anything is allocated, a run that would not fit in this machine's
    memory (80 % of it); the error names the key to lower and gives the estimate."""
    est = memory_estimate(settings, n_full, n_light, n_daily_pairs)
    from sim.runs.budget import memory_budget

    budget, what = memory_budget()
    if est["total"] > budget:
        worst = max((k for k in est if k != "total"), key=est.get)
        key = {"engine state": "ensemble.chunk_size", "recorded replicates": "record.replicates",
               "daily statistics": "record.scenarios"}[worst]
        detail = ", ".join(f"{k} {v / 1e9:.1f} GB" for k, v in est.items() if k != "total")
        raise ConfigError(key, f"this run would need about {est['total'] / 1e9:.1f} GB ({detail}) and "
                          f"{budget / 1e9:.1f} GB is available ({what}); lower {key}"
                          + (" (replicates are simulated chunk by chunk, so only the chunk size and the "
                             "recording grow memory)" if key != "record.scenarios" else ""))


@dataclass
class _Member:
    """One scenario's model in a chunk, with its observers' state."""

    result: ScenarioResult
    model: TriadModel
    stats: DailyStats | None
    recorder: Recorder | None


def _member(settings: Settings, sc: Scenario, lo: int, hi: int, full: bool, result: ScenarioResult) -> _Member:
    stats = rec = None
    observers = []
    if full:
        stats = DailyStats(settings.actors, settings.n_days, settings.bins)
        observers.append(stats.observe)
        m = max(0, min(hi, settings.record_replicates) - lo)
        if m and (settings.record_trajectories or settings.record_actions):
            rec = Recorder(settings, lo, m, settings.record_trajectories, settings.record_actions)
            observers.append(rec.observe)
    return _Member(result, TriadModel(settings, sc, lo, hi, observers), stats, rec)


def _finish(mem: _Member, n_days: int) -> np.ndarray:
    res = mem.result
    if mem.stats is not None:
        if res.stats is None:
            res.stats = mem.stats
        else:
            res.stats.merge(mem.stats)
    if res.routes is None:
        res.routes = RouteStats(mem.model.first_reach.shape[1], n_days)
    masks = res.routes.add(mem.model.first_reach, mem.model.first_reach_endo)
    if mem.recorder is not None:
        if mem.recorder.keep_traj:
            res.trajectories.append(mem.recorder.trajectories(res.name))
        if mem.recorder.keep_actions:
            res.actions.append(mem.recorder.actions(res.name))
    return masks


def _pair_lags(pr: PairResult, t: int, base: TriadModel, cf: TriadModel) -> None:
    """Leave-one-out at fixed lags: tension and net relation on day event_day + L, and the
    highest rung (any act, endogenous) on the days event_day … event_day + L."""
    ed = pr.event_day
    if pr._win is None:
        z = np.zeros_like(base.dyad_rung)
        pr._win = {(L, o, s): z.copy() for L in pr.plan.lags for o in ("any", "endogenous") for s in (0, 1)}
    rungs = {("any", 0): base.dyad_rung, ("any", 1): cf.dyad_rung,
             ("endogenous", 0): base.dyad_rung_endo, ("endogenous", 1): cf.dyad_rung_endo}
    tb = tc = nb = nc = None
    for L in pr.plan.lags:
        act = (ed >= 0) & (ed <= t) & (t <= ed + L)
        if act.any():
            for (o, s), r in rungs.items():
                np.maximum(pr._win[(L, o, s)], np.where(act, r, 0), out=pr._win[(L, o, s)])
        sel = (ed >= 0) & (ed + L == t)
        if sel.any():
            if tb is None:
                tb, tc, nb, nc = base.tension(), cf.tension(), base.net_relation(), cf.net_relation()
            for d in range(tb.shape[0]):
                pr.lagged.setdefault(("tension", L, d), PairedMetric()).add(tb[d][sel], tc[d][sel])
                pr.lagged.setdefault(("net_relation", L, d), PairedMetric()).add(nb[d][sel], nc[d][sel])


def _pair_lag_end(pr: PairResult, n_days: int) -> None:
    ed = pr.event_day
    for L in pr.plan.lags:
        valid = (ed >= 0) & (ed + L <= n_days - 1)  # the event simulated and its window inside the horizon
        for o, tail in (("any", ""), ("endogenous", "_endogenous")):
            wb, wc = pr._win[(L, o, 0)], pr._win[(L, o, 1)]
            for d in range(wb.shape[0]):
                for k in range(1, N_RUNGS + 1):
                    pr.lagged.setdefault((f"p_{k}{tail}", L, d), PairedMetric()).add(
                        (wb[d] >= k)[valid], (wc[d] >= k)[valid])
    pr._win = None


def _pair_day(pr: PairResult, t: int, base: TriadModel, cf: TriadModel, daily: DailyStats | None) -> None:
    if pr.plan.lags:
        _pair_lags(pr, t, base, cf)
    want = t in pr.plan.value_days
    if not (want or daily is not None):
        return
    tb, tc = base.tension(), cf.tension()
    nb, nc = base.net_relation(), cf.net_relation()
    if daily is not None:
        daily.observe_values(t, np.concatenate([tc - tb, nc - nb]))
    if want:
        for d in range(tb.shape[0]):
            pr.values.setdefault(("tension", t, d), PairedMetric()).add(tb[d], tc[d], pr.draw)
            pr.values.setdefault(("net_relation", t, d), PairedMetric()).add(nb[d], nc[d], pr.draw)


def _pair_end(pr: PairResult, base: TriadModel, cf: TriadModel, mb: np.ndarray, mc: np.ndarray) -> None:
    n_dyads = base.first_reach.shape[1]
    for day in pr.plan.p_days:
        for k in range(1, N_RUNGS + 1):
            # keys (day, dyad, rung) for any act, (…, "endogenous") for the model's own acts
            for fb, fc, tail in ((base.first_reach, cf.first_reach, ()),
                                 (base.first_reach_endo, cf.first_reach_endo, ("endogenous",))):
                rb = (fb[k] >= 0) & (fb[k] <= day)
                rc = (fc[k] >= 0) & (fc[k] <= day)
                for d in range(n_dyads):
                    pr.p.setdefault((day, d, k, *tail), PairedMetric()).add(rb[d], rc[d], pr.draw)
    if pr.route_base is None:
        pr.route_base = np.zeros((n_dyads, N_ROUTES), dtype=np.int64)
        pr.route_cf = np.zeros_like(pr.route_base)
        pr.route_both = np.zeros_like(pr.route_base)
    for d in range(n_dyads):
        pr.route_base[d] += np.bincount(mb[d], minlength=N_ROUTES)
        pr.route_cf[d] += np.bincount(mc[d], minlength=N_ROUTES)
        pr.route_both[d] += np.bincount(mb[d][mb[d] == mc[d]], minlength=N_ROUTES)


def _simulate_chunk(settings: Settings, scenarios: Sequence[Scenario], pairs: Sequence[PairPlan],
                    wanted: set[str] | None, a: int, b: int,
                    tick: DayTicker | None = None) -> tuple[dict[str, ScenarioResult], dict[str, PairResult]]:
    """All scenarios over replicates ``a .. b-1``, in lockstep; the chunk's own results."""
    tune_malloc()  # here, so that worker processes are tuned too
    results: dict[str, ScenarioResult] = {}
    paired = {p.scenario.name: PairResult(p.scenario.name, p) for p in pairs}
    if settings.posterior_draws:
        for pr in paired.values():
            pr.draw = np.arange(a, b) % settings.posterior_draws
    everything = [*scenarios, *(p.scenario for p in pairs)]
    members = [_member(settings, sc, a, b, wanted is None or sc.name in wanted,
                       results.setdefault(sc.name, ScenarioResult(sc.name))) for sc in everything]
    base, cfs = members[0].model, [m.model for m in members[len(scenarios):]]
    ids = [e.id for e in base.realised.events]
    for p in pairs:
        if p.event_id is not None and p.lags:
            paired[p.scenario.name].event_day = base.realised.day[ids.index(p.event_id)].astype(np.int64)
    dailies = [difference_stats(settings.actors, settings.n_days, settings.bins) if p.daily else None
               for p in pairs]
    for t in range(settings.n_days):
        for m in members:
            m.model.step()
        for p, cf, daily in zip(pairs, cfs, dailies):
            _pair_day(paired[p.scenario.name], t, base, cf, daily)
        if tick is not None:
            tick()
    masks = [_finish(m, settings.n_days) for m in members]
    for m in members:
        m.model.release()
    for i, p in enumerate(pairs):
        pr = paired[p.scenario.name]
        _pair_end(pr, base, cfs[i], masks[0], masks[len(scenarios) + i])
        if p.lags and pr.event_day is not None:
            _pair_lag_end(pr, settings.n_days)
        pr.daily = dailies[i]
    if tick is not None:
        tick.finished(a, b)
    return results, paired


def _merge(total: tuple[dict, dict], part: tuple[dict, dict]) -> None:
    """Add a chunk's results to the running totals (integer counts: exact, order-free)."""
    results, paired = total
    for name, r in part[0].items():
        if name not in results:
            results[name] = r
            continue
        t = results[name]
        if r.stats is not None:
            t.stats.merge(r.stats)
        t.routes.merge(r.routes)
        t.trajectories += r.trajectories
        t.actions += r.actions
    for name, pr in part[1].items():
        if name not in paired:
            paired[name] = pr
            continue
        t = paired[name]
        for key, metric in pr.p.items():
            t.p[key].merge(metric)
        for key, metric in pr.lagged.items():
            t.lagged.setdefault(key, PairedMetric()).merge(metric)
        for key, metric in pr.values.items():
            t.values[key].merge(metric)
        if pr.daily is not None:
            t.daily.merge(pr.daily)
        t.route_base += pr.route_base
        t.route_cf += pr.route_cf
        t.route_both += pr.route_both


def run_ensemble(settings: Settings, scenarios: Sequence[Scenario], pairs: Sequence[PairPlan] = (),
                 recorded: Sequence[str] | None = None, workers: int = 1,
                 on_chunk: Callable[[int, int], None] | None = None, quiet: bool = False,
                 progress: Progress | None = None) -> tuple[dict[str, ScenarioResult], dict[str, PairResult]]:
    """Run the scenarios and the paired counterfactuals over this job's replicates.

    Args:
        settings: validated settings.
        scenarios: scenarios simulated on their own; the first is the pairs' baseline.
        pairs: counterfactuals compared with the first scenario, replicate by replicate.
        recorded: names of scenarios that get daily statistics and recorded replicates
            (default: all).
        workers: processes that simulate chunks side by side (joblib); the merged result
            is the same as with one, since every chunk's numbers depend only on its ids.
        on_chunk: callback ``f(done, total)`` after each chunk is merged.
        quiet: no progress bar and no log lines (the run-time probes).
        progress: where replicate-days are counted (default: a bar on standard error when
            it is a terminal, else a log line per chunk; see ``sim.runs.progress``).
    """
    lo, hi = settings.replicate_range()
    parts = plan_chunks(lo, hi, settings.chunk_size, workers, settings.n_days)
    wanted = set(recorded) if recorded is not None else None
    total: tuple[dict, dict] = ({}, {})
    parallel = workers > 1 and len(parts) > 1
    if progress is None:
        progress = Progress((hi - lo) * settings.n_days, len(parts), quiet=quiet)
    listener = QueueListener(progress) if parallel and not quiet else None
    if parallel:
        from joblib import Parallel, delayed

        queue = listener.queue if listener is not None else None
        runs = Parallel(n_jobs=min(workers, len(parts)), return_as="generator")(
            delayed(in_worker)(_simulate_chunk, settings, scenarios, pairs, wanted, a, b,
                               tick=DayTicker(b - a, queue=queue))
            for a, b in parts)
    else:
        runs = (_simulate_chunk(settings, scenarios, pairs, wanted, a, b, DayTicker(b - a, sink=progress.advance))
                for a, b in parts)
    try:
        for n, ((a, b), part) in enumerate(zip(parts, runs)):
            _merge(total, part)
            del part  # before the next chunk is made: one chunk's arrays alive at a time
            if not parallel:  # workers say when they finish, through the listener
                progress.chunk_done(a, b)
            if on_chunk:
                on_chunk(n + 1, len(parts))
    finally:
        if listener is not None:
            listener.close()
        progress.close()
    return total
