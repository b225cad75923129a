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
- ``edges``: the declared bins of the ignorance score, in the target's unit;
- ``series(actors)``: the names of the forecast series (the ``dyad`` column): the unordered
  dyads for Goldstein, ``SRC->TGT:CLASS`` for counts;
- ``aggregate``: ``"mean"`` or ``"sum"`` of ``state`` over the days of a month;
- ``forecasters``: the model first, then the baselines that apply to the target;
- ``describe``: what summary.json says of the bridge (``backtest.observation_model``).

``forecast`` is called with two keywords besides: ``series`` (the series' name) and
``days_in_month`` (of the forecast months), which a bridge may use or ignore.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from sim.forecast import baselines, counts_target, intervals
from sim.runs.stats import dyad_names

GOLDSTEIN_FORECASTERS = ("model", "event_filter", "ar1", *baselines.SIMPLE)
GOLDSTEIN_DESCRIBE = {"equation": "y = mu + beta*(x - x_rest) + e, e AR(1) with sd sigma*k and lag-1 correlation phi "
                                  "(sim/forecast/observation.py); k calibrated on held-back training origins "
                                  "(sim/forecast/intervals.py)",
                      "fitted_on": "observed months before each origin (at least 3), at the frozen parameters, once "
                                   "per origin and seed"}


@dataclass(frozen=True)
class Target:
    name: str
    unit: str
    edges: tuple[float, ...]
    load: Callable[[Any, list[str]], tuple[Any, str]] | None
    state: Callable[[Any], np.ndarray]
    forecast: Callable[..., tuple[np.ndarray, Any, dict]] = intervals.forecast
    series: Callable[[Sequence[str]], list[str]] = dyad_names
    aggregate: str = "mean"
    forecasters: tuple[str, ...] = GOLDSTEIN_FORECASTERS
    describe: dict | None = None


# GDELT units; symmetric, finer near 0 where most months lie (the shipped 2021-01..2023-05 range
# is −139 .. +76). Declared before any score was computed.
GOLDSTEIN_EDGES = (-np.inf, -100.0, -50.0, -25.0, -10.0, -5.0, 0.0, 5.0, 10.0, 25.0, 50.0, 100.0, np.inf)


TARGETS: dict[str, Target] = {
    "goldstein": Target("goldstein", "GDELT units (monthly Goldstein score of the pair)", GOLDSTEIN_EDGES,
                        None, lambda model: model.net_relation(), describe=GOLDSTEIN_DESCRIBE),
    "counts": Target("counts", "coded dyad-days per month (directed dyad, rung class)", counts_target.EDGES,
                     counts_target.load, counts_target.state, counts_target.forecast, counts_target.series, "sum",
                     counts_target.FORECASTERS, counts_target.DESCRIBE),
}


def get(name: str) -> Target:
    return TARGETS[name]
