"""Headline numbers: escalation probabilities with Wilson intervals and end tension.
(The agreement with GDELT is in `sim.runs.validation`.)"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.engine.ladder import N_RUNGS
from sim.runs.validation import validation  # noqa: F401  (callers still reach it as summary.validation)

if TYPE_CHECKING:
    from sim.runs.stats import DailyStats

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
    """Per dyad: p_rung_at_least {1..6: {p, lo, hi}, endogenous: {1..6: {p, lo, hi}}} at the end
    (any act; the model's own acts only), tension_end {q05, q50, q95}."""
    from sim.runs.stats import dyad_names  # numba: only when there are statistics to read

    out = {}
    names = dyad_names(actors)
    qs = stats.quantiles((0.05, 0.5, 0.95), days=slice(-1, None))[0]  # the last day only
    for d, name in enumerate(names):
        ten_idx = [k for k, (s, t, v) in enumerate(zip(stats.series.source, stats.series.target, stats.series.variable))
                   if v == "tension" and f"{s}-{t}" == name][0]
        p_at: dict = {}
        for block, reached in ((p_at, stats.reached), (p_at.setdefault("endogenous", {}), stats.reached_endo)):
            for k in range(1, N_RUNGS + 1):
                p, lo, hi = wilson(int(reached[-1, d, k]), stats.n)
                block[str(k)] = {"p": round(p, 6), "lo": round(lo, 6), "hi": round(hi, 6)}
        p_at["endogenous"] = p_at.pop("endogenous")  # after the rungs, as in the contract
        out[name] = {
            "p_rung_at_least": p_at,
            "tension_end": {"q05": round(float(qs[ten_idx, 0]), 6), "q50": round(float(qs[ten_idx, 1]), 6),
                            "q95": round(float(qs[ten_idx, 2]), 6)},
        }
    return dict(sorted(out.items()))


def headline(scen: dict, ladder_names: tuple[str, ...], end: str) -> list[str]:
    """Three lines a reader takes away from the baseline: P(rung) by any act, and in brackets
    by the model's own (endogenous) acts, which scripted events cannot make certain."""
    def fmt(d, k):
        e, n = d["p_rung_at_least"][str(k)], (d["p_rung_at_least"].get("endogenous") or {}).get(str(k))
        own = f" (endogenous {n['p']:.2f} [{n['lo']:.2f}, {n['hi']:.2f}])" if n else ""
        return f"{e['p']:.2f} [{e['lo']:.2f}, {e['hi']:.2f}]{own}"

    dy = list(scen)
    return [
        f"P(reach rung 3, {ladder_names[3]}, by {end}): " + "; ".join(f"{n} {fmt(scen[n], 3)}" for n in dy),
        f"P(reach rung 6, {ladder_names[6]}, by {end}): " + "; ".join(f"{n} {fmt(scen[n], 6)}" for n in dy),
        f"Tension on {end}, median (90% band): " + "; ".join(
            f"{n} {scen[n]['tension_end']['q50']:.2f} ({scen[n]['tension_end']['q05']:.2f}–{scen[n]['tension_end']['q95']:.2f})"
            for n in dy),
    ]
