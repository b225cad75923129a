"""Streamed statistics: histogram quantiles against exact ones, point masses, Wilson."""
from __future__ import annotations

import types

import numpy as np
import pytest

from sim.runs.stats import DailyStats
from sim.runs.summary import wilson


def fake_model(H, C):
    """A stand-in exposing what DailyStats reads (3 actors, R replicates)."""
    N = H.shape[0]
    Io, Jo = np.nonzero(~np.eye(N, dtype=bool))
    Id, Jd = np.triu_indices(N, 1)
    m = types.SimpleNamespace(S=np.stack([H, C]), N=N, Io=Io, Jo=Jo, Id=Id, Jd=Jd, R=H.shape[-1],
                              max_rung=np.zeros((len(Id), H.shape[-1]), dtype=np.int8),
                              max_rung_endo=np.zeros((len(Id), H.shape[-1]), dtype=np.int8))
    m.tension = lambda: 0.5 * (H[Id, Jd] + H[Jd, Id])
    return m


def test_quantiles_within_one_bin_of_exact():
    rng = np.random.default_rng(1)
    R = 5000
    H = rng.beta(2, 5, size=(3, 3, R)) * (~np.eye(3, dtype=bool))[:, :, None]
    C = rng.uniform(size=(3, 3, R)) * (~np.eye(3, dtype=bool))[:, :, None]
    st = DailyStats(("A", "B", "C"), 1, 1000)
    m = fake_model(H, C)
    st.observe(0, m)
    V = st.values(m)
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    got = st.quantiles(qs)[0]
    exact = np.quantile(V, qs, axis=1).T
    width = (st.series.hi - st.series.lo) / 1000
    assert np.all(np.abs(got - exact) <= width[:, None] + 1e-12)
    np.testing.assert_allclose(st.mean()[0], V.mean(axis=1), atol=1e-9)


def test_values_pinned_at_bounds_are_exact():
    R = 100
    H = np.zeros((3, 3, R))
    H[0, 1] = 1.0
    C = np.zeros((3, 3, R))
    st = DailyStats(("A", "B", "C"), 1, 1000)
    st.observe(0, fake_model(H, C))
    q = st.quantiles()[0]
    assert np.all(q[0] == 1.0)  # A->B hostility pinned at 1
    assert np.all(q[1] == 0.0)  # A->C hostility pinned at 0


def test_wilson_interval():
    p, lo, hi = wilson(0, 100)
    assert p == 0 and lo == 0 and 0.03 < hi < 0.04  # rule of three-ish: 0.0370
    p, lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)


def test_difference_series_have_an_exact_zero():
    from sim.runs.stats import Series

    actors = ("A", "B", "C")
    st = DailyStats(actors, 2, 1000, Series.differences(actors))
    rng = np.random.default_rng(2)
    R = 4000
    st.observe_values(0, np.zeros((6, R)))  # before any change: all differences exactly 0
    V = rng.normal(0, 0.2, size=(6, R)).clip(-1, 1)
    V[:, : R // 2] = 0.0  # half the replicates unaffected
    st.observe_values(1, V)
    q = st.quantiles((0.05, 0.25, 0.5, 0.75, 0.95))
    assert np.all(q[0] == 0.0)
    exact = np.quantile(V, (0.05, 0.25, 0.5, 0.75, 0.95), axis=1).T
    width = (st.series.hi - st.series.lo) / 1000
    assert np.all(np.abs(q[1] - exact) <= width[:, None] + 1e-12)
    assert np.all(q[1][:, 2] == 0.0)  # the median falls inside the zero mass
