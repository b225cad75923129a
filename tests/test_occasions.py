"""Occasions (docs/design/escalation.md §6): the acts of one occasion move the state by
F = min(cap, Σ share^(l−1) m_(l)) per channel, whatever their number, order or split over days."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine.events import occasion_bound, realise
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario

ZERO = {"__replace__": True, "default": 0.0}
M = 0.34  # praise, CAMEO 051 (+3.4)
S, CAP = 0.5, 1.0


def _praise(n, day="2023-05-30", **kw):
    return {"id": f"praise_{n}", "date": day, "source": "ISR", "target": "AZE", "cameo": "051",
            "occasion": "visit", "summary": "t", "quote": "t", **kw}


def _still(events, extra=()):
    """Every drift coefficient 0, no noise, no decisions: only the events move the state."""
    cfg = plain_cfg(["events=none", "decisions.enabled=false", "dynamics.noise.hostility=0",
                     "dynamics.noise.cooperation=0", *extra])
    dyn = {k: dict(ZERO) for k in ("reaction", "restraint", "balance", "cooperation_damping", "reciprocity",
                                   "decay", "hostility_drag", "grievance", "affinity")}
    return build_settings(deep_update(cfg, {"dynamics": dyn, "events": {"timeline": events}}))


def _final(s, events=None, R=3):
    m = TriadModel(s, Scenario("b", tuple(s.events if events is None else events)), 0, R).run()
    m.release()
    return m.S.copy()


@pytest.mark.parametrize("k", [1, 2, 3, 7, 50])
def test_bounded_whatever_k(k):
    s = _still([_praise(n) for n in range(k)])
    S0 = s.initial_cooperation[1, 0]
    dC = _final(s)[1, 1, 0] - S0  # AZE's cooperation toward ISR
    F = min(CAP, M * (1 - S ** k) / (1 - S))  # k identical acts
    assert np.allclose(dC, s.params.impulse_cooperation * F, rtol=0, atol=1e-14)
    assert np.all(dC <= s.params.impulse_cooperation * min(CAP, M / (1 - S)) + 1e-14)
    # the source's commitment channel too
    dI = _final(s)[1, 0, 1] - s.initial_cooperation[0, 1]
    assert np.allclose(dI, s.params.impulse_commitment * F, rtol=0, atol=1e-14)


def test_cap_binds():
    s = _still([_praise(n, cameo="057", goldstein=8.0) for n in range(3)])
    dC = _final(s)[1, 1, 0] - s.initial_cooperation[1, 0]
    assert np.allclose(dC, s.params.impulse_cooperation * CAP, rtol=0, atol=1e-14)  # 0.8 + 0.4 + 0.2 > 1


def test_two_days_equal_one_and_order_free():
    one = _still([_praise(0), _praise(1, cameo="057", goldstein=6.0), _praise(2)])
    two = _still([_praise(0), _praise(1, day="2023-05-31", cameo="057", goldstein=6.0), _praise(2, day="2023-05-31")])
    a, b = _final(one), _final(two)
    assert np.allclose(a, b, rtol=0, atol=1e-15)
    ev = list(one.events)
    assert np.array_equal(_final(one, ev[::-1]), a)  # permuting the list: bit-identical


def test_monotone_and_set_function():
    """Adding an act never lowers F; F depends on the set only; F ≤ min(cap, m_(1)/(1−s))."""
    rng = np.random.default_rng(1)
    for _ in range(500):
        m = rng.uniform(0, 1, size=rng.integers(1, 8))
        x = rng.uniform(0, 1)
        f = occasion_bound(m[:, None], S, CAP)[0]
        assert occasion_bound(np.append(m, x)[:, None], S, CAP)[0] >= f - 1e-15
        assert occasion_bound(rng.permutation(m)[:, None], S, CAP)[0] == f
        assert f <= min(CAP, m.max() / (1 - S)) + 1e-15


def test_split_magnitudes_sum_to_the_bound_per_replicate():
    """Realised per-act magnitudes of a channel sum to F of the acts that happened (with
    attribution < 1 some acts drop out, replicate by replicate)."""
    s = _still([_praise(0, attribution=0.5), _praise(1, attribution=0.5, day="2023-05-31"), _praise(2)])
    rl = realise(s.events, s.start, s.n_days, 0, 0, 400, s.occasion)
    got = sum(rl.magnitude[k][0] for k in range(3))
    on = rl.attributed & (rl.day >= 0)
    want = occasion_bound(on * M, S, CAP)
    assert np.allclose(got, want, rtol=0, atol=1e-15)
    assert 0 < on[:2].mean() < 1 and dt.date(2023, 5, 30) >= s.start
