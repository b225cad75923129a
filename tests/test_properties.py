"""Property tests (hypothesis) on the dynamics and the counterfactual ops."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.config.ops import parse_ops
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.runs.counterfactual import apply_ops as apply_typed


def apply_ops(name, ops, s):
    return apply_typed(name, parse_ops(ops, s.actors), s)


BASE = plain_cfg(["end=2022-12-31", "ensemble.replicates=8"])
SHORT = plain_cfg(["end=2023-07-31", "ensemble.replicates=8"])
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
rate = st.floats(0.0, 1.0, allow_nan=False)
small = st.floats(0.0, 0.2, allow_nan=False)
ACTORS = ("ISR", "AZE", "IRN")


def states(s, scenario=None, R=8):
    out = []
    TriadModel(s, scenario or Scenario("baseline", s.events), 0, R,
               [lambda t, m: out.append((m.S.copy(), m.P.copy(), m.max_rung.copy()))]).run()
    return out


@FAST
@given(reaction=rate, restraint=rate, balance=rate, noise=st.floats(0, 1), impulse=rate,
       grievance=st.floats(-1, 1), weight=st.floats(0, 100), seed=st.integers(0, 2**32))
def test_values_stay_in_bounds(reaction, restraint, balance, noise, impulse, grievance, weight, seed):
    all_ = lambda v: {a: v for a in ACTORS}  # noqa: E731
    cfg = deep_update(BASE, {"dynamics": {
        "reaction": all_(reaction), "restraint": all_(restraint), "balance": all_(balance),
        "grievance": {"default": grievance}, "noise": {"hostility": noise, "cooperation": noise},
        "impulse": {"hostility": impulse, "cooperation": impulse, "commitment": impulse}},
        "decisions": {"hostility_weight": weight, "provocation_weight": weight},
        "ensemble": {"seed": seed}})
    for S, P, M in states(build_settings(cfg)):
        assert np.isfinite(S).all() and S.min() >= 0 and S.max() <= 1
        assert P.min() >= 0 and P.max() <= 1
        assert M.min() >= 0 and M.max() <= 6


@FAST
@given(perm=st.permutations(list(ACTORS)), seed=st.integers(0, 2**32))
def test_relabelling_actors_permutes_results(perm, seed):
    cfg = deep_update(BASE, {"ensemble": {"seed": seed}})
    flipped = dict(cfg)
    flipped["actors"] = {a: cfg["actors"][a] for a in perm}
    a, b = states(build_settings(cfg)), states(build_settings(flipped))
    idx = [list(ACTORS).index(x) for x in perm]  # new row k is old actor idx[k]
    # same draws, same decisions; sums over pairs run in another order, so equal to rounding
    for (S1, P1, M1), (S2, P2, M2) in zip(a, b):
        np.testing.assert_allclose(S1[:, idx][:, :, idx], S2, rtol=0, atol=1e-12)
        np.testing.assert_allclose(P1[idx][:, idx], P2, rtol=0, atol=1e-12)
        assert np.array_equal(np.sort(M1, axis=0), np.sort(M2, axis=0))


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0.01, 0.5), b=st.floats(0.01, 0.5), k=st.floats(0, 0.3), l=st.floats(0, 0.3),
       g=st.floats(0, 0.1), h=st.floats(0, 0.1), up=st.floats(1e-4, 0.3))
def test_more_restraint_never_raises_equilibrium_hostility(a, b, k, l, g, h, up):
    """Richardson limit: x* = (b g + k h)/(ab − kl) falls as a rises, when stable."""
    if a * b <= k * l * (1 + 1e-6) or (a + up) * b <= k * l:
        return
    x = (b * g + k * h) / (a * b - k * l)
    y = (a * h + l * g) / (a * b - k * l)
    x2 = (b * g + k * h) / ((a + up) * b - k * l)
    y2 = ((a + up) * h + l * g) / ((a + up) * b - k * l)
    assert x2 <= x + 1e-12 and y2 <= y + 1e-12
    # and the engine's fixed point agrees with the closed form
    A = np.array([[-a, k], [l, -b]])
    z = -np.linalg.solve(A, np.array([g, h]))
    assert math.isclose(z[0], x, rel_tol=1e-9, abs_tol=1e-12)


EVENT_IDS = [e.id for e in build_settings(SHORT).events]
op = st.one_of(
    st.builds(lambda e, f: {"scale": {"event": e, "factor": f}}, st.sampled_from(EVENT_IDS), st.floats(0, 3)),
    st.builds(lambda e, n: {"shift": {"event": e, "days": n}}, st.sampled_from(EVENT_IDS), st.integers(-60, 60)),
    st.builds(lambda v, d: {"set": {"param": "dynamics.reaction.IRN", "value": v, "from": d}},
              st.floats(0, 0.05), st.sampled_from(["2022-10-01", "2023-02-01", "2023-05-01"])),
)


@FAST
@given(ops=st.lists(op, min_size=2, max_size=4))
def test_composing_ops_is_applying_them_in_turn(ops):
    s = build_settings(SHORT)
    together = apply_ops("cf", ops, s).scenario
    # one at a time: each op applied to the previous result's timeline and parameters
    cur = s
    from dataclasses import replace
    events, switches = s.events, []
    for o in ops:
        if "set" in o:
            switches.append(o)
            continue
        cur = replace(cur, events=apply_ops("cf", [o], replace(cur, events=events)).scenario.events)
        events = cur.events
    stepwise = apply_ops("cf", switches, replace(s, events=events)).scenario
    assert together.events == stepwise.events
    assert [d for d, _ in together.switches] == [d for d, _ in stepwise.switches]
    for (_, p1), (_, p2) in zip(together.switches, stepwise.switches):
        assert np.array_equal(p1.drift.reaction, p2.drift.reaction)


RAW = {e["id"]: e for e in __import__("yaml").safe_load(
    (__import__("conftest").CONF / "events" / "article.yaml").read_text("utf-8"))["timeline"]}
LEAVES = [e.id for e in build_settings(SHORT).events if not any(x.anchor == e.id for x in build_settings(SHORT).events)]


@settings(max_examples=6, deadline=None)
@given(eid=st.sampled_from(LEAVES), seed=st.integers(0, 1000))
def test_remove_then_add_back_is_identity(eid, seed):
    cfg = deep_update(SHORT, {"ensemble": {"seed": seed}})
    s = build_settings(cfg)
    sc = apply_ops("cf", [{"remove": eid}, {"add": dict(RAW[eid])}], s).scenario
    for (S1, P1, M1), (S2, P2, M2) in zip(states(s), states(s, sc)):
        assert np.array_equal(S1, S2) and np.array_equal(P1, P2) and np.array_equal(M1, M2)
