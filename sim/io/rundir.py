"""The one writer of a run directory (spec §9): a single run and a merged split ensemble
both go through :func:`write_run_dir`.

Data files first, each atomically; ``manifest.json`` last, as the completion mark. The
report is not written here: it is a view of these files (``triad-report DIR``).
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import pyarrow as pa

from sim.engine.events import event_rung, possible_days
from sim.engine.settings import Settings
from sim.io import tables
from sim.io.accumulators import write_accumulators
from sim.io.atomic import atomic_write_bytes, write_json, write_parquet
from sim.io.manifest import manifest
from sim.runs.routes import RouteStats
from sim.runs.stats import DailyStats

MANIFEST = "manifest.json"


def mark_incomplete(out: Path) -> None:
    """Drop the completion mark: the directory is incomplete until the next manifest."""
    (Path(out) / MANIFEST).unlink(missing_ok=True)


def events_table(settings: Settings) -> list[dict]:
    """The timeline for events.json; ``window`` is where the event can actually fall
    (an anchored event follows its anchor, so it is narrower than its date's precision)."""
    rows = []
    for ev in settings.events:
        d = ev.as_dict()
        d["window"] = [x.isoformat() for x in possible_days(ev, settings.events)]
        d["rung"] = event_rung(ev, settings.ladder)
        rows.append(d)
    return rows


def write_run_dir(out: Path, settings: Settings, *, stats: Mapping[str, DailyStats],
                  routes: Mapping[str, RouteStats], effects: Mapping[str, DailyStats],
                  trajectories: Sequence[pd.DataFrame | pa.Table], actions: Sequence[pd.DataFrame | pa.Table],
                  summary: dict, config_yaml: str, started: str, t0: float,
                  accumulators: tuple[Mapping, Mapping] | None = None, manifest_extra: dict | None = None) -> dict:
    """Write every data file of a run into ``out``, then the manifest; return the manifest.

    Args:
        settings: the run's settings (dates, actors, events, seed, replicates).
        stats: daily statistics per scenario that keeps them, in output order.
        routes: route counts per scenario. effects: daily paired differences per
            counterfactual (``effects.parquet`` only when there is one).
        trajectories, actions: the recorded replicates, as frames or tables, in order.
        started, t0: start time (ISO) and ``time.perf_counter()`` at the start, for the manifest.
        accumulators: (scenario results, paired results) to save as ``accumulators.npz``.
    """
    out = Path(out)
    mark_incomplete(out)
    dates, actors = settings.dates, settings.actors
    write_parquet(out / "stats.parquet", tables.table(
        "stats", (tables.stats_frame(n, s, dates) for n, s in stats.items())))
    write_parquet(out / "incidence.parquet", tables.table(
        "incidence", (tables.incidence_frame(n, s, dates, actors) for n, s in stats.items())))
    if effects:
        write_parquet(out / "effects.parquet", tables.table(
            "effects", (tables.effects_frame(n, d, dates) for n, d in effects.items())))
    write_parquet(out / "routes.parquet", tables.table(
        "routes", (tables.routes_frame(n, r, actors) for n, r in routes.items())))
    write_parquet(out / "trajectories.parquet", tables.table("trajectories", trajectories))
    write_parquet(out / "actions.parquet", tables.table("actions", actions))
    if accumulators is not None:
        write_accumulators(out / "accumulators.npz", *accumulators)
    write_json(out / "summary.json", summary)
    write_json(out / "events.json", events_table(settings))
    atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    wall = time.perf_counter() - t0
    ended = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    man = manifest(config_yaml, settings.seed, settings.replicates, started, ended, wall, manifest_extra)
    write_json(out / MANIFEST, man)
    return man
