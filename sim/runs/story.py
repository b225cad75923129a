"""The article's story as measurable facts of an ensemble (used by tests and the docs).

The factual run must show: AZE–ISR cooperation high and rising into June 2023; AZE–IRN
tension rising sharply after 27 January 2023 and through the expulsions; ISR–IRN hostile
throughout; no dyad at war with high probability.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from sim.runs.stats import DailyStats


def _series(stats: DailyStats, variable: str, a: str, b: str) -> int:
    for k, (s, t, v) in enumerate(zip(stats.series.source, stats.series.target, stats.series.variable)):
        if v == variable and {s, t} == {a, b} and (variable in ("tension", "net_relation") or (s, t) == (a, b)):
            return k
    raise KeyError((variable, a, b))


def facts(stats: DailyStats, start: dt.date) -> dict[str, float]:
    """Ensemble numbers behind the narrative, all from the streamed statistics."""
    mean = stats.mean()
    q = stats.quantiles((0.05, 0.5, 0.95))
    day = lambda s: (dt.date.fromisoformat(s) - start).days  # noqa: E731

    def coop_aze_isr(d):
        return 0.5 * (mean[d, _series(stats, "cooperation", "AZE", "ISR")] + mean[d, _series(stats, "cooperation", "ISR", "AZE")])

    t_ai = _series(stats, "tension", "AZE", "IRN")
    t_ii = _series(stats, "tension", "IRN", "ISR")
    june = slice(day("2023-06-01"), day("2023-06-30") + 1)
    horizon_to_june = slice(0, day("2023-06-30") + 1)
    war = stats.reached[-1, :, 6] / stats.n
    return {
        "coop_aze_isr_2022_09": float(np.mean([coop_aze_isr(d) for d in range(day("2022-09-01"), day("2022-09-30") + 1)])),
        "coop_aze_isr_2023_06": float(np.mean([coop_aze_isr(d) for d in range(june.start, june.stop)])),
        "coop_aze_isr_min_to_june": float(min(coop_aze_isr(d) for d in range(horizon_to_june.start, horizon_to_june.stop))),
        "tension_aze_irn_2023_01_26": float(mean[day("2023-01-26"), t_ai]),
        "tension_aze_irn_2023_02_15": float(mean[day("2023-02-15"), t_ai]),
        "tension_aze_irn_2023_04_30": float(mean[day("2023-04-30"), t_ai]),
        "tension_irn_isr_q05_min": float(q[:, t_ii, 0].min()),
        "tension_irn_isr_mean_min": float(mean[:, t_ii].min()),
        "p_war_max": float(war.max()),
    }


def holds(f: dict[str, float]) -> dict[str, bool]:
    """The narrative's checks, each a named boolean (thresholds documented in docs/ODD.md)."""
    return {
        "aze_isr_cooperation_high": f["coop_aze_isr_min_to_june"] > 0.5,
        "aze_isr_cooperation_rising": f["coop_aze_isr_2023_06"] > f["coop_aze_isr_2022_09"] + 0.05,
        "aze_irn_tension_jumps_after_attack": f["tension_aze_irn_2023_02_15"] > f["tension_aze_irn_2023_01_26"] + 0.05,
        "aze_irn_tension_rises_through_expulsions": f["tension_aze_irn_2023_04_30"] > f["tension_aze_irn_2023_02_15"],
        "irn_isr_hostile_throughout": f["tension_irn_isr_q05_min"] > 0.5,
        "no_war_with_high_probability": f["p_war_max"] < 0.05,
    }
