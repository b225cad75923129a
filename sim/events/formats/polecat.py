"""POLECAT weekly files (Harvard Dataverse doi:10.7910/DVN/AJGVIT): 40 tab-separated
columns with a header row; events coded in PLOVER (event type, mode, contexts).

PLOVER has no CAMEO codes, so each (type, mode, contexts) is mapped to a CAMEO code through
the published CAMEO→PLOVER table (``sim/data/cameo_plover.csv``, from openeventdata/PLOVER
CAMEO2PLOVER-2021.txt) read backwards: the first listed code with the same type and mode,
preferring one whose context is among the event's; with no such mode, the first code of the
type with an empty mode. REQUEST, absent from that table, is CAMEO 020 (appeal).
"""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.engine import cameo
from sim.events.formats.common import Skipped, parse_tsv

COLUMNS = ["Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts", "Actor Name",
           "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title", "Actor Name Raw",
           "Wikipedia Actor ID", "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector",
           "Recipient Sectors", "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID", "Placename",
           "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename",
           "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations", "Story Locations",
           "Language", "Version"]
DATE_FORMAT = "%Y-%m-%d"
STATE_SECTORS = {"government", "military", "police", "executive", "legislature", "legislative", "judiciary",
                 "judicial", "intelligence", "gov", "mil", "cop", "jud", "leg", "spy"}
_KEEP = ["Event ID", "Event Date", "Event Type", "Event Mode", "Contexts", "Actor Name", "Actor Country",
         "Primary Actor Sector", "Recipient Name", "Recipient Country", "Primary Recipient Sector"]


@lru_cache(maxsize=1)
def _table() -> list[tuple[str, str, str, frozenset[str]]]:
    text = (resources.files("sim") / "data" / "cameo_plover.csv").read_text("utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#"))
    known = cameo.table()
    return [(r["cameo"], r["plover_type"].upper(), _norm(r["plover_mode"]),
             frozenset(c for c in r["plover_context"].split(";") if c)) for r in rows if r["cameo"] in known]


def _norm(s: str) -> str:
    return s.strip().lower().replace(" ", "-").replace("_", "-")


def code_of(ptype: str, mode: str, contexts: str) -> str:
    """The CAMEO code of a PLOVER event, or "" when its type is not in the table."""
    t, m = ptype.strip().upper(), _norm(mode)
    ctx = {c.strip().lower().replace(" ", "_") for c in contexts.replace(",", ";").split(";") if c.strip()}
    for want in (m, ""):
        cands = [r for r in _table() if r[1] == t and r[2] == want]
        if cands:
            return next((r[0] for r in cands if r[3] & ctx), cands[0][0])
    return ""


def _tier(sector: pd.Series) -> np.ndarray:
    """state for a state sector, nonstate for another sector, "" (decided by the name) for none."""
    low = sector.str.strip().str.lower()
    return np.where(low.isin(STATE_SECTORS), "state", np.where(low != "", "nonstate", ""))


def read_table(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pa.Table:
    head = data[:4096].split(b"\n", 1)[0]
    cols = [("Event Intensity" if c == "Intensity" and b"Event Intensity" in head else c) for c in COLUMNS]
    return parse_tsv(name, data, cols, True, _KEEP, skip_bad, skipped)


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    key = df["Event Type"] + "\x1f" + df["Event Mode"] + "\x1f" + df["Contexts"]
    cat = key.astype("category")
    codes = np.array([code_of(*k.split("\x1f")) for k in cat.cat.categories], dtype=object)
    code = codes[cat.cat.codes.to_numpy()] if len(codes) else np.array([], dtype=object)
    return pd.DataFrame({
        "event_id": df["Event ID"], "date_raw": df["Event Date"].str.slice(0, 10),
        "src_name": df["Actor Name"], "src_country": df["Actor Country"],
        "src_tier": _tier(df["Primary Actor Sector"]),
        "tgt_name": df["Recipient Name"], "tgt_country": df["Recipient Country"],
        "tgt_tier": _tier(df["Primary Recipient Sector"]),
        "code": code, "text": (df["Event Type"].str.upper() + " " + df["Event Mode"]).str.strip(),
        "file": df["file"], "line": df["line"],
    })
