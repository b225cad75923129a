"""Prior and posterior draws tables (``prior.parquet``, ``posterior.parquet``) and their
checked, bounded read for posterior predictive ensembles (``ensemble.posterior=PATH``).

A draws table has the columns of ``sim.io.tables.DRAW_COLUMNS`` and one float64 column per
parameter path of ``sim/params.py`` that may vary by replicate. A run with a posterior uses
``G = min(ensemble.posterior_draws, rows, replicates)`` draws, evenly spaced over the rows,
and replicate r takes draw ``r mod G``: its parameters, like its random numbers, depend only
on its id, so chunking and splitting give the same numbers, and the factual run and a
counterfactual share each replicate's parameters.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import params as table
from sim.errors import ConfigError
from sim.io.tables import DRAW_COLUMNS, draws_schema

MAX_BYTES = 64 * 2**20  # a posterior is a few thousand rows; refuse anything far larger before reading
MAX_ROWS = 1_000_000
KEY = "ensemble.posterior"


def draws_table(frame: pd.DataFrame, paths: Sequence[str]) -> pa.Table:
    """``frame`` (the draw columns and one column per path) in the draws schema."""
    schema = draws_schema(paths)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False).replace_schema_metadata(None)


def read_draws(path: str | Path, actors: Sequence[str]) -> dict[str, np.ndarray]:
    """Parameter columns of a draws file, checked: the file exists and is bounded, every
    other column is a parameter that may vary by replicate, values are finite and in range."""
    p = Path(str(path)).expanduser()
    if p.exists() and not p.is_file():  # a FIFO, a device (/dev/zero), a folder (L16)
        raise ConfigError(KEY, f"{path}: not a regular file; give a posterior.parquet written by experiment=calibrate")
    if not p.is_file():
        raise ConfigError(KEY, f"{path}: no such file; give a posterior.parquet written by experiment=calibrate")
    if p.stat().st_size > MAX_BYTES:
        raise ConfigError(KEY, f"{path}: {p.stat().st_size} bytes; at most {MAX_BYTES} allowed")
    try:
        meta = pq.ParquetFile(p).metadata
        if meta.num_rows > MAX_ROWS:
            raise ConfigError(KEY, f"{path}: {meta.num_rows} rows; at most {MAX_ROWS} allowed")
        t = pq.read_table(p)
    except ConfigError:
        raise
    except Exception as exc:  # not parquet, truncated …
        raise ConfigError(KEY, f"{path}: not a readable parquet file ({type(exc).__name__})") from None
    fixed = {name for name, _ in DRAW_COLUMNS}
    cols = [c for c in t.column_names if c not in fixed]
    allowed = set(table.varying(actors))
    bad = [c for c in cols if c not in allowed]
    if bad:
        raise ConfigError(KEY, f"{path}: column(s) {bad} are not parameters that may vary by replicate; allowed: "
                          f"{', '.join(sorted(fixed))} and paths of sim/params.py (e.g. dynamics.reaction.IRN)")
    if not cols:
        raise ConfigError(KEY, f"{path}: no parameter columns")
    if t.num_rows == 0:
        raise ConfigError(KEY, f"{path}: no rows")
    out = {}
    for c in cols:
        typ = t.schema.field(c).type
        if not (pa.types.is_floating(typ) or pa.types.is_integer(typ)):  # True, "0.1", decimals (L17)
            raise ConfigError(KEY, f"{path}: column {c} is of type {typ}; allowed: float or integer numbers")
        try:
            v = np.asarray(t.column(c).to_numpy(zero_copy_only=False), dtype=float)
        except (TypeError, ValueError):
            raise ConfigError(KEY, f"{path}: column {c} is not numeric") from None
        row, _ = table.lookup(c, actors)
        if not np.all(np.isfinite(v)):
            raise ConfigError(KEY, f"{path}: column {c} has missing or non-finite values")
        if v.min() < row.lo or v.max() > row.hi:
            raise ConfigError(KEY, f"{path}: column {c} has values in [{v.min():g}, {v.max():g}]; "
                              f"allowed: [{row.lo:g}, {row.hi:g}]")
        out[c] = v
    return out


def assign(draws: Mapping[str, np.ndarray], replicates: int, wanted: int) -> tuple[dict[str, np.ndarray], int]:
    """Per-replicate values (replicate r takes draw r mod G) and G, the draws used: ``wanted``
    evenly spaced rows (fewer if the file or the ensemble is smaller)."""
    n = len(next(iter(draws.values())))
    G = max(1, min(int(wanted), n, replicates))
    rows = np.unique(np.linspace(0, n - 1, G).round().astype(int)) if G < n else np.arange(n)
    G = len(rows)
    which = rows[np.arange(replicates) % G]
    return {c: np.ascontiguousarray(v[which]) for c, v in draws.items()}, G


def attach(settings, ensemble: Mapping, ops: Sequence = ()):
    """``settings`` with each replicate's parameters from the draws file of
    ``ensemble.posterior`` (unchanged without one). A counterfactual ``set`` of a path the
    posterior varies is refused: the per-replicate draw would override the set value."""
    from dataclasses import replace

    from sim.config.checks import whole

    path = ensemble.get("posterior")
    wanted = whole(ensemble.get("posterior_draws", 50), "ensemble.posterior_draws", 2, 100_000)
    if path in (None, ""):
        return settings
    if not isinstance(path, str):
        raise ConfigError(KEY, f"{path!r} is not a file path")
    draws = read_draws(path, settings.actors)
    for op in ops:
        if hasattr(op, "param") and hasattr(op, "key") and op.param.entry(op.key) in draws:
            raise ConfigError(op.where, f"sets {op.param.entry(op.key)}, which the posterior ({path}) varies per "
                              "replicate; drop that column from the draws file or the set op")
    values, G = assign(draws, settings.replicates, wanted)
    return replace(settings, replicate_values={**settings.replicate_values, **values}, posterior_draws=G)
