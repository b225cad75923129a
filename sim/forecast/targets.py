"""What a backtest forecasts: a *target* is an observed monthly series per dyad plus the bridge
from the simulation to it. ``backtest.target`` names one of ``TARGETS``; a second target
(counts of dyad-days, `sim.forecast.counts`) registers itself here with its own reader,
simulated quantity, bridge and declared bins, and every score, baseline, comparison and
report of the backtest works on it unchanged.

- ``load(path, dyads)``: ``(observations, source)``: a frame indexed by consecutive months
  ``YYYY-MM`` with one float column per dyad (path None: the shipped series); None: the
  monthly-series reader of `sim.forecast.options` (``backtest.observations``);
- ``state(model)``: ``(D, R)`` the simulated quantity of the day, averaged per calendar month
  (the bridge's x);
- ``forecast(y_past, x_past, x_future, x_rest, horizons, rng)``: the bridge from simulated
  state to the observed series, fitted on the training months at the frozen parameters and
  then used unchanged for the origin's forecasts: ``(draws (R, months), params, record)``
  (``params.as_dict()`` and the record go to ``summary.json``). For the Goldstein target:
  the observation model `sim.forecast.observation` with its noise calibrated on held-back
  training origins (`sim.forecast.intervals.forecast`); the simulation, the event filter and
  ar1 all go through it;
- ``edges``: the declared bins of the ignorance score, in the target's unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from sim.forecast import intervals


@dataclass(frozen=True)
class Target:
    name: str
    unit: str
    edges: tuple[float, ...]
    load: Callable[[Any, list[str]], tuple[Any, str]] | None
    state: Callable[[Any], np.ndarray]
    forecast: Callable[..., tuple[np.ndarray, Any, dict]] = intervals.forecast


# GDELT units; symmetric, finer near 0 where most months lie (the shipped 2021-01..2023-05 range
# is −139 .. +76). Declared before any score was computed.
GOLDSTEIN_EDGES = (-np.inf, -100.0, -50.0, -25.0, -10.0, -5.0, 0.0, 5.0, 10.0, 25.0, 50.0, 100.0, np.inf)


TARGETS: dict[str, Target] = {
    "goldstein": Target("goldstein", "GDELT units (monthly Goldstein score of the pair)", GOLDSTEIN_EDGES,
                        None, lambda model: model.net_relation()),
}


def get(name: str) -> Target:
    return TARGETS[name]
