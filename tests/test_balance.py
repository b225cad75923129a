"""Structural balance with Heider's four cases: each pushes the documented entries by
balance·x² in one day, and nothing else moves (docs/ODD.md 7a)."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario

B, X = 0.002, 0.5
CASES = ("friend_of_friend", "enemy_of_friend", "friend_of_enemy", "enemy_of_enemy")
ZERO = {"default": 0.0}


def _one_day(case, H0, C0):
    """Actors ISR (i=0), AZE (j=1), IRN (m=2); every drift coefficient 0 but balance."""
    cfg = plain_cfg(["events=none", "decisions.enabled=false", "dynamics.noise.hostility=0",
                     "dynamics.noise.cooperation=0"])
    dyn = {k: {"__replace__": True, **ZERO} for k in ("reaction", "restraint", "cooperation_damping",
                                                       "reciprocity", "decay", "hostility_drag", "grievance",
                                                       "affinity")}
    dyn["balance"] = {"__replace__": True, "default": B}
    dyn["balance_cases"] = {c: float(c == case) for c in CASES}
    pairs = [f"{a}_{b}" for a in ("ISR", "AZE", "IRN") for b in ("ISR", "AZE", "IRN") if a != b]
    dyn["initial"] = {"hostility": {"__replace__": True, **{p: 0.0 for p in pairs}, **H0},
                      "cooperation": {"__replace__": True, **{p: 0.0 for p in pairs}, **C0}}
    s = build_settings(deep_update(cfg, {"dynamics": dyn}))
    m = TriadModel(s, Scenario("b", ()), 0, 1)
    before = m.S[..., 0].copy()
    m.step()
    m.release()
    return m.S[..., 0] - before


@pytest.mark.parametrize("case, H0, C0, moved", [
    ("friend_of_friend", {}, {"ISR_IRN": X, "AZE_IRN": X}, [(1, 0, 1), (1, 1, 0)]),
    ("enemy_of_friend", {"AZE_IRN": X}, {"ISR_IRN": X}, [(0, 0, 1)]),
    ("friend_of_enemy", {"ISR_IRN": X}, {"AZE_IRN": X}, [(0, 0, 1)]),
    ("enemy_of_enemy", {"ISR_IRN": X, "AZE_IRN": X}, {}, [(1, 0, 1), (1, 1, 0)]),
])
def test_each_case_pushes_the_documented_way(case, H0, C0, moved):
    d = _one_day(case, H0, C0)
    want = np.zeros_like(d)
    for idx in moved:
        want[idx] = B * X * X
    assert np.allclose(d, want, atol=1e-15, rtol=0), (case, d)
