"""From the backtest's rows to what a reader needs: mean scores with their seed SD, the
model against every baseline with both noises and a verdict (`sim.forecast.compare`),
coverage, PIT histograms, and the words: does the simulation beat the best baseline?

Origins are split into two *periods*: ``backcast`` (origins up to the last month of the
window the defaults were tuned on, inside the article's timeline: the parameters are
in-sample there) and ``true_future`` (origins after it: nothing scored was seen by anyone
choosing the parameters). Rows whose target month is not yet observable are counted, never
scored.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.forecast import metrics
from sim.forecast.compare import compare, seed_sd

COMPARED = ("crps", "ignorance", f"interval{metrics.IS_LEVEL}")
COVER = tuple(f"cover{c}" for c in metrics.LEVELS)


def horizon_groups(horizons) -> dict[str, tuple[int, ...]]:
    """Each horizon alone, pooled 1–3, 4–6 and 7–12 where more than one of those is run, and all."""
    hs = tuple(sorted(horizons))
    groups = {str(h): (h,) for h in hs}
    for lo, hi in ((1, 3), (4, 6), (7, 12)):
        sel = tuple(h for h in hs if lo <= h <= hi)
        if len(sel) > 1:
            groups[f"{lo}-{hi}"] = sel
    if len(hs) > 1 and hs not in groups.values():
        groups["all"] = hs
    return groups


def periods(origins, last_tuned: str) -> dict[str, list[str]]:
    out = {"backcast": [o for o in origins if o <= last_tuned], "true_future": [o for o in origins if o > last_tuned]}
    return {k: v for k, v in out.items() if v}


def _matrix(sub: pd.DataFrame, f: str, col: str) -> tuple[np.ndarray, np.ndarray]:
    """``(S, n)`` scores of forecaster f (rows sorted alike in every seed) and the origins of the n targets."""
    g = sub[sub["forecaster"] == f].sort_values(["seed", "origin", "horizon"], kind="stable")
    S = g["seed"].nunique()
    vals = g[col].to_numpy(dtype=float).reshape(S, -1)
    return vals, g["origin"].astype(str).to_numpy()[: vals.shape[1]]


def _slices(df: pd.DataFrame, pers: dict, groups: dict):
    for period, os_ in pers.items():
        in_p = df[df["origin"].astype(str).str[:7].isin(os_)]
        for dyad in sorted(in_p["dyad"].unique()):
            for label, hs in groups.items():
                sub = in_p[(in_p["dyad"] == dyad) & in_p["horizon"].isin(hs)]
                yield period, dyad, label, sub


def scores(df: pd.DataFrame, pers: dict, groups: dict) -> list[dict]:
    """Per period × dyad × horizon group × forecaster: targets (scored and not yet observable)
    and every score's mean over seeds with its seed SD (SD over seeds of the per-seed mean)."""
    out = []
    for period, dyad, label, sub in _slices(df, pers, groups):
        for f, g in sub.groupby("forecaster", sort=False):
            seeds = g["seed"].nunique()
            obs = g[g["observable"]]
            rec = {"period": period, "dyad": dyad, "horizons": label, "forecaster": f,
                   "targets": int(len(g) // seeds), "scored": int(len(obs) // seeds),
                   "not_yet_observable": int((~g["observable"]).sum() // seeds), "seeds": int(seeds)}
            for k in (*COMPARED, *COVER):
                per = obs.groupby("seed")[k].mean().to_numpy() if len(obs) else np.array([])
                rec[k] = float(per.mean()) if len(per) else None
                rec[f"{k}_seed_sd"] = seed_sd(per) if len(per) else None
            out.append(rec)
    return out


def comparisons(df: pd.DataFrame, pers: dict, groups: dict, baselines, n_boot: int, seed: int) -> list[dict]:
    """The model against each baseline on every score of ``COMPARED`` (observed targets only)."""
    out = []
    for period, dyad, label, sub in _slices(df, pers, groups):
        sub = sub[sub["observable"]]
        if sub.empty:
            continue
        for k in COMPARED:
            m, origins = _matrix(sub, "model", k)
            for b in baselines:
                bv, _ = _matrix(sub, b, k)
                out.append({"period": period, "dyad": dyad, "horizons": label, "baseline": b, "score": k,
                            **compare(m, bv, origins, n_boot=n_boot, seed=seed)})
    return out


def best_baseline(comps: list[dict], score: str = "crps") -> list[dict]:
    """Per period × dyad × single horizon (and pooled groups): the baseline with the lowest mean
    score and the model's verdict against it."""
    out = []
    keys = dict.fromkeys((c["period"], c["dyad"], c["horizons"]) for c in comps if c["score"] == score)
    for p, d, h in keys:
        cs = [c for c in comps if (c["period"], c["dyad"], c["horizons"], c["score"]) == (p, d, h, score)]
        best = min(cs, key=lambda c: c["baseline_score"])
        out.append({**best, "best": best["baseline"]})
    return out


def best_lines(best: list[dict]) -> list[str]:
    """Words, per period and dyad: does the simulation beat the best baseline, horizon by horizon?"""
    lines = []
    if not best:
        return lines
    for (p, d), grp in pd.DataFrame(best).groupby(["period", "dyad"], sort=True):
        single = grp[grp["horizons"].str.isdigit()].sort_values("horizons", key=lambda s: s.astype(int))
        wins = single[single["verdict"] == "win"]["horizons"].tolist()
        losses = single[single["verdict"] == "loss"]["horizons"].tolist()
        n = len(single)
        kind = "backcast" if p == "backcast" else "true future"
        if n == 0:
            continue
        names = ", ".join(f"h={r.horizons}: {r.best}" for r in single.itertuples())
        lines.append(f"{kind}, {d}: the simulation beats the best baseline (lowest mean CRPS) at "
                     f"{len(wins)} of {n} horizons{(' (' + ', '.join(wins) + ')') if wins else ''}, loses to it at "
                     f"{len(losses)}{(' (' + ', '.join(losses) + ')') if losses else ''}, no call at the rest "
                     f"(a win needs a gap above twice the seed SD and a bootstrap interval excluding 0); "
                     f"best baseline by horizon: {names}.")
    return lines


def pit_histograms(df: pd.DataFrame, forecasters=("model", "event_filter", "ar1")) -> dict:
    """PIT histograms (10 bins), per forecaster: pooled and per dyad, all seeds, observed targets."""
    obs = df[df["observable"]]
    out = {}
    for f in forecasters:
        g = obs[obs["forecaster"] == f]
        out[f] = {"all": metrics.pit_histogram(g["pit"].to_numpy()),
                  "dyads": {d: metrics.pit_histogram(x["pit"].to_numpy()) for d, x in g.groupby("dyad", sort=True)}}
    return out
