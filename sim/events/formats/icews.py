"""ICEWS Coded Event Data exports (weekly or yearly ``.tab``; plain, ``.gz`` or ``.zip``):
20 tab-separated columns with a header row (Harvard Dataverse doi:10.7910/DVN/28075)."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from sim.events.formats.common import Skipped, parse_tsv

COLUMNS = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
           "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
           "City", "District", "Province", "Country", "Latitude", "Longitude"]
DATE_FORMAT = "%Y-%m-%d"
_KEEP = ["Event ID", "Event Date", "Source Name", "Source Country", "Event Text", "CAMEO Code", "Target Name",
         "Target Country"]


def read_table(name: str, data: bytes, skip_bad: bool, skipped: Skipped) -> pa.Table:
    return parse_tsv(name, data, COLUMNS, True, _KEEP, skip_bad, skipped)


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": df["Event ID"], "date_raw": df["Event Date"],
        "src_name": df["Source Name"], "src_country": df["Source Country"], "src_tier": "",
        "tgt_name": df["Target Name"], "tgt_country": df["Target Country"], "tgt_tier": "",
        "code": df["CAMEO Code"], "text": df["Event Text"], "file": df["file"], "line": df["line"],
    })
