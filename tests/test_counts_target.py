"""Issue 21: the counts target (sim/forecast/counts.py): class dyad-days from observations,
CRPS of the model's samples and of the baselines on constructed data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calib.bridge import Bridge
from sim.forecast import counts

PAIRS = [("ISR", "IRN"), ("IRN", "ISR")]
MONTHS = ["2021-01", "2021-02", "2021-03", "2021-04"]
EXACT = Bridge(np.ones(3), np.full(3, 1e3), np.zeros(3))  # one coded day per act: D = A


def _obs(values):
    rows = []
    for k, (a, b) in enumerate(PAIRS):
        for n, m in enumerate(MONTHS):
            v = values[k][n]
            rows.append({"month": m, "source": a, "target": b, "days_rung1": v, "days_rung2": 1, "days_rung3": 2,
                         "days_rung4": 0, "days_rung5": v, "days_rung6": 0})
    return pd.DataFrame(rows)


def test_observed_classes_sum_the_rungs_of_a_class():
    obs = counts.observed_classes(_obs([[1, 2, 3, 4], [0, 0, 5, 0]]), PAIRS, MONTHS + ["2021-05"])
    assert obs[0, :4, 0].tolist() == [1, 2, 3, 4] and np.all(obs[:, :4, 1] == 3)
    assert obs[1, :4, 2].tolist() == [0, 0, 5, 0]
    assert np.all(np.isnan(obs[:, 4]))  # an absent month is not zero


def test_scores_on_constructed_data():
    y = [[2, 4, 6, 8], [0, 1, 0, 3]]
    obs = counts.observed_classes(_obs(y), PAIRS, MONTHS)
    acts = np.repeat(np.nan_to_num(obs)[None].astype(int), 50, axis=0)  # every replicate = the data
    df = counts.score(acts, obs, EXACT, np.full(4, 31), PAIRS, MONTHS, ["2021-03"], [1, 2], seed=0)
    assert len(df) == 2 * 2 * 3  # 2 targets (03, 04) × 2 pairs × 3 classes
    assert np.allclose(df.crps_model, 0.0)  # a perfect ensemble
    row = df[(df.source == "ISR") & (df.rung_class == "1") & (df.target_month == "2021-04")].iloc[0]
    assert row.observed == 8 and row.crps_persistence == abs(8 - 4)  # last month before the origin 2021-03: Feb
    import scoringrules as sr
    assert row.crps_climatology == pytest.approx(float(sr.crps_ensemble(8.0, np.array([2.0, 4.0]))))
    sk = counts.skill(df)
    assert sk["skill_vs_persistence"] == pytest.approx(1.0) and sk["share_in_90"] == 1.0
    # an origin outside the simulated months is refused; an origin with no past month scores nothing
    with pytest.raises(ValueError, match="backtest.origins"):
        counts.score(acts, obs, EXACT, np.full(4, 31), PAIRS, MONTHS, ["2022-01"], [1], seed=0)
    assert counts.score(acts, obs, EXACT, np.full(4, 31), PAIRS, MONTHS, ["2021-01"], [1], seed=0).empty
