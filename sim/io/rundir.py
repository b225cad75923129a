"""The one writer of a run directory (spec §9): a single run and a merged split ensemble
both go through :func:`write_run_dir`.

Data files first, each atomically (``write_run_dir``); then the report, a view of them
that ``triad-report DIR`` rebuilds byte for byte; ``manifest.json`` last (``finish``), as the
completion mark listing every file with its size and hash.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import pyarrow as pa

from sim.engine.events import event_rung, possible_days
from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.io import tables
from sim.io.accumulators import write_accumulators
from sim.io.atomic import atomic_write_bytes, write_json, write_parquet
from sim.io.manifest import MANIFEST, config_hash, git_commit, manifest, run_files, verify, versions
from sim.runs.dates import window_text
from sim.runs.routes import RouteStats
from sim.runs.stats import DailyStats


class OccupiedError(ConfigError):
    """The output directory holds the complete outputs of another config."""


def mark_incomplete(out: Path) -> None:
    """Drop the completion mark: the directory is incomplete until the next manifest."""
    (Path(out) / MANIFEST).unlink(missing_ok=True)


def events_table(settings: Settings) -> list[dict]:
    """The timeline for events.json; ``window`` is where the event can actually fall
    (an anchored event follows its anchor, so it is narrower than its date's precision),
    ``when`` that window in words; ``date`` is the config's nominal date."""
    rows = []
    for ev in settings.events:
        d = ev.as_dict()
        lo, hi = possible_days(ev, settings.events)
        d["window"] = [lo.isoformat(), hi.isoformat()]
        d["when"] = window_text(lo, hi)  # the window in words: "27–30 Jan 2023 (drawn)"
        d["rung"] = event_rung(ev, settings.ladder)
        rows.append(d)
    return rows


def run_tables(settings: Settings, *, stats: Mapping[str, DailyStats], routes: Mapping[str, RouteStats],
               effects: Mapping[str, DailyStats], trajectories: Sequence[pd.DataFrame | pa.Table],
               actions: Sequence[pd.DataFrame | pa.Table]) -> dict[str, pa.Table]:
    """The Parquet tables of a run by name (``stats`` … ``actions``), in their schemas and in
    the order ``write_run_dir`` writes them; ``effects`` only with a counterfactual."""
    dates, actors = settings.dates, settings.actors
    out = {"stats": tables.table("stats", (tables.stats_frame(n, s, dates) for n, s in stats.items())),
           "incidence": tables.table("incidence", (tables.incidence_frame(n, s, dates, actors)
                                                   for n, s in stats.items()))}
    if effects:
        out["effects"] = tables.table("effects", (tables.effects_frame(n, d, dates) for n, d in effects.items()))
    out["routes"] = tables.table("routes", (tables.routes_frame(n, r, actors) for n, r in routes.items()))
    out["trajectories"] = tables.table("trajectories", trajectories)
    out["actions"] = tables.table("actions", actions)
    return out


def write_run_dir(out: Path, settings: Settings, *, stats: Mapping[str, DailyStats],
                  routes: Mapping[str, RouteStats], effects: Mapping[str, DailyStats],
                  trajectories: Sequence[pd.DataFrame | pa.Table], actions: Sequence[pd.DataFrame | pa.Table],
                  summary: dict, config_yaml: str,
                  accumulators: tuple[Mapping, Mapping] | None = None, behaviorspace: bool = False) -> None:
    """Write every data file of a run into ``out`` (not the manifest: ``finish``).

    Args:
        settings: the run's settings (dates, actors, events, seed, replicates).
        stats: daily statistics per scenario that keeps them, in output order.
        routes: route counts per scenario. effects: daily paired differences per
            counterfactual (``effects.parquet`` only when there is one).
        trajectories, actions: the recorded replicates, as frames or tables, in order.
        accumulators: (scenario results, paired results) to save as ``accumulators.npz``.
        behaviorspace: also write ``behaviorspace.csv`` (``record.behaviorspace``).
    """
    out = Path(out)
    mark_incomplete(out)
    parts = run_tables(settings, stats=stats, routes=routes, effects=effects, trajectories=trajectories,
                       actions=actions)
    for name, t in parts.items():
        write_parquet(out / f"{name}.parquet", t)
    if behaviorspace:
        from sim.io.exports import write_behaviorspace

        write_behaviorspace(out / "behaviorspace.csv", parts["trajectories"], parts["actions"], settings)
    if accumulators is not None:
        write_accumulators(out / "accumulators.npz", *accumulators)
    write_json(out / "summary.json", summary)
    write_json(out / "events.json", events_table(settings))
    atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))


def finish(out: Path, config_yaml: str, seed: int, replicates: int, started: str, t0: float,
           extra: dict | None = None) -> dict:
    """The completion mark, written last: the manifest listing every file written before it.

    Args:
        started, t0: start time (ISO) and ``time.perf_counter()`` at the start.
    """
    wall = time.perf_counter() - t0
    ended = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    man = manifest(config_yaml, seed, replicates, started, ended, wall, extra, files=run_files(out))
    write_json(Path(out) / MANIFEST, man)
    return man


def read_manifest(out: Path) -> dict | None:
    try:
        man = json.loads((Path(out) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return man if isinstance(man, dict) else None


def completed(out: Path, config_yaml: str) -> dict | None:
    """The manifest of a finished run of this config, made by this code, in ``out``; None
    when ``out`` holds no complete run (missing, truncated or edited files: redo it).

    Raises OccupiedError when ``out`` holds the complete outputs of another config: they
    are never overwritten (a run into a copy of another run's directory, say)."""
    man = read_manifest(out)
    if man is None or verify(out, man):
        return None
    if man.get("config_hash") != config_hash(config_yaml):
        raise OccupiedError("hydra.run.dir", f"{str(out)!r} holds the complete outputs of another config "
                            f"(config hash {str(man.get('config_hash'))[:12]}…); choose another output directory "
                            "or delete that one")
    same_code = man.get("version") == versions().get("triad-sim") and man.get("git_commit") == git_commit()
    return man if same_code else None
