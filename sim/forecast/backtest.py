"""Rolling-origin backtest: at each monthly origin the model knows only the events realised
before it and the observations before it, simulates forward, and issues a predictive
distribution of each dyad's observed value 1..H months ahead; the model and the baselines
are scored on the same targets.

Per origin O (the first day of a month):

1. Simulate replicates 0..R−1 from ``start`` to the end of the last target month. Each
   replicate's event days are drawn as in the factual run (same seed, same horizon), then
   every event realised on or after O is removed from that replicate (`known_before`): the
   model has seen what happened before O and nothing after it.
2. Monthly mean net relation per replicate and dyad, ``x (R, months, dyads)``.
3. Fit the observation model (`sim.forecast.observation`) per dyad on the observed months
   before O (the ensemble mean of x where the model ran; at rest before ``start``).
4. Predictive samples of months O .. O+H−1: one draw per replicate (its own x plus an
   observation-error path), seeded by (seed, O, dyad).
5. Score each target month that has an observation: the model's samples, and the baselines
   (`sim.forecast.baselines`) built from the same observed past.

The target of horizon h is the month O + h − 1 (h = 1: the origin's own month, which the
model and the baselines have not seen).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.engine.events import Realised, realise
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario, Settings
from sim.forecast import baselines
from sim.forecast import observation as ob
from sim.forecast.scoring import Ensemble, scores, skill
from sim.runs.stats import dyad_names

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
Q_COLUMNS = tuple(f"q{int(round(q * 100)):02d}" for q in QUANTILES)
FORECASTERS = ("model", *baselines.NAMES)
SCORES = ("crps", "brier", "log")


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
    x: np.ndarray  # (R, months, dyads) monthly mean net relation per replicate
    latest_event_day: int  # latest realised event day over all replicates (-1: none)
    origin_day: int


def month_start(m: str) -> dt.date:
    return dt.date(int(m[:4]), int(m[5:7]), 1)


def simulate_origin(settings: Settings, origin: str, last_month: str) -> OriginRun:
    """Simulate ``settings.replicates`` replicates from start to the end of ``last_month``
    knowing the events before ``origin``; monthly means of net relation per replicate."""
    end = (pd.Period(last_month, freq="M").end_time.date())
    s = replace(settings, end=end, chunk=0, chunks=1, record_trajectories=False, record_actions=False,
                record_replicates=0)
    origin_day = s.day_of(month_start(origin))
    lab = np.array([str(d)[:7] for d in s.dates.astype("datetime64[M]")])
    months = tuple(dict.fromkeys(lab.tolist()))
    day_month = np.searchsorted(np.array(months), lab)
    days_in = np.bincount(day_month, minlength=len(months)).astype(float)
    D, R = len(dyad_names(s.actors)), s.replicates
    x = np.empty((R, len(months), D))
    latest = -1
    for lo in range(0, R, s.chunk_size):
        hi = min(R, lo + s.chunk_size)
        acc = np.zeros((len(months), D, hi - lo))

        def observe(t, model, acc=acc):
            acc[day_month[t]] += model.net_relation()

        model = KnownModel(s, lo, hi, origin_day, settings.n_days, [observe])
        model.run()
        day = model.realised.day
        latest = max(latest, int(day.max()) if day.size else -1)
        x[lo:hi] = (acc / days_in[:, None, None]).transpose(2, 0, 1)
    return OriginRun(origin, months, x, latest, origin_day)


def _add(m: str, k: int) -> str:
    return str(pd.Period(m, freq="M") + k)


def score_origin(run: OriginRun, obs: pd.DataFrame, horizons: tuple[int, ...], seed: int,
                 dyads: list[str]) -> list[dict]:
    """Rows of backtest.parquet for one origin: every dyad × horizon whose target month is observed."""
    o = run.origin
    past_months = [m for m in obs.index if m < o]
    k0 = run.months.index(o)
    xm = run.x.mean(axis=0)  # (months, dyads)
    pos = {m: i for i, m in enumerate(run.months)}
    rows = []
    for d, dyad in enumerate(dyads):
        y_past = obs.loc[past_months, dyad].to_numpy(dtype=float)
        x_past = np.array([xm[pos[m], d] if m in pos else np.nan for m in past_months])
        x_rest = float(xm[0, d])
        p = ob.fit(y_past, x_past, x_rest)
        rng = np.random.default_rng([seed, int(o.replace("-", "")), d, 13])
        future = ob.sample(run.x[:, k0:, d], p, rng)  # (R, months from the origin on)
        for h in horizons:
            target = _add(o, h - 1)
            if target not in obs.index or h > future.shape[1]:
                continue
            y = float(obs.at[target, dyad])
            fc = Ensemble(future[:, h - 1])
            row = {"origin": month_start(o), "horizon": h, "dyad": dyad, "target_month": month_start(target),
                   "observed": y}
            for name, f in {"model": fc, **baselines.forecasts(y_past, h)}.items():
                sc = scores(f, y)
                row.update({f"{name}_{k}": v for k, v in sc.items()})
            row.update(model_mean=fc.mean(), model_pit=fc.pit(y),
                       **dict(zip(Q_COLUMNS, (float(v) for v in fc.quantiles(QUANTILES)))),
                       obs_mu=p.mu, obs_beta=p.beta, obs_x_rest=p.x_rest, obs_sigma=p.sigma, obs_phi=p.phi,
                       obs_last_resid=p.last_resid, train_months=p.n_train, model_months=p.n_model)
            rows.append(row)
    return rows


def run_backtest(settings: Settings, obs: pd.DataFrame, origins: tuple[str, ...], horizons: tuple[int, ...],
                 progress=None) -> tuple[pd.DataFrame, list[OriginRun]]:
    """Every origin simulated and scored; the rows (see ``COLUMNS``) and the origin runs
    (their ``x`` dropped to save memory, their timelines' latest event day kept)."""
    dyads = dyad_names(settings.actors)
    rows, runs = [], []
    for o in origins:
        last = min(_add(o, max(horizons) - 1), obs.index[-1])
        run = simulate_origin(settings, o, last)
        rows += score_origin(run, obs, horizons, settings.seed, dyads)
        runs.append(replace(run, x=np.empty((0, 0, 0))))
        if progress:
            progress(o)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.sort_values(["dyad", "origin", "horizon"], kind="stable").reset_index(drop=True), runs


COLUMNS = ("origin", "horizon", "dyad", "target_month", "observed",
           *(f"{f}_{k}" for f in FORECASTERS for k in (*SCORES, "p_positive")),
           "model_mean", "model_pit", *Q_COLUMNS,
           "obs_mu", "obs_beta", "obs_x_rest", "obs_sigma", "obs_phi", "obs_last_resid", "train_months",
           "model_months")


def skill_table(df: pd.DataFrame, n_boot: int, seed: int, groups: dict[str, tuple[int, ...]]) -> list[dict]:
    """Skill of the model against every baseline, per dyad and horizon group, for every score,
    with bootstrap intervals over origins. ``groups``: label -> horizons pooled (e.g. "1": (1,),
    "1-3": (1, 2, 3))."""
    out = []
    for dyad in sorted(df["dyad"].unique()):
        for label, hs in groups.items():
            sub = df[(df["dyad"] == dyad) & df["horizon"].isin(hs)]
            if sub.empty:
                continue
            g = sub["origin"].astype(str).to_numpy()
            for base in baselines.NAMES:
                for k in SCORES:
                    sk = skill(sub[f"model_{k}"].to_numpy(), sub[f"{base}_{k}"].to_numpy(), g, n_boot=n_boot,
                               seed=seed)
                    out.append({"dyad": dyad, "horizons": label, "baseline": base, "score": k,
                                "model": float(sub[f"model_{k}"].mean()), "baseline_score": float(sub[f"{base}_{k}"].mean()),
                                **sk})
    return out
