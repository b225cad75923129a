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
from sim.forecast import runner
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


def _bt_run(tmp_path, name, *extra, origins="[2023-02]", horizons="[1,2]", seeds="[0,1]"):
    cfg = compose_cfg(["experiment=backtest", "ensemble.replicates=30", f"backtest.origins={origins}",
                       f"backtest.horizons={horizons}", "backtest.bootstrap=100", f"backtest.seeds={seeds}",
                       "report.enabled=false", *extra])
    summ = run(cfg, tmp_path / name)
    return summ, tmp_path / name


def test_a_backtest_run_writes_the_documented_table_and_is_reproducible(tmp_path):
    summ, out = _bt_run(tmp_path, "a")
    table = pq.read_table(out / "backtest.parquet")
    assert table.schema.equals(SCHEMAS["backtest"]) and table.schema.names == list(bt.COLUMNS)
    df = table.to_pandas()
    assert len(df) == 2 * 2 * 3 * len(bt.FORECASTERS) and sorted(df["dyad"].unique()) == DYADS
    assert df["observable"].all() and sorted(df["seed"].unique()) == [0, 1]
    gd = gdelt_monthly()
    for _, r in df.iterrows():
        target = str(pd.Period(r["origin"], freq="M") + int(r["horizon"]) - 1)
        assert str(r["target_month"])[:7] == target and r["observed"] == gd.at[target, r["dyad"]]
    assert (df["crps"] >= 0).all() and df["cover50"].isin([0.0, 1.0]).all() and df["pit"].between(0, 1).all()
    q = df[list(bt.metrics.Q_COLUMNS)].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    assert ((df["cover50"] <= df["cover80"]) & (df["cover80"] <= df["cover90"]) & (df["cover90"] <= df["cover95"])).all()
    jan = gd.loc["2023-01"]  # persistence forecasts January 2023 for both horizons; zero forecasts 0
    pers, zero = df[df["forecaster"] == "persistence"], df[df["forecaster"] == "zero"]
    assert np.allclose(pers["crps"], [abs(r["observed"] - jan[r["dyad"]]) for _, r in pers.iterrows()])
    assert np.allclose(zero["crps"], zero["observed"].abs())
    members = df.groupby("forecaster")["members"].first().to_dict()
    assert members == {"model": 30, "event_filter": 30, "ar1": 30, "conflictology": 30, "random_walk": 30,
                       "persistence": 1, "zero": 1, "climatology": 25}
    b = summ["backtest"]
    assert b["origins"] == ["2023-02"] and b["out_of_sample"]["target_months"] == ["2023-02", "2023-03"]
    assert b["periods"] == {"backcast": ["2023-02"]} and b["targets"] == {"total": 6, "scored": 6, "not_yet_observable": 0}
    assert len(b["frozen"]["parameters_hash"]) == 64 and "git_commit" in b["frozen"]
    assert all(t["latest_event_day"] < t["origin_day"] for t in b["timelines"])
    assert all(f["train_months"] == ["2021-01", "2023-01"] and f["model_months"] == 4 for f in b["fits"])
    assert {f["event_filter"]["half_life_days"] for f in b["fits"]} <= set(bt.eventfilter.HALF_LIVES)
    man = json.loads((out / "manifest.json").read_text())
    assert "backtest.parquet" in {f["path"] if isinstance(f, dict) else f for f in man["files"]}
    again, _ = _bt_run(tmp_path, "a")  # the same config into its complete directory: skipped
    assert again.get("skipped") and again["backtest"]["rows"] == len(df)
    # the shipped file given as backtest.observations: the same numbers, byte for byte
    obs = tmp_path / "obs.csv"
    obs.write_text((resources.files("sim") / "data" / "gdelt_dyads_monthly.csv").read_text("utf-8"), "utf-8")
    _, out2 = _bt_run(tmp_path, "b", f"backtest.observations={obs}")
    assert (out2 / "backtest.parquet").read_bytes() == (out / "backtest.parquet").read_bytes()
    # another parameter value: another hash (the parameters are what the forecast is frozen at)
    assert runner.frozen({**_plain(), "dynamics": {"x": 1}})["parameters_hash"] != runner.frozen(_plain())["parameters_hash"]
    assert runner.frozen({**_plain(), "backtest": {"seeds": [5]}})["parameters_hash"] == runner.frozen(_plain())["parameters_hash"]


def _plain():
    return {"dynamics": {"x": 0}, "backtest": {"seeds": [0]}, "question": "q"}


LATER = {"AZE-IRN": -12.0, "AZE-ISR": 30.0, "IRN-ISR": -80.0}


