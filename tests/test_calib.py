"""Issue 21: the count observation model (NB bridge), the counting of ICEWS21 cells, and the
reply statistics with the episode's own baseline."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from sim.calib import bridge as br
from sim.calib import icews, replies

EVENTS = ROOT.parent / "shared" / "data" / "icews" / "events.csv"
ACTORS = ["ISR", "AZE", "IRN"]
PAIRS = [(a, b) for a in ACTORS for b in ACTORS if a != b]
START, END = dt.date(2021, 1, 1), dt.date(2021, 8, 31)


@pytest.mark.parametrize("m, k, acts", [(4.0, 0.3, 3), (5.3, 1.4, 1), (1.0, 1e3, 5), (2.5, 2.0, 7)])
def test_bridge_mean_and_variance_are_the_closed_form(m, k, acts):
    """D = A + NB(mean (m−1)A, size kA): E = mA, Var = (m−1)A(1 + (m−1)/k), by the pmf
    (summed exactly over its support) and by sampling."""
    b = br.Bridge(np.array([m]), np.array([k]), np.array([1]))
    d = np.arange(0, 4000)
    p = np.exp(b.logpmf(d, np.full(d.shape, acts), 0))
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    mean = (d * p).sum()
    var = ((d - mean) ** 2 * p).sum()
    assert mean == pytest.approx(b.mean(acts, 0), rel=1e-6) and mean == pytest.approx(m * acts, rel=1e-6)
    assert var == pytest.approx(b.var(acts, 0), rel=1e-5)
    assert var == pytest.approx((m - 1) * acts * (1 + (m - 1) / k), rel=1e-5)
    x = b.sample(np.full(200_000, acts), 0, np.random.default_rng(1))
    assert abs(x.mean() - m * acts) < 5 * np.sqrt(b.var(acts, 0) / x.size) + 1e-12
    assert np.all(x >= acts)  # every act is coded at least once


def test_bridge_zero_acts_and_cap():
    b = br.Bridge(np.array([3.0]), np.array([0.5]), np.array([1]))
    assert b.logpmf(0, 0, 0) == 0.0 and b.logpmf(1, 0, 0) == -np.inf
    # censoring at the month's days: the mass above the cap sits on it
    d = np.arange(0, 31)
    p = np.exp(b.logpmf(d, np.full(d.shape, 8), 0, cap=30))
    assert p.sum() == pytest.approx(1.0, abs=1e-12) and p[30] > p[29]
    assert b.sample(np.array([40]), 0, np.random.default_rng(0), cap=31)[0] == 31


def test_bridge_fit_is_the_method_of_moments():
    sizes = [np.array([1, 2, 9, 4, 1, 7]), np.array([2, 2, 2, 1]), np.array([], dtype=int)]
    b = br.fit(sizes)
    e, v = sizes[0].mean() - 1, sizes[0].var(ddof=1)
    assert b.m[0] == pytest.approx(1 + e) and b.k[0] == pytest.approx(e * e / (v - e))
    assert b.k[1] == br.K_POISSON  # variance 1/4 below the mean extra 3/4: not overdispersed
    assert (b.m[2], b.n[2]) == (1.0, 0)


@pytest.fixture(scope="module")
def days(default_settings):
    acts = icews.read_acts(EVENTS, default_settings.ladder, ACTORS)
    return icews.daily_classes(acts, PAIRS, START, END)


def test_icews21_cells_match_the_file(days):
    """Dyad-days per (pair, month, class) equal a direct count of the file's distinct days
    (ICEWS21, state actors on both ends), and the README's totals: ISR→IRN rung-5 dyad-days
    40 and IRN→ISR 11 in Jan–Aug 2021."""
    ev = pd.read_csv(EVENTS, dtype={"cameo": str})
    ev = ev[(ev.dataset == "ICEWS21") & ev.state_both & ev.source.isin(ACTORS) & ev.target.isin(ACTORS)]
    ev = ev[ev.rung > 0]  # the file's own rungs: no 171/175/20 record among these, so they agree with the ladder
    assert not ev.cameo.str.match(r"^(171|175|20)").any()
    ev = ev.assign(cls=np.select([ev.rung == 1, ev.rung <= 3], [0, 1], 2), month=ev.date.str[:7])
    mo, labels = icews.month_index(START, days.shape[1])
    got = icews.monthly(days, mo, len(labels))
    for k, (a, b) in enumerate(PAIRS):
        for n, month in enumerate(labels):
            for c in range(3):
                sel = ev[(ev.source == a) & (ev.target == b) & (ev.month == month) & (ev.cls == c)]
                assert got[k, n, c] == sel.date.nunique(), (a, b, month, c)
    r5 = ev[ev.rung == 5].groupby(["source", "target"]).date.nunique()
    assert r5[("ISR", "IRN")] == 40 and r5[("IRN", "ISR")] == 11
    assert got.sum() == days.sum()


def test_onsets_and_clusters(days):
    on = icews.onsets(days)
    assert np.all(on <= days) and on.sum() < days.sum()
    sizes = icews.cluster_sizes(days)
    for c in range(3):  # the clusters partition each series' dyad-days (every series starts with an onset)
        first = np.array([np.argmax(days[k, :, c]) if days[k, :, c].any() else -1 for k in range(len(PAIRS))])
        assert all(on[k, f, c] for k, f in enumerate(first) if f >= 0)
        assert sizes[c].sum() == days[..., c].sum() and len(sizes[c]) == on[..., c].sum()
    x = np.zeros((1, 22, 1), dtype=bool)
    x[0, [0, 3, 12, 19, 27 - 6], 0] = True  # 7-day window: 3 follows 0, 19 follows 12 (7 days), 21 does not
    assert np.nonzero(icews.onsets(x)[0, :, 0])[0].tolist() == [0, 12]
    x[0, 21] = False
    x = np.concatenate([x, np.zeros((1, 6, 1), bool)], axis=1)
    x[0, 27] = True  # 8 days after 19: an onset
    assert np.nonzero(icews.onsets(x)[0, :, 0])[0].tolist() == [0, 12, 27]


def test_reply_statistics_by_hand():
    """One series, w = 3: triggers on days 5 and 10 (inside [3, n − 3)); responses on 4 and 12."""
    n = 16
    trig, resp = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    trig[[1, 5, 10]] = True  # day 1 has no full window before: not counted
    resp[[4, 12]] = True
    out = replies.reply_stats(trig, resp, w=3)
    assert out["triggers"] == 2
    assert out["after"] == 0.5  # day 10 → 12 within 3 days; day 5 → nothing in 6..8
    assert out["before"] == 0.5  # day 5 ← 4; day 10 ← nothing in 7..9
    # base: days 3..12 with a response in the next 3 days: 3 (→4), 9, 10, 11 (→12)
    assert out["base"] == pytest.approx(4 / 10)
    assert out["excess"] == 0.0
    # replicates pool their triggers
    two = replies.reply_stats(np.stack([trig, trig], 1), np.stack([resp, np.zeros(n, bool)], 1), w=3)
    assert two["triggers"] == 4 and two["after"] == 0.25


def test_calibration_page_quotes_the_results_file():
    """docs/calibration.md's issue-21 numbers are those of docs/results/calibration.json."""
    import json
    res = json.loads((ROOT / "docs" / "results" / "calibration.json").read_text("utf-8"))
    page = (ROOT / "docs" / "calibration.md").read_text("utf-8").split("## Issue 21")[1]
    for row in res["posterior"]["table"]:
        assert f"| {row['median']:.3f} | [{row['q05']:.3f}, {row['q95']:.3f}] |" in page, row["parameter"]
    c = res["predictive_check"]["calibrated"]
    assert f"all {c['share_inside_all']:.2f}" in page or f"{c['share_inside_all']:.2f} of all cells" in page
    h = res["headline"]
    for key in ("p_irn_isr_rung5_defaults", "p_irn_isr_rung5_ordered_logit", "p_irn_isr_rung5_events_none"):
        assert f"{h[key]['p']:.3f} [{h[key]['lo']:.3f}, {h[key]['hi']:.3f}]" in page, key
    for name, v in res["sbc"]["per_parameter"].items():
        assert f"| `{name}` | {v['histogram']} | {v['p_value']:.2f} |" in page, name
    for r in res["replies"]["rows"]:
        assert f"{r['model']['triggers']}, {r['model']['after']:.2f}" in page, r["trigger"]
