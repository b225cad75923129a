"""Run the counts backtest on ICEWS21's held-out months and write the numbers docs/backtest.md
("Counts target") quotes into ``docs/results/backtest_counts.json``.

    python scripts/backtest_counts_results.py [--replicates 200]

Steps: ``triad import table ../shared/data/icews/events.csv --state-only`` into a temporary
folder, then ``triad experiment=backtest backtest.target=counts`` from ``start=2021-01-01``
with no scripted events, origin 2021-06, horizons 1–3 (target months 2021-06..08: after the
months the escalation defaults and the bridge were fitted on), seeds 0, 1, 2. Written: the
commands, the load average, and per forecaster the mean CRPS, ignorance and 50/90 % coverage
over every scored target and seed, pooled and per rung class.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "results" / "backtest_counts.json"
TABLE = ROOT.parent / "shared" / "data" / "icews" / "events.csv"
OVERRIDES = ["experiment=backtest", "start=2021-01-01", "end=2021-08-31", "events=none", "backtest.target=counts",
             "backtest.origins=[2021-06]", "backtest.horizons=[1,2,3]", "backtest.seeds=[0,1,2]"]


def _triad(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise SystemExit(f"triad {' '.join(args)}: {proc.stderr[-800:]}")


def means(df: pd.DataFrame) -> dict:
    g = df[df["observable"]].groupby("forecaster")
    return {f: {"targets": int(len(x)), "crps": float(x["crps"].mean()), "ignorance": float(x["ignorance"].mean()),
                "cover50": float(x["cover50"].mean()), "cover90": float(x["cover90"].mean())} for f, x in g}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=200)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        imp, run = Path(tmp) / "imp", Path(tmp) / "run"
        _triad("import", "table", str(TABLE), "--out", str(imp), "--state-only")
        over = [*OVERRIDES, f"ensemble.replicates={a.replicates}", f"backtest.observations={imp / 'observations.csv'}",
                "report.enabled=false", f"hydra.run.dir={run}"]
        _triad(*over)
        df = pd.read_parquet(run / "backtest.parquet")
        summ = json.loads((run / "summary.json").read_text("utf-8"))
        man = json.loads((run / "manifest.json").read_text("utf-8"))
    df["rung_class"] = df["dyad"].str.split(":").str[1]
    res = {"commands": ["triad import table ../shared/data/icews/events.csv --out DIR --state-only",
                        "triad " + " ".join(OVERRIDES) + f" ensemble.replicates={a.replicates} "
                        "backtest.observations=DIR/observations.csv"],
           "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "load_average": os.getloadavg()[0], "wall_seconds_in_run": man.get("wall_seconds"),
           "replicates": a.replicates, "targets": summ["backtest"]["targets"],
           "observations": summ["backtest"]["observations"]["source"].split("/")[-1].replace("'", ""),
           "pooled": means(df), "per_class": {c: means(g) for c, g in df.groupby("rung_class", sort=True)}}
    OUT.write_text(json.dumps(res, indent=1) + "\n", "utf-8")
    print(json.dumps(res["pooled"], indent=1))


if __name__ == "__main__":
    main()
