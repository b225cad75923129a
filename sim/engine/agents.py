"""The state agents: each holds its decision rule (``sim.engine.rules``) and decides, every
day and toward every other actor, one hostile rung and one cooperative level.

An agent serves a whole vectorised ensemble: it reads the model's state arrays (its own
row across all replicates) and the day's uniforms. Agents live in Mesa's ``model.agents``
and the model steps them with ``model.agents.do(...)`` in the phase order of
``sim/engine/model.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.engine import memory
from sim.engine.rules import RULES
from sim.engine.rules.base import DecisionRule

if TYPE_CHECKING:
    from sim.engine.model import TriadModel
    from sim.engine.settings import ModelParams


class StateAgent(mesa.Agent):
    """A state (``ISR``, ``AZE``, ``IRN``…), row ``index`` of the model's matrices."""

    rule: DecisionRule

    def __init__(self, model: "TriadModel", code: str, name: str, index: int):
        super().__init__(model)  # registers the agent in model.agents (insertion order)
        self.code = code
        self.name = name
        self.index = index

    def use(self, params: "ModelParams") -> None:
        """Take the rule (and its parameters) that ``params`` assigns to this state."""
        self.rule = RULES[params.decisions.rules[self.index]].from_params(params, self.model)

    def decide(self) -> None:
        """Write today's hostile rung and cooperative level toward each actor into the model."""
        self.rule.decide(self.index, self.model)

    def receive(self) -> None:
        """Settle the traces this state's acts answered today and add the acts it received."""
        m = self.model
        if m.uses_memory and m.decisions.enabled:
            memory.receive_row(self.index, m.M, m.clock, m.hostile_rung, m.discharge)

    def forget(self) -> None:
        """One day of decay of this state's memory of received acts."""
        m = self.model
        if m.uses_memory:
            memory.forget_row(m.M[self.index], m.clock[self.index], m.memory_keep)
