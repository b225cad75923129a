"""The rolling-origin backtest as a run: ``compute_backtest`` (in memory) and
``write_backtest`` (its files); ``sim.runs.orchestrate`` sequences them.

Files in the run directory: ``backtest.parquet`` (one row per origin × horizon × dyad;
schema in ``sim/io/tables.py``, ``docs/outputs.md``), ``summary.json`` (``headline``,
``backtest``), ``config.yaml``, ``figures/`` and ``report.html`` (``sim.report.backtest``),
``manifest.json`` last.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import numpy as np

from sim.engine.settings import Settings
from sim.forecast import backtest as bt
from sim.forecast import diagnostics
from sim.forecast.options import MIN_TRAIN, check
from sim.io import tables
from sim.io.atomic import atomic_write_bytes, write_json, write_parquet
from sim.io.rundir import finish
from sim.runs.ensemble import check_memory
from sim.runs.validation import WINDOW

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("triad")
TUNED_WINDOW = WINDOW  # the months the defaults were tuned on (sim/runs/validation.py)


def horizon_groups(horizons: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Each horizon alone, and pooled 1–3 and 4–6 where those horizons are run."""
    groups = {str(h): (h,) for h in horizons}
    for lo, hi in ((1, 3), (4, 6)):
        hs = tuple(h for h in horizons if lo <= h <= hi)
        if len(hs) > 1:
            groups[f"{lo}-{hi}"] = hs
    return groups


def _fmt(s: dict) -> str:
    if s.get("skill") is None:
        return "n/a"
    ci = f" [{s['lo']:+.2f}, {s['hi']:+.2f}]" if s.get("lo") is not None else " [no interval]"
    return f"{s['skill']:+.2f}{ci}"


def skill_lines(skills: list[dict], groups: dict) -> list[str]:
    """One line per dyad and horizon group: CRPS skill vs persistence and vs climatology."""
    idx = {(s["dyad"], s["horizons"], s["baseline"], s["score"]): s for s in skills}
    lines = []
    for dyad in sorted({s["dyad"] for s in skills}):
        for g in groups:
            p, c = idx.get((dyad, g, "persistence", "crps")), idx.get((dyad, g, "climatology", "crps"))
            a = idx.get((dyad, g, "ar1", "crps"))
            if p is None:
                continue
            lines.append(f"CRPS skill {dyad} h={g}: vs persistence {_fmt(p)}, vs climatology {_fmt(c)}"
                         + (f", vs the observation model without the simulation {_fmt(a)}" if a else "")
                         + f" ({p['origins']} origins, {p['n']} targets)")
    return lines


def answer(skills: list[dict], origins: tuple[str, ...]) -> str:
    idx = {(s["dyad"], s["horizons"], s["baseline"]): s for s in skills if s["score"] == "crps"}
    dyads = sorted({s["dyad"] for s in skills})
    g = "1-3" if any(k[1] == "1-3" for k in idx) else "1"
    parts, both = [], 0
    for d in dyads:
        p, c = idx.get((d, g, "persistence")), idx.get((d, g, "climatology"))
        if p is None or c is None:
            continue
        parts.append(f"{d} {_fmt(p)} vs persistence and {_fmt(c)} vs climatology")
        both += all(s.get("lo") is not None and s["lo"] > 0 for s in (p, c))
    adds = [d for d in dyads if (s := idx.get((d, g, "ar1"))) and s.get("lo") is not None and s["lo"] > 0]
    span = f"{len(origins)} monthly origins {origins[0]}..{origins[-1]}" if len(origins) > 1 else f"1 origin, {origins[0]}"
    return (f"Over {span}, the model's CRPS skill at horizons {g} "
            f"months (1 − CRPS/CRPS of the baseline, 95 % bootstrap interval over origins) is " + "; ".join(parts)
            + f". Its skill is positive against both baselines with the interval above 0 for {both} of "
            f"{len(parts)} dyads. The simulation itself (skill over the same observation model without it) helps, "
            f"with the interval above 0, for {', '.join(adds) if adds else 'no dyad'}.")


