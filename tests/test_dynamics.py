"""The drift: exact against Richardson's closed form, bounded under stress."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import deep_update, two_actor_cfg
from sim.config.build import build_settings
from sim.engine import dynamics as dyn
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario


def richardson(t, a, b, k, l, g, h, x0, y0):
    """Spec §2 closed form of dx = k y - a x + g, dy = l x - b y + h."""
    det = a * b - k * l
    xs, ys = (b * g + k * h) / det, (a * h + l * g) / det
    D = math.sqrt((a - b) ** 2 + 4 * k * l)
    E, C, S = math.exp(-(a + b) * t / 2), math.cosh(D * t / 2), math.sinh(D * t / 2)
    u0, v0 = x0 - xs, y0 - ys
    x = xs + E * ((C + (b - a) / D * S) * u0 + (2 * k / D) * S * v0)
    y = ys + E * ((2 * l / D) * S * u0 + (C + (a - b) / D * S) * v0)
    return x, y


def simulate_hostility(cfg, replicates=1):
    s = build_settings(cfg)
    out = []

    def grab(t, m):
        out.append((m.S[0, 0, 1].copy(), m.S[0, 1, 0].copy()))

    TriadModel(s, Scenario("baseline", s.events), 0, replicates, [grab]).run()
    return np.array([o[0] for o in out]), np.array([o[1] for o in out])


@pytest.mark.parametrize("case", [
    # stable: ab > kl, from far away toward the fixed point
    dict(a=0.05, b=0.04, k=0.02, l=0.03, g=0.01, h=0.005, x0=0.1, y0=0.8),
    # stable, oscillation-free and slow, starting above the fixed point
    dict(a=0.02, b=0.03, k=0.004, l=0.01, g=0.002, h=0.001, x0=0.9, y0=0.7),
])
def test_richardson_stable(case):
    assert case["a"] * case["b"] > case["k"] * case["l"]
    x, y = simulate_hostility(two_actor_cfg(**case, days=500))
    t = np.arange(1, 501)  # recorded day d holds the state after d+1 days
    ref = np.array([richardson(tt, **case) for tt in t])
    assert np.all((ref > 0) & (ref < 1))
    np.testing.assert_allclose(x[:, 0], ref[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(y[:, 0], ref[:, 1], rtol=0, atol=1e-9)


def test_richardson_runaway_until_bound():
    case = dict(a=0.01, b=0.012, k=0.03, l=0.02, g=0.001, h=0.002, x0=0.05, y0=0.04)
    assert case["a"] * case["b"] < case["k"] * case["l"]
    x, y = simulate_hostility(two_actor_cfg(**case, days=400))
    t = np.arange(1, 401)
    ref = np.array([richardson(tt, **case) for tt in t])
    inside = np.all((ref > 0) & (ref < 1), axis=1)
    n_in = int(np.argmin(inside)) if not inside.all() else len(inside)
    assert 50 < n_in < 400, "the runaway must hit the bound inside the horizon"
    np.testing.assert_allclose(x[:n_in, 0], ref[:n_in, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(y[:n_in, 0], ref[:n_in, 1], rtol=0, atol=1e-9)
    # after the bound the state is clipped, never beyond
    assert x.max() <= 1.0 and y.max() <= 1.0
    assert x[-1, 0] == 1.0


def test_exact_step_singular_matrix():
    """A = 0 (no rates): the augmented exponential gives z + b·dt, no inverse needed."""
    A = np.zeros((1, 1, 4, 4))
    b = np.array([[[0.1, 0.2, 0.3, 0.4]]])
    Phi, phi = dyn.exact_step(A, b, 2.0)
    np.testing.assert_allclose(Phi[0, :, :, 0], np.eye(4), atol=1e-15)
    np.testing.assert_allclose(phi[0, :, 0], 2 * b[0, 0], atol=1e-15)


def test_equilibrium_matches_fixed_point():
    """Richardson fixed point of the spec example dx = 2y-5x+5, dy = 2x-3y+5: (25/11, 35/11)."""
    A = np.array([[-5.0, 2.0], [2.0, -3.0]])
    z = -np.linalg.solve(A, np.array([5.0, 5.0]))
    np.testing.assert_allclose(z, [25 / 11, 35 / 11], atol=1e-12)


@pytest.mark.parametrize("extreme", [
    {"dynamics": {"noise": {"hostility": 1.0, "cooperation": 1.0}}},
    {"dynamics": {"reaction": {"ISR": 1.0, "AZE": 1.0, "IRN": 1.0}, "restraint": {"ISR": 0.0, "AZE": 0.0, "IRN": 0.0},
                  "grievance": {"ISR_IRN": 1.0, "IRN_AZE": -1.0}, "balance": {"ISR": 1.0, "AZE": 1.0, "IRN": 1.0}}},
    {"dynamics": {"impulse": {"hostility": 1.0, "cooperation": 1.0, "commitment": 1.0}},
     "decisions": {"hostility_weight": 100.0, "provocation_weight": 100.0}},
])
def test_values_stay_in_unit_interval(default_plain, extreme):
    cfg = deep_update(default_plain, {"end": "2023-06-30", **extreme})
    s = build_settings(cfg)
    seen = []

    def check(t, m):
        seen.append((m.S.min(), m.S.max(), m.P.min(), m.P.max(), np.isfinite(m.S).all()))
        assert np.all(np.diagonal(m.S, axis1=1, axis2=2) == 0)

    TriadModel(s, Scenario("baseline", s.events), 0, 300, [check]).run()
    arr = np.array(seen)
    assert arr[:, 0].min() >= 0 and arr[:, 1].max() <= 1
    assert arr[:, 2].min() >= 0 and arr[:, 3].max() <= 1
    assert arr[:, 4].all()
