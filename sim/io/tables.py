"""The long tables of a run directory and their Arrow schemas (documented in docs/outputs.md).

Every table is written with its schema, so its column types never depend on whether it
has rows, and the tables of several runs read together as one dataset. Dates are Arrow
``date32`` (a calendar day, no time of day).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.runs.routes import route_name
from sim.runs.stats import QUANTILES, DailyStats, dyad_names

_S, _D, _F, _I = pa.string(), pa.date32(), pa.float64(), pa.int64()
QUANTILE_COLUMNS = tuple(f"q{int(round(q * 100)):02d}" for q in QUANTILES)
_SUMMARY = [("mean", _F), *((q, _F) for q in QUANTILE_COLUMNS)]

SCHEMAS: dict[str, pa.Schema] = {
    "stats": pa.schema([("scenario", _S), ("date", _D), ("source", _S), ("target", _S), ("variable", _S),
                        *_SUMMARY]),
    "incidence": pa.schema([("scenario", _S), ("date", _D), ("dyad", _S), ("rung", _I), ("origin", _S), ("p", _F)]),
    "effects": pa.schema([("scenario", _S), ("date", _D), ("dyad", _S), ("variable", _S), *_SUMMARY]),
    "routes": pa.schema([("scenario", _S), ("dyad", _S), ("origin", _S), ("route", _S), ("count", _I), ("p", _F)]),
    "trajectories": pa.schema([("scenario", _S), ("replicate", _I), ("date", _D), ("source", _S), ("target", _S),
                               ("hostility", _F), ("cooperation", _F)]),
    "actions": pa.schema([("scenario", _S), ("replicate", _I), ("date", _D), ("source", _S), ("target", _S),
                          ("origin", _S), ("event_id", _S), ("cameo", _S), ("goldstein", _F), ("rung", _I),
                          ("status", _S)]),
    # backtest (sim/forecast/backtest.py): one row per seed × origin × horizon × dyad × forecaster; the
    # quantile and score names are sim/forecast/metrics.py's Q_COLUMNS and SCORE_NAMES
    "backtest": pa.schema([("seed", _I), ("origin", _D), ("horizon", _I), ("dyad", _S), ("target_month", _D),
                           ("observable", pa.bool_()), ("observed", _F), ("forecaster", _S), ("members", _I),
                           ("mean", _F),
                           *((q, _F) for q in ("q2_5", "q5", "q10", "q25", "q50", "q75", "q90", "q95", "q97_5")),
                           *((k, _F) for k in ("crps", "ignorance", "interval90", "cover50", "cover80", "cover90",
                                               "cover95", "pit"))]),
}


def table(name: str, parts: Iterable[pd.DataFrame | pa.Table]) -> pa.Table:
    """The parts (frames or tables with the columns of ``name``), stacked, in the schema
    of ``name``; no parts give an empty table of the same schema."""
    schema = SCHEMAS[name]
    tables = []
    for p in parts:
        if isinstance(p, pd.DataFrame):
            if list(p.columns) != schema.names:
                raise ValueError(f"{name}: columns {list(p.columns)}, expected {schema.names}")
            p = pa.Table.from_pandas(p, schema=schema, preserve_index=False)
        tables.append(p.select(schema.names).cast(schema).replace_schema_metadata(None))
    return pa.concat_tables(tables).combine_chunks() if tables else schema.empty_table()


def stats_frame(scenario: str, stats: DailyStats, dates: np.ndarray) -> pd.DataFrame:
    """Long table: scenario, date, source, target, variable, mean, q05..q95."""
    s = stats.series
    D, S = stats.mean().shape
    mean, q = stats.mean(), stats.quantiles(QUANTILES)
    d_idx = np.repeat(np.arange(D), S)
    s_idx = np.tile(np.arange(S), D)
    df = pd.DataFrame({
        "scenario": scenario,
        "date": dates[d_idx].astype("datetime64[ns]"),
        "source": np.array(s.source)[s_idx],
        "target": np.array(s.target)[s_idx],
        "variable": np.array(s.variable)[s_idx],
        "mean": mean.ravel(),
    })
    for k, col in enumerate(QUANTILE_COLUMNS):
        df[col] = q[..., k].ravel()
    return df.sort_values(["scenario", "variable", "source", "target", "date"], kind="stable").reset_index(drop=True)


def effects_frame(scenario: str, daily: DailyStats, dates: np.ndarray) -> pd.DataFrame:
    """Long table of daily paired differences: scenario, date, dyad, variable, mean, q05..q95."""
    df = stats_frame(scenario, daily, dates)
    df.insert(2, "dyad", df.pop("source") + "-" + df.pop("target"))
    return df.sort_values(["scenario", "variable", "dyad", "date"], kind="stable").reset_index(drop=True)


def incidence_frame(scenario: str, stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...]) -> pd.DataFrame:
    """Long table: scenario, date, dyad, rung (1..6), origin (``any`` act or ``endogenous``
    acts only), p."""
    frames = []
    for origin in ("any", "endogenous"):
        p = stats.p_reached(origin)[:, :, 1:]  # (D, dyads, 6)
        D, Dy, K = p.shape
        names = np.array(dyad_names(actors))
        d_idx, y_idx, k_idx = (a.ravel() for a in np.meshgrid(np.arange(D), np.arange(Dy), np.arange(K), indexing="ij"))
        frames.append(pd.DataFrame({
            "scenario": scenario,
            "date": dates[d_idx].astype("datetime64[ns]"),
            "dyad": names[y_idx],
            "rung": (k_idx + 1).astype(np.int64),
            "origin": origin,
            "p": p.ravel(),
        }))
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["scenario", "dyad", "origin", "rung", "date"], kind="stable").reset_index(drop=True)


def routes_frame(scenario: str, routes, actors: tuple[str, ...]) -> pd.DataFrame:
    """Long table: scenario, dyad, origin (``any`` act or ``endogenous`` acts only), route
    ("0>1>3"), count, p — every route that occurred."""
    names = dyad_names(actors)
    rows = []
    for origin, rs in routes.by_origin().items():
        for d, dyad in enumerate(names):
            for mask in np.nonzero(rs.counts[d])[0]:
                c = int(rs.counts[d, mask])
                rows.append((scenario, dyad, origin, route_name(int(mask)), c, c / rs.n))
    df = pd.DataFrame(rows, columns=["scenario", "dyad", "origin", "route", "count", "p"])
    return df.sort_values(["scenario", "dyad", "origin", "count", "route"], ascending=[True, True, True, False, True],
                          kind="stable").reset_index(drop=True)


# Prior and posterior draws (prior.parquet, posterior.parquet; sim/io/posterior.py): one row per
# draw, these columns, then one float64 column per parameter path (dynamics.reaction.IRN …).
DRAW_COLUMNS = (("draw", _I), ("walker", _I), ("step", _I), ("log_likelihood", _F), ("log_posterior", _F))


def draws_schema(paths: Iterable[str]) -> pa.Schema:
    """Schema of a draws table over the parameter ``paths`` (in the given order)."""
    return pa.schema([*DRAW_COLUMNS, *((p, _F) for p in paths)])
