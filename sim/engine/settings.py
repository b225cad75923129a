"""Validated, Hydra-free settings: everything the engine needs, as plain values and arrays."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

import numpy as np

from sim.engine.dynamics import DriftParams
from sim.engine.events import Event
from sim.engine.ladder import Ladder


@dataclass(frozen=True)
class DecisionParams:
    enabled: bool
    hostility_weight: float
    provocation_weight: float
    cooperation_weight: float
    deterrence_weight: float
    provocation_half_life_days: float
    coop_cooperation_weight: float
    coop_hostility_weight: float
    # the reciprocal rule: per-rung arrays (6, Rp), rung K at row K-1; memory (Rp,) or scalars
    rung_rate: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    rung_hostility: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    rung_provocation: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    rung_cooperation: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    rung_deterrence: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    rung_rupture: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    memory_half_life_days: float = 30.0
    memory_excitation: np.ndarray = field(default_factory=lambda: np.zeros((6, 1)))
    memory_spread_down: float = 0.2
    memory_spread_same: float = 0.6
    memory_spread_up: float = 0.2
    memory_deterrence_weight: float = 0.0
    memory_discharge: float = 1.0
    # cross-target channel (issue 21): j's act on i adds this × (C_ja + C_aj)/2 to i's trace toward each
    # third actor a (j's partner): Iran reading Azerbaijan's acts as Israel's platform
    memory_cross_target: float = 0.0
    rules: tuple[str, ...] = ()  # the decision rule of each actor, in actor order (sim.engine.rules)


@dataclass(frozen=True)
class ModelParams:
    """The numbers that may change during a run (counterfactual ``set`` from a date)."""

    drift: DriftParams
    noise_hostility: float
    noise_cooperation: float
    impulse_hostility: float
    impulse_cooperation: float
    impulse_commitment: float
    decisions: DecisionParams
    capability: np.ndarray  # (N,)
    # weights of Heider's four balance cases (dynamics.balance_cases.*)
    balance_ff: float = 1.0
    balance_ef: float = 1.0
    balance_fe: float = 1.0
    balance_ee: float = 1.0
    # a dyad's rupture Δρ shifts its grievances by +status_grievance·Δρ, affinities by −status_affinity·Δρ
    status_grievance: float = 0.0
    status_affinity: float = 0.0
    # a downgraded status (suspended embassy, recalled ambassador, reduced staff) returns to normal
    # after a geometric delay with this half-life (issue 21; 1e9: never)
    status_reopen_half_life_days: float = 1e9

    def get(self, target: str) -> Any:
        """The value at a dotted attribute path (``drift.reaction``, ``noise_hostility``)."""
        return reduce(getattr, target.split("."), self)

    def replaced(self, target: str, value: Any) -> ModelParams:
        """A copy with the value at ``target`` replaced (the nested dataclasses too)."""
        return _replaced(self, target.split("."), value)

    def with_entry(self, target: str, index: tuple[int, ...], value: float) -> ModelParams:
        """A copy with one value set: ``index`` the actor or pair (``()`` for a scalar); an
        array keeps its shape, so a value of a drift array fills its replicate axis."""
        if not index:
            return self.replaced(target, value)
        arr = np.array(self.get(target), dtype=float)
        arr[index] = value
        return self.replaced(target, arr)


def _replaced(obj: Any, parts: list[str], value: Any) -> Any:
    if len(parts) == 1:
        return replace(obj, **{parts[0]: value})
    return replace(obj, **{parts[0]: _replaced(getattr(obj, parts[0]), parts[1:], value)})


@dataclass(frozen=True)
class Settings:
    actors: tuple[str, ...]
    names: tuple[str, ...]
    start: dt.date
    end: dt.date
    params: ModelParams
    initial_hostility: np.ndarray  # (N, N)
    initial_cooperation: np.ndarray  # (N, N)
    ladder: Ladder
    events: tuple[Event, ...]
    replicates: int
    seed: int
    chunk_size: int
    chunk: int = 0
    chunks: int = 1
    workers: int = 1
    record_replicates: int = 200
    record_trajectories: bool = True
    record_actions: bool = True
    bins: int = 1000
    # dotted parameter path -> one value per replicate id (sim/engine/replicate_params.py)
    replicate_values: dict = field(default_factory=dict)
    # posterior predictive: replicate r's values come from posterior draw r mod posterior_draws (0: none)
    posterior_draws: int = 0
    # (N, N, 3) int8 codes of each mission's status (i's in j; sim/engine/events.STATUS), None: defaults
    initial_status: np.ndarray | None = None
    occasion: tuple[float, float] = (0.5, 1.0)  # (share, cap) of occasions (events.occasion.*)
    # (N, N) W[s, q]: s's hostile acts also count as patron q's with weight W[s, q] (None: nobody's)
    attribution: np.ndarray | None = None

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def dates(self) -> np.ndarray:
        # explicit day units: numpy 2.5 deprecates adding a bare integer to a datetime64
        day = np.timedelta64(1, "D")
        return np.arange(np.datetime64(self.start, "D"), np.datetime64(self.end, "D") + day, day)

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def replicate_range(self) -> tuple[int, int]:
        """The replicates this job simulates: split ``chunks`` ways, this is ``chunk``."""
        lo = self.replicates * self.chunk // self.chunks
        hi = self.replicates * (self.chunk + 1) // self.chunks
        return lo, hi


@dataclass(frozen=True)
class Scenario:
    """A named timeline plus parameter switches: ``switches`` maps a day index to the
    ModelParams in force from that day on."""

    name: str
    events: tuple[Event, ...]
    switches: tuple[tuple[int, ModelParams], ...] = ()
