"""Fit to GDELT: the shipped monthly dyad scores (the one loader), calendar-month means of
daily model series, and the agreement of monthly net relation with GDELT.

The summary block keeps its historical name ``validation``, but it is an *in-sample fit*:
the default parameters were tuned against GDELT over ``WINDOW`` (2022-09..2023-05, the
same months it compares), so it is labelled so (``label``, ``fitted_months``). Forecasts
scored out of sample are the backtest's (``experiment=backtest``, ``sim/forecast``).

The run's summary (``validation``), the report's GDELT figure and the calibration all read
GDELT through `gdelt_monthly` and average months through `monthly_means`.
"""
from __future__ import annotations

import math
from importlib import resources
from io import StringIO
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.runs.stats import DailyStats

WINDOW = ("2022-09", "2023-05")  # months compared by default: the months the defaults were tuned on


def gdelt_monthly() -> pd.DataFrame:
    """The shipped GDELT monthly dyad scores, indexed by month ("YYYY-MM"), one column per
    dyad under our name (members sorted: GDELT's "ISR-IRN" is our "IRN-ISR")."""
    text = (resources.files("sim") / "data" / "gdelt_dyads_monthly.csv").read_text("utf-8")
    df = pd.read_csv(StringIO(text), comment="#", dtype={"month": str})
    df = df.rename(columns={c: "-".join(sorted(c.split("-"))) for c in df.columns if "-" in c})
    return df.set_index("month")


def monthly_means(daily: pd.DataFrame) -> pd.DataFrame:
    """Calendar-month means of a daily frame (DatetimeIndex, one column per series),
    indexed by month ("YYYY-MM")."""
    monthly = daily.groupby(daily.index.to_period("M")).mean()
    monthly.index = monthly.index.astype(str)
    return monthly


def model_monthly_net(stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...]) -> pd.DataFrame:
    """Monthly mean of the ensemble-mean daily net_relation per dyad."""
    mean = stats.mean()
    cols = {}
    for k, (s, t, v) in enumerate(zip(stats.series.source, stats.series.target, stats.series.variable)):
        if v == "net_relation":
            cols[f"{s}-{t}"] = mean[:, k]
    return monthly_means(pd.DataFrame(cols, index=pd.DatetimeIndex(dates.astype("datetime64[ns]"))))


def ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x``, ties given their mean rank (as ``scipy.stats.rankdata``)."""
    x = np.asarray(x, dtype=float)
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    top = np.cumsum(counts)  # the highest rank of each distinct value
    return (top - (counts - 1) / 2.0)[inverse]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (Pearson's on the ranks); NaN when either side is constant.
    Here rather than ``scipy.stats.spearmanr``, whose import costs every run half a second."""
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / den if den > 0 else float("nan")


def validation(stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...],
               window: tuple[str, str] = WINDOW) -> dict:
    """Sign agreement and Spearman rank correlation of monthly net relation with GDELT.

    GDELT's score is a volume-sensitive Goldstein sum, so only signs and ranks are
    compared, never levels.
    """
    model = model_monthly_net(stats, dates, actors)
    gd = gdelt_monthly()
    months = [m for m in model.index if window[0] <= m <= window[1] and m in gd.index]
    tuned = [m for m in months if WINDOW[0] <= m <= WINDOW[1]]
    out: dict = {"label": "in-sample fit" if tuned else "comparison",
                 "fitted_months": tuned,
                 "note": (f"the default parameters were tuned on GDELT {WINDOW[0]}..{WINDOW[1]}; these months are in "
                          "sample, not a validation. Out-of-sample skill: experiment=backtest"),
                 "window": list(window), "months": len(months), "dyads": {}}
    agree_all, pm, pg = [], [], []
    for dyad in model.columns:
        if dyad not in gd.columns or not months:
            continue
        m = model.loc[months, dyad].to_numpy()
        g = gd.loc[months, dyad].to_numpy()
        agree = np.sign(m) == np.sign(g)
        rho = spearman(m, g) if len(months) > 2 and np.ptp(m) > 0 and np.ptp(g) > 0 else float("nan")
        out["dyads"][dyad] = {
            "sign_agreement": round(float(agree.mean()), 6),
            "spearman": None if math.isnan(rho) else round(float(rho), 6),
            "months": [{"month": mo, "model": round(float(a), 6), "gdelt": float(b), "agree": bool(c)}
                       for mo, a, b, c in zip(months, m, g, agree)],
        }
        agree_all += agree.tolist()
        pm += m.tolist()
        pg += g.tolist()
    if agree_all:
        out["overall_sign_agreement"] = round(float(np.mean(agree_all)), 6)
        rho = spearman(np.asarray(pm), np.asarray(pg))
        out["pooled_spearman"] = None if math.isnan(rho) else round(float(rho), 6)
    return out
