"""sim.runs.validation.spearman against scipy.stats.spearmanr, ties and constants included."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.runs.validation import ranks, spearman


def test_ranks_average_ties():
    assert ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]


@pytest.mark.parametrize("seed", range(20))
def test_spearman_is_scipys(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    a = rng.integers(0, 6, n).astype(float)  # many ties
    b = rng.normal(size=n) if seed % 2 else rng.integers(0, 4, n).astype(float)
    expected = stats.spearmanr(a, b).statistic
    got = spearman(a, b)
    assert (math.isnan(expected) and math.isnan(got)) or got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_a_constant_side_is_nan():
    assert math.isnan(spearman(np.ones(5), np.arange(5.0)))
