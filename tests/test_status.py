"""Diplomatic status (docs/design/escalation.md §4): a status lasts until another event
changes it, and a dyad's rupture Δρ moves its resting point by the exact affine step."""
from __future__ import annotations

import numpy as np
from scipy.linalg import expm

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.config.ops import parse_ops
from sim.engine import dynamics as dyn
from sim.engine.events import STATUS_KEYS
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.runs.counterfactual import apply_ops

SUSPEND = {"id": "suspension", "date": "2023-01-30", "source": "AZE", "target": "IRN", "cameo": "161",
           "status": {"embassy": "suspended", "ambassador": "recalled"}, "summary": "t", "quote": "t"}
REOPEN = {"id": "reopening", "date": "2023-09-01", "source": "AZE", "target": "IRN", "cameo": "064",
          "status": {"embassy": "open", "ambassador": "present"}, "summary": "t", "quote": "t"}
AZE, IRN, EMB, AMB = 1, 2, STATUS_KEYS.index("embassy"), STATUS_KEYS.index("ambassador")


def _settings(events, extra=()):
    cfg = plain_cfg(["events=none", *extra])
    return build_settings(deep_update(cfg, {"events": {"timeline": events}}))


def _embassy_days(settings, scenario, R=16):
    """Per day, the code of AZE's embassy status in IRN in every replicate (R,)."""
    out = []
    m = TriadModel(settings, scenario, 0, R, observers=[lambda t, m: out.append(m.status[AZE, IRN, EMB].copy())])
    m.run()
    m.release()
    return np.stack(out), m


def test_suspension_persists_until_a_reopening_event():
    s = _settings([SUSPEND], ["dynamics.status.reopen_half_life_days=1e9"])  # no thaw (issue 21)
    day = s.day_of(__import__("datetime").date(2023, 1, 30))
    codes, m = _embassy_days(s, Scenario("base", s.events))
    assert np.all(codes[:day] == 1) and np.all(codes[day:] == 2)  # open, then suspended to `end`, every replicate
    assert np.allclose(m.drho[m.dyad_of[AZE, IRN]], 0.6, rtol=0, atol=1e-15)  # embassy 0 → 0.4, ambassador 0 → 0.2
    # a user event (counterfactual `add`) reopens it
    cf = apply_ops("reopen", parse_ops([{"add": REOPEN}], s.actors), s).scenario
    codes, m = _embassy_days(s, cf)
    reopen = s.day_of(__import__("datetime").date(2023, 9, 1))
    assert np.all(codes[day:reopen] == 2) and np.all(codes[reopen:] == 1) and np.all(codes[:day] == 1)
    assert np.all(m.drho == 0.0) and np.all(m.status[AZE, IRN, AMB] == 1)


def test_initial_statuses_are_the_table():
    s = build_settings(plain_cfg())
    A = {a: k for k, a in enumerate(s.actors)}
    st = s.initial_status
    assert st[A["AZE"], A["ISR"]].tolist() == [0, 0, 0]  # no embassy, no ambassador (opened March 2023)
    assert st[A["ISR"], A["IRN"]].tolist() == [0, 0, 0] and st[A["IRN"], A["ISR"]].tolist() == [0, 0, 0]
    for a, b in (("ISR", "AZE"), ("AZE", "IRN"), ("IRN", "AZE")):
        assert st[A[a], A[b]].tolist() == [1, 1, 0]  # open, present, normal


def test_status_shifts_the_resting_point_exactly():
    """Noise, decisions and balance off, the status event has no impulse (w = 0): the state
    follows z ← Φ z + φ(b) until the change and z ← Φ z + φ(b + Δb) from its day on, with
    φ(b + Δb) from its own augmented exponential (not from Ψ), to 1e-12."""
    kh, kc = 0.004, 0.003
    ev = {**SUSPEND, "goldstein": 0.0}
    s = _settings([ev], ["decisions.enabled=false", "dynamics.noise.hostility=0", "dynamics.noise.cooperation=0",
                         "dynamics.balance.ISR=0", "dynamics.balance.AZE=0", "dynamics.balance.IRN=0",
                         f"dynamics.status.grievance={kh}", f"dynamics.status.affinity={kc}"])
    states = []
    m = TriadModel(s, Scenario("base", s.events), 0, 2, observers=[lambda t, m: states.append(m.S[:, :, :, 0].copy())])
    m.run()
    m.release()
    A, b = dyn.affine_system(s.params.drift)
    p = int(m.dyad_of[AZE, IRN])
    i, j = m.Id[p], m.Jd[p]
    A, b = A[0, p], b[0, p]
    drho = 0.6
    db = drho * np.array([kh, kh, -kc, -kc])

    def step(bb):
        M = np.zeros((5, 5))
        M[:4, :4], M[:4, 4] = A, bb
        E = expm(M)
        return E[:4, :4], E[:4, 4]

    (F, f), (F2, f2) = step(b), step(b + db)
    z = np.array([s.initial_hostility[i, j], s.initial_hostility[j, i],
                  s.initial_cooperation[i, j], s.initial_cooperation[j, i]])
    change = s.day_of(__import__("datetime").date(2023, 1, 30))
    for t, S in enumerate(states):
        z = F @ z + f if t < change else F2 @ z + f2
        got = np.array([S[0, i, j], S[0, j, i], S[1, i, j], S[1, j, i]])
        assert np.abs(got - z).max() < 1e-12, t
    # the resting point moves by -A⁻¹Δb: tension up, net relation down
    shift = dyn.equilibrium(A[None], db[None])[0]
    assert shift[0] > 0 and shift[1] > 0 and shift[2] < 0 and shift[3] < 0
    assert abs(0.5 * (shift[0] + shift[1])) > 0.01


