"""`triad import` on the real ICEWS files in ../shared/data/icews (beside the clone, as CI has
it): counts checked against independent counts made here with the csv module, and the outputs
accepted by a run (events.file=) and by the backtest (backtest.observations=)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

import pandas as pd
import pytest
import yaml

from conftest import ROOT
from sim.config.events import load_event_file
from sim.events import observations
from sim.events.cli import main as import_main

ICEWS = ROOT.parent / "shared" / "data" / "icews"
WEEK = ICEWS / "raw_weekly_2020-12-22_2021-01-03.tab"
TABLE = ICEWS / "events.csv"
NINE = "IRN,ISR,AZE,USA,RUS,TUR,ARM,SYR,LBN"
# the ICEWS spellings of the nine countries (Source Country / Target Country columns)
NINE_NAMES = {"Iran", "Israel", "Azerbaijan", "United States", "Russian Federation", "Turkey", "Armenia", "Syria",
              "Lebanon"}


def _triad(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "HYDRA_FULL_ERROR": "0"})


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    out = tmp_path_factory.mktemp("week") / "imp"
    assert import_main(["icews", str(WEEK), "--out", str(out), "--actors", NINE]) == 0
    return out


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    out = tmp_path_factory.mktemp("table") / "imp"
    assert import_main(["table", str(TABLE), "--out", str(out), "--state-only"]) == 0
    return out


def test_icews_week_kept_equals_distinct_records_between_two_of_the_countries(week):
    assert sorted(p.name for p in week.iterdir()) == ["events.yaml", "import.json", "observations.csv"]
    distinct, rows = set(), 0
    with open(WEEK, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            rows += 1
            s, t = r["Source Country"], r["Target Country"]
            if s in NINE_NAMES and t in NINE_NAMES and s != t:
                distinct.add((r["Event Date"], r["Source Name"], r["CAMEO Code"], r["Target Name"]))
    summary = json.loads((week / "import.json").read_text("utf-8"))
    assert summary["kept"] == len(distinct)
    assert summary["rows_read"] == rows == summary["kept"] + sum(summary["dropped"].values())
    obs = observations.read(week / "observations.csv")
    assert obs["records"].sum() == len(distinct)  # every kept record counted once, in one dyad-month
    assert set(obs["month"]) == {"2020-12", "2021-01"} and len(obs) == 2 * 9 * 8


def test_icews_week_timeline_is_accepted_and_driven_by_a_run(week, tmp_path):
    events = load_event_file(week / "events.yaml", ["ISR", "AZE", "IRN"])
    raw = yaml.safe_load((week / "events.yaml").read_text("utf-8"))
    assert len(events) == len(raw) > 0 and all(e["provenance"]["dataset"] == "icews" for e in raw)
    out = tmp_path / "run"
    proc = _triad(f"events.file={week / 'events.yaml'}", "start=2020-12-01", "end=2021-03-31",
                  "ensemble.replicates=50", "report.enabled=false", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    acts = pd.read_parquet(out / "actions.parquet")
    mine = acts[acts["event_id"].astype(str).isin({e.id for e in events})]
    # every imported event happens once in every recorded replicate, as an exogenous act
    per = mine.groupby("event_id").size()
    assert len(per) == len(events) and (per == acts["replicate"].nunique()).all()
    assert (mine["origin"] == "exogenous").all()
    assert dict(zip(mine["event_id"], mine["cameo"].astype(str))) == {e.id: e.cameo for e in events}


def test_table_state_only_dyad_days_per_rung_match_a_direct_count(table):
    """Direct count: rows of events.csv dated 2021 with primary True and state_both True
    (state actors on both ends), ISR->IRN or IRN->ISR; dyad-days per rung = distinct dates
    per (month, source, target, rung)."""
    days = defaultdict(set)
    with open(TABLE, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if (r["date"].startswith("2021") and r["primary"] == "True" and r["state_both"] == "True"
                    and (r["source"], r["target"]) in {("ISR", "IRN"), ("IRN", "ISR")}):
                days[(r["date"][:7], r["source"], r["target"], int(r["rung"]))].add(r["date"])
    obs = observations.read(table / "observations.csv")
    got = obs[obs["month"].str.startswith("2021") & obs["source"].isin(["ISR", "IRN"])
              & obs["target"].isin(["ISR", "IRN"])]
    assert len(got) == 8 * 2
    for row in got.itertuples(index=False):
        for k in range(7):
            assert getattr(row, f"days_rung{k}") == len(days.get((row.month, row.source, row.target, k), ())), \
                (row.month, row.source, row.target, k)
    assert sum(len(v) for v in days.values()) > 100  # the comparison is not over empty months


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_backtest_runs_on_imported_observations(table, tmp_path):
    out = tmp_path / "bt"
    proc = _triad("experiment=backtest", f"backtest.observations={table / 'observations.csv'}", "start=2021-01-01",
                  "end=2021-08-31", "ensemble.replicates=20", "backtest.origins=[2021-05]", "backtest.horizons=[1,2]",
                  "backtest.bootstrap=100", "report.enabled=false", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    bt = json.loads((out / "summary.json").read_text("utf-8"))["backtest"]
    assert bt["observations"]["months"] == ["2021-01", "2021-08"]
    assert "last unbroken run" in bt["observations"]["source"]
    scores = pd.read_parquet(out / "backtest.parquet")
    obs = observations.read(table / "observations.csv")
    # the target of IRN-ISR in 2021-05 is the Goldstein sum of both directions in that month
    may = obs[(obs["month"] == "2021-05") & obs["source"].isin(["ISR", "IRN"]) & obs["target"].isin(["ISR", "IRN"])]
    target = scores[(scores["dyad"] == "IRN-ISR") & (scores["target_month"].astype(str).str[:7] == "2021-05")]
    assert len(target) and target["observed"].iloc[0] == pytest.approx(may["goldstein_sum"].sum())


def test_python_api_reads_typed_columns():
    from sim import events

    df = events.read("icews", WEEK, actors=NINE.split(","))
    assert str(df["source"].dtype) == "category" and list(df["source"].cat.categories) == NINE.split(",")
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df.attrs["import"]["kept"] == len(df) and df["rung"].between(0, 6).all()


def test_covered_months_skip_the_years_without_data_unless_filled(table, tmp_path):
    months = set(observations.read(table / "observations.csv")["month"])
    assert "2016-06" not in months and {"2015-12", "2018-08", "2021-08"} <= months
    out = tmp_path / "filled"
    assert import_main(["table", str(TABLE), "--out", str(out), "--state-only", "--fill-months"]) == 0
    filled = observations.read(out / "observations.csv")
    assert set(filled["month"]) == {str(p) for p in pd.period_range("2005-01", "2021-08", freq="M")}
    assert filled.loc[filled["month"] == "2016-06", observations.INTS].to_numpy().sum() == 0


def test_gzip_and_zip_read_as_the_plain_file(week, tmp_path):
    import gzip
    import zipfile

    data = WEEK.read_bytes()
    (tmp_path / "w.tab.gz").write_bytes(gzip.compress(data))
    with zipfile.ZipFile(tmp_path / "w.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w.tab", data)
    plain = (week / "observations.csv").read_text("utf-8").split("# files:")[1].split("\n", 1)[1]
    for name in ("w.tab.gz", "w.zip"):
        out = tmp_path / name.replace(".", "_")
        assert import_main(["icews", str(tmp_path / name), "--out", str(out), "--actors", NINE]) == 0
        assert (out / "observations.csv").read_text("utf-8").split("# files:")[1].split("\n", 1)[1] == plain


def test_timeline_trimmed_by_rung_and_count(tmp_path):
    out = tmp_path / "t"
    assert import_main(["table", str(TABLE), "--out", str(out), "--state-only", "--min-rung", "4",
                        "--max-events", "10"]) == 0
    ev = yaml.safe_load((out / "events.yaml").read_text("utf-8"))
    from sim.events.codes import rung_of

    assert len(ev) == 10 and all(rung_of(e["cameo"]) >= 4 for e in ev)
    assert [e["date"] for e in ev] == sorted(e["date"] for e in ev)
    left = json.loads((out / "import.json").read_text("utf-8"))["timeline"]["left_out"]
    assert left["over_max_events"] > 0 and left["below_min_rung"] > 0
