"""SYNTHETIC event-data fixtures for the formats with no real file here (GDELT 2.0, POLECAT,
ACLED), built from the published column lists (the readers' COLUMNS: the GDELT 2.0 event
codebook, the POLECAT weekly header, the ACLED export) with made-up rows. They test the
readers' parsing, not any claim about the real data."""
from __future__ import annotations

import csv
import io

from sim.events.formats import acled, gdelt, polecat


def gdelt_row(eid: int, day: str, a1: str, c1: str, a2: str, c2: str, code: str, sources: int = 1,
              mentions: int = 1, type1: str = "", type2: str = "") -> str:
    r = dict.fromkeys(gdelt.COLUMNS, "")
    r.update({"GLOBALEVENTID": str(eid), "SQLDATE": day.replace("-", ""), "Actor1Code": a1, "Actor1CountryCode": c1,
              "Actor1Type1Code": type1, "Actor2Code": a2, "Actor2CountryCode": c2, "Actor2Type1Code": type2,
              "EventCode": code, "EventBaseCode": code[:3], "EventRootCode": code[:2], "NumMentions": str(mentions),
              "NumSources": str(sources), "NumArticles": str(mentions), "SOURCEURL": "https://example.org/x"})
    return "\t".join(r[c] for c in gdelt.COLUMNS) + "\n"


def polecat_file(rows: list[dict]) -> str:
    out = ["\t".join(polecat.COLUMNS) + "\n"]
    for row in rows:
        r = dict.fromkeys(polecat.COLUMNS, "")
        r.update(row)
        out.append("\t".join(r[c] for c in polecat.COLUMNS) + "\n")
    return "".join(out)


def acled_file(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=acled.COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({**dict.fromkeys(acled.COLUMNS, ""), **row})
    return buf.getvalue()