def test_status_change_costs_nothing_without_one():
    """Without a status change the drift never adds offsets (the fast path)."""
    s = build_settings(plain_cfg(["events=none", "end=2022-10-31"]))
    m = TriadModel(s, Scenario("base", ()), 0, 4).run()
    assert not m.use_status and np.all(m.status_off == 0)
    m.release()


def test_rupture_multiplies_the_rung_hazards():
    """Δρ = 0.7 on AZE–IRN: AZE's rung-k hazard toward IRN is rate_k·exp(… + η_k Δρ), so every
    uniform maps to the rung of those hazards (both the fast path and the full draw)."""
    from sim.engine.rules.reciprocal import draw_rung
    s = build_settings(plain_cfg(["events=none"]))
    R = 4000
    m = TriadModel(s, Scenario("b", ()), 0, R)
    m.S[0, AZE, IRN] = 0.95  # hostile enough that acts are common
    m.S[1, AZE, IRN] = 0.0
    d = m.dyad_of[AZE, IRN]
    m.drho[d] = 0.7
    m.use_status = True
    k = m.draw_row_of[AZE, IRN]
    m._draw()
    m.u = np.zeros_like(m.u)
    m.u[0, k] = 1 - np.geomspace(1e-5, 1, R, endpoint=False)  # dense near 1, where acts are drawn
    list(m.agents)[AZE].decide()
    dec = s.params.decisions
    cap = s.params.capability
    y = (dec.rung_hostility[:, 0] * (0.95 - 1) - dec.rung_deterrence[:, 0] * (cap[IRN] - cap[AZE])
         + dec.rung_rupture[:, 0] * 0.7)
    lam = dec.rung_rate[:, 0] * np.exp(y)
    want = np.array([draw_rung(u, lam, lam.sum()) for u in m.u[0, k]])
    assert np.array_equal(m.hostile_rung[AZE, IRN], want)
    assert set(want.tolist()) >= {0, 1, 3, 4}
    lam0 = lam * np.exp(-dec.rung_rupture[:, 0] * 0.7)  # without the rupture: other rungs for many uniforms
    assert (np.array([draw_rung(u, lam0, lam0.sum()) for u in m.u[0, k]]) != want).sum() > 50
    m.release()


def test_thaw_follows_its_geometric_law():
    """Issue 21: with half-life h a downgraded status is still down d days after the event
    with probability 2^(−d/h) (closed form), embassy and ambassador return together, and the
    dyad's rupture Δρ returns to 0 with them."""
    import datetime as dt
    h, R = 20.0, 4000
    s = _settings([SUSPEND], ["end=2023-06-30", f"dynamics.status.reopen_half_life_days={h}"])
    day = s.day_of(dt.date(2023, 1, 30))
    emb, amb, rho = [], [], []

    def obs(t, m):
        emb.append(m.status[AZE, IRN, EMB].copy())
        amb.append(m.status[AZE, IRN, AMB].copy())
        rho.append(m.drho[m.dyad_of[AZE, IRN]].copy())
    m = TriadModel(s, Scenario("base", s.events), 0, R, observers=[obs])
    m.run()
    m.release()
    emb, amb, rho = np.stack(emb), np.stack(amb), np.stack(rho)
    assert np.all(emb[:day] == 1) and np.all(emb[day] == 2)
    assert np.array_equal(emb == 2, amb == 2)  # together
    assert np.array_equal(rho != 0.0, emb == 2)  # grievance lasts exactly as long as the downgrade
    for d in (1, 10, 20, 40, 80):
        p = 0.5 ** (d / h)
        got = (emb[day + d] == 2).mean()
        assert abs(got - p) < 4 * np.sqrt(p * (1 - p) / R) + 1e-9, (d, got, p)


def test_thaw_draws_are_keyed_by_event():
    """The delay depends on the replicate and the event id only: the same in a run of other
    replicates and whatever other events exist."""
    from sim.engine.events import thaw_delays
    a = thaw_delays(0, "suspension", 0, 64, 370.0)
    b = thaw_delays(0, "suspension", 32, 40, 370.0)
    assert np.array_equal(a[32:40], b) and np.all(a >= 1)
    assert not np.array_equal(a, thaw_delays(0, "other_event", 0, 64, 370.0))
    assert np.all(thaw_delays(0, "suspension", 0, 64, 1e9) > 10**6)  # effectively never
