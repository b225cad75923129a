"""The counts target of the backtest (``backtest.target=counts``, issue 21): per directed dyad
and rung class (1, 2–3, 4–5), the month's coded dyad-days.

- Observed (``load``): an observations v1 file of ``triad import`` (monthly), class dyad-days
  ``days_rung1``, ``days_rung2 + days_rung3`` and ``days_rung4 + days_rung5 + days_rung6``
  (as `sim.forecast.counts`; a day with acts at two rungs of one class counts twice). A file
  with gaps between covered months keeps its last unbroken run.
- Simulated (``state``): per day, 1 where the directed pair's hostile act of the day is of
  the class; summed per month (``aggregate="sum"``): the model's act-days.
- Bridge (``forecast``): the fixed NB observation model ``sim.calib.bridge.ICEWS21`` (fitted
  once on ICEWS21's incidents, never refitted per origin or per parameter): one draw of coded
  dyad-days per replicate, capped at the month's days. Nothing is fitted on the training months.

Series are named ``SRC->TGT:CLASS`` (e.g. ``ISR->IRN:4-5``) in the ``dyad`` column of
backtest.parquet. Forecasters: the model and the baselines persistence, zero, climatology and
conflictology. The Goldstein observation model's forecasters (ar1, the event filter) and the
random walk (negative, non-integer members) do not apply to counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from sim.calib.bridge import ICEWS21, Bridge
from sim.calib.icews import CLASS_NAMES, class_of_rung
from sim.config.safeyaml import read_text
from sim.errors import ConfigError, TriadError
from sim.events.observations import MAX_BYTES, is_v1, parse_text
from sim.forecast.counts import CLASS_RUNGS

KEY = "backtest.observations"
FORECASTERS = ("model", "persistence", "zero", "climatology", "conflictology")
# coded dyad-days in a month, declared before any score: 0, 1, 2–3, 4–7, 8–15, 16+
EDGES = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, np.inf)
BRIDGE = ICEWS21


def series(actors: Sequence[str]) -> list[str]:
    """``SRC->TGT:CLASS`` per directed pair (row-major over the actors) and class."""
    return [f"{a}->{b}:{c}" for a in actors for b in actors if a != b for c in CLASS_NAMES]


def _last_run(months: list[str]) -> int:
    return max((k for k in range(1, len(months))
                if pd.Period(months[k], freq="M") != pd.Period(months[k - 1], freq="M") + 1), default=0)


def observed(obs: pd.DataFrame, names: Sequence[str], where: str) -> tuple[pd.DataFrame, str]:
    """The monthly frame (index ``YYYY-MM``, one column per series) of a parsed v1 file."""
    if obs.columns[0] != "month":
        raise ConfigError(KEY, f"{where} is a daily file; import without --daily for the backtest")
    df = obs.assign(month=obs["month"].astype(str), source=obs["source"].astype(str),
                    target=obs["target"].astype(str)).set_index(["month", "source", "target"])
    months = sorted(df.index.get_level_values(0).unique())
    cut = _last_run(months)
    months = months[cut:]
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    for name in names:
        pair, cls = name.split(":")
        a, b = pair.split("->")
        c = CLASS_NAMES.index(cls)
        try:
            sub = df.xs((a, b), level=("source", "target")).reindex(months)
        except KeyError:
            raise ConfigError(KEY, f"{where} has no rows for {a}->{b}; import with --actors naming every actor "
                              "of the run") from None
        if sub.isna().any().any():
            raise ConfigError(KEY, f"{where}: {a}->{b} lacks month(s) of {months[0]}..{months[-1]}")
        out[name] = sum(sub[f"days_rung{r}"].to_numpy(dtype=float) for r in CLASS_RUNGS[c])
    note = f" (months {months[0]}..{months[-1]}, the last unbroken run)" if cut else ""
    return out, f"{where}{note}"


def load(path: Any, names: list[str]) -> tuple[pd.DataFrame, str]:
    need = "backtest.target=counts needs an observations v1 file written by 'triad import' (first line " \
           "'# triad observations v1')"
    if path is None:
        raise ConfigError(KEY, f"not set; {need}")
    text = read_text(str(path), KEY, MAX_BYTES)
    where = repr(str(path))
    if not is_v1(text):
        raise ConfigError(KEY, f"{where} is not an observations v1 file; {need}")
    try:
        obs = parse_text(text, where)
    except TriadError as exc:
        raise ConfigError(KEY, str(exc)) from None
    return observed(obs, names, where)


def state(model) -> np.ndarray:
    """(pairs × classes, R): 1 where the directed pair's act of the day is of the class."""
    rung = model.hostile_rung
    i, j = np.nonzero(~np.eye(rung.shape[0], dtype=bool))
    c = class_of_rung(rung[i, j])  # (pairs, R)
    return (c[:, None, :] == np.arange(len(CLASS_NAMES))[None, :, None]).reshape(-1, c.shape[-1]).astype(float)


@dataclass(frozen=True)
class CountParams:
    bridge: Bridge
    cls: int
    n_model: int

    def as_dict(self) -> dict:
        return {"bridge": "sim.calib.bridge.ICEWS21 (fixed)", "rung_class": CLASS_NAMES[self.cls],
                "m": float(self.bridge.m[self.cls]), "k": float(self.bridge.k[self.cls])}


def forecast(y_past: np.ndarray, x_past: np.ndarray, x_future: np.ndarray, x_rest: float,
             horizons: tuple[int, ...], rng: np.random.Generator, *, series: str, days_in_month: np.ndarray
             ) -> tuple[np.ndarray, CountParams, dict]:
    """Draws ``(R, months)`` of coded dyad-days: the act-days ``x_future`` through the fixed bridge."""
    c = CLASS_NAMES.index(series.split(":")[1])
    acts = np.rint(np.asarray(x_future, dtype=float)).astype(np.int64)
    draws = BRIDGE.sample(acts, c, rng, np.asarray(days_in_month, dtype=np.int64)[None, :])
    n_model = int(np.isfinite(x_past).all(axis=0).sum()) if x_past.size else 0
    return draws.astype(float), CountParams(BRIDGE, c, n_model), {"fitted": "nothing (bridge fixed)"}


DESCRIBE = {"equation": "coded dyad-days D = A + NB(mean (m-1)*A, size k*A), capped at the month's days; A the "
                        "replicate's act-days of the class (sim/calib/bridge.py)",
            "fitted_on": "fixed: m, k fitted once on ICEWS21 incidents 2021-01..2021-05 (docs/calibration.md); "
                         "nothing is fitted per origin",
            "m": BRIDGE.m.tolist(), "k": BRIDGE.k.tolist(), "classes": list(CLASS_NAMES)}
