"""A plain CSV table of coded events (the layout of ../shared/data/icews/events.csv): a header
row naming at least ``date`` (YYYY-MM-DD), ``source``, ``target`` (actor codes or country
names) and ``cameo``. Optional columns are used when present: ``source_name``/``target_name``
(the entities, for duplicates), ``source_tier``/``target_tier``, ``relation_text`` (the
summary), ``n_rows`` (raw records a row stands for), ``primary`` (rows marked False overlap
another segment and are dropped), ``event_id``."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.events.formats.common import EventDataError, Skipped, parse_tsv

REQUIRED = ["date", "source", "target", "cameo"]
OPTIONAL = ["source_name", "target_name", "source_tier", "target_tier", "relation_text", "n_rows", "primary",
            "event_id", "dataset"]
DATE_FORMAT = "%Y-%m-%d"
STATE_TIERS = {"country", "state_sector", "named_state", "state"}
NONSTATE_TIERS = {"org", "nonstate_sector", "nonstate", "non-state"}


def _tier(col: pd.Series) -> np.ndarray:
    low = col.str.strip().str.lower()
    return np.where(low.isin(STATE_TIERS), "state", np.where(low.isin(NONSTATE_TIERS), "nonstate", ""))


def read_table(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pa.Table:
    head = data[:65536].split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    cols = [c.strip().strip('"') for c in head.split(",")]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise EventDataError(f"{name} line 1: a table needs the columns {', '.join(REQUIRED)}; missing: "
                             f"{', '.join(missing)}")
    table = parse_tsv(name, data, cols, True, REQUIRED + [c for c in OPTIONAL if c in cols], skip_bad, skipped,
                      delimiter=",", quoted=True)
    for c in OPTIONAL:  # absent optional columns are empty, so that files of one import concatenate
        if c not in cols:
            table = table.append_column(c, pa.repeat(pa.scalar("", pa.string()), table.num_rows))
    return table.select(REQUIRED + OPTIONAL + ["file", "line"])


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    def either(col: str, fallback: pd.Series) -> pd.Series:
        return df[col].where(df[col] != "", fallback)

    records = pd.to_numeric(df["n_rows"], errors="coerce").fillna(1).clip(lower=1).to_numpy(dtype=np.int64)
    primary = ~df["primary"].str.strip().str.lower().isin(["false", "0", "no"]).to_numpy()
    return pd.DataFrame({
        "event_id": either("event_id", "row " + (df["line"] - 1).astype(str)), "date_raw": df["date"],
        "src_name": either("source_name", df["source"]), "src_country": df["source"],
        "src_tier": _tier(df["source_tier"]),
        "tgt_name": either("target_name", df["target"]), "tgt_country": df["target"],
        "tgt_tier": _tier(df["target_tier"]),
        "code": df["cameo"].str.strip(), "text": df["relation_text"], "records": records, "primary": primary,
        "file": df["file"], "line": df["line"],
    })
