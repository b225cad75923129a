"""The counts target of the backtest (``backtest.target=counts``, sim/forecast/counts_target.py):
end to end on an observations file that `triad import` writes from the shared ICEWS table, the
observed values equal to the file's dyad-days summed per rung class, the bridge's draws against
its closed-form moments, and the one-line refusals."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, compose_cfg, plain_cfg
from sim.calib.bridge import ICEWS21
from sim.config.build import build_settings
from sim.errors import ConfigError
from sim.events.cli import main as import_main
from sim.forecast import counts_target as ct
from sim.forecast.options import check
from sim.io.tables import SCHEMAS
from sim.runs.job import run

TABLE = ROOT.parent / "shared" / "data" / "icews" / "events.csv"
CLASSES = {"1": (1,), "2-3": (2, 3), "4-5": (4, 5, 6)}
REPS = 20


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("imp") / "imp"
    assert import_main(["table", str(TABLE), "--out", str(out), "--state-only"]) == 0
    return out / "observations.csv"


@pytest.fixture(scope="module")
def counts_run(imported, tmp_path_factory):
    out = tmp_path_factory.mktemp("bt") / "run"
    cfg = compose_cfg(["experiment=backtest", "start=2021-01-01", "end=2021-08-31", "events=none",
                       "backtest.target=counts", "backtest.origins=[2021-05,2021-06]", "backtest.horizons=[1,2,3]",
                       f"backtest.observations={imported}", f"ensemble.replicates={REPS}", "backtest.seeds=[0]",
                       "backtest.bootstrap=100"])
    summ = run(cfg, out)
    return summ, out


def _file_class_days(path) -> dict[tuple[str, str, str, str], float]:
    """(month, source, target, class) -> dyad-days, read here with pandas from the file itself."""
    raw = pd.read_csv(path, comment="#", dtype={"month": str})
    out = {}
    for _, r in raw.iterrows():
        for name, rungs in CLASSES.items():
            out[(r["month"], r["source"], r["target"], name)] = float(sum(r[f"days_rung{k}"] for k in rungs))
    return out


@pytest.mark.slow  # a whole counts backtest (≈ 12 s): make test runs it, make test-fast leaves it out
def test_counts_backtest_scores_every_series_against_the_file(counts_run, imported):
    summ, out = counts_run
    table = pq.read_table(out / "backtest.parquet")
    assert table.schema.equals(SCHEMAS["backtest"])
    df = table.to_pandas()
    names = ct.series(["ISR", "AZE", "IRN"])
    assert len(names) == 18 and sorted(df["dyad"].unique()) == sorted(names)
    assert sorted(df["forecaster"].unique()) == sorted(ct.FORECASTERS)
    assert len(df) == 2 * 3 * 18 * len(ct.FORECASTERS) and df["observable"].all()
    truth = _file_class_days(imported)
    for _, r in df.iterrows():
        tm = str(pd.Period(r["origin"], freq="M") + int(r["horizon"]) - 1)
        assert str(r["target_month"])[:7] == tm
        pair, cls = r["dyad"].split(":")
        a, b = pair.split("->")
        assert r["observed"] == truth[(tm, a, b, cls)]  # exact
    # the point baselines' CRPS is the absolute error: zero → |y|, persistence → |y − last month|
    zero = df[df["forecaster"] == "zero"]
    assert np.array_equal(zero["crps"].to_numpy(), zero["observed"].abs().to_numpy())
    pers = df[df["forecaster"] == "persistence"]
    for _, r in pers.iterrows():
        pair, cls = r["dyad"].split(":")
        a, b = pair.split("->")
        last = str(pd.Period(r["origin"], freq="M") - 1)
        assert r["crps"] == abs(r["observed"] - truth[(last, a, b, cls)])
    # the model's members are coded dyad-days: whole numbers within the month's days
    model = df[df["forecaster"] == "model"]
    days = model["target_month"].map(lambda d: pd.Period(d, freq="M").days_in_month)
    assert (model["members"] == REPS).all() and (model["q2_5"] >= 0).all() and (model["q97_5"] <= days).all()
    b = summ["backtest"]
    assert b["target"] == "counts" and b["forecasters"] == list(ct.FORECASTERS)
    assert b["targets"] == {"total": 108, "scored": 108, "not_yet_observable": 0}
    assert b["ignorance_bins"] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, None]
    assert b["observation_model"]["m"] == pytest.approx(ICEWS21.m.tolist())
    assert "2021-01..2021-08" in b["observations"]["source"]  # the file's last unbroken run of months
    assert (out / "report.html").is_file()


def test_the_fixed_bridge_is_the_one_the_calibration_fitted():
    rec = json.loads((ROOT / "docs" / "results" / "calibration.json").read_text())["data"]["bridge"]
    assert ICEWS21.m.tolist() == rec["m"] and ICEWS21.k.tolist() == rec["k"] and ICEWS21.n.tolist() == rec["incidents"]


def test_counts_draws_have_the_bridges_moments_and_respect_the_cap():
    R, acts = 40_000, 3
    x = np.full((R, 2), float(acts))
    draws, p, _ = ct.forecast(np.zeros(3), np.zeros((R, 3)), x, 0.0, (1, 2), np.random.default_rng(5),
                              series="ISR->IRN:1", days_in_month=np.array([10_000, 31]))
    m, k = ICEWS21.m[0], ICEWS21.k[0]
    mean, var = m * acts, (m - 1) * acts * (1 + (m - 1) / k)
    assert abs(draws[:, 0].mean() - mean) < 4 * np.sqrt(var / R)
    assert abs(draws[:, 0].var() / var - 1) < 0.1
    assert draws[:, 1].max() == 31 and draws.min() >= acts and p.as_dict()["rung_class"] == "1"
    again, _, _ = ct.forecast(np.zeros(3), np.zeros((R, 3)), x, 0.0, (1, 2), np.random.default_rng(5),
                              series="ISR->IRN:1", days_in_month=np.array([10_000, 31]))
    assert np.array_equal(draws, again)
    none, _, _ = ct.forecast(np.zeros(3), np.zeros((R, 3)), np.zeros((R, 2)), 0.0, (1, 2), np.random.default_rng(5),
                             series="ISR->IRN:4-5", days_in_month=np.array([31, 31]))
    assert not none.any()  # no act, no coded day


def _check(*overrides):
    plain = plain_cfg(["experiment=backtest", "start=2021-01-01", "end=2021-08-31", "events=none", *overrides])
    return check(plain, build_settings(plain))


def test_counts_refuses_a_goldstein_series_in_one_line(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text("month,AZE-IRN,AZE-ISR,IRN-ISR\n" + "".join(f"2021-0{m},1,2,3\n" for m in range(1, 9)))
    with pytest.raises(ConfigError) as exc:
        _check("backtest.target=counts", f"backtest.observations={gold}")
    msg = str(exc.value)
    assert msg.startswith("backtest.observations: ") and "\n" not in msg
    assert "is not an observations v1 file; backtest.target=counts needs an observations v1 file" in msg
    with pytest.raises(ConfigError, match="^backtest.observations: not set; backtest.target=counts needs"):
        _check("backtest.target=counts")
    # the same file is a valid Goldstein series
    assert _check(f"backtest.observations={gold}", "backtest.horizons=[1]").target == "goldstein"


def test_an_unknown_target_lists_the_allowed_ones():
    with pytest.raises(ConfigError, match=r"^backtest.target: 'tone'; allowed: goldstein, counts$"):
        _check("backtest.target=tone")


def test_the_backtest_page_quotes_the_counts_results_file():
    res = json.loads((ROOT / "docs" / "results" / "backtest_counts.json").read_text("utf-8"))
    doc = " ".join((ROOT / "docs" / "backtest.md").read_text("utf-8").split())
    p = res["pooled"]
    assert (f"CRPS: model {p['model']['crps']:.3f}, climatology {p['climatology']['crps']:.3f}, conflictology "
            f"{p['conflictology']['crps']:.3f}, persistence {p['persistence']['crps']:.3f}, zero "
            f"{p['zero']['crps']:.3f}") in doc
    assert f"hold {p['model']['cover50']:.2f} / {p['model']['cover90']:.2f}" in doc
    for c in ("1", "2-3", "4-5"):
        q = res["per_class"][c]
        assert f"{c.replace('-', '–')}: {q['model']['crps']:.3f} vs {q['climatology']['crps']:.3f}" in doc
    assert f"the {p['model']['targets']} scored" in doc and res["targets"]["scored"] * 3 == p["model"]["targets"]
