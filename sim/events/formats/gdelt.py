"""GDELT 2.0 event exports (``*.export.CSV``, plain or ``.zip``; a day is 96 files): 61
tab-separated columns, no header, in the GDELT 2.0 event codebook's order."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.events.formats.common import Skipped, parse_tsv

COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor{k}{f}" for k in (1, 2) for f in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
                                                "Religion1Code", "Religion2Code", "Type1Code", "Type2Code",
                                                "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    *[f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in ("Type", "FullName", "CountryCode", "ADM1Code",
                                                                     "ADM2Code", "Lat", "Long", "FeatureID")],
    "DATEADDED", "SOURCEURL",
]
DATE_FORMAT = "%Y%m%d"
STATE_TYPES = ("GOV", "MIL", "COP", "JUD", "LEG", "SPY")  # CAMEO actor types of state bodies
_KEEP = ["GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1CountryCode", "Actor1Type1Code", "Actor2Code",
         "Actor2CountryCode", "Actor2Type1Code", "EventCode", "NumMentions", "NumSources"]
assert len(COLUMNS) == 61


def _tier(code: pd.Series, country: pd.Series, type1: pd.Series) -> pd.Categorical:
    """state: a state body (GOV, MIL, …) or the bare country code; nonstate: another type;
    "" (unknown, non-state for --state-only) otherwise."""
    state = type1.isin(STATE_TYPES).to_numpy() | ((code == country) & (code != "")).to_numpy()
    return pd.Categorical.from_codes(np.where(state, 1, np.where((type1 != "").to_numpy(), 2, 0)),
                                     ["", "state", "nonstate"])


def read_table(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pa.Table:
    return parse_tsv(name, data, COLUMNS, False, _KEEP, skip_bad, skipped)


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": df["GLOBALEVENTID"], "date_raw": df["SQLDATE"],
        "src_name": df["Actor1Code"], "src_country": df["Actor1CountryCode"],
        "src_tier": _tier(df["Actor1Code"], df["Actor1CountryCode"], df["Actor1Type1Code"]),
        "tgt_name": df["Actor2Code"], "tgt_country": df["Actor2CountryCode"],
        "tgt_tier": _tier(df["Actor2Code"], df["Actor2CountryCode"], df["Actor2Type1Code"]),
        "code": df["EventCode"], "text": "", "sources": df["NumSources"],
        "mentions": df["NumMentions"], "file": df["file"], "line": df["line"],
    })
