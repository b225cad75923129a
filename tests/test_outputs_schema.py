"""Every table a run writes has exactly the schema that docs/outputs.md documents, with
rows or without, and the tables of several runs read together as one dataset."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, compose_cfg
from sim.io.tables import SCHEMAS
from sim.runs.job import run
from sim.sweep.jobs import Job
from sim.sweep.table import SCHEMA as SWEEP_SCHEMA
from sim.sweep.table import job_base, sweep_frame, sweep_table

DOC = ROOT / "docs" / "outputs.md"
SHORT = ["end=2023-03-31", "report.enabled=false", "ensemble.replicates=50"]
RUNS = {
    "plain": [],
    "counterfactual": ["counterfactual=no_embassy_attack"],
    "unrecorded": ["record.replicates=0"],  # trajectories and actions without rows
}
DAYS = (dt.date(2023, 3, 31) - dt.date(2022, 9, 1)).days + 1


def documented() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, Arrow type), ...]} from the tables under each ``## `NAME.parquet` `` heading."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("#"):
            m = re.fullmatch(r"## `(\w+)\.parquet`", line)
            current = out.setdefault(m.group(1), []) if m else None
            continue
        m = re.match(r"\| `(\w+)` \| `([^`]+)` \|", line)
        if m and current is not None:
            current.append((m.group(1), m.group(2)))
    return out


def columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(f.name, str(f.type)) for f in schema]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("schema")
    for name, overrides in RUNS.items():
        run(compose_cfg([*SHORT, *overrides]), d / name)
    return d


def test_docs_list_exactly_the_written_schemas():
    doc = documented()
    assert set(doc) == {*SCHEMAS, "sweep"}
    for name, schema in SCHEMAS.items():
        assert doc[name] == columns(schema), name
    assert doc["sweep"] == columns(SWEEP_SCHEMA)
    assert all(f.type == pa.date32() for s in SCHEMAS.values() for f in s if f.name == "date")


def test_every_written_table_has_its_documented_schema(runs):
    files = {(d.name, f.stem): f for d in runs.iterdir() for f in d.glob("*.parquet")}
    assert {n for _, n in files} == set(SCHEMAS) - {"backtest"}  # experiment=backtest only: tests/test_backtest.py
    assert sorted(r for r, n in files if n == "effects") == ["counterfactual"]
    for (r, name), f in files.items():
        schema = pq.read_schema(f)
        assert schema.equals(SCHEMAS[name], check_metadata=False), (r, name, schema)
        assert schema.metadata is None, (r, name)  # the schema is the whole contract: no pandas extras
    rows = {k: pq.read_metadata(f).num_rows for k, f in files.items()}
    # 50 recorded replicates x days x 6 ordered pairs; baseline and counterfactual both recorded
    assert rows["plain", "trajectories"] == 50 * DAYS * 6
    assert rows["counterfactual", "trajectories"] == 2 * 50 * DAYS * 6
    assert rows["unrecorded", "trajectories"] == rows["unrecorded", "actions"] == 0
    assert rows["plain", "actions"] > 0
    assert rows["plain", "stats"] == rows["unrecorded", "stats"] == DAYS * (12 + 6)  # H, C per pair; 2 per dyad
    assert rows["counterfactual", "effects"] == DAYS * 2 * 3


def test_dates_are_days_and_null_only_where_documented(runs):
    stats = pq.read_table(runs / "plain" / "stats.parquet").to_pydict()
    assert min(stats["date"]) == dt.date(2022, 9, 1) and max(stats["date"]) == dt.date(2023, 3, 31)
    acts = pq.read_table(runs / "plain" / "actions.parquet")
    origin, event = acts["origin"].to_pylist(), acts["event_id"].to_pylist()
    assert set(origin) == {"exogenous", "endogenous"}
    assert all((e is None) == (o == "endogenous") for o, e in zip(origin, event))
    status = dict(zip(event, acts["status"].to_pylist()))  # the first 7 months: the suspension only
    assert status["azerbaijan_suspends_tehran_embassy"] == '{"ambassador": "recalled", "embassy": "suspended"}'
    assert status["tehran_embassy_attack"] is None and status[None] is None
    for f in runs.glob("*/*.parquet"):
        t = pq.read_table(f)
        for col in t.column_names:
            if col not in ("event_id", "status"):
                assert t[col].null_count == 0, (f, col)


def test_runs_with_and_without_rows_read_as_one_dataset(runs):
    for name in ("trajectories", "actions", "routes", "stats"):
        parts = sorted(runs.glob(f"*/{name}.parquet"))
        table = ds.dataset(parts, format="parquet").to_table()
        assert table.schema.equals(SCHEMAS[name])
        assert table.num_rows == sum(pq.read_metadata(p).num_rows for p in parts)
    # pandas reads date32 as calendar days; pd.to_datetime turns them into datetimes
    df = pd.read_parquet(runs / "plain" / "incidence.parquet")
    assert isinstance(df["date"].iloc[0], dt.date)
    assert pd.to_datetime(df["date"]).min() == pd.Timestamp("2022-09-01")


def test_sweep_table_has_its_documented_fixed_columns(runs, tmp_path):
    import json

    import yaml

    d = runs / "counterfactual"
    done = Job(0, d, "complete", overrides=["seed_note=a"], config=yaml.safe_load((d / "config.yaml").read_text()),
               summary=json.loads((d / "summary.json").read_text()),
               manifest=json.loads((d / "manifest.json").read_text()))
    failed = Job(1, runs / "plain", "failed", error="boom", overrides=["seed_note=b"])
    frame = sweep_frame([(job_base(j, runs), j.overrides, j.summary) for j in (done, failed)])
    table = sweep_table(frame)
    fixed = pa.schema([f for f in table.schema if f.name != "seed_note"])
    assert fixed.equals(SWEEP_SCHEMA)
    assert table.schema.field("seed_note").type == pa.string()
    assert table.num_rows == 2 * 3 + 1  # baseline and counterfactual x 3 dyads, one row for the failed job
    assert table["status"].to_pylist().count("failed") == 1 and table["replicates"].to_pylist()[0] == 50
