"""The escalation ladder: CAMEO codes to rungs, rung acts and their Goldstein weights.

A dyad-day's rung is the highest act in either direction, exogenous or endogenous.
Rung 6 (war) is reached by an act whose code maps to 6, or when rung-5 acts fall on
``war_sustained_days`` consecutive days in the dyad.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import cameo

N_RUNGS = 6


@dataclass(frozen=True)
class Ladder:
    names: tuple[str, ...]  # rung 0..6
    roots: dict[str, int]  # CAMEO code prefix -> rung; the longest matching prefix wins
    acts: tuple[str, ...]  # representative CAMEO code of hostile rungs 1..6
    cooperative_acts: tuple[str, ...]  # representative CAMEO code of cooperative levels 1..3
    thresholds: np.ndarray  # 6 increasing cut points of the hostile ordered logit
    cooperative_thresholds: np.ndarray  # 3 increasing cut points of the cooperative one
    war_sustained_days: int
    # the acts of rungs 1..6 in a dyad without diplomatic relations (both embassies `none`); default: ``acts``
    acts_without_relations: tuple[str, ...] = ()

    def acts_for(self, relations: bool) -> tuple[str, ...]:
        """The menu of hostile acts: a state cannot break relations it does not have."""
        return self.acts if relations or not self.acts_without_relations else self.acts_without_relations

    def rung_of(self, code: str) -> int:
        """Rung of a CAMEO code: the longest configured prefix, else 0 (no conflict)."""
        for n in range(len(code), 0, -1):
            if code[:n] in self.roots:
                return self.roots[code[:n]]
        return 0

    @property
    def act_magnitude(self) -> np.ndarray:
        """|Goldstein|/10 of the hostile act of each rung 0..6 (rung 0: no act)."""
        return np.array([0.0] + [abs(cameo.lookup(c).goldstein) / 10 for c in self.acts])

    @property
    def act_magnitude_without_relations(self) -> np.ndarray:
        """|Goldstein|/10 of each rung's act in a dyad without relations (rung 0: no act)."""
        return np.array([0.0] + [abs(cameo.lookup(c).goldstein) / 10 for c in self.acts_for(False)])

    @property
    def cooperative_magnitude(self) -> np.ndarray:
        """Goldstein/10 of the cooperative act of each level 0..3 (level 0: no act)."""
        return np.array([0.0] + [cameo.lookup(c).goldstein / 10 for c in self.cooperative_acts])
