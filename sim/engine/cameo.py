"""The CAMEO code table shipped with the package (GDELT Goldstein weights, with provenance)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class CameoCode:
    code: str
    description: str
    goldstein: float


@lru_cache(maxsize=1)
def table() -> dict[str, CameoCode]:
    """Codes with a GDELT weight. Codes only the Phoenix column knows are left out, since
    the spec fixes the GDELT column as the source of weights."""
    text = (resources.files("sim") / "data" / "cameo_goldstein.tsv").read_text("utf-8")
    rows = csv.DictReader((ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t")
    out: dict[str, CameoCode] = {}
    for row in rows:
        if row["gdelt_weight"].strip():
            out[row["code"]] = CameoCode(row["code"], row["description"], float(row["gdelt_weight"]))
    return out


def lookup(code: str) -> CameoCode:
    """The entry for ``code``; KeyError if the table has no GDELT weight for it."""
    return table()[str(code)]
