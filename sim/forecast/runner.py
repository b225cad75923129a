"""The rolling-origin and true-future backtest as a run, parameters frozen: ``compute_backtest``
(in memory) and ``write_backtest`` (its files); ``sim.runs.orchestrate`` sequences them.

Files in the run directory: ``backtest.parquet`` (one row per seed × origin × horizon × dyad ×
forecaster; schema in ``sim/io/tables.py``, ``docs/outputs.md``), ``summary.json``
(``headline``, ``backtest``), ``config.yaml``, ``figures/`` and ``report.html``
(``sim.report.backtest``), ``manifest.json`` last.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import numpy as np
from omegaconf import OmegaConf

from sim.engine.settings import Settings
from sim.forecast import backtest as bt
from sim.forecast import summarise as sm
from sim.forecast.options import check
from sim.forecast.targets import get as get_target
from sim.io import tables
from sim.io.atomic import atomic_write_bytes, write_json, write_parquet
from sim.io.manifest import config_hash, git_commit
from sim.io.rundir import finish
from sim.runs.ensemble import check_memory
from sim.runs.validation import WINDOW

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("triad")
TUNED_WINDOW = WINDOW  # the months the defaults were tuned on (sim/runs/validation.py)
COUNTS_CAVEAT = ("the escalation defaults are the posterior medians fitted on ICEWS21 dyad-days of 2021-01..2021-05 "
                 "and the counts bridge on its incidents of the same months (docs/calibration.md): target months up "
                 "to 2021-05 are in sample for the parameters, later months out of sample in every sense")
NOT_PARAMETERS = ("backtest", "question", "hydra", "report", "ensemble", "record", "explore", "counterfactual")


def frozen(plain: Mapping) -> dict:
    """What pins the forecast: the hash of every model key of the config (the backtest's own
    keys, the run's size and its outputs left out) and the code's commit."""
    model = {k: v for k, v in plain.items() if k not in NOT_PARAMETERS}
    yaml = OmegaConf.to_yaml(OmegaConf.create(model))
    return {"parameters_hash": config_hash(yaml), "config_hash": config_hash(OmegaConf.to_yaml(OmegaConf.create(dict(plain)))),
            "git_commit": git_commit(),
            "meaning": "every forecast was issued with these parameters, fixed before any origin; nothing is refitted "
                       "per origin except the observation model (on training months) and the baselines"}


def _fmt(c: dict) -> str:
    if c.get("skill") is None:
        return "n/a"
    ci = f" [{c['lo']:+.2f}, {c['hi']:+.2f}]" if c.get("lo") is not None else " [no interval]"
    return f"{c['skill']:+.2f}{ci}"


def headline(comps: list[dict], best_lines: list[str]) -> list[str]:
    lines = []
    for c in comps:
        if c["score"] == "crps" and c["horizons"] in ("1-3", "all") and c["baseline"] in ("event_filter", "conflictology"):
            lines.append(f"CRPS skill {c['period']} {c['dyad']} h={c['horizons']} vs {c['baseline']}: {_fmt(c)}, "
                         f"seed SD of the gap {c['seed_sd'] if c['seed_sd'] is not None else float('nan'):.3g}: "
                         f"{c['verdict']}")
    return lines + best_lines


def check_backtest(plain: Mapping, settings: Settings):
    """The ``backtest.*`` options, checked, and the memory the backtest needs."""
    opt = check(plain, settings)
    check_memory(settings, 0, 1, 0)
    return opt


def compute_backtest(plain: Mapping, settings: Settings) -> tuple[dict, "pd.DataFrame"]:
    """Run the backtest in memory: ``(summary, table)``, the table the rows of
    ``backtest.parquet``. Nothing is written (``write_backtest`` does that)."""
    opt = check_backtest(plain, settings)
    target = get_target(opt.target)
    log.info("backtest: %d seeds × %d origins × horizons %s, %d replicates each", len(opt.seeds),
             len(opt.origins), list(opt.horizons), settings.replicates)
    df, fits, timelines = bt.run_backtest(settings, opt.observations, opt.origins, opt.horizons, target,
                                          opt.seeds, progress=lambda s, o: log.info("seed %d origin %s done", s, o))
    return _clean(summary(plain, settings, opt, df, fits, timelines)), df


def write_backtest(out: Path, plain: Mapping, settings: Settings, summ: dict, df, config_yaml: str,
                   started: str, t0: float, report: bool = True, extra: dict | None = None) -> None:
    """Write a computed backtest into ``out``: table, summary, config, report, manifest last."""
    write_parquet(out / "backtest.parquet", tables.table("backtest", [df]))
    write_json(out / "summary.json", summ)
    atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    if report and (plain.get("report") or {}).get("enabled", True):
        from sim.report.backtest import write_backtest_report

        write_backtest_report(out, summ, df)
    seeds = summ["backtest"]["seeds"]
    origins = len(summ["backtest"]["origins"])
    finish(out, config_yaml, seeds[0], settings.replicates * origins * len(seeds), started, t0,
           {"backtest": {"origins": origins, "seeds": len(seeds)}, **(extra or {})})


def summary(plain: Mapping, settings: Settings, opt, df, fits: list[dict], timelines: list[dict]) -> dict:
    target = get_target(opt.target)
    groups = sm.horizon_groups(opt.horizons)
    pers = sm.periods(opt.origins, TUNED_WINDOW[1])
    comps = sm.comparisons(df, pers, groups, target.forecasters[1:], opt.bootstrap, opt.seeds[0])
    best = sm.best_baseline(comps)
    lines = sm.best_lines(best)
    obs = opt.observations
    scored = df[df["observable"]]
    n_seeds = len(opt.seeds)
    n_f = n_seeds * len(target.forecasters)
    return {
        "question": plain["question"], "start": settings.start.isoformat(), "seed": opt.seeds[0],
        "replicates": settings.replicates, "headline": headline(comps, lines),
        "backtest": {
            "question": plain["question"], "answer": " ".join(lines) if lines else
            "No target month is observable yet: every forecast is written, none is scored.",
            "frozen": frozen(plain), "target": opt.target,
            "observations": {"source": opt.source, "months": [obs.index[0], obs.index[-1]], "dyads": list(obs.columns)},
            "origins": list(opt.origins), "periods": pers, "horizons": list(opt.horizons), "seeds": list(opt.seeds),
            "bootstrap": opt.bootstrap, "rows": int(len(df)),
            "forecasters": list(target.forecasters),
            "targets": {"total": int(len(df) // n_f), "scored": int(len(scored) // n_f),
                        "not_yet_observable": int((~df["observable"]).sum() // n_f)},
            "out_of_sample": {
                "target_months": [str(df["target_month"].min())[:7], str(df["target_month"].max())[:7]] if len(df) else [],
                "scored_months": [str(scored["target_month"].min())[:7], str(scored["target_month"].max())[:7]]
                if len(scored) else [],
                "meaning": "every scored month is on or after its origin: the observation model, its noise, the "
                           "event filter's decay and the baselines used only months and events before the origin",
                "caveat": COUNTS_CAVEAT if opt.target == "counts" else f"backcast origins (up to {TUNED_WINDOW[1]}) score months inside the window the defaults "
                          f"were tuned on (GDELT {TUNED_WINDOW[0]}..{TUNED_WINDOW[1]}, docs/ODD.md): out of sample "
                          "for events and observations, not for the parameters; true-future origins (after it) are "
                          "out of sample in every sense"},
            "timelines": timelines,
            "observation_model": {**(target.describe or {}), "held_back_coverage": _held(fits)},
            "fits": fits, "scores": sm.scores(df, pers, groups), "skill": comps, "best_baseline": best,
            "pit": sm.pit_histograms(df, [f for f in target.forecasters if f in bt.BRIDGED]),
            "ignorance_bins": [None if not math.isfinite(e) else e for e in target.edges],
        },
    }


def _held(fits: list[dict]) -> dict:
    """Per dyad, the held-back coverage of the noise calibration (None: the bridge calibrates none)."""
    out = {}
    for d in sorted({f["dyad"] for f in fits}):
        out[d] = {}
        for k in ("held_cover50", "held_cover90"):
            v = [f["noise"][k] for f in fits if f["dyad"] == d and f["noise"].get(k) is not None]
            out[d][k] = float(np.mean(v)) if v else None
    return out


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
