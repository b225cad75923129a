"""Speed of `triad import` (issue 20): one day of GDELT 2.0 and the real ICEWS week.

    python benchmarks/bench_import.py            # prints the timings (best of 3, one process, one core)

The GDELT day is SYNTHETIC: 96 files of ~1,560 rows (≈150,000 rows, the size of a real day of
GDELT 2.0 event exports), 61 tab-separated columns in the codebook's order, actors drawn
from 60 country codes (the nine of the ICEWS set among them), CAMEO codes from the package's
table, a quarter of the rows with no second actor, as in real exports. It measures parsing and
counting, not anything about GDELT's content. The ICEWS week is the real file in
../shared/data/icews (skipped with a note when it is not beside the clone).
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engine import cameo  # noqa: E402
from sim.events.counting import Options  # noqa: E402
from sim.events.formats import gdelt  # noqa: E402
from sim.events.importer import import_files  # noqa: E402

WEEK = ROOT.parent / "shared" / "data" / "icews" / "raw_weekly_2020-12-22_2021-01-03.tab"
NINE = ("IRN", "ISR", "AZE", "USA", "RUS", "TUR", "ARM", "SYR", "LBN")
OTHERS = ("GBR", "FRA", "DEU", "CHN", "IND", "PAK", "EGY", "SAU", "IRQ", "JOR", "UKR", "JPN", "KOR", "BRA", "MEX",
          "NGA", "ZAF", "AUS", "CAN", "ITA", "ESP", "POL", "GRC", "QAT", "ARE", "AFG", "KAZ", "GEO", "BLR", "AUT",
          "CHE", "SWE", "NOR", "DNK", "FIN", "NLD", "BEL", "PRT", "IRL", "ISL", "ARG", "CHL", "PER", "COL", "VEN",
          "CUB", "KEN", "ETH", "SDN", "LBY", "TUN")
TYPES = ("GOV", "MIL", "COP", "", "", "BUS", "MED", "REB", "CVL", "JUD")


def synthetic_gdelt_day(folder: Path, rows: int = 150_000, files: int = 96, seed: int = 0) -> list[Path]:
    """Write ``files`` synthetic GDELT 2.0 export files for 2021-04-11 into ``folder``."""
    rng = np.random.default_rng(seed)
    codes = np.array(sorted(cameo.table()))
    countries = np.array(NINE + OTHERS)
    per = rows // files
    paths = []
    for k in range(files):
        n = per + (1 if k < rows - per * files else 0)
        c1, c2 = rng.choice(countries, n), rng.choice(countries, n)
        t1, t2 = rng.choice(TYPES, n), rng.choice(TYPES, n)
        no2 = rng.random(n) < 0.25
        ev = rng.choice(codes, n)
        cols = {c: np.full(n, "", dtype=object) for c in gdelt.COLUMNS}
        cols["GLOBALEVENTID"] = (10**9 + k * per + np.arange(n)).astype(str)
        cols["SQLDATE"] = np.full(n, "20210411", dtype=object)
        cols["Actor1Code"] = np.char.add(c1.astype(str), t1.astype(str))
        cols["Actor1CountryCode"], cols["Actor1Type1Code"] = c1, t1
        cols["Actor2Code"] = np.where(no2, "", np.char.add(c2.astype(str), t2.astype(str)))
        cols["Actor2CountryCode"] = np.where(no2, "", c2)
        cols["Actor2Type1Code"] = np.where(no2, "", t2)
        cols["EventCode"] = ev
        cols["NumMentions"] = rng.integers(1, 50, n).astype(str)
        cols["NumSources"] = rng.integers(1, 10, n).astype(str)
        cols["NumArticles"] = cols["NumMentions"]
        cols["SOURCEURL"] = np.full(n, "https://example.org/news/article.html", dtype=object)
        p = folder / f"20210411{k:06d}.export.CSV"
        pd.DataFrame(cols).to_csv(p, sep="\t", header=False, index=False)
        paths.append(p)
    return paths


def _best(fn, repeat: int = 3) -> dict:
    """Best of ``repeat``: wall seconds and this process's CPU seconds (less sensitive to a loaded machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"seconds": round(min(wall), 3), "cpu_seconds": round(min(cpu), 3)}


def main() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = synthetic_gdelt_day(tmp)
        rows = sum(1 for p in files for _ in open(p, encoding="utf-8"))
        opts = Options(NINE)
        out["gdelt_day_synthetic"] = {
            "files": len(files), "rows": rows,
            **_best(lambda: import_files("gdelt", files, tmp / "out", opts)), "limit": 3.0}
        if WEEK.exists():
            out["icews_week"] = {
                "rows": 7251,
                **_best(lambda: import_files("icews", [WEEK], tmp / "out2", opts)), "limit": 1.0}
        else:
            out["icews_week"] = f"skipped: {WEEK} is not beside the clone"
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
