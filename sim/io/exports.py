"""Exports for NetLogo users: the recorded replicates as a BehaviorSpace "table" CSV.

BehaviorSpace's table output is six lines of preamble, then one row per run and step:
``[run number]``, the run's parameters, ``[step]``, then one column per reporter, every
field quoted. Here a run is one recorded replicate of one scenario (``trajectories.parquet``);
step k is the state at the end of day k of the horizon (step 1 = the start date, as after
the first ``go``); the reporters are the state variables and the day's highest hostile act
per dyad. The preamble holds no clock time, so the same run gives the same bytes.
``pd.read_csv(path, skiprows=6)`` reads it, as it reads NetLogo's own file.
"""
from __future__ import annotations

import csv
import io
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.engine.settings import Settings
from sim.io.atomic import atomic_write_bytes

PREAMBLE_LINES = 6
PARAMETERS = ("scenario", "replicate", "random-seed")


def behaviorspace_table(trajectories: pa.Table | pd.DataFrame, actions: pa.Table | pd.DataFrame,
                        settings: Settings) -> pd.DataFrame:
    """One row per (scenario, replicate, day) of ``trajectories``, BehaviorSpace's columns.

    Reporters: ``hostility A->B`` and ``cooperation A->B`` per ordered pair; ``tension A-B``
    = (H_AB + H_BA)/2 and ``net-relation A-B`` = (C_AB + C_BA)/2 − tension per dyad;
    ``act-rung A-B``: the highest rung of a hostile act between the two that day, by either
    side and of any origin (0: none; war, a streak of strike days, is not an act).
    """
    tr = trajectories.to_pandas() if isinstance(trajectories, pa.Table) else trajectories.copy()
    ac = actions.to_pandas() if isinstance(actions, pa.Table) else actions.copy()
    actors = list(settings.actors)
    pairs = [(a, b) for a in actors for b in actors if a != b]
    dyads = list(combinations(sorted(actors), 2))
    scen_order = [str(x) for x in pd.unique(tr["scenario"])]
    tr["scenario"] = pd.Categorical(tr["scenario"].astype(str), categories=scen_order)
    tr["step"] = _step(tr["date"], settings)
    keys = ["scenario", "replicate", "step"]
    wide = tr.pivot_table(index=keys, columns=["source", "target"], values=["hostility", "cooperation"],
                          aggfunc="first", observed=True)
    out = pd.DataFrame(index=wide.index)
    for var in ("hostility", "cooperation"):
        for a, b in pairs:
            out[f"{var} {a}->{b}"] = wide[(var, a, b)] if (var, a, b) in wide.columns else np.nan
    for a, b in dyads:
        t = 0.5 * (out[f"hostility {a}->{b}"] + out[f"hostility {b}->{a}"])
        out[f"tension {a}-{b}"] = t
        out[f"net-relation {a}-{b}"] = 0.5 * (out[f"cooperation {a}->{b}"] + out[f"cooperation {b}->{a}"]) - t
    out = out.reset_index()
    out["scenario"] = out["scenario"].astype(str)
    hostile = ac[ac["rung"] > 0]
    top: dict[tuple, int] = {}
    for sc, rep, step, src, tgt, rung in zip(hostile["scenario"].astype(str).tolist(), hostile["replicate"].tolist(),
                                             _step(hostile["date"], settings).tolist(),
                                             hostile["source"].astype(str).tolist(),
                                             hostile["target"].astype(str).tolist(), hostile["rung"].tolist()):
        k = (sc, int(rep), int(step), "-".join(sorted((src, tgt))))
        top[k] = max(top.get(k, 0), int(rung))
    rows = list(zip(out["scenario"].tolist(), out["replicate"].astype(int).tolist(), out["step"].astype(int).tolist()))
    for a, b in dyads:
        out[f"act-rung {a}-{b}"] = np.array([top.get((*r, f"{a}-{b}"), 0) for r in rows], dtype=np.int64)
    run = out.groupby(["scenario", "replicate"], sort=False).ngroup()
    out.insert(0, "[run number]", (run + 1).astype(np.int64))
    out.insert(3, "random-seed", int(settings.seed))
    out = out.rename(columns={"step": "[step]"})
    out.insert(5, "date", [(settings.start + pd.Timedelta(days=int(s) - 1)).isoformat() for s in out["[step]"]])
    return out


def _step(dates: pd.Series, settings: Settings) -> np.ndarray:
    """Day k of the horizon (1 = the start date) of each date."""
    d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]")
    return (d - np.datetime64(settings.start, "D")).astype(np.int64) + 1


def behaviorspace_csv(table: pd.DataFrame, settings: Settings, name: str = "triad") -> bytes:
    """The table as BehaviorSpace writes it: preamble, header, rows; every field quoted."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    from sim.io.manifest import versions

    w.writerow([f"BehaviorSpace results (triad {versions().get('triad-sim') or 'source'})"])
    w.writerow(["triad"])
    w.writerow([name])
    w.writerow([f"{settings.start.isoformat()} .. {settings.end.isoformat()}"])
    w.writerow(["actors", "seed", "replicates"])
    w.writerow([" ".join(settings.actors), settings.seed, settings.replicates])
    text_cols = [c for c in table.columns if table[c].dtype == object]
    if text_cols:  # a spreadsheet runs a cell starting with = + - @ as a formula (L14): quote it as text
        table = table.copy()
        for c in text_cols:
            table[c] = table[c].map(_inert)
    table.to_csv(buf, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def _inert(v):
    return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def write_behaviorspace(path: Path, trajectories: pa.Table, actions: pa.Table, settings: Settings) -> None:
    """``behaviorspace.csv`` of a run directory (``record.behaviorspace=true``), atomically."""
    atomic_write_bytes(Path(path), behaviorspace_csv(behaviorspace_table(trajectories, actions, settings), settings))
