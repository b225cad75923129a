"""A plain CSV table of coded events (the layout of ../shared/data/icews/events.csv): a header
row naming at least ``date`` (YYYY-MM-DD), ``source``, ``target`` (actor codes or country
names) and ``cameo``. Optional columns are used when present: ``source_name``/``target_name``
(the entities, for duplicates), ``source_tier``/``target_tier``, ``relation_text`` (the
summary), ``n_rows`` (raw records a row stands for), ``primary`` (rows marked False overlap
another segment and are dropped), ``event_id``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.events.formats.common import EventDataError, Skipped, parse_tsv

REQUIRED = ["date", "source", "target", "cameo"]
OPTIONAL = ["source_name", "target_name", "source_tier", "target_tier", "relation_text", "n_rows", "primary",
            "event_id", "dataset"]
DATE_FORMAT = "%Y-%m-%d"
STATE_TIERS = {"country", "state_sector", "named_state", "state"}
NONSTATE_TIERS = {"org", "nonstate_sector", "nonstate", "non-state"}


def _tier(col: pd.Series | None, n: int) -> np.ndarray:
    if col is None:
        return np.full(n, "", dtype=object)
    low = col.str.strip().str.lower()
    return np.where(low.isin(STATE_TIERS), "state", np.where(low.isin(NONSTATE_TIERS), "nonstate", ""))


def read_raw(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pd.DataFrame:
    head = data[:65536].split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    cols = [c.strip().strip('"') for c in head.split(",")]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise EventDataError(f"{name} line 1: a table needs the columns {', '.join(REQUIRED)}; missing: "
                             f"{', '.join(missing)}")
    keep = REQUIRED + [c for c in OPTIONAL if c in cols]
    df = parse_tsv(name, data, cols, True, keep, skip_bad, skipped, delimiter=",", quoted=True)
    n = len(df)
    records = (pd.to_numeric(df["n_rows"], errors="coerce").fillna(1).clip(lower=1).to_numpy(dtype=np.int64)
               if "n_rows" in df else np.ones(n, dtype=np.int64))
    primary = (~df["primary"].str.strip().str.lower().isin(["false", "0", "no"])).to_numpy() if "primary" in df \
        else np.ones(n, dtype=bool)
    return pd.DataFrame({
        "event_id": df["event_id"] if "event_id" in df else (df["line"] - 1).astype(str),
        "date_raw": df["date"],
        "src_name": df["source_name"] if "source_name" in df else df["source"], "src_country": df["source"],
        "src_tier": _tier(df.get("source_tier"), n),
        "tgt_name": df["target_name"] if "target_name" in df else df["target"], "tgt_country": df["target"],
        "tgt_tier": _tier(df.get("target_tier"), n),
        "code": df["cameo"].str.strip(), "text": df["relation_text"] if "relation_text" in df else "",
        "records": records, "primary": primary, "file": df["file"], "line": df["line"],
    })
