"""One orchestration path (sim/runs/orchestrate.py): the command, ``sim.run`` and
``Result.save`` compute and write a run through the same functions, so the API's backtest
is the command's backtest and a save without report holds the same data files."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import sim
from conftest import compose_cfg
from sim.io.manifest import verify
from sim.runs.job import run
from sim.runs.orchestrate import kind_of

BT = ["backtest.origins=[2023-02]", "backtest.horizons=[1,2]", "backtest.bootstrap=100", "report.enabled=false"]


def test_kind_of_reads_the_config():
    assert kind_of({"backtest": {"enabled": True}, "explore": {"method": "sensitivity"}}) == "backtest"
    assert kind_of({"backtest": {"enabled": False}, "explore": {"method": "calibrate"}}) == "exploration"
    assert kind_of({"backtest": {"enabled": False}, "explore": {"method": "none"}}) == "ensemble"
    assert kind_of({}) == "ensemble"


def test_sim_run_backtest_is_the_commands_backtest(tmp_path):
    summ = run(compose_cfg(["experiment=backtest", "ensemble.replicates=30", *BT]), tmp_path / "cli")
    b = sim.run("backtest", BT, replicates=30)
    assert isinstance(b, sim.Backtest)
    want = pd.read_parquet(tmp_path / "cli" / "backtest.parquet")
    # seeds (3, the default) × origins (1) × horizons (2) × dyads (3) × forecasters
    assert len(want) == 3 * 1 * 2 * 3 * want["forecaster"].nunique() and want["forecaster"].nunique() == 8
    dates = [c for c in want.columns if b.table[c].dtype == "datetime64[ns]"]
    assert dates  # the file's date32 columns, as pandas datetimes
    for c in dates:
        want[c] = pd.to_datetime(want[c]).astype("datetime64[ns]")
    pd.testing.assert_frame_equal(b.table, want, check_exact=True)
    assert b.summary == summ == json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert b.answer == summ["backtest"]["answer"] and b.headline == summ["headline"]
    assert set(b.skill["dyad"]) == set(want["dyad"])
    out = b.save(tmp_path / "api")
    for name in ("backtest.parquet", "summary.json", "config.yaml"):
        assert (out / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    man = json.loads((out / "manifest.json").read_text())
    assert verify(out, man) == []
    assert man["api_call"].startswith("sim.run(experiment='backtest'")


@pytest.fixture(scope="module")
def small():
    return sim.compare("no_embassy_attack", overrides=["end=2023-03-31", "record.replicates=2"], replicates=12)


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_save_without_report_writes_the_same_data_and_no_report(small, tmp_path):
    with_report = small.save(tmp_path / "with")
    without = small.save(tmp_path / "without", report=False)
    assert (with_report / "report.html").is_file() and (with_report / "figures").is_dir()
    assert not (without / "report.html").exists() and not (without / "figures").exists()
    for name in ("stats.parquet", "incidence.parquet", "effects.parquet", "routes.parquet", "summary.json",
                 "events.json", "config.yaml"):
        assert (without / name).read_bytes() == (with_report / name).read_bytes(), name
    man = json.loads((without / "manifest.json").read_text())
    assert verify(without, man) == []
    assert not any(str(f.get("path", f) if isinstance(f, dict) else f).startswith(("report", "figures"))
                   for f in man["files"])


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_batch_run_is_one_tidy_frame_of_the_runs(small):
    import sim.sweep.table as T

    grid = {"dynamics.reaction.IRN": [0.01, 0.03]}
    seen = []
    df = sim.batch_run("no_embassy_attack", grid, seeds=[3, 4], replicates=12,
                       overrides=["end=2023-03-31", "record.replicates=0"],
                       progress=lambda i, n, combo: seen.append((i, n, combo["dynamics.reaction.IRN"])))
    assert seen == [(1, 4, 0.01), (2, 4, 0.01), (3, 4, 0.03), (4, 4, 0.03)]
    assert list(df.columns[:4]) == ["run", "dynamics.reaction.IRN", "seed", "replicates"]
    assert set(T.METRICS) <= set(df.columns)
    assert len(df) == 4 * 2 * 3  # runs × scenarios × dyads
    assert df.groupby("run")[["dynamics.reaction.IRN", "seed"]].first().values.tolist() == [
        [0.01, 3], [0.01, 4], [0.03, 3], [0.03, 4]]
    first = df[df["run"] == 0]
    assert first["dyad"].tolist() == ["AZE-IRN", "AZE-ISR", "IRN-ISR"] * 2
    assert first["scenario"].tolist() == ["baseline"] * 3 + ["no_embassy_attack"] * 3
    # each row is that run's own summary: rerun the first with sim.run
    r = sim.compare("no_embassy_attack", overrides=["end=2023-03-31", "record.replicates=0"], seed=3, replicates=12,
                    values={"dynamics.reaction.IRN": 0.01})
    p = r.p_rung(3)
    assert first[first["scenario"] == "baseline"].set_index("dyad")["p_rung_3"].to_dict() == p["p"].to_dict()
    assert list(p.index) == ["AZE-IRN", "AZE-ISR", "IRN-ISR"]


def test_api_dates_are_pandas_datetimes(small):
    for name in ("stats", "incidence", "effects", "routes"):
        df = getattr(small, name)
        if "date" in df.columns:
            assert df["date"].dtype == "datetime64[ns]", name
    assert small.stats["date"].min() == pd.Timestamp("2022-09-01")
