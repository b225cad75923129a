"""``sweep.parquet``: one row per (job or merged group) × scenario × dyad, read from the
jobs' own ``summary.json``; a job without results is one row with empty metrics."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
import pyarrow as pa

from sim.sweep.jobs import Job, parse_override, parse_value

RUNGS = range(1, 7)
ORIGINS = ("", "_endogenous")  # any act; the model's own (endogenous) acts only
BOUNDS = ("", "_lo", "_hi")
VALUES = ("tension", "net_relation")  # paired effects on the state at the end, per dyad


def p_columns(prefix: str) -> list[str]:
    """``{prefix}{k}{origin}{bound}`` for every rung, origin and bound (any act first)."""
    return [f"{prefix}{k}{o}{b}" for o in ORIGINS for k in RUNGS for b in BOUNDS]


METRICS = ["scenario", "dyad", "primary", *p_columns("p_rung_"),
           "tension_end_q05", "tension_end_q50", "tension_end_q95",
           *p_columns("cf_diff_p_rung_"), *[f"cf_diff_{v}_end{b}" for v in VALUES for b in BOUNDS]]
BASE = ["kind", "job", "job_dir", "status", "error", "chunk", "chunks", "replicates", "seed", "config_hash",
        "wall_seconds"]
_INTS = {"job", "chunk", "chunks", "replicates", "seed"}
_TEXT = {"kind", "job_dir", "status", "error", "config_hash", "scenario", "dyad"}
# the fixed columns (docs/outputs.md); the override columns between them depend on the sweep
SCHEMA = pa.schema([(c, pa.int64() if c in _INTS else pa.string() if c in _TEXT else pa.bool_() if c == "primary"
                     else pa.float64()) for c in BASE + METRICS])


def _column(values: list[str | None]) -> pd.Series:
    """An override's column: integers, else numbers, else text (missing: null)."""
    parsed = [None if v is None else parse_value(v) for v in values]
    present = [p for p in parsed if p is not None]
    if present and all(isinstance(p, int) for p in present):
        return pd.array(parsed, dtype="Int64")
    if present and all(isinstance(p, (int, float)) for p in present):
        return pd.array([float("nan") if p is None else float(p) for p in parsed], dtype="float64")
    return pd.array([None if v is None else str(p) for v, p in zip(values, parsed)], dtype="string")


def _primary(summary: dict) -> str:
    """The scenario a job is about: its counterfactual when it has one, else the baseline."""
    names = [n for n in summary.get("scenarios", {}) if n != "baseline"]
    cfs = [n for n in summary.get("counterfactuals", {}) if n in names]
    return (cfs or names or ["baseline"])[-1]


def _bounds(row: dict, name: str, e: dict | None) -> None:
    for part, b in zip(("diff", "lo", "hi"), BOUNDS):
        v = (e or {}).get(part)
        row[f"{name}{b}"] = float("nan") if v is None else float(v)


def _effects(row: dict, scen: str, dyad: str, summary: dict) -> None:
    """The paired effect of the row's scenario against its job's baseline, on P(at least rung
    k by the end) (any act, endogenous) and on tension and net relation at the end. The
    baseline is its own reference: its effects are exactly 0."""
    if scen == "baseline":
        for c in p_columns("cf_diff_p_rung_") + [f"cf_diff_{v}_end{b}" for v in VALUES for b in BOUNDS]:
            row[c] = 0.0
        return
    eff = ((summary.get("counterfactuals") or {}).get(scen) or {}).get("effects", {}).get(dyad) or {}
    by_date = eff.get("p_rung_at_least") or {}
    last = by_date[max(by_date)] if by_date else {}
    for k in RUNGS:
        _bounds(row, f"cf_diff_p_rung_{k}", last.get(str(k)))
        _bounds(row, f"cf_diff_p_rung_{k}_endogenous", (last.get("endogenous") or {}).get(str(k)))
    for v in VALUES:
        _bounds(row, f"cf_diff_{v}_end", (eff.get(v) or {}).get(summary.get("end")))


def metric_rows(summary: dict) -> list[dict]:
    rows = []
    primary = _primary(summary)
    for scen, dyads in summary.get("scenarios", {}).items():
        for dyad, d in dyads.items():
            row: dict[str, Any] = {"scenario": scen, "dyad": dyad, "primary": scen == primary}
            for o, block in (("", d["p_rung_at_least"]), ("_endogenous", d["p_rung_at_least"].get("endogenous"))):
                for k in RUNGS:
                    e = (block or {}).get(str(k))
                    _bounds(row, f"p_rung_{k}{o}", None if e is None else {"diff": e["p"], "lo": e["lo"], "hi": e["hi"]})
            for q in ("q05", "q50", "q95"):
                row[f"tension_end_{q}"] = d["tension_end"][q]
            _effects(row, scen, dyad, summary)
            rows.append(row)
    return rows


def job_base(job: Job, sweep_dir: Path, kind: str = "job") -> dict:
    """The columns that say which job (or merged group) a row is from, and how it went."""
    ens = (job.config or {}).get("ensemble", {})
    man = job.manifest or {}
    return {
        "kind": kind,
        "job": job.num,
        "job_dir": str(job.dir.relative_to(sweep_dir)) if job.dir is not None else None,
        "status": job.status,
        "error": job.error,
        "chunk": ens.get("chunk"),
        "chunks": ens.get("chunks"),
        "replicates": man.get("replicates"),
        "seed": man.get("seed"),
        "config_hash": man.get("config_hash"),
        "wall_seconds": man.get("wall_seconds"),
    }


def sweep_frame(entries: Sequence[tuple[dict, list[str], dict | None]]) -> pd.DataFrame:
    """One row per (job or merged group) x scenario x dyad; a job without results gets one
    row with empty metrics. ``entries``: (base columns, overrides, summary or None)."""
    keys: list[str] = []
    for _, ov, _ in entries:
        for item in ov:
            k = parse_override(item)[0]
            if k not in keys:
                keys.append(k)
    taken = set(BASE) | set(METRICS)
    colname = {k: (f"override.{k}" if k in taken else k) for k in keys}
    rows, raw = [], []
    for base, ov, summ in entries:
        values = dict(parse_override(i) for i in ov)
        for m in (metric_rows(summ) if summ else [{}]):
            rows.append({**base, **m})
            raw.append(values)
    df = pd.DataFrame(rows, columns=BASE + METRICS) if rows else pd.DataFrame(columns=BASE + METRICS)
    for k in reversed(keys):
        df.insert(BASE.index("status"), colname[k], _column([r.get(k) for r in raw]))
    for c in _INTS:
        df[c] = pd.array([None if (v is None or (isinstance(v, float) and math.isnan(v))) else int(v)
                          for v in df[c].tolist()], dtype="Int64")
    df["primary"] = df["primary"].astype("boolean")
    for c in _TEXT:
        df[c] = df[c].astype("string")  # stable types whether or not a column holds a value
    for c in METRICS[3:] + ["wall_seconds"]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df.attrs["override_columns"] = [colname[k] for k in keys]
    return df


def sweep_table(frame: pd.DataFrame) -> pa.Table:
    """``sweep_frame`` in Arrow: the fixed columns in ``SCHEMA``, each override column as
    int64, double or string (pandas' nullable dtypes come back on reading)."""
    arrow = {"Int64": pa.int64(), "float64": pa.float64(), "string": pa.string()}
    fields = [SCHEMA.field(c) if c in SCHEMA.names else pa.field(c, arrow[str(frame[c].dtype)])
              for c in frame.columns]
    return pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False)
