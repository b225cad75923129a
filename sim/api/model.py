"""The step API: a small ensemble as a Mesa model, advanced one day at a time.

``sim.model(...)`` builds the engine's ``TriadModel`` for replicates 0 … R−1 of one
scenario, exactly as an ensemble run builds its chunks, so after k steps the state equals
the run's ``trajectories`` on day k (replicate r's random numbers depend only on the seed
and r). The agents are the model's Mesa agents (``sim/engine/agents.py``).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.engine.model import TriadModel


class Model:
    """R replicates of one scenario, stepped by hand.

    ``step()`` advances one day; ``day`` is the number of days stepped, ``date`` the last
    day stepped (None before the first step). ``agents`` is the Mesa AgentSet (one
    ``StateAgent`` per actor, in actor order); each agent's ``hostility``, ``cooperation``,
    ``provocation``, ``memory``, ``rung`` and ``cooperative_level`` are read-only arrays
    with one column per replicate. ``engine`` is the underlying ``TriadModel``.
    """

    def __init__(self, engine: TriadModel, scenario: str):
        self.engine, self.scenario = engine, scenario
        self.settings = engine.settings

    def __repr__(self) -> str:
        return (f"<triad Model {self.scenario!r}: {self.engine.R} replicates, day {self.day} of "
                f"{self.settings.n_days}, date {self.date}>")

    @property
    def agents(self):
        return self.engine.agents

    def agent(self, code: str):
        """The agent of actor ``code`` (``"IRN"``)."""
        for a in self.engine.agents:
            if a.code == code:
                return a
        raise KeyError(f"{code!r}; actors: {', '.join(self.settings.actors)}")

    @property
    def actors(self) -> tuple[str, ...]:
        return self.settings.actors

    @property
    def replicates(self) -> int:
        return self.engine.R

    @property
    def day(self) -> int:
        return self.engine.day

    @property
    def date(self) -> dt.date | None:
        return self.settings.start + dt.timedelta(days=self.day - 1) if self.day else None

    @property
    def done(self) -> bool:
        return self.day >= self.settings.n_days

    def step(self) -> None:
        """Advance every replicate by one day (refused past the horizon's end)."""
        if self.done:
            raise RuntimeError(f"the horizon ends on {self.settings.end}: no day left to step")
        self.engine.step()

    def run(self, days: int | None = None) -> "Model":
        """Step ``days`` days (default: to the end of the horizon)."""
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
            from sim.errors import ConfigError

            raise ConfigError("days", f"{days!r} is not a number of days; allowed: whole days >= 0 (L9)")
        n = self.settings.n_days - self.day if days is None else days
        for _ in range(n):
            self.step()
        return self

    def state(self) -> pd.DataFrame:
        """Hostility and cooperation of every ordered pair in every replicate at the end of
        the last day stepped, with the columns, dtypes (``date`` a pandas datetime) and row order
        of ``Result.trajectories``."""
        if not self.day:
            raise RuntimeError("no day stepped yet: call step() first")
        s, e = self.settings, self.engine
        N = len(s.actors)
        Io, Jo = np.nonzero(~np.eye(N, dtype=bool))
        r_idx, p_idx = (a.ravel() for a in np.meshgrid(np.arange(e.R), np.arange(len(Io)), indexing="ij"))
        return pd.DataFrame({
            "scenario": self.scenario,
            "replicate": (e.lo + r_idx).astype(np.int64),
            # a pandas datetime, as in the Result's tables (``Result.trajectories``)
            "date": pd.Series(pd.Timestamp(self.date), index=range(len(r_idx))).astype("datetime64[ns]"),
            "source": np.array(s.actors)[Io[p_idx]],
            "target": np.array(s.actors)[Jo[p_idx]],
            "hostility": e.S[0][Io[p_idx], Jo[p_idx], r_idx],
            "cooperation": e.S[1][Io[p_idx], Jo[p_idx], r_idx],
        })

    def tension(self) -> pd.DataFrame:
        """Tension per dyad (rows, sorted codes joined by ``-``) and replicate (columns)."""
        e = self.engine
        names = ["-".join(sorted((self.actors[i], self.actors[j]))) for i, j in zip(e.Id, e.Jd)]
        return pd.DataFrame(e.tension(), index=names, columns=range(e.lo, e.hi))

    def highest_rung(self, origin: str = "any") -> pd.DataFrame:
        """The highest rung each dyad has reached so far (``"endogenous"``: by the model's
        own acts only), per replicate."""
        e = self.engine
        names = ["-".join(sorted((self.actors[i], self.actors[j]))) for i, j in zip(e.Id, e.Jd)]
        return pd.DataFrame(e.max_rung if origin == "any" else e.max_rung_endo, index=names, columns=range(e.lo, e.hi))


def build(spec, scenario: str, replicates: int) -> Model:
    """The model of ``scenario`` (``baseline`` or the run's counterfactual) for replicates
    0 … ``replicates``−1 of the spec."""
    from sim.runs.plan import plan_run

    plan = plan_run(spec)
    scenarios = {"baseline": plan.baseline, **{p.scenario.name: p.scenario for p in plan.pairs}}
    if scenario not in scenarios:
        from sim.errors import ConfigError

        raise ConfigError("scenario", f"{scenario!r}; this config's scenarios: {', '.join(scenarios)}")
    return Model(TriadModel(spec.settings, scenarios[scenario], 0, replicates), scenario)
