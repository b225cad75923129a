"""Decision rules, selected per actor by ``decisions.rule`` (``default`` fills the rest)."""
from __future__ import annotations

from typing import Mapping, Sequence

from sim.engine.rules.base import DecisionRule
from sim.engine.rules.ordered_logit import OrderedLogit
from sim.engine.rules.reciprocal import Reciprocal
from sim.errors import ConfigError

RULES: dict[str, type[DecisionRule]] = {cls.name: cls for cls in (Reciprocal, OrderedLogit)}


def rule_class(name: str, key: str) -> type[DecisionRule]:
    """The rule called ``name``; a ConfigError naming ``key`` if there is none."""
    if name not in RULES:
        raise ConfigError(key, f"{name!r} is not a decision rule; allowed: {', '.join(sorted(RULES))}")
    return RULES[name]


def rules_per_actor(chosen: Mapping[str, str], actors: Sequence[str]) -> tuple[str, ...]:
    """The rule name of every actor, in actor order, checked (``decisions.rule``)."""
    for key in chosen:
        if key != "default" and key not in actors:
            raise ConfigError(f"decisions.rule.{key}", f"unknown actor; allowed: default, {', '.join(actors)}")
    names = []
    for a in actors:
        key = f"decisions.rule.{a}" if a in chosen else "decisions.rule.default"
        name = str(chosen.get(a, chosen.get("default", "")))
        rule_class(name, key)
        names.append(name)
    return tuple(names)
