"""Simulated counts with the data's definitions: per replicate, directed pair, month and rung
class, the days with a model act of the class (the model's incidents, at most one hostile act
per directed pair and day), and optionally every day's rungs (for reply statistics).

``run_counts`` simulates replicates ``0 … n−1`` of ``settings`` (parameters per replicate in
``values``: dotted path → one value per replicate), in chunks, with no IO.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np

from sim.calib.icews import class_of_rung, month_index
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario, Settings
from sim.explore.evaluate import CRNModel


def directed_pairs(actors) -> list[tuple[str, str]]:
    return [(a, b) for a in actors for b in actors if a != b]


class CountObserver:
    """Monthly act-days per (replicate, pair, month, class); daily rungs if ``daily``."""

    def __init__(self, settings: Settings, R: int, daily: bool = False):
        N = len(settings.actors)
        self.I, self.J = np.nonzero(~np.eye(N, dtype=bool))  # row-major: the order of directed_pairs
        self.month, self.labels = month_index(settings.start, settings.n_days)
        self.counts = np.zeros((R, len(self.I), len(self.labels), 3), dtype=np.int64)
        self.daily = np.zeros((settings.n_days, len(self.I), R), dtype=np.int8) if daily else None
        self._r = np.arange(R)

    def __call__(self, t: int, model: TriadModel) -> None:
        rung = model.hostile_rung[self.I, self.J]  # (pairs, R)
        if self.daily is not None:
            self.daily[t] = rung
        if not rung.any():
            return
        c = class_of_rung(rung)
        p, r = np.nonzero(c >= 0)
        np.add.at(self.counts, (r, p, self.month[t], c[p, r]), 1)


def run_counts(settings: Settings, n: int, values: Mapping[str, np.ndarray] | None = None, daily: bool = False,
               chunk: int = 2048, crn_reps: int = 0) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """(counts (n, pairs, months, 3), daily rungs (days, pairs, n) or None, month labels).
    With ``crn_reps`` > 0, every block of ``crn_reps`` positions (one parameter value each)
    reuses the random numbers of replicates 0 … crn_reps − 1 (common random numbers: the
    likelihood is then a deterministic function of the parameters)."""
    if crn_reps:
        chunk = max(crn_reps, chunk // crn_reps * crn_reps)
    s = replace(settings, replicates=n, chunk=0, chunks=1, replicate_values=dict(values or {}),
                record_trajectories=False, record_actions=False, record_replicates=0)
    scenario = Scenario("baseline", s.events)
    counts, daily_out, labels = [], [], []
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        obs = CountObserver(s, hi - lo, daily)
        model = (CRNModel(s, scenario, lo, hi, crn_reps, [obs]) if crn_reps
                 else TriadModel(s, scenario, lo, hi, observers=[obs]))
        model.run()
        model.release()
        counts.append(obs.counts)
        labels = obs.labels
        if daily:
            daily_out.append(obs.daily)
    return (np.concatenate(counts), np.concatenate(daily_out, axis=2) if daily else None, labels)