def check_backtest(plain: Mapping, settings: Settings):
    """The ``backtest.*`` options, checked, and the memory the backtest needs."""
    opt = check(plain, settings)
    check_memory(settings, 0, 1, 0)
    return opt


def compute_backtest(plain: Mapping, settings: Settings) -> tuple[dict, "pd.DataFrame"]:
    """Run the backtest in memory: ``(summary, table)``, the table the rows of
    ``backtest.parquet``. Nothing is written (``write_backtest`` does that)."""
    opt = check_backtest(plain, settings)
    log.info("backtest: %d origins × horizons %s, %d replicates each", len(opt.origins), list(opt.horizons),
             settings.replicates)
    df, runs = bt.run_backtest(settings, opt.observations, opt.origins, opt.horizons,
                               progress=lambda o: log.info("origin %s done", o))
    groups = horizon_groups(opt.horizons)
    skills = bt.skill_table(df, opt.bootstrap, settings.seed, groups)
    obs = opt.observations
    targets = sorted({str(t)[:7] for t in df["target_month"]})
    summ = {
        "question": plain["question"], "start": settings.start.isoformat(), "seed": settings.seed,
        "replicates": settings.replicates,
        "headline": skill_lines(skills, {g: v for g, v in groups.items() if g in ("1", "2", "3", "1-3")}),
        "backtest": {
            "question": plain["question"], "answer": answer(skills, opt.origins),
            "observations": {"source": opt.source, "months": [obs.index[0], obs.index[-1]],
                             "dyads": list(obs.columns)},
            "origins": list(opt.origins), "horizons": list(opt.horizons), "bootstrap": opt.bootstrap,
            "rows": int(len(df)),
            "out_of_sample": {
                "target_months": [targets[0], targets[-1]] if targets else [],
                "meaning": "every scored month is on or after its origin: the observation model, the baselines "
                           "and the events the model knew used only months and events before the origin",
                "caveat": f"the model's default parameters were tuned on GDELT {TUNED_WINDOW[0]}..{TUNED_WINDOW[1]}"
                          " (docs/ODD.md), which overlaps these target months: the parameters are in-sample "
                          "there, so this is out of sample for the events and observations, not for the "
                          "parameters"},
            "timelines": [{"origin": r.origin, "origin_day": r.origin_day, "latest_event_day": r.latest_event_day}
                          for r in runs],
            "observation_model": {"equation": "y = mu + beta*(x - x_rest) + e, e AR(1) with sd sigma and "
                                              "lag-1 correlation phi (sim/forecast/observation.py)",
                                  "fitted_on": f"observed months before each origin (at least {MIN_TRAIN})"},
            "skill": skills,
            "reliability": {f: diagnostics.reliability(df, f) for f in ("model", "climatology", "random_walk", "ar1")},
            "pit": diagnostics.pit_histogram(df),
            "coverage": diagnostics.coverage(df),
        },
    }
    return _clean(summ), df


def write_backtest(out: Path, plain: Mapping, settings: Settings, summ: dict, df, config_yaml: str,
                   started: str, t0: float, report: bool = True, extra: dict | None = None) -> None:
    """Write a computed backtest into ``out``: table, summary, config, report, manifest last."""
    write_parquet(out / "backtest.parquet", tables.table("backtest", [df]))
    write_json(out / "summary.json", summ)
    atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    if report and (plain.get("report") or {}).get("enabled", True):
        from sim.report.backtest import write_backtest_report

        write_backtest_report(out, summ, df)
    finish(out, config_yaml, settings.seed, settings.replicates * len(summ["backtest"]["origins"]), started, t0,
           {"backtest": {"origins": len(summ["backtest"]["origins"])}, **(extra or {})})


def _clean(obj):
    """JSON-safe: numpy to Python, NaN/inf to None, floats to 6 significant digits."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return float(f"{f:.6g}") if math.isfinite(f) else None
    return obj
