"""The rolling-origin backtest (sim/forecast/backtest.py, options.py, runner.py): the model
knows no event on or after its origin, the past is untouched by later knowledge, and the
run writes the documented table. Tiny ensembles, one or two origins."""
from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import compose_cfg, plain_cfg
from sim.config.build import build_settings
from sim.engine.events import Realised, realise
from sim.errors import ConfigError
from sim.forecast import backtest as bt
from sim.forecast.options import parse_observations
from sim.io.tables import SCHEMAS
from sim.runs.job import run
from sim.runs.stats import dyad_names
from sim.runs.validation import gdelt_monthly

DYADS = ["AZE-IRN", "AZE-ISR", "IRN-ISR"]


@pytest.fixture(scope="module")
def settings():
    return replace(build_settings(plain_cfg(["ensemble.replicates=40"])), replicates=40)


def test_known_before_drops_events_on_or_after_the_origin():
    day = np.array([[3, 10, -1], [9, 9, 12]])
    rl = Realised(events=["a", "b"], day=day, attributed=np.ones_like(day, bool), by_day={3: [0], 9: [1], 10: [0], 12: [1]})
    k = bt.known_before(rl, 10)
    assert k.day.tolist() == [[3, -1, -1], [9, 9, -1]] and k.by_day == {3: [0], 9: [1]}


@pytest.mark.parametrize("origin", ["2022-11", "2023-03"])
def test_the_model_uses_no_event_dated_on_or_after_its_origin(settings, origin):
    o_day = settings.day_of(bt.month_start(origin))
    full = realise(settings.events, settings.start, settings.n_days, settings.seed, 0, settings.replicates)
    assert (full.day >= o_day).any() and (full.day[(full.day >= 0)] < o_day).any()  # the test is not vacuous
    applied = []
    model = bt.KnownModel(replace(settings, end=bt.month_start(origin) + pd.Timedelta(days=45).to_pytimedelta()),
                          0, settings.replicates, o_day, settings.n_days,
                          [lambda t, m: applied.extend(t for _k, mask in m.today_events if mask.any())])
    rl = model.realised
    assert rl.day.max() < o_day and all(t < o_day for t in rl.by_day)
    before = full.day < o_day
    assert (rl.day[before] == full.day[before]).all()  # what happened before the origin is kept as it was
    model.run()
    assert applied and max(applied) < o_day  # the realised timeline the model ran on
    run_ = bt.simulate_origin(settings, origin, origin)
    assert run_.origin_day == o_day and 0 <= run_.latest_event_day < o_day


def test_the_past_is_the_same_whatever_was_learnt_later(settings):
    early = bt.simulate_origin(settings, "2022-12", "2023-01")
    late = bt.simulate_origin(settings, "2023-02", "2023-02")
    k = early.months.index("2022-12")  # months before the earlier origin: identical
    assert early.months[:k] == late.months[:k]
    np.testing.assert_array_equal(early.x[:, :k], late.x[:, :k])
    # after it, the later origin knows the Tehran embassy attack (27 Jan 2023): AZE–IRN differs in January
    j, d = early.months.index("2023-01"), dyad_names(settings.actors).index("AZE-IRN")
    assert (late.x[:, j, d] < early.x[:, j, d]).mean() > 0.9


def _bt_run(tmp_path, name, *extra):
    cfg = compose_cfg(["experiment=backtest", "ensemble.replicates=30", "backtest.origins=[2023-02]",
                       "backtest.horizons=[1,2]", "backtest.bootstrap=100", "report.enabled=false", *extra])
    summ = run(cfg, tmp_path / name)
    return summ, tmp_path / name


def test_a_backtest_run_writes_the_documented_table_and_is_reproducible(tmp_path):
    summ, out = _bt_run(tmp_path, "a")
    table = pq.read_table(out / "backtest.parquet")
    assert table.schema.equals(SCHEMAS["backtest"]) and table.schema.names == list(bt.COLUMNS)
    df = table.to_pandas()
    assert len(df) == 3 * 2 and sorted(df["dyad"].unique()) == DYADS
    gd = gdelt_monthly()
    for _, r in df.iterrows():
        target = str(pd.Period(r["origin"], freq="M") + int(r["horizon"]) - 1)
        assert str(r["target_month"])[:7] == target and r["observed"] == gd.at[target, r["dyad"]]
        assert r["train_months"] == 25 and r["model_months"] == 4  # 2021-01..2023-01; model 2022-10..2023-01
    for f in bt.FORECASTERS:
        assert (df[f"{f}_crps"] >= 0).all() and df[f"{f}_brier"].between(0, 1).all()
    q = df[list(bt.Q_COLUMNS)].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    # persistence forecasts January 2023 for both horizons
    jan = gd.loc["2023-01"]
    assert np.allclose(df["persistence_crps"], [abs(r["observed"] - jan[r["dyad"]]) for _, r in df.iterrows()])
    b = summ["backtest"]
    assert b["origins"] == ["2023-02"] and b["out_of_sample"]["target_months"] == ["2023-02", "2023-03"]
    assert "in-sample" not in b["out_of_sample"]["meaning"] and "tuned" in b["out_of_sample"]["caveat"]
    assert all(t["latest_event_day"] < t["origin_day"] for t in b["timelines"])
    man = json.loads((out / "manifest.json").read_text())
    assert "backtest.parquet" in {f["path"] if isinstance(f, dict) else f for f in man["files"]}
    again, _ = _bt_run(tmp_path, "a")  # the same config into its complete directory: skipped
    assert again.get("skipped") and again["backtest"]["rows"] == 6
    # the shipped file given as backtest.observations: the same numbers, byte for byte
    obs = tmp_path / "obs.csv"
    obs.write_text((resources.files("sim") / "data" / "gdelt_dyads_monthly.csv").read_text("utf-8"), "utf-8")
    _, out2 = _bt_run(tmp_path, "b", f"backtest.observations={obs}")
    assert (out2 / "backtest.parquet").read_bytes() == (out / "backtest.parquet").read_bytes()


def test_observations_file_shape():
    text = "# c\nmonth,ISR-IRN,AZE-ISR,AZE-IRN,extra\n2021-01,-1,2,3,x\n2021-02,-4,5,6,y\n"
    df = parse_observations(text, "f", DYADS)
    assert list(df.columns) == DYADS and list(df.index) == ["2021-01", "2021-02"]
    assert df.loc["2021-02"].tolist() == [6.0, 5.0, -4.0]
    with pytest.raises(ConfigError, match="AZE-IRN in 2021-02 is 'abc', not a number"):
        parse_observations(text.replace(",6,y", ",abc,y"), "f", DYADS)
    with pytest.raises(ConfigError, match="row 2 is '2021-03' where '2021-02' belongs"):
        parse_observations(text.replace("2021-02", "2021-03"), "f", DYADS)
