"""Issue 21: the cross-target channel. An act of j on i also excites i toward j's partners
(Iran reading Azerbaijan as Israel's platform), with weight decisions.memory.cross_target."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine.memory import traces
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario

NO_RATES = [f"decisions.rungs.{k}.rate=0" for k in range(1, 7)]
STRIKE = {"id": "aze_strike", "date": "2022-09-01", "source": "AZE", "target": "IRN", "cameo": "190",
          "summary": "injected test strike", "quote": "test"}


def _run(cross, R=4000, end="2023-02-28"):
    cfg = plain_cfg(["events=none", f"end={end}", f"decisions.memory.cross_target={cross}", *NO_RATES])
    s = build_settings(deep_update(cfg, {"events": {"timeline": [STRIKE]}}))
    A = {a: k for k, a in enumerate(s.actors)}
    first, day0 = np.full(R, -1), {}

    def watch(t, m):
        if t == 0:
            day0["M"] = traces(m.M, m.clock).copy()
            day0["C"] = m.S[1].copy()
        hit = (m.hostile_rung[A["IRN"], A["ISR"]] > 0) & (first < 0)
        first[hit] = t

    m = TriadModel(s, Scenario("b", s.events), 0, R, observers=[watch])
    m.run()
    m.release()
    return s, A, first, day0


def test_weight_zero_leaves_third_parties_alone():
    """cross_target = 0: AZE's strike on IRN never reaches IRN's memory of ISR, and with all
    base rates 0 IRN never acts toward ISR."""
    _, A, first, d = _run(0.0)
    assert np.all(first < 0)
    assert np.all(d["M"][A["IRN"], A["ISR"]] == 0.0)


def test_trace_and_reply_law_of_the_channel():
    """cross_target = w: on the strike's day IRN's rung-5 trace toward ISR is w × (C_AZE,ISR +
    C_ISR,AZE)/2 × H_IRN,ISR (partners, and IRN's distrust of ISR); IRN's first reply to ISR
    follows the Hawkes law of that trace, 1 − exp(−g·n₅·trace·(1 − 2^(−t/h))) per day t
    after day 0, with the partners' cooperation held at its day-0 value (it drifts little in
    six months: the tolerance allows for it)."""
    w = 0.3
    s, A, first, d = _run(w)
    aze, isr, irn = A["AZE"], A["ISR"], A["IRN"]
    C0, H0 = s.initial_cooperation, s.initial_hostility  # the strike is written on day 0, before any drift
    ally = 0.5 * (C0[aze, isr] + C0[isr, aze]) * H0[irn, isr]
    dec = s.params.decisions
    q = 0.5 ** (1 / float(dec.memory_half_life_days))  # observed at the end of day 0: one day of decay
    # exactly, unless IRN already replied on day 0 (a reply at rung 5 settles, discharges, the trace)
    tr = d["M"][irn, isr, 4]
    quiet = first != 0
    assert quiet.mean() > 0.95 and np.allclose(tr[quiet], w * ally * q, rtol=1e-12, atol=0)
    tr = tr[quiet] / q
    n5 = float(np.asarray(dec.memory_excitation)[4, 0])
    cap = np.asarray(s.params.capability, dtype=float).reshape(len(s.actors), -1)[:, 0]
    g = math.exp(-float(dec.memory_deterrence_weight) * (cap[isr] - cap[irn]))
    h = float(dec.memory_half_life_days)
    R = first.size
    for t in (30, 90, 170):
        p = 1 - math.exp(-g * n5 * float(tr.mean()) * (1 - 2 ** (-t / h)))
        got = np.mean((first >= 0) & (first <= t))
        assert p > 0.005 and abs(got - p) < 4 * math.sqrt(p * (1 - p) / R) + 0.1 * p, (t, got, p)


def test_partner_weight_reads_cooperation():
    """No partnership, no channel: with AZE-ISR cooperation 0 the trace stays ≈ 0; and an
    ally is not blamed: IRN's acts on ISR leave ISR's trace toward AZE (H_ISR,AZE = 0) at 0."""
    cfg = plain_cfg(["events=none", "end=2022-10-31", "decisions.memory.cross_target=0.3",
                     "dynamics.initial.cooperation.AZE_ISR=0", "dynamics.initial.cooperation.ISR_AZE=0", *NO_RATES])
    s = build_settings(deep_update(cfg, {"events": {"timeline": [STRIKE]}}))
    A = {a: k for k, a in enumerate(s.actors)}
    m = TriadModel(s, Scenario("b", s.events), 0, 64)
    m.step()
    assert np.all(traces(m.M, m.clock)[A["IRN"], A["ISR"]] == pytest.approx(0.0, abs=1e-12))
    ev = {**STRIKE, "source": "IRN", "target": "ISR"}
    cfg = plain_cfg(["events=none", "end=2022-10-31", "decisions.memory.cross_target=0.3",
                     "dynamics.initial.hostility.ISR_AZE=0", *NO_RATES])
    s = build_settings(deep_update(cfg, {"events": {"timeline": [ev]}}))
    m = TriadModel(s, Scenario("b", s.events), 0, 64)
    m.step()
    assert np.all(traces(m.M, m.clock)[A["ISR"], A["AZE"]] == 0.0)