def _later_file(tmp_path, name, shift):
    """The shipped GDELT months followed by CONSTRUCTED months 2023-06..2023-11 (not data)."""
    text = (resources.files("sim") / "data" / "gdelt_dyads_monthly.csv").read_text("utf-8")
    head = "# CONSTRUCTED later months for tests (2023-06..2023-11 are made up, not observed data)\n"
    cols = [c for c in text.splitlines() if c and not c.startswith("#")][0].split(",")
    rows = []
    for k, m in enumerate(pd.period_range("2023-06", "2023-11", freq="M")):
        vals = {"month": str(m), "n_days": "30", **{c: f"{LATER['-'.join(sorted(c.split('-')))] + shift + k:.2f}"
                                                    for c in cols if c.count("-") == 1}}
        rows.append(",".join(vals[c] for c in cols))
    path = tmp_path / name
    path.write_text(head + text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", "utf-8")
    return path


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_true_future_on_a_constructed_later_months_file(tmp_path):
    a = _later_file(tmp_path, "later_a.csv", 0.0)
    h12 = "[1,2,3,4,5,6,7,8,9,10,11,12]"
    summ, out = _bt_run(tmp_path, "tf", f"backtest.observations={a}", "end=2024-05-31", origins="[2023-06]",
                        horizons=h12, seeds="[0]")
    df = pd.read_parquet(out / "backtest.parquet")
    b = summ["backtest"]
    assert b["periods"] == {"true_future": ["2023-06"]}
    assert b["targets"] == {"total": 36, "scored": 18, "not_yet_observable": 18}
    later = df["target_month"].astype(str).str[:7] > "2023-11"
    assert (df["observable"] == ~later).all() and df.loc[later, ["observed", "crps", "cover90"]].isna().all().all()
    assert df.loc[later, "q50"].notna().all()  # the forecast is written all the same
    assert all(f["train_months"] == ["2021-01", "2023-05"] for f in b["fits"])
    s = [r for r in b["scores"] if r["forecaster"] == "model" and r["horizons"] == "all"]
    assert {r["dyad"]: (r["scored"], r["not_yet_observable"]) for r in s} == {d: (6, 6) for d in DYADS}
    # months after the origin never enter a fit: other later values change the scores, not the forecasts
    b_ = _later_file(tmp_path, "later_b.csv", 25.0)
    _, out_b = _bt_run(tmp_path, "tf_b", f"backtest.observations={b_}", "end=2024-05-31", origins="[2023-06]",
                       horizons=h12, seeds="[0]")
    df_b = pd.read_parquet(out_b / "backtest.parquet")
    fc = ["mean", *bt.metrics.Q_COLUMNS]
    pd.testing.assert_frame_equal(df[fc], df_b[fc])
    assert not np.allclose(df.loc[~later, "crps"], df_b.loc[~later, "crps"])


def test_an_observations_v1_file_goes_in_unchanged(tmp_path):
    """A CONSTRUCTED observations v1 file (the `triad import` format): the monthly target of A-B is
    goldstein_sum(A→B) + goldstein_sum(B→A); here each direction carries half the shipped value."""
    from sim.events import observations as ov

    gd = gdelt_monthly()
    rows = []
    for m in gd.index:
        for d in DYADS:
            a_, b_ = d.split("-")
            for s_, t_ in ((a_, b_), (b_, a_)):
                rows.append({"month": m, "source": s_, "target": t_, **{c: 0 for c in ov.INTS},
                             "goldstein_sum": gd.at[m, d] / 2})
    path = tmp_path / "obs_v1.csv"
    ov.write(pd.DataFrame(rows), path, {"dataset": "constructed_for_tests", "note": "halves of the shipped GDELT"})
    _, out = _bt_run(tmp_path, "v1", f"backtest.observations={path}", seeds="[0]")
    _, ref = _bt_run(tmp_path, "ref", seeds="[0]")
    cols = ["observed", "crps", "mean", *bt.metrics.Q_COLUMNS]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "backtest.parquet")[cols],
                                  pd.read_parquet(ref / "backtest.parquet")[cols], rtol=1e-9)


def test_observations_file_shape():
    text = "# c\nmonth,ISR-IRN,AZE-ISR,AZE-IRN,extra\n2021-01,-1,2,3,x\n2021-02,-4,5,6,y\n"
    df = parse_observations(text, "f", DYADS)
    assert list(df.columns) == DYADS and list(df.index) == ["2021-01", "2021-02"]
    assert df.loc["2021-02"].tolist() == [6.0, 5.0, -4.0]
    with pytest.raises(ConfigError, match="AZE-IRN in 2021-02 is 'abc', not a number"):
        parse_observations(text.replace(",6,y", ",abc,y"), "f", DYADS)
    with pytest.raises(ConfigError, match="row 2 is '2021-03' where '2021-02' belongs"):
        parse_observations(text.replace("2021-02", "2021-03"), "f", DYADS)


def test_a_true_future_with_nothing_observed_yet_is_written_counted_and_reported(tmp_path):
    summ, out = _bt_run(tmp_path, "nothing", "report.enabled=true", origins="[2023-06]", seeds="[0]")
    b = summ["backtest"]
    assert b["targets"] == {"total": 6, "scored": 0, "not_yet_observable": 6} and b["skill"] == []
    assert "No target month is observable yet" in b["answer"]
    df = pd.read_parquet(out / "backtest.parquet")
    assert len(df) == 6 * len(bt.FORECASTERS) and not df["observable"].any() and df["q50"].notna().all()
    assert (out / "report.html").is_file() and "not yet observable 6" in (out / "report.html").read_text("utf-8")
