"""Provenance: the ladder over the model's own (endogenous) acts beside the ladder over any act."""
from __future__ import annotations

import numpy as np

from conftest import plain_cfg
from sim.config.build import build_settings
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.runs.stats import DailyStats
from sim.runs.summary import headline, scenario_summary


def _run(overrides, R=300):
    s = build_settings(plain_cfg(["end=2023-12-31", *overrides]))
    stats = DailyStats(s.actors, s.n_days, 100)
    m = TriadModel(s, Scenario("b", s.events), 0, R, observers=[stats.observe]).run()
    m.release()
    return s, m, stats


def test_without_events_both_ladders_agree():
    _, m, stats = _run(["events=none"])
    assert np.array_equal(m.first_reach, m.first_reach_endo) and np.array_equal(m.max_rung, m.max_rung_endo)
    assert np.array_equal(stats.reached, stats.reached_endo)


def test_scripted_acts_count_only_for_any():
    s, m, stats = _run([])
    assert np.all(m.max_rung_endo <= m.max_rung)
    reached, endo = m.first_reach >= 0, m.first_reach_endo >= 0
    assert np.all(reached | ~endo)  # reached by own acts implies reached
    both = reached & endo
    assert np.all(m.first_reach[both] <= m.first_reach_endo[both])
    d = [f"{s.actors[i]}-{s.actors[j]}" for i, j in zip(m.Id, m.Jd)].index("AZE-IRN")
    # the scripted border exercises (rung 3) make rung 3 certain for any act, not for own acts
    assert reached[3, d].all() and endo[3, d].mean() < 0.95
    summ = scenario_summary(stats, s.actors)
    p = summ["AZE-IRN"]["p_rung_at_least"]
    assert list(p) == ["1", "2", "3", "4", "5", "6", "endogenous"] and list(p["endogenous"]) == list(p)[:6]
    assert p["3"]["p"] == 1.0 and p["endogenous"]["3"]["p"] == round(endo[3, d].mean(), 6)
    assert "(endogenous " in headline(summ, s.ladder.names, "2023-12-31")[0]
