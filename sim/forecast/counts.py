"""The counts target (issue 21): monthly coded dyad-days per rung class (1, 2–3, 4–5) of every
directed dyad, scored with the ensemble CRPS (scoringrules) against two baselines.

Observed: an ``observations.csv`` of ``triad import`` (format v1, monthly): the class's
dyad-days are ``days_rung1``, ``days_rung2 + days_rung3`` and ``days_rung4 + days_rung5
(+ days_rung6)`` — a sum over rungs counts a day with acts at two rungs of one class twice (an
upper bound; such days are rare in the triangle's records). Simulated: the model's act-days
of the class through the fixed observation model (``sim.calib.bridge``: coded days per act,
overdispersion), one sample per replicate.

Protocol: the model is simulated once from ``start`` (parameters frozen, no data assimilated)
and its month-m sample is its forecast for month m from every origin ≤ m; horizon h of origin
O targets month O + h − 1. Baselines per (pair, class), from the observed months before the
origin only: *persistence* (the last observed month, a point forecast) and *climatology*
(the empirical distribution of those months). A target is scored only if at least one month
precedes its origin.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sim.calib.bridge import Bridge
from sim.calib.icews import CLASS_NAMES

CLASS_RUNGS = ((1,), (2, 3), (4, 5, 6))


def observed_classes(obs: pd.DataFrame, pairs: Sequence[tuple[str, str]], months: Sequence[str]) -> np.ndarray:
    """(pairs, months, 3) class dyad-days of the observations (NaN where a month is absent)."""
    out = np.full((len(pairs), len(months), 3), np.nan)
    df = obs.assign(month=obs["month"].astype(str)).set_index(["source", "target", "month"])
    for k, (a, b) in enumerate(pairs):
        for n, m in enumerate(months):
            if (a, b, m) in df.index:
                row = df.loc[(a, b, m)]
                for c, rungs in enumerate(CLASS_RUNGS):
                    out[k, n, c] = sum(float(row.get(f"days_rung{r}", 0.0)) for r in rungs)
    return out


def _crps(y: float, samples: np.ndarray) -> float:
    import scoringrules as sr

    return float(sr.crps_ensemble(np.asarray(y, dtype=float), np.asarray(samples, dtype=float)))


def score(acts: np.ndarray, observed: np.ndarray, bridge: Bridge, days_in_month: np.ndarray,
          pairs: Sequence[tuple[str, str]], months: Sequence[str], origins: Sequence[str],
          horizons: Sequence[int], seed: int) -> pd.DataFrame:
    """Rows (origin, horizon, pair, class, target_month, observed, crps_model, crps_persistence,
    crps_climatology, q05, q50, q95) for ``acts`` (R, pairs, months, 3) simulated act-days."""
    rng = np.random.default_rng(seed)
    sim = np.stack([bridge.sample(acts[..., c], c, rng, days_in_month[None, None, :]) for c in range(3)], axis=-1)
    index = {m: n for n, m in enumerate(months)}
    rows = []
    for o in origins:
        if o not in index:
            raise ValueError(f"backtest.origins: {o} is outside the simulated months {months[0]} … {months[-1]}")
        on = index[o]
        for h in horizons:
            tn = on + h - 1
            if tn >= len(months) or on == 0:
                continue
            for k, pair in enumerate(pairs):
                for c in range(3):
                    y = observed[k, tn, c]
                    past = observed[k, :on, c]
                    past = past[~np.isnan(past)]
                    if np.isnan(y) or past.size == 0:
                        continue
                    s = sim[:, k, tn, c]
                    q05, q50, q95 = np.quantile(s, [0.05, 0.5, 0.95])
                    rows.append({"origin": o, "horizon": h, "source": pair[0], "target": pair[1],
                                 "rung_class": CLASS_NAMES[c], "target_month": months[tn], "observed": float(y),
                                 "crps_model": _crps(y, s), "crps_persistence": abs(float(y) - float(past[-1])),
                                 "crps_climatology": _crps(y, past), "q05": float(q05), "q50": float(q50),
                                 "q95": float(q95)})
    return pd.DataFrame(rows)


def skill(df: pd.DataFrame) -> dict:
    """Mean CRPS of the model and the baselines over all scored targets, and the skill
    1 − CRPS_model / CRPS_baseline."""
    if df.empty:
        return {"targets": 0}
    m = {k: float(df[f"crps_{k}"].mean()) for k in ("model", "persistence", "climatology")}
    out = {"targets": int(len(df)), "mean_crps": m}
    for b in ("persistence", "climatology"):
        out[f"skill_vs_{b}"] = None if m[b] == 0 else 1.0 - m["model"] / m[b]
    out["share_in_90"] = float(((df.observed >= df.q05) & (df.observed <= df.q95)).mean())
    return out
