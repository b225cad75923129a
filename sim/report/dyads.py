"""Which dyads the report's per-dyad figures show: all of them up to MAX_SHOWN (nine panels
stay readable); beyond that (the region has 28), the triangle's dyads plus the most
escalated others, or the dyads a user lists in ``report.dyads``. Tables, summary.json and
the parquet files always keep every dyad."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from sim.report import style

MAX_SHOWN = 9
TRIANGLE = ("AZE-IRN", "AZE-ISR", "IRN-ISR")


def _score(summary: dict, dyad: str) -> float:
    """P(rung ≥ 3 by the end) plus the median end tension, in the baseline."""
    e = ((summary.get("scenarios") or {}).get("baseline") or {}).get(dyad) or {}
    p = ((e.get("p_rung_at_least") or {}).get("3") or {}).get("p") or 0.0
    t = (e.get("tension_end") or {}).get("q50") or 0.0
    return float(p) + float(t)


def shown(all_dyads: Sequence[str], summary: dict, wanted: Sequence[str] | None = None) -> list[str]:
    every = sorted(set(all_dyads))
    if wanted:
        return [d for d in every if d in set(wanted)]
    return by_score(every, {d: _score(summary, d) for d in every})


def by_score(every: Sequence[str], score: dict) -> list[str]:
    """All dyads up to MAX_SHOWN, else the triangle's and the highest scores (ties by name)."""
    every = sorted(set(every))
    if len(every) <= MAX_SHOWN:
        return every
    base = [d for d in TRIANGLE if d in every]
    rest = sorted((d for d in every if d not in base), key=lambda d: (-float(score.get(d, 0.0)), d))
    return sorted(base + rest[:MAX_SHOWN - len(base)])


def _keep(df: pd.DataFrame | None, keep: set[str]) -> pd.DataFrame | None:
    if df is None:
        return None
    if "dyad" in df.columns:
        return df[df["dyad"].astype(str).isin(keep)]
    if {"source", "target"} <= set(df.columns):
        names = [style.dyad_name(a, b) for a, b in zip(df["source"], df["target"])]
        return df[[n in keep for n in names]]
    return df


def restrict(run: dict[str, Any], wanted: Sequence[str] | None = None) -> dict[str, Any]:
    """``run`` with its per-dyad tables cut to the shown dyads (``stats_all`` keeps every row
    for the figures that need the whole network)."""
    stats = run["stats"]
    every = sorted({style.dyad_name(a, b) for a, b in zip(stats["source"], stats["target"])})
    keep = shown(every, run.get("summary") or {}, wanted)
    out = dict(run, stats_all=stats, dyads_all=every, dyads_shown=keep)
    if len(keep) == len(every):
        return out
    for key in ("stats", "incidence", "routes", "effects"):
        out[key] = _keep(run.get(key), set(keep))
    return out


def note(run: dict[str, Any]) -> str:
    every, keep = run.get("dyads_all") or [], run.get("dyads_shown") or []
    if len(keep) == len(every):
        return ""
    return (f"Panels show {len(keep)} of the {len(every)} dyads ({', '.join(keep)}): the triangle's and the most "
            "escalated others (P(rung ≥ 3) plus median end tension), or those of report.dyads; every dyad is in "
            "the tables, summary.json and the parquet files. ")
