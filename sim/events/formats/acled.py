"""ACLED exports (the 31-column CSV of acleddata.com; a header row names the columns, which
may come in any order). Events are mapped to CAMEO codes by ``sim/data/acled_cameo.csv``;
actors are resolved from their names ("Military Forces of Iran (1989-)" → Iran, state)."""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.events.formats.common import EventDataError, Skipped, parse_tsv

COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
           "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
           "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
           "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"]
REQUIRED = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "iso", "fatalities"]
DATE_FORMAT = "%Y-%m-%d"
_STATE = r"^(?:Military|Police|Government|Navy|Air Force)(?: Forces)? of (.+?)(?: \(.*\))?$"


@lru_cache(maxsize=1)
def _codes() -> dict[tuple[str, str], str]:
    text = (resources.files("sim") / "data" / "acled_cameo.csv").read_text("utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#"))
    return {(r["event_type"].strip().lower(), r["sub_event_type"].strip().lower()): r["cameo"] for r in rows}


def _side(actor: pd.Series) -> tuple[pd.Series, np.ndarray]:
    country = actor.str.extract(_STATE, expand=False)
    return country.fillna(""), np.where(country.notna(), "state", "nonstate")


def read_table(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pa.Table:
    head = data[:65536].split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    cols = [c.strip().strip('"') for c in head.split(",")]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise EventDataError(f"{name} line 1: an ACLED header names {', '.join(REQUIRED)}; missing: "
                             f"{', '.join(missing)}")
    return parse_tsv(name, data, cols, True, REQUIRED, skip_bad, skipped, delimiter=",", quoted=True)


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    key = df["event_type"].str.strip().str.lower() + "\x1f" + df["sub_event_type"].str.strip().str.lower()
    table = {f"{a}\x1f{b}": c for (a, b), c in _codes().items()}
    code = key.map(table)
    # a category ACLED has and the table lists without a code: not an act between actors
    code = code.where(code.notna(), "?").where(code != "", "-")
    dates = pd.to_datetime(df["event_date"], format="mixed", dayfirst=True, errors="coerce")
    src_country, src_tier = _side(df["actor1"])
    tgt_country, tgt_tier = _side(df["actor2"])
    return pd.DataFrame({
        "event_id": df["event_id_cnty"], "date_raw": dates.dt.strftime("%Y-%m-%d").fillna(df["event_date"]),
        "src_name": df["actor1"], "src_country": src_country, "src_tier": src_tier,
        "tgt_name": df["actor2"], "tgt_country": tgt_country, "tgt_tier": tgt_tier,
        "code": code, "text": df["event_type"] + ": " + df["sub_event_type"],
        "file": df["file"], "line": df["line"],
    })
