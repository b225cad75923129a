"""Differential test: the vectorised engine against a plain scalar Mesa implementation.

``benchmarks/scalar_baseline.py`` is the same model written one replicate, one agent and
one float at a time. Fed the engine's random numbers for replicate r (keyed streams) it
must reproduce the engine's replicate r day by day: H, C and P to 1e-12, and exactly the
same dyad-day rungs and highest rungs. Decisions, events, noise and balance are all on;
the case ``status_occasions`` covers the Herzog visit (an occasion over two days), the
article's status changes and a user event reopening the Tehran embassy.
Replicate ids span two random-number blocks (block size 1024).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import deep_update, plain_cfg, with_armenia
from sim.config.build import build_settings
from sim.engine.model import TriadModel
from sim.engine.rng import BLOCK
from sim.engine.settings import Scenario

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from scalar_baseline import run_replicate  # noqa: E402

IDS = [0, 1, 7, 1030, 2047]
TOL = 1e-12
SHORT = ["end=2023-03-31", "record.replicates=0"]


class Capture:
    """Observer keeping the chosen replicates' state every day."""

    def __init__(self, cols):
        self.cols = np.asarray(cols)
        self.H, self.C, self.P, self.dyad, self.max = [], [], [], [], []

    def __call__(self, t, m):
        self.H.append(m.S[0][:, :, self.cols].copy())
        self.C.append(m.S[1][:, :, self.cols].copy())
        self.P.append(m.P[:, :, self.cols].copy())
        self.dyad.append(m.dyad_rung[:, self.cols].copy())
        self.max.append(m.max_rung[:, self.cols].copy())


def engine(settings, ids):
    lo, hi = min(ids), max(ids) + 1
    cap = Capture([r - lo for r in ids])
    TriadModel(settings, Scenario("baseline", settings.events), lo, hi, observers=[cap]).run()
    return {k: np.stack(getattr(cap, k)) for k in ("H", "C", "P", "dyad", "max")}  # (days, ..., len(ids))


def scalar(settings, r):
    hist = run_replicate(settings, r, draws="engine", record=True).history
    return {k: np.array([h[n] for h in hist]) for n, k in enumerate(("H", "C", "P", "dyad", "max"))}


def four_actor_settings():
    cfg = with_armenia(plain_cfg(SHORT), initial_hostility=0.4)
    # an ARM-AZE event in the horizon, so the fourth actor sees exogenous acts too
    patch = {"events": {"timeline": cfg["events"]["timeline"] + [{
        "id": "armenia_protests", "date": "2022-11-01", "precision": "month", "source": "ARM",
        "target": "AZE", "cameo": "112", "summary": "test event", "quote": "test"}]}}
    return build_settings(deep_update(cfg, patch))


def status_occasion_settings():
    cfg = plain_cfg(["end=2023-07-31", "record.replicates=0", "dynamics.status.grievance=0.01",
                     "dynamics.status.affinity=0.01"])
    patch = {"events": {"timeline": cfg["events"]["timeline"] + [{
        "id": "tehran_embassy_reopens", "date": "2023-06-15", "precision": "day", "source": "AZE",
        "target": "IRN", "cameo": "064", "status": {"embassy": "open", "ambassador": "present"},
        "summary": "test event", "quote": "test"}]}}
    return build_settings(deep_update(cfg, patch))


# high strike hazards (reciprocal rule) or lower cut points (ordered logit): strikes, wars
# (rung 6 from sustained rung-5 days) and H clipped at 1
ESCALATORY = ["decisions.rungs.4.rate=0.2", "decisions.rungs.5.rate=0.3"]
ORDERED_LOGIT = ["decisions=ordered_logit", "ladder.thresholds=[6.0,7.0,8.0,9.0,10.0,11.0]"]

CASES = {
    "default": lambda: build_settings(plain_cfg(SHORT)),
    "four_actors": four_actor_settings,
    "escalatory": lambda: build_settings(plain_cfg(SHORT + ESCALATORY)),
    "ordered_logit": lambda: build_settings(plain_cfg(SHORT + ORDERED_LOGIT)),
    "status_occasions": status_occasion_settings,
    "mixed_rules": lambda: build_settings(plain_cfg(SHORT + ESCALATORY + ["+decisions.rule.AZE=ordered_logit"])),
    # issue 21: downgraded statuses thaw (half-life 20 days: every replicate's suspension and expulsions
    # return to normal inside the horizon), with strong status offsets so the thaw shows in H and C
    "thaw": lambda: build_settings(plain_cfg(["end=2023-07-31", "record.replicates=0",
                                              "dynamics.status.grievance=0.01", "dynamics.status.affinity=0.01",
                                              "dynamics.status.reopen_half_life_days=20"])),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    settings = CASES[request.param]()
    return request.param, settings, engine(settings, IDS)


def test_ids_cover_two_blocks_and_a_nontrivial_run(case):
    name, settings, eng = case
    assert len({r // BLOCK for r in IDS}) >= 2
    p = settings.params
    assert p.decisions.enabled and p.noise_hostility > 0 and np.any(p.drift.balance != 0)
    assert settings.n_days >= 200 and len(settings.events) > 0
    # the run exercises what it claims to: acts, events, provocation memory
    assert eng["max"].max() >= 3
    assert (eng["P"] > 0).any()
    assert (eng["H"] == 0).any()  # clipped at the lower bound
    if name == "status_occasions":
        assert any(e.status for e in settings.events) and any(e.occasion == "herzog_visit" for e in settings.events)
    if name in ("escalatory", "ordered_logit"):
        assert (eng["dyad"] == 6).any() and (eng["H"] == 1).any()


@pytest.mark.parametrize("r", IDS)
def test_scalar_reproduces_engine(case, r):
    _, settings, eng = case
    col = IDS.index(r)
    sc = scalar(settings, r)
    for k in ("H", "C", "P"):
        e = eng[k][..., col]
        assert sc[k].shape == e.shape, k
        diff = np.abs(sc[k] - e)
        day = int(np.argmax(diff.max(axis=(1, 2))))
        assert diff.max() <= TOL, f"{k} differs by {diff.max():.3g}, first worst on day {day} (replicate {r})"
    for k in ("dyad", "max"):
        e = eng[k][..., col].astype(np.int64)
        bad = np.nonzero((sc[k] != e).any(axis=1))[0]
        assert bad.size == 0, f"{k} rungs differ from day {bad[:1].tolist()} (replicate {r})"
