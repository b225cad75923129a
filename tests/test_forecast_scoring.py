"""Scores and baselines (sim/forecast/scoring.py, baselines.py): closed forms, the perfect
forecaster, persistence on a constant series, and the skill's bootstrap."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scoringrules as sr
from scipy import stats

from sim.forecast import baselines
from sim.forecast.scoring import P_CLIP, Ensemble, Normal, brier, log_score, scores, skill


def crps_normal_closed_form(y, mu, sd):
    z = (y - mu) / sd
    return sd * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


@pytest.mark.parametrize("y,mu,sd", [(0.0, 0.0, 1.0), (1.3, -0.4, 2.0), (-50.0, 10.0, 25.0)])
def test_crps_of_a_normal_forecast_is_the_closed_form(y, mu, sd):
    want = crps_normal_closed_form(y, mu, sd)
    assert Normal(mu, sd).crps(y) == pytest.approx(want, rel=1e-10)
    assert float(sr.crps_normal(y, mu, sd)) == pytest.approx(want, rel=1e-10)
    if (y, mu, sd) == (0.0, 0.0, 1.0):
        assert want == pytest.approx((math.sqrt(2) - 1) / math.sqrt(math.pi))


@pytest.mark.parametrize("members,y,want", [
    ([0.0, 1.0], 0.5, 0.25),            # E|X − y| − E|X − X'|/2 = 0.5 − 0.25
    ([1.0, 2.0, 3.0], 0.0, 14.0 / 9.0),  # 2 − (8/9)/2
    ([4.0], 1.5, 2.5),                   # one member: the absolute error
    ([2.0, 2.0, 2.0], 2.0, 0.0),
])
def test_crps_of_an_ensemble_on_small_known_cases(members, y, want):
    assert Ensemble(np.array(members)).crps(y) == pytest.approx(want, abs=1e-12)
    assert float(sr.crps_ensemble(y, np.array(members))) == pytest.approx(want, abs=1e-12)


def test_large_normal_ensemble_approaches_the_normal_crps():
    draws = stats.norm.ppf((np.arange(20000) + 0.5) / 20000, 1.0, 3.0)
    assert Ensemble(draws).crps(2.5) == pytest.approx(Normal(1.0, 3.0).crps(2.5), rel=1e-3)


def test_sign_scores():
    assert brier(0.7, 5.0) == pytest.approx(0.09) and brier(0.7, -5.0) == pytest.approx(0.49)
    assert log_score(0.7, 5.0) == pytest.approx(-math.log(0.7))
    assert log_score(0.0, 5.0) == pytest.approx(-math.log(P_CLIP))  # clipped, not infinite
    assert Normal(0.0, 1.0).p_positive() == pytest.approx(0.5)
    assert Ensemble(np.array([-1.0, 1.0, 2.0, 0.0])).p_positive() == 0.5  # 0 is not positive


def test_pit():
    assert Ensemble(np.array([1.0, 2.0, 3.0, 4.0])).pit(2.5) == 0.5
    assert Ensemble(np.array([1.0, 2.0, 3.0, 4.0])).pit(2.0) == pytest.approx(0.375)  # ties count half
    assert Normal(0.0, 2.0).pit(0.0) == 0.5


SERIES = np.array([3.0, -1.0, 4.0, 1.5, -5.0, 9.0, 2.0, -6.0, 5.0, 3.5, -5.0, 8.0, 9.0, -7.0])


def test_a_perfect_forecaster_scores_zero_and_beats_every_baseline():
    rows = []
    for o in range(6, len(SERIES)):
        past, y = SERIES[:o], SERIES[o]
        perfect = scores(Ensemble(np.full(50, y)), y)
        assert perfect["crps"] == 0.0 and perfect["brier"] == 0.0
        assert perfect["log"] == pytest.approx(-math.log(1 - P_CLIP))  # the floor of the clipped log score
        rows.append((o, perfect, {n: scores(f, y) for n, f in baselines.forecasts(past, 1).items()}))
    groups = np.array([o for o, _, _ in rows])
    for name in baselines.NAMES:
        for k in ("crps", "brier", "log"):
            base = np.array([b[name][k] for _, _, b in rows])
            mine = np.array([p[k] for _, p, _ in rows])
            assert (mine <= base + 1e-12).all()
            s = skill(mine, base, groups, n_boot=200)
            if k != "log":
                assert s["skill"] == 1.0 and s["lo"] == 1.0 and s["hi"] == 1.0, (name, k, s)
            else:
                assert s["skill"] > 0, (name, s)


def test_persistence_on_a_constant_series_has_zero_error():
    past = np.full(12, 7.5)
    for h in (1, 3, 6):
        fc = baselines.persistence(past, h)
        assert fc.crps(7.5) == 0.0 and brier(fc.p_positive(), 7.5) == 0.0
        assert baselines.random_walk(past, h).crps(7.5) == pytest.approx(0.0, abs=1e-9)
        assert baselines.climatology(past, h).crps(7.5) == 0.0
        assert baselines.ar1(past, h).crps(7.5) == pytest.approx(0.0, abs=1e-9)


def test_baselines_are_built_from_the_past_only():
    past = np.array([1.0, 3.0, 2.0, 6.0])
    assert baselines.persistence(past, 2).samples.tolist() == [6.0]
    assert baselines.climatology(past, 2).samples.tolist() == past.tolist()
    rw = baselines.random_walk(past, 4)
    assert rw.mu == 6.0 and rw.sd == pytest.approx(np.std([2.0, -1.0, 4.0], ddof=1) * 2)
    # ar1: the observation model with no simulation; φ = 0 here (residual lag-1 correlation is negative)
    a = baselines.ar1(past, 2)
    e = past - past.mean()
    assert a.mu == pytest.approx(past.mean()) and a.sd == pytest.approx(np.sqrt(e @ e / 2))


def test_skill_is_zero_against_itself_and_undefined_against_a_perfect_baseline():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    g = np.array([0, 0, 1, 2])
    s = skill(a, a, g, n_boot=100)
    assert s["skill"] == 0.0 and s["lo"] == 0.0 and s["hi"] == 0.0 and s["origins"] == 3 and s["n"] == 4
    assert skill(a, np.zeros(4), g)["skill"] is None
    # half the score: skill 0.5 whatever the resample
    s = skill(a / 2, a, g, n_boot=100)
    assert s["skill"] == pytest.approx(0.5) and s["lo"] == pytest.approx(0.5) and s["hi"] == pytest.approx(0.5)
