"""The state agents: each holds its decision rule (``sim.engine.rules``) and decides, every
day and toward every other actor, one hostile rung and one cooperative level.

An agent serves a whole vectorised ensemble: it reads the model's state arrays (its own
row across all replicates) and the day's uniforms. Agents live in Mesa's ``model.agents``
and the model steps them with ``model.agents.do(...)`` in the phase order of
``sim/engine/model.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine import memory
from sim.engine.mesa_compat import mesa
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
            memory.receive_row(self.index, m.M, m.clock, m.hostile_rung, m.discharge, m.cross, m.S[1], m.S[0],
                               m.use_cross)

    def forget(self) -> None:
        """One day of decay of this state's memory of received acts."""
        m = self.model
        if m.uses_memory:
            memory.forget_row(m.M[self.index], m.clock[self.index], m.memory_keep)

    # -- this state's rows of the model's arrays, read-only: row j is toward (or from) actor j,
    # one column per replicate; the diagonal entry is always 0 (docs/api.md)
    @staticmethod
    def _view(a):
        v = a.view()
        v.flags.writeable = False
        return v

    @property
    def hostility(self):
        """H toward each actor, (N, R), in [0, 1]."""
        return self._view(self.model.S[0, self.index])

    @property
    def cooperation(self):
        """C toward each actor, (N, R), in [0, 1]."""
        return self._view(self.model.S[1, self.index])

    @property
    def provocation(self):
        """P: decaying memory of the hostile acts received from each actor, (N, R), in [0, 1]."""
        return self._view(self.model.P[self.index])

    @property
    def memory(self):
        """The decayed counts of acts received from each actor by rung 1..6, (N, 6, R)
        (the reciprocal rule's traces; zero under rules without memory)."""
        m = self.model
        return memory.traces(m.M[self.index][None], m.clock[self.index][None])[0]

    @property
    def rung(self):
        """The rung of today's hostile act toward each actor (0: none), (N, R): the act of
        the last day stepped."""
        return self._view(self.model.hostile_rung[self.index])

    @property
    def cooperative_level(self):
        """The level of today's cooperative act toward each actor (0: none), (N, R)."""
        return self._view(self.model.coop_level[self.index])
