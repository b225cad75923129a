"""Scores, baselines, the win rule, the event filter and the noise calibration of the backtest
(sim/forecast/metrics.py, baselines.py, compare.py, eventfilter.py, intervals.py): exact values
on constructed cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim.forecast import baselines, eventfilter, intervals, metrics
from sim.forecast import observation as ob
from sim.forecast.compare import compare, seed_sd, verdict


@pytest.mark.parametrize("members,y,want", [
    ([1.0, 2.0, 3.0], 0.0, 2.0 - 0.5 * 8 / 9),  # E|X-y| - E|X-X'|/2 over the 9 member pairs
    ([0.0, 1.0], 0.5, 0.25),
    ([4.0], 1.5, 2.5),  # one member: the absolute error
])
def test_crps_of_a_known_ensemble(members, y, want):
    assert metrics.crps(y, np.array(members)) == pytest.approx(want, abs=1e-12)


def test_ignorance_uses_the_declared_bins_with_one_pseudo_member():
    edges = np.array([-np.inf, 0.0, 5.0, np.inf])  # B = 3
    x = np.array([-3.0, -1.0, 2.0, 7.0])
    assert metrics.ignorance(1.0, x, edges) == pytest.approx(-math.log2((1 + 1 / 3) / 5))
    assert metrics.ignorance(-0.5, x, edges) == pytest.approx(-math.log2((2 + 1 / 3) / 5))
    assert metrics.ignorance(5.0, x, edges) == pytest.approx(-math.log2((1 + 1 / 3) / 5))  # 5 opens [5, inf)
    # an empty bin costs log2(B (N + 1)) bits, not infinity
    assert metrics.ignorance(3.0, np.array([-1.0, -2.0]), edges) == pytest.approx(math.log2(3 * 3))


@pytest.mark.parametrize("y,want", [(2.0, 2.0), (0.0, 2.0 + 20 * 1.0), (4.5, 2.0 + 20 * 1.5), (1.0, 2.0), (3.0, 2.0)])
def test_interval_score_closed_form(y, want):
    assert metrics.interval_score(y, 1.0, 3.0, 0.1) == pytest.approx(want)
    import scoringrules as sr  # ≈ 3 s to import (numba): not at collection

    assert float(sr.interval_score(y, 1.0, 3.0, 0.1)) == pytest.approx(want)


def test_coverage_counts_the_central_intervals_inclusively():
    x = np.arange(100.0)  # quantiles by linear interpolation: q25 = 24.75, q75 = 74.25, q05 = 4.95, q95 = 94.05
    s = {y: metrics.score(y, x, np.array([-np.inf, np.inf])) for y in (24.0, 24.75, 50.0, 4.0, 95.0)}
    assert [s[y]["cover50"] for y in (24.0, 24.75, 50.0)] == [0.0, 1.0, 1.0]
    assert [s[y]["cover90"] for y in (4.0, 50.0, 95.0)] == [0.0, 1.0, 0.0]
    assert s[95.0]["cover95"] == 1.0 and s[4.0]["cover80"] == 0.0  # q2.5 = 2.475 <= 4 ... q97.5 = 96.525
    assert s[50.0]["interval90"] == pytest.approx(94.05 - 4.95)
    assert s[95.0]["interval90"] == pytest.approx(94.05 - 4.95 + 20 * (95.0 - 94.05))
    assert s[50.0]["pit"] == pytest.approx(50.5 / 100)  # 50 below, one tie counted half
    assert all(math.isnan(v) for v in metrics.score(math.nan, x, np.array([0.0, 1.0])).values())


def test_quantile_columns_cover_every_level():
    assert metrics.QUANTILES == (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
    assert metrics.pit_histogram(np.array([0.05, 0.05, 0.95, np.nan]), bins=2) == [2, 1]


def test_conflictology_draws_the_last_12_months_reproducibly_by_seed():
    past = np.arange(30.0)
    a = baselines.conflictology(past, 500, np.random.default_rng([0, 202306, 1]))
    b = baselines.conflictology(past, 500, np.random.default_rng([0, 202306, 1]))
    c = baselines.conflictology(past, 500, np.random.default_rng([1, 202306, 1]))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert set(a.tolist()) == set(range(18, 30))  # 500 draws hit each of the 12 months


def test_simple_baselines():
    past = np.array([1.0, 3.0, 2.0, 6.0])
    f = baselines.simple(past, 4, 1000, np.random.default_rng(0))
    assert f["persistence"].tolist() == [6.0] and f["zero"].tolist() == [0.0] and f["climatology"].tolist() == past.tolist()
    s = np.std(np.diff(past), ddof=1)
    rw = f["random_walk"]
    assert len(rw) == 1000 and rw.mean() == pytest.approx(6.0) and np.median(rw) == pytest.approx(6.0)
    assert np.quantile(rw, 0.8413) == pytest.approx(6.0 + 2 * s, rel=0.01)  # sd s·√h, h = 4


def test_verdict_needs_twice_the_seed_sd_and_an_interval_excluding_zero():
    assert verdict(1.0, 0.3, 0.2, 1.5) == "win"
    assert verdict(1.0, 0.6, 0.2, 1.5) == "no call"  # gap below twice the seed SD
    assert verdict(1.0, 0.1, -0.1, 2.0) == "no call"  # interval includes 0
    assert verdict(-1.0, 0.1, -2.0, -0.5) == "loss"
    assert verdict(1.0, math.nan, 0.2, 1.5) == "no call"  # one seed: seed noise unknown
    assert verdict(1.0, 0.1, None, None) == "no call"  # one origin: no interval


def test_compare_on_a_constructed_case():
    rng = np.random.default_rng(5)
    base = rng.uniform(2, 4, size=(3, 40))
    shift = np.array([[1.0], [1.1], [0.9]])  # the model is better by 1.0, 1.1, 0.9 in seeds 0, 1, 2
    origins = np.repeat(np.arange(10), 4)
    c = compare(base - shift, base, origins, n_boot=500, seed=1)
    assert c["gap"] == pytest.approx(1.0) and c["seed_sd"] == pytest.approx(0.1)
    assert c["gap_lo"] == pytest.approx(1.0) and c["gap_hi"] == pytest.approx(1.0)  # the same gap in every origin
    assert c["skill"] == pytest.approx(1 - (base.mean() - 1.0) / base.mean())
    assert c["verdict"] == "win" and c["origins"] == 10 and c["n"] == 40
    assert compare(base, base, origins, n_boot=500)["verdict"] == "no call"
    assert math.isnan(seed_sd(np.array([3.0])))


def test_event_filter_monthly_mean_of_one_event():
    imp = np.zeros((1, 60, 1))
    imp[0, 0, 0] = -1.0
    dm = np.repeat([0, 1], 30)
    m = eventfilter.monthly(imp, 30.0, dm, 2)
    lam = 2 ** (-1 / 30)
    assert m[0, 0, 0] == pytest.approx(-(1 - lam ** 30) / (30 * (1 - lam)))
    assert m[0, 1, 0] == pytest.approx(-(lam ** 30) * (1 - lam ** 30) / (30 * (1 - lam)))


def test_event_filter_decay_fit_recovers_the_decay():
    rng = np.random.default_rng(3)
    days, months = 30 * 48, 48
    imp = np.zeros((1, days, 1))
    hit = rng.choice(days, size=40, replace=False)
    imp[0, hit, 0] = rng.choice([-1.0, -0.5, 0.4], size=40)
    dm = np.repeat(np.arange(months), 30)
    xs = {hl: eventfilter.monthly(imp, hl, dm, months)[0, :, 0] for hl in eventfilter.HALF_LIVES}
    for true in (14, 60):
        y = 3.0 + 40.0 * xs[true] + rng.normal(0, 0.3, months)
        best, ll = eventfilter.fit_half_life(y, xs)
        assert best == true and ll[true] == max(ll.values())


def test_event_filter_impulses_by_pair_in_either_direction():
    from types import SimpleNamespace as E
    evs = [E(source="IRN", target="AZE", goldstein=-10.0, scale=1.0), E(source="AZE", target="ISR", goldstein=4.0, scale=0.5),
           E(source="USA", target="IRN", goldstein=-9.0, scale=1.0)]
    days = np.array([[2, -1], [2, 5], [1, 1]])
    imp = eventfilter.impulses(days, evs, ["AZE-IRN", "AZE-ISR", "IRN-ISR"], 10)
    assert imp[0, 2].tolist() == [-1.0, 0.2, 0.0] and imp[1, 2].tolist() == [0.0, 0.0, 0.0]
    assert imp[1, 5].tolist() == [0.0, 0.2, 0.0] and imp.sum() == pytest.approx(-1.0 + 0.4)


def test_noise_calibration_holds_coverage_on_held_back_origins():
    rng = np.random.default_rng(11)
    T, phi, sd = 160, 0.5, 4.0
    e = np.zeros(T)
    for t in range(1, T):
        e[t] = phi * e[t - 1] + sd * math.sqrt(1 - phi ** 2) * rng.standard_normal()
    y = 10.0 + e
    x = np.full((200, T), np.nan)  # no simulated state: the AR(1) alone
    cal = intervals.fit_noise(y, x, 0.0, (1, 2, 3), np.random.default_rng(0), n_pseudo=80)
    assert abs(cal["held_cover50"] - 0.5) <= 0.05 and abs(cal["held_cover90"] - 0.9) <= 0.05
    assert 0.6 <= cal["scale"] <= 1.6 and cal["pseudo_origins"] == 80 and cal["held_targets"] == 80 * 3 - 3
    # heavy-tailed errors (Student t, 2 df): one normal scale cannot hold 50 % and 90 % together; the shape can
    yt = 10.0 + 3.0 * rng.standard_t(2, size=T)
    ct = intervals.fit_noise(yt, x, 0.0, (1,), np.random.default_rng(0), n_pseudo=120)
    assert ct["shape"] > 1.0 and abs(ct["held_cover50"] - 0.5) <= 0.05 and abs(ct["held_cover90"] - 0.9) <= 0.05
    # a series whose last months are far noisier than its past: the held-back months ask for wider intervals
    y2 = y.copy()
    y2[-60:] = 10.0 + 4 * e[-60:]
    assert intervals.fit_noise(y2, x, 0.0, (1,), np.random.default_rng(0), n_pseudo=40)["scale"] > 1.5


def test_calibrated_sampler_is_the_observation_model_at_scale_1_and_shape_1():
    p = ob.ObsParams(mu=2.0, beta=10.0, x_rest=0.1, sigma=3.0, phi=0.4, last_resid=1.5, n_train=30, n_model=5)
    x = np.full((4000, 3), 0.3)
    a = intervals.sample(x, p, 1.0, 1.0, np.random.default_rng(4))
    m, sd = ob.predictive_moments(x[0], p)
    np.testing.assert_allclose(a.mean(axis=0), m, atol=0.15)
    np.testing.assert_allclose(a.std(axis=0), sd, rtol=0.05)
    b = intervals.sample(x, p, 2.0, 1.0, np.random.default_rng(4))
    np.testing.assert_allclose(b - m, 2 * (a - m))  # the same paths, twice the spread


def test_best_baseline_and_its_words_on_a_constructed_table():
    import datetime as dt

    import pandas as pd

    from sim.forecast import summarise as sm

    rows = []
    for seed in (0, 1, 2):
        for k, o in enumerate(("2022-10", "2022-11", "2022-12", "2023-01", "2023-02")):
            for h in (1, 2):
                base = 10.0 + k + h
                for f, v in (("model", base - 2.0 - 0.01 * seed), ("zero", base), ("climatology", base - 1.0),
                             ("persistence", base - 3.0)):
                    rows.append({"seed": seed, "origin": dt.date(int(o[:4]), int(o[5:]), 1), "horizon": h,
                                 "dyad": "AZE-IRN", "observable": True, "forecaster": f, "crps": v, "ignorance": v,
                                 "interval90": v, **{c: 1.0 for c in sm.COVER}})
    df = pd.DataFrame(rows)
    groups = sm.horizon_groups((1, 2))
    assert groups == {"1": (1,), "2": (2,), "1-3": (1, 2)}
    pers = sm.periods(["2022-10", "2022-11", "2022-12", "2023-01", "2023-02"], "2023-05")
    comps = sm.comparisons(df, pers, groups, ("zero", "climatology", "persistence"), 200, 0)
    best = sm.best_baseline(comps)
    assert {b["horizons"]: b["best"] for b in best} == {"1": "persistence", "2": "persistence", "1-3": "persistence"}
    assert all(b["verdict"] == "loss" and b["gap"] == pytest.approx(-0.99) for b in best)
    vs_zero = [c for c in comps if c["baseline"] == "zero" and c["score"] == "crps" and c["horizons"] == "1"][0]
    assert vs_zero["verdict"] == "win" and vs_zero["gap"] == pytest.approx(2.01)
    (line,) = sm.best_lines(best)
    assert line.startswith("backcast, AZE-IRN: the simulation beats the best baseline (lowest mean CRPS) at 0 of 2 "
                           "horizons, loses to it at 2 (1, 2)")
    sc = [r for r in sm.scores(df, pers, groups) if r["forecaster"] == "model" and r["horizons"] == "1"][0]
    assert sc["scored"] == 5 and sc["seeds"] == 3 and sc["crps_seed_sd"] == pytest.approx(0.01)
