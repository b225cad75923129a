"""Rolling-origin and true-future backtest: at each monthly origin the model knows only the
events realised before it and the observations before it, simulates forward with its
parameters frozen, and issues an ensemble forecast of each dyad's observed value 1..H months
ahead; the model and every baseline are scored by the same code on the same targets.

Per seed (``backtest.seeds``) and origin O (the first day of a month):

1. Simulate replicates 0..R−1 from ``start`` to the end of the last target month. Each
   replicate's event days are drawn as in the factual run (same seed, same horizon), then
   every event realised on or after O is removed from that replicate (`known_before`).
2. Monthly mean of the target's simulated quantity per replicate and dyad, ``x (R, months, D)``.
3. Per dyad, on the observed months before O only: fit the target's bridge (the observation
   model) on the ensemble-mean x and calibrate its noise on held-back training origins
   (`sim.forecast.intervals`); the same for ar1 (no simulated state) and the event filter
   (`sim.forecast.eventfilter`, its half-life fitted on the same months).
4. Forecast months O .. O+H−1 (one member per replicate); the simple baselines
   (`sim.forecast.baselines`) from the same observed past.
5. Score every forecast (`sim.forecast.metrics`) where the target month is observed; where it
   is not (the observations end before it) the forecast is still written, with
   ``observable`` false and NaN scores: "not yet observable".

The target of horizon h is the month O + h − 1 (h = 1: the origin's own month).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.engine.events import Realised, realise
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario, Settings
from sim.forecast import baselines, eventfilter, intervals, metrics
from sim.forecast.targets import Target
from sim.runs.stats import dyad_names

BRIDGED = ("model", "event_filter", "ar1")  # through the observation model, noise calibrated
FORECASTERS = (*BRIDGED, *baselines.SIMPLE)
BASELINES = FORECASTERS[1:]
COLUMNS = ("seed", "origin", "horizon", "dyad", "target_month", "observable", "observed", "forecaster",
           "members", "mean", *metrics.Q_COLUMNS, *metrics.SCORE_NAMES)


def known_before(rl: Realised, origin_day: int) -> Realised:
    """The realised timeline without every event on or after day ``origin_day``."""
    day = np.where(rl.day >= origin_day, -1, rl.day)
    return Realised(rl.events, day, rl.attributed, {t: ks for t, ks in rl.by_day.items() if t < origin_day})


class KnownModel(TriadModel):
    """A TriadModel whose replicates know only the events realised before ``origin_day``.
    Event days are drawn over ``realise_days`` (the configured horizon), so they are the
    factual run's, whatever this simulation's end."""

    def __init__(self, settings: Settings, lo: int, hi: int, origin_day: int, realise_days: int, observers=()):
        super().__init__(settings, Scenario("baseline", settings.events), lo, hi, observers)
        full = realise(settings.events, settings.start, realise_days, settings.seed, lo, hi)
        self.realised = known_before(full, origin_day)


@dataclass(frozen=True)
class OriginRun:
    origin: str  # "YYYY-MM"
    months: tuple[str, ...]  # simulated months, start's month first
    x: np.ndarray  # (R, months, dyads) monthly mean of the target's simulated quantity
    latest_event_day: int  # latest realised event day over all replicates (-1: none)
    origin_day: int
    days: np.ndarray  # (E, R) realised day of each event known before the origin (-1: not known)
    day_month: np.ndarray  # month index of each simulated day

    @property
    def days_in(self) -> np.ndarray:
        """Days of each simulated month (the first and last may be partial)."""
        return np.bincount(self.day_month, minlength=len(self.months))


def month_start(m: str) -> dt.date:
    return dt.date(int(m[:4]), int(m[5:7]), 1)


def _add(m: str, k: int) -> str:
    return str(pd.Period(m, freq="M") + k)


def simulate_origin(settings: Settings, origin: str, last_month: str, state=None, n_series: int | None = None,
                    aggregate: str = "mean") -> OriginRun:
    """Simulate ``settings.replicates`` replicates from start to the end of ``last_month``
    knowing the events before ``origin``; monthly means (``aggregate="sum"``: sums) of
    ``state(model)`` (default: the net relation, one series per dyad) per replicate."""
    state = state or (lambda model: model.net_relation())
    end = pd.Period(last_month, freq="M").end_time.date()
    s = replace(settings, end=end, chunk=0, chunks=1, record_trajectories=False, record_actions=False,
                record_replicates=0)
    origin_day = s.day_of(month_start(origin))
    lab = np.array([str(d)[:7] for d in s.dates.astype("datetime64[M]")])
    months = tuple(dict.fromkeys(lab.tolist()))
    day_month = np.searchsorted(np.array(months), lab)
    days_in = np.bincount(day_month, minlength=len(months)).astype(float)
    D, R = n_series or len(dyad_names(s.actors)), s.replicates
    x = np.empty((R, len(months), D))
    days = np.full((len(s.events), R), -1, dtype=np.int64)
    for lo in range(0, R, s.chunk_size):
        hi = min(R, lo + s.chunk_size)
        acc = np.zeros((len(months), D, hi - lo))

        def observe(t, model, acc=acc):
            acc[day_month[t]] += state(model)

        model = KnownModel(s, lo, hi, origin_day, settings.n_days, [observe])
        model.run()
        days[:, lo:hi] = model.realised.day
        x[lo:hi] = (acc / (days_in[:, None, None] if aggregate == "mean" else 1.0)).transpose(2, 0, 1)
    latest = int(days.max()) if days.size else -1
    return OriginRun(origin, months, x, latest, origin_day, days, day_month)


def _past(run: OriginRun, arr: np.ndarray, past_months: list[str]) -> np.ndarray:
    """``(R, T)``: ``arr (R, run.months)`` on the observed training months, NaN before the model ran."""
    pos = {m: i for i, m in enumerate(run.months)}
    out = np.full((arr.shape[0], len(past_months)), np.nan)
    for j, m in enumerate(past_months):
        if m in pos:
            out[:, j] = arr[:, pos[m]]
    return out


def score_origin(run: OriginRun, obs: pd.DataFrame, horizons: tuple[int, ...], seed: int, dyads: list[str],
                 target: Target, events) -> tuple[list[dict], list[dict]]:
    """Rows of backtest.parquet for one seed and origin (every dyad × horizon × forecaster up
    to the simulated months), and one record per dyad of what was fitted on the training months."""
    o = run.origin
    past_months = [m for m in obs.index if m < o]
    k0 = run.months.index(o)
    R, M = run.x.shape[0], len(run.months)
    edges = np.asarray(target.edges, dtype=float)
    if "event_filter" in target.forecasters:
        imp = eventfilter.impulses(run.days, events, dyads, len(run.day_month))
        ef = {hl: eventfilter.monthly(imp, hl, run.day_month, M) for hl in eventfilter.HALF_LIVES}
    rows, fits = [], []
    forecasters = target.forecasters
    bridged = [f for f in forecasters if f in BRIDGED]
    ctx = {"days_in_month": run.days_in[k0:]}
    for d, dyad in enumerate(dyads):
        y_past = obs.loc[past_months, dyad].to_numpy(dtype=float)
        key = [seed, int(o.replace("-", "")), d]
        x_past = _past(run, run.x[:, :, d], past_months)
        draws = {}
        draws["model"], p, cal = target.forecast(y_past, x_past, run.x[:, k0:, d], float(run.x[:, 0, d].mean()), horizons,
                                         np.random.default_rng([*key, 13]), series=dyad, **ctx)
        fit = {"seed": seed, "origin": o, "dyad": dyad, "train_months": [past_months[0], past_months[-1]],
               "model_months": p.n_model, "observation_model": p.as_dict(), "noise": cal}
        if "event_filter" in bridged:
            x_ef = {hl: _past(run, v[:, :, d], past_months) for hl, v in ef.items()}
            hl, _ll = eventfilter.fit_half_life(y_past, {h: intervals.ensemble_mean(v) for h, v in x_ef.items()})
            draws["event_filter"], p_ef, cal_ef = target.forecast(y_past, x_ef[hl], ef[hl][:, k0:, d], 0.0, horizons,
                                                          np.random.default_rng([*key, 17]), series=dyad, **ctx)
            fit["event_filter"] = {"half_life_days": hl, "observation_model": p_ef.as_dict(), "noise": cal_ef}
        if "ar1" in bridged:
            nan = np.full((R, len(past_months)), np.nan)
            draws["ar1"], p_ar, cal_ar = target.forecast(y_past, nan, np.full((R, M - k0), np.nan), 0.0, horizons,
                                                 np.random.default_rng([*key, 19]), series=dyad, **ctx)
            fit["ar1"] = {"observation_model": p_ar.as_dict(), "noise": cal_ar}
        fits.append(fit)
        rng_c = np.random.default_rng([*key, 23])
        for h in horizons:
            if h > M - k0:
                continue
            tm = _add(o, h - 1)
            y = float(obs.at[tm, dyad]) if tm in obs.index else np.nan
            members = {**{f: draws[f][:, h - 1] for f in draws}, **baselines.simple(y_past, h, R, rng_c)}
            for f in forecasters:
                rows.append({"seed": seed, "origin": month_start(o), "horizon": h, "dyad": dyad,
                             "target_month": month_start(tm), "observable": bool(np.isfinite(y)), "observed": y,
                             "forecaster": f, "members": len(members[f]), **metrics.summary(members[f]),
                             **metrics.score(y, members[f], edges)})
    return rows, fits


def run_backtest(settings: Settings, obs: pd.DataFrame, origins: tuple[str, ...], horizons: tuple[int, ...],
                 target: Target, seeds: tuple[int, ...] = (0,), last_month: str | None = None,
                 progress=None) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Every seed and origin simulated and scored: the rows (``COLUMNS``), the per-(seed,
    origin, dyad) fits, and per (seed, origin) the latest realised event day."""
    dyads = target.series(settings.actors)
    last_month = last_month or str(pd.Period(settings.end, freq="M"))
    rows, fits, timelines = [], [], []
    for seed in seeds:
        s = replace(settings, seed=seed)
        for o in origins:
            run = simulate_origin(s, o, min(_add(o, max(horizons) - 1), last_month), target.state, len(dyads),
                                  target.aggregate)
            r, f = score_origin(run, obs, horizons, seed, dyads, target, s.events)
            rows += r
            fits += f
            timelines.append({"seed": seed, "origin": o, "origin_day": run.origin_day,
                              "latest_event_day": run.latest_event_day})
            if progress:
                progress(seed, o)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df = df.sort_values(["seed", "dyad", "origin", "horizon", "forecaster"], kind="stable").reset_index(drop=True)
    return df, fits, timelines
