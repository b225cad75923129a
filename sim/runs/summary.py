"""Headline numbers: escalation probabilities with Wilson intervals, end tension, and the
agreement of monthly net relation with GDELT."""
from __future__ import annotations

import math
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd
from scipy import stats as sstats

from sim.engine.ladder import N_RUNGS
from sim.runs.stats import DailyStats, dyad_names

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Share k/n with its Wilson score interval."""
    if n == 0:
        return float("nan"), 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return p, lo, hi


def scenario_summary(stats: DailyStats, actors: tuple[str, ...]) -> dict:
    """Per dyad: p_rung_at_least {1..6: {p, lo, hi}} at the end, tension_end {q05, q50, q95}."""
    out = {}
    names = dyad_names(actors)
    qs = stats.quantiles((0.05, 0.5, 0.95))[-1]
    for d, name in enumerate(names):
        ten_idx = [k for k, (s, t, v) in enumerate(zip(stats.series.source, stats.series.target, stats.series.variable))
                   if v == "tension" and f"{s}-{t}" == name][0]
        p_at = {}
        for k in range(1, N_RUNGS + 1):
            p, lo, hi = wilson(int(stats.reached[-1, d, k]), stats.n)
            p_at[str(k)] = {"p": round(p, 6), "lo": round(lo, 6), "hi": round(hi, 6)}
        out[name] = {
            "p_rung_at_least": p_at,
            "tension_end": {"q05": round(float(qs[ten_idx, 0]), 6), "q50": round(float(qs[ten_idx, 1]), 6),
                            "q95": round(float(qs[ten_idx, 2]), 6)},
        }
    return dict(sorted(out.items()))


def gdelt_monthly() -> pd.DataFrame:
    """The shipped GDELT monthly dyad scores, columns renamed to our dyad names."""
    text = (resources.files("sim") / "data" / "gdelt_dyads_monthly.csv").read_text("utf-8")
    df = pd.read_csv(StringIO(text), comment="#")
    return df.rename(columns={c: "-".join(sorted(c.split("-"))) for c in df.columns if "-" in c})


def model_monthly_net(stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...]) -> pd.DataFrame:
    """Monthly mean of the ensemble-mean daily net_relation per dyad."""
    mean = stats.mean()
    cols = {}
    for k, (s, t, v) in enumerate(zip(stats.series.source, stats.series.target, stats.series.variable)):
        if v == "net_relation":
            cols[f"{s}-{t}"] = mean[:, k]
    df = pd.DataFrame(cols, index=pd.DatetimeIndex(dates.astype("datetime64[ns]")))
    monthly = df.groupby(df.index.to_period("M")).mean()
    monthly.index = monthly.index.astype(str)
    return monthly


def validation(stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...],
               window: tuple[str, str] = ("2022-09", "2023-05")) -> dict:
    """Sign agreement and Spearman rank correlation of monthly net relation with GDELT.

    GDELT's score is a volume-sensitive Goldstein sum, so only signs and ranks are
    compared, never levels.
    """
    model = model_monthly_net(stats, dates, actors)
    gd = gdelt_monthly().set_index("month")
    months = [m for m in model.index if window[0] <= m <= window[1] and m in gd.index]
    out: dict = {"window": list(window), "months": len(months), "dyads": {}}
    agree_all, pm, pg = [], [], []
    for dyad in model.columns:
        if dyad not in gd.columns or not months:
            continue
        m = model.loc[months, dyad].to_numpy()
        g = gd.loc[months, dyad].to_numpy()
        agree = np.sign(m) == np.sign(g)
        rho = sstats.spearmanr(m, g).statistic if len(months) > 2 and np.ptp(m) > 0 and np.ptp(g) > 0 else float("nan")
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
        rho = sstats.spearmanr(pm, pg).statistic
        out["pooled_spearman"] = None if math.isnan(rho) else round(float(rho), 6)
    return out


def headline(scen: dict, ladder_names: tuple[str, ...], end: str) -> list[str]:
    """Three lines a reader takes away from the baseline."""
    def fmt(d, k):
        e = d["p_rung_at_least"][str(k)]
        return f"{e['p']:.2f} [{e['lo']:.2f}, {e['hi']:.2f}]"

    dy = list(scen)
    return [
        f"P(reach rung 3, {ladder_names[3]}, by {end}): " + "; ".join(f"{n} {fmt(scen[n], 3)}" for n in dy),
        f"P(reach rung 6, {ladder_names[6]}, by {end}): " + "; ".join(f"{n} {fmt(scen[n], 6)}" for n in dy),
        f"Tension on {end}, median (90% band): " + "; ".join(
            f"{n} {scen[n]['tension_end']['q50']:.2f} ({scen[n]['tension_end']['q05']:.2f}–{scen[n]['tension_end']['q95']:.2f})"
            for n in dy),
    ]
