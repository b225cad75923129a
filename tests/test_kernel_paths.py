"""The kernels' fast paths give the general paths' numbers exactly (issue 19).

When the replicates share every coefficient, ``dynamics.drift`` reads them once and the
reciprocal rule screens the replicates with no act in one vectorised pass before its full
body. The same coefficients broadcast to one value per replicate take the general paths
(no screen, per-replicate reads), so the two must agree bit for bit on any state: here one
with memory traces, acts at several rungs and a diplomatic rupture.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine import dynamics as dyn
from sim.engine.kernel_args import Acts, DriftState
from sim.engine.model import TriadModel
from sim.engine.rules.reciprocal import _screenable, reciprocal_row
from sim.engine.settings import Scenario

R = 3000
SUSPEND = {"id": "suspension", "date": "2022-12-20", "source": "AZE", "target": "IRN", "cameo": "161",
           "status": {"embassy": "suspended", "ambassador": "recalled"}, "summary": "t", "quote": "t"}


def _per_replicate(a: np.ndarray, axis: int) -> np.ndarray:
    """``a`` with its replicate axis (of length 1) repeated R times: the general path's form."""
    a = np.asarray(a)
    return np.ascontiguousarray(np.repeat(a, R, axis=axis)) if a.shape[axis] == 1 else a


@pytest.fixture(scope="module")
def model():
    cfg = plain_cfg(["end=2023-03-31", "record.replicates=0", "decisions.rungs.4.rate=0.2",
                     "decisions.rungs.5.rate=0.3", "dynamics.status.grievance=0.01"])
    s = build_settings(deep_update(cfg, {"events": {"timeline": cfg["events"]["timeline"] + [SUSPEND]}}))
    m = TriadModel(s, Scenario("b", s.events), 1000, 1000 + R)
    for _ in range(150):
        m.step()
    m._draw()  # the next day's uniforms and normals
    assert m.use_status and np.any(m.drho != 0)
    assert np.count_nonzero(m.M) > R  # traces to reply to
    yield m
    m.release()


def test_screened_reciprocal_rule_equals_its_full_body(model):
    m = model
    rule = next(iter(m.agents)).rule
    prm = rule.prm
    general = prm._replace(**{f: _per_replicate(getattr(prm, f), -1)
                              for f in ("rate", "beta", "gamma", "psi", "delta", "eta", "alpha", "acol", "G",
                                        "rsum", "bmin", "gmax", "pmin", "dmin", "dmax", "emin", "emax",
                                        "cwc", "cwh")})
    st = m.day_state()
    assert _screenable(st.cap, prm) and not _screenable(st.cap, general)
    # the day's uniforms, and uniforms crowded near 1 (where the screen's bound is tight and
    # small hazards such as the memory's replies decide), shuffled per pair
    rng = np.random.default_rng(5)
    near_one = 1.0 - np.geomspace(1e-7, 0.3, R)
    crowded = np.stack([np.stack([rng.permutation(near_one) for _ in range(m.u.shape[1])]) for _ in range(2)])
    acts = set()
    # and traces 30 times the model's, so that the replies dominate the hazard
    for state in (st, st._replace(u=crowded), st._replace(u=crowded, M=st.M * 30)):
        for i in range(m.N):
            a = Acts(np.full((m.N, R), 9, np.int8), np.full((m.N, R), 9, np.int8))
            b = Acts(np.full((m.N, R), 7, np.int8), np.full((m.N, R), 7, np.int8))
            reciprocal_row(i, state, prm, a)
            reciprocal_row(i, state, general, b)
            assert np.array_equal(a.rung, b.rung) and np.array_equal(a.level, b.level)
            acts |= set(np.unique(a.rung).tolist()) | {10 + v for v in np.unique(a.level).tolist()}
    assert {0, 1, 2, 3, 4, 5, 10, 11} <= acts  # acts at many rungs: both branches of the screen ran


def test_shared_drift_equals_the_per_replicate_drift(model):
    m = model
    step = m.drift_step
    general = step._replace(Phi=_per_replicate(step.Phi, 3), phi=_per_replicate(step.phi, 2),
                            bal=_per_replicate(step.bal, 1), cases=_per_replicate(step.cases, 1),
                            sig_h=_per_replicate(step.sig_h, 0), sig_c=_per_replicate(step.sig_c, 0),
                            keep=_per_replicate(step.keep, 0))
    assert np.any(step.bal != 0)  # the balance terms are on
    out = []
    for s in (step, general):
        S, P = m.S.copy(), m.P.copy()
        dyn.drift(DriftState(S[0], S[1], P, m.noise, np.zeros_like(P), np.zeros_like(P), m.status_off, True), s)
        out.append((S, P))
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])
    assert not np.array_equal(out[0][0], m.S)  # the day moved the state
