"""The state agents: each decides, every day and toward every other actor, one hostile
and one cooperative act level by ordered logit (spec §4).

An agent holds only its behaviour. It reads the model's state arrays (its own row of
H, C and P across all replicates) and the latent noise the model drew for the day, so
one agent serves a whole vectorised ensemble.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from .model import TriadModel


class StateAgent(mesa.Agent):
    """A state (``ISR``, ``AZE``, ``IRN``…), row ``index`` of the model's matrices."""

    def __init__(self, model: "TriadModel", code: str, name: str, index: int, capability: float):
        super().__init__(model)
        self.code = code
        self.name = name
        self.index = index
        self.capability = capability

    def hostile_latent(self) -> np.ndarray:
        """y_hostile toward every actor j, without the noise: shape (N, R)."""
        m, d, i = self.model, self.model.decisions, self.index
        H, C = m.S[0, i], m.S[1, i]
        y = d.hostility_weight * H + d.provocation_weight * m.P[i] - d.cooperation_weight * C
        gap = m.capability - m.capability[i]  # (N,), or (N, R) with per-replicate capability
        y -= d.deterrence_weight * (gap[:, None] if gap.ndim == 1 else gap)
        return y

    def cooperative_latent(self) -> np.ndarray:
        """y_cooperative toward every actor j, without the noise: shape (N, R)."""
        m, d, i = self.model, self.model.decisions, self.index
        return d.coop_cooperation_weight * m.S[1, i] - d.coop_hostility_weight * m.S[0, i]

    def decide(self) -> None:
        """Write today's hostile rung and cooperative level toward each actor into the model."""
        m, i = self.model, self.index
        y_h = self.hostile_latent() + m.eps_hostile[i]
        y_c = self.cooperative_latent() + m.eps_cooperative[i]
        # rung = number of thresholds strictly below the latent value
        m.hostile_rung[i] = np.searchsorted(m.ladder.thresholds, y_h, side="left")
        m.coop_level[i] = np.searchsorted(m.ladder.cooperative_thresholds, y_c, side="left")
