"""Run many parameter sets as ONE vectorised ensemble and return per-replicate outcomes.

Sample i with ``reps`` replicates occupies replicate ids ``i·reps … i·reps + reps − 1``;
``Settings.replicate_values`` gives every replicate its sample's parameters, and samples
run together in chunks of whole samples (at most ``ensemble.chunk_size`` replicates), so
memory is bounded by the chunk, not the number of samples.

With ``crn=True`` every sample instead reuses the random numbers of replicates
``0 … reps−1`` (common random numbers): the outcome is then a deterministic function of
the parameters, which is what an optimiser needs (calibration).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

import numpy as np

from sim.engine.events import realise
from sim.engine.ladder import N_RUNGS
from sim.engine.model import TriadModel
from sim.engine.rng import Stream
from sim.engine.settings import Scenario, Settings
from sim.errors import ConfigError
from sim.runs.dates import add_months
from sim.runs.stats import dyad_names

KINDS = tuple(f"p_rung_{k}" for k in range(1, N_RUNGS + 1)) + ("tension_end", "net_relation_end")


@dataclass(frozen=True)
class Output:
    """One scalar outcome per replicate: ``kind`` for ``dyad``."""

    kind: str
    dyad: str

    @property
    def name(self) -> str:
        return f"{self.kind}.{self.dyad}"


def outputs_from_config(kinds: Sequence[str], dyads: Sequence[str] | None, actors: Sequence[str],
                        key: str = "explore.outputs") -> list[Output]:
    names = dyad_names(tuple(actors))
    if not kinds:
        raise ConfigError(key, f"needs at least one output; allowed: {', '.join(KINDS)}")
    for k in kinds:
        if k not in KINDS:
            raise ConfigError(key, f"{k!r}; allowed: {', '.join(KINDS)}")
    dy = list(dyads) if dyads else names
    for d in dy:
        if d not in names:
            raise ConfigError("explore.dyads", f"{d!r}; allowed: {', '.join(names)}")
    return [Output(k, d) for k in kinds for d in dy]


def horizon_days(settings: Settings, months: int, key: str = "explore.horizon_months") -> int:
    """Days from ``start`` to ``start + months`` (the 'within N months' window)."""
    days = (add_months(settings.start, months) - settings.start).days
    if months < 1 or days > settings.n_days:
        raise ConfigError(key, f"{months} months from {settings.start} ends after end={settings.end}; "
                          "lower it or move `end`")
    return days


class _Tiled:
    """A stream of ``reps`` replicates repeated ``copies`` times along the replicate axis."""

    def __init__(self, inner: Stream, copies: int):
        self.inner, self.copies = inner, copies

    def normal(self, shape):
        return np.tile(self.inner.normal(shape), self.copies)

    def uniform(self, shape):
        return np.tile(self.inner.uniform(shape), self.copies)


class CRNModel(TriadModel):
    """A TriadModel over positions ``lo … hi−1`` (parameters) whose random numbers are those
    of replicates ``0 … reps−1``, repeated for every block of ``reps`` positions."""

    def __init__(self, settings: Settings, scenario: Scenario, lo: int, hi: int, reps: int, observers=()):
        super().__init__(settings, scenario, lo, hi, observers)
        copies = (hi - lo) // reps
        assert copies * reps == hi - lo
        s = settings.seed
        self.noise_stream = _Tiled(Stream(s, "noise", 0, reps), copies)
        self.decide_stream = _Tiled(Stream(s, "decide", 0, reps), copies)
        rl = realise(scenario.events, settings.start, settings.n_days, s, 0, reps, settings.occasion)
        self.realised = replace(rl, day=np.tile(rl.day, (1, copies)), attributed=np.tile(rl.attributed, (1, copies)),
                                magnitude={k: np.tile(v, (1, copies)) for k, v in rl.magnitude.items()})


def _settings_for(problem: Mapping, X: np.ndarray, settings: Settings, reps: int) -> Settings:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != problem["num_vars"]:
        raise ValueError(f"X must have shape (n, {problem['num_vars']}), got {X.shape}")
    values = {name: np.repeat(X[:, j], reps) for j, name in enumerate(problem["names"])}
    return replace(settings, replicates=X.shape[0] * reps, chunk=0, chunks=1, replicate_values=values,
                   record_trajectories=False, record_actions=False, record_replicates=0)


def _run(problem: Mapping, X: np.ndarray, settings: Settings, reps: int, crn: bool,
         observers: Callable[[], list], collect: Callable[[TriadModel, int, int, list], None]) -> None:
    if reps < 1:
        raise ConfigError("explore.replicates_per_sample", f"{reps}: needs at least 1")
    s = _settings_for(problem, X, settings, reps)
    n = X.shape[0]
    per_chunk = max(1, settings.chunk_size // reps)
    scenario = Scenario("baseline", settings.events)
    for a in range(0, n, per_chunk):
        b = min(n, a + per_chunk)
        obs = observers()
        lo, hi = a * reps, b * reps
        model = CRNModel(s, scenario, lo, hi, reps, obs) if crn else TriadModel(s, scenario, lo, hi, obs)
        model.run()
        collect(model, a, b, obs)


def evaluate(problem: Mapping, X: np.ndarray, settings: Settings, replicates_per_sample: int,
             outputs: Sequence[Output], *, within_days: int | None = None, crn: bool = False) -> np.ndarray:
    """Outcomes ``Y[i, k, o]`` of output o in replicate k of sample i.

    ``p_rung_K``: 1 if the dyad reached rung ≥ K within ``within_days`` days of ``start``
    (default: the whole run), else 0 — its per-sample mean is the probability;
    ``tension_end`` / ``net_relation_end``: the value on the last simulated day."""
    names = dyad_names(settings.actors)
    n, reps = np.asarray(X).shape[0], replicates_per_sample
    Y = np.empty((n, reps, len(outputs)))
    limit = settings.n_days if within_days is None else within_days

    def collect(model, a, b, _obs):
        ten, net = model.tension(), model.net_relation()
        for o, out in enumerate(outputs):
            d = names.index(out.dyad)
            if out.kind.startswith("p_rung_"):
                fr = model.first_reach[int(out.kind[-1]), d]
                v = ((fr >= 0) & (fr < limit)).astype(float)
            else:
                v = ten[d] if out.kind == "tension_end" else net[d]
            Y[a:b, :, o] = v.reshape(b - a, reps)

    _run(problem, X, settings, reps, crn, list, collect)
    return Y


def month_labels(settings: Settings) -> np.ndarray:
    """'YYYY-MM' of every simulated day."""
    return np.array([str(d)[:7] for d in settings.dates.astype("datetime64[M]")])


def evaluate_monthly(problem: Mapping, X: np.ndarray, settings: Settings, replicates_per_sample: int,
                     months: Sequence[str], *, crn: bool = True) -> np.ndarray:
    """Ensemble-mean monthly net relation per sample: ``(n, len(months), dyads)`` — the
    monthly mean of the daily mean over the sample's replicates (as ``summary.validation``)."""
    lab = month_labels(settings)
    missing = [m for m in months if m not in set(lab)]
    if missing:
        raise ConfigError("explore.window", f"months {missing} are outside the run {settings.start}..{settings.end}")
    m_of = {m: i for i, m in enumerate(months)}
    day_month = np.array([m_of.get(m, -1) for m in lab])
    days_in = np.bincount(day_month[day_month >= 0], minlength=len(months)).astype(float)
    last = int(np.nonzero(day_month >= 0)[0].max())
    n, reps = np.asarray(X).shape[0], replicates_per_sample
    D = len(dyad_names(settings.actors))
    out = np.zeros((n, len(months), D))
    s = replace(settings, end=settings.start + dt.timedelta(days=last))  # nothing after the window is needed

    def observers():
        acc = np.zeros((len(months), D, 0))
        box = {"acc": acc}

        def obs(t, model):
            m = day_month[t]
            if m >= 0:
                if box["acc"].shape[-1] == 0:
                    box["acc"] = np.zeros((len(months), D, model.R))
                box["acc"][m] += model.net_relation()
        obs.box = box  # type: ignore[attr-defined]
        return [obs]

    def collect(model, a, b, obs):
        acc = obs[0].box["acc"]  # (M, D, R)
        per = acc.reshape(len(months), D, b - a, reps).mean(axis=-1) / days_in[:, None, None]
        out[a:b] = per.transpose(2, 0, 1)

    _run(problem, X, s, reps, crn, observers, collect)
    return out
