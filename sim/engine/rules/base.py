"""The interface of a decision rule: a class an agent holds, with its parameters and a
compiled kernel that writes the agent's acts for every replicate at once."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from sim.engine.model import TriadModel
    from sim.engine.settings import ModelParams


def vec(x) -> np.ndarray:
    """A parameter as the kernels take it: a 1-D array of one value, or one per replicate."""
    return np.atleast_1d(np.asarray(x, dtype=float))


class DecisionRule(ABC):
    """One way of choosing the day's hostile rung and cooperative level toward each actor.

    ``from_params`` turns the model's parameters into the kernel's arrays once per
    parameter set (construction and each counterfactual ``set``); ``decide`` runs daily.
    A new rule is a subclass, its line in ``sim.engine.rules.RULES`` and its yaml; its kernel
    takes ``(i, st, prm, out)``: the model's ``DayState``, the rule's own NamedTuple of
    arrays and agent i's ``Acts`` (sim/engine/kernel_args.py).
    """

    name: ClassVar[str]
    uses_memory: ClassVar[bool] = False  # the model keeps the traces of received acts only if a rule reads them

    @classmethod
    @abstractmethod
    def from_params(cls, params: "ModelParams", model: "TriadModel") -> "DecisionRule":
        """The rule with its arrays built from ``params`` (shared or per replicate)."""

    @abstractmethod
    def decide(self, i: int, model: "TriadModel") -> None:
        """Write agent i's hostile rung and cooperative level toward every j, for every
        replicate, into ``model.hostile_rung[i]`` and ``model.coop_level[i]``. Reads only
        the state after the day's events and the day's uniforms (synchronous update)."""
