"""Decision rules are classes the agents hold; agents live in Mesa's model.agents and the
model steps them through the AgentSet in the documented phase order."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import plain_cfg
from sim.config.build import build_settings
from sim.engine.agents import StateAgent
from sim.engine.model import TriadModel
from sim.engine.rules import RULES, rule_class, rules_per_actor
from sim.engine.rules.ordered_logit import OrderedLogit
from sim.engine.settings import Scenario
from sim.errors import ConfigError

SHORT = ["end=2022-12-31", "record.replicates=0"]


def _model(settings, R=8):
    return TriadModel(settings, Scenario("baseline", settings.events), 0, R)


def test_agents_live_in_model_agents(default_settings):
    m = _model(default_settings)
    assert len(m.agents) == len(default_settings.actors)
    assert [a.code for a in m.agents] == list(default_settings.actors)
    assert all(isinstance(a, StateAgent) and a.model is m for a in m.agents)
    assert not hasattr(m, "states")
    m.release()


def test_per_actor_rule_and_unknown_rule():
    assert rules_per_actor({"default": "ordered_logit"}, ("ISR", "AZE")) == ("ordered_logit",) * 2
    with pytest.raises(ConfigError, match=r"decisions.rule.IRN: 'foo' is not a decision rule; allowed: "):
        rules_per_actor({"default": "ordered_logit", "IRN": "foo"}, ("ISR", "AZE", "IRN"))
    with pytest.raises(ConfigError, match=r"decisions.rule.XYZ: unknown actor"):
        rules_per_actor({"default": "ordered_logit", "XYZ": "ordered_logit"}, ("ISR", "AZE", "IRN"))
    with pytest.raises(ConfigError, match=r"decisions.rule.default"):
        rule_class("nope", "decisions.rule.default")
    s = build_settings(plain_cfg(SHORT + ["+decisions.rule.ISR=ordered_logit"]))
    m = _model(s)
    assert [type(a.rule) for a in m.agents] == [RULES[n] for n in s.params.decisions.rules]
    assert isinstance(next(iter(m.agents)).rule, OrderedLogit)
    m.release()


def test_phases_step_through_agentset(monkeypatch):
    s = build_settings(plain_cfg(SHORT))
    m = _model(s)
    calls = []
    real = type(m.agents).do

    def spy(self, name, *args, **kw):
        calls.append(name)
        return real(self, name, *args, **kw)

    monkeypatch.setattr(type(m.agents), "do", spy)
    for _ in range(3):
        m.step()
    per_day = [c for c in calls if c != "use"]
    assert len(per_day) % 3 == 0 and per_day[: len(per_day) // 3] * 3 == per_day
    assert per_day[0] == "decide"
    m.release()


def test_rule_swap_keeps_draws():
    """Swapping an actor's rule never changes which numbers the day draws (CRN)."""
    base = build_settings(plain_cfg(SHORT))
    names = set(RULES)
    draws = []
    for name in sorted(names):
        s = replace(base, params=replace(base.params, decisions=replace(
            base.params.decisions, rules=(name,) * len(base.actors))))
        m = _model(s)
        seen = []
        for _ in range(5):
            m.step()
            seen.append((m.noise.copy(), m.u.copy()))
        draws.append(seen)
        m.release()
    for other in draws[1:]:
        for (n0, u0), (n1, u1) in zip(draws[0], other):
            assert np.array_equal(n0, n1) and np.array_equal(u0, u1)
