"""Structured-config schema: OmegaConf checks types and unknown keys against it.

Ranges, enums, actor codes and dates are checked afterwards (``build.py``, ``spec.py``;
the model parameters' ranges are rows of ``sim/params.py``, which a test holds equal to
the numeric fields here).
"""
from __future__ import annotations

from dataclasses import dataclass, field, is_dataclass
from typing import Any, Dict, List, Optional, get_args, get_origin, get_type_hints

from omegaconf import MISSING


@dataclass
class ActorConf:
    name: str = MISSING
    capability: float = MISSING
    # a non-state actor's acts partly counted as a patron's: {PATRON: weight in [0, 1]}
    # (sim/config/actors.py, docs/actors.md); Any, not float: checked in build, not a model row
    attributed_to: Dict[str, Any] = field(default_factory=dict)


@dataclass
class InitialConf:
    hostility: Dict[str, float] = field(default_factory=dict)
    cooperation: Dict[str, float] = field(default_factory=dict)
    status: Dict[str, Dict[str, str]] = field(default_factory=dict)  # SRC_TGT -> {embassy, ambassador, staff}


@dataclass
class StatusConf:
    grievance: float = 0.0007  # per day per unit of rupture Δρ (docs/design/escalation.md §4.3)
    affinity: float = 0.0007
    reopen_half_life_days: float = 370.0  # thaw of a downgraded status (issue 21)


@dataclass
class NoiseConf:
    hostility: float = 0.0
    cooperation: float = 0.0


@dataclass
class ImpulseConf:
    hostility: float = MISSING
    cooperation: float = MISSING
    commitment: float = MISSING


@dataclass
class BalanceCasesConf:
    friend_of_friend: float = MISSING
    enemy_of_friend: float = MISSING
    friend_of_enemy: float = MISSING
    enemy_of_enemy: float = MISSING


@dataclass
class PairTypeInitialConf:
    hostility: Optional[float] = None
    cooperation: Optional[float] = None


@dataclass
class PairTypeConf:
    """Values a pair of this type takes where no SRC_TGT key is given (docs/actors.md)."""
    grievance: Optional[float] = None
    affinity: Optional[float] = None
    initial: PairTypeInitialConf = field(default_factory=PairTypeInitialConf)


@dataclass
class DynamicsConf:
    reaction: Dict[str, float] = field(default_factory=dict)
    restraint: Dict[str, float] = field(default_factory=dict)
    balance: Dict[str, float] = field(default_factory=dict)
    cooperation_damping: Dict[str, float] = field(default_factory=dict)
    reciprocity: Dict[str, float] = field(default_factory=dict)
    decay: Dict[str, float] = field(default_factory=dict)
    hostility_drag: Dict[str, float] = field(default_factory=dict)
    grievance: Dict[str, float] = field(default_factory=dict)
    affinity: Dict[str, float] = field(default_factory=dict)
    initial: InitialConf = field(default_factory=InitialConf)
    noise: NoiseConf = field(default_factory=NoiseConf)
    impulse: ImpulseConf = field(default_factory=ImpulseConf)
    balance_cases: BalanceCasesConf = field(default_factory=BalanceCasesConf)
    status: StatusConf = field(default_factory=StatusConf)
    # A_B (either order) -> a type of dynamics.by_type; explicit SRC_TGT keys win (sim/config/actors.py)
    pair_types: Dict[str, str] = field(default_factory=dict)
    by_type: Dict[str, PairTypeConf] = field(default_factory=dict)


@dataclass
class CooperativeConf:
    cooperation_weight: float = MISSING
    hostility_weight: float = MISSING


@dataclass
class RungConf:
    rate: float = MISSING
    hostility: float = MISSING
    provocation: float = MISSING
    cooperation: float = MISSING
    deterrence: float = MISSING
    rupture: float = MISSING


@dataclass
class SpreadConf:
    down: float = MISSING
    same: float = MISSING
    up: float = MISSING


@dataclass
class MemoryConf:
    half_life_days: float = MISSING
    excitation: Dict[str, float] = field(default_factory=dict)
    spread: SpreadConf = field(default_factory=SpreadConf)
    deterrence_weight: float = MISSING
    discharge: float = MISSING
    cross_target: float = 0.0  # issue 21: j's act on i also excites i toward j's partners


@dataclass
class DecisionsConf:
    enabled: bool = True
    rule: Dict[str, str] = field(default_factory=lambda: {"default": "reciprocal"})  # per actor; default fills
    hostility_weight: float = MISSING
    provocation_weight: float = MISSING
    cooperation_weight: float = MISSING
    deterrence_weight: float = MISSING
    provocation_half_life_days: float = MISSING
    cooperative: CooperativeConf = field(default_factory=CooperativeConf)
    rungs: Dict[str, RungConf] = field(default_factory=dict)  # keys "1".."6" (the reciprocal rule)
    memory: MemoryConf = field(default_factory=MemoryConf)


@dataclass
class LadderConf:
    names: List[str] = MISSING
    roots: Dict[str, int] = MISSING
    acts: List[str] = MISSING
    acts_without_relations: Dict[str, str] = field(default_factory=dict)  # rung -> CAMEO code (issue 21)
    cooperative_acts: List[str] = MISSING
    thresholds: List[float] = MISSING
    cooperative_thresholds: List[float] = MISSING
    war_sustained_days: int = 3


@dataclass
class OccasionConf:
    share: float = 0.5  # weight of the l-th strongest act of an occasion: share^(l-1)
    cap: float = 1.0  # an occasion's joint magnitude per channel, in |w|/10 units
    window_days: int = 2  # an occasion's events must fit in this many consecutive days


@dataclass
class EventsConf:
    name: str = MISSING
    base: Optional[str] = None  # a shipped events config whose timeline comes first (sim/config/build.py)
    file: Optional[str] = None
    timeline: List[Any] = field(default_factory=list)
    occasion: OccasionConf = field(default_factory=OccasionConf)


@dataclass
class EnsembleConf:
    replicates: int = 1000
    seed: int = 0
    chunk_size: int = 10000
    chunk: int = 0
    chunks: int = 1
    workers: Any = "auto"  # "auto" (every core this process may use) or a whole number 1..64
    max_hours: float = 2.0  # refuse a run estimated to take longer (sim/runs/estimate.py)
    posterior: Optional[str] = None  # draws file (posterior.parquet of experiment=calibrate): per-replicate parameters
    posterior_draws: int = 50  # draws used (evenly spaced); replicate r takes draw r mod this


@dataclass
class RecordConf:
    replicates: int = 200
    trajectories: bool = True
    actions: bool = True
    bins: int = 1000
    scenarios: Optional[List[str]] = None  # scenarios with daily stats and recorded replicates (default: all)
    accumulators: bool = False  # write accumulators.npz (always when the ensemble is split into chunks)
    behaviorspace: bool = False  # also write behaviorspace.csv (NetLogo BehaviorSpace table format)


@dataclass
class CounterfactualConf:
    name: str = "none"
    question: Optional[str] = None
    ops: List[Any] = field(default_factory=list)
    leave_one_out: bool = False  # one counterfactual per timeline event: remove it (and its anchored events)
    effect_months: List[int] = field(default_factory=lambda: [3, 6, 12])
    effect_dates: List[str] = field(default_factory=list)
    target_half_width: float = 0.01  # for the "enough replications" diagnostic
    focus: Optional[str] = None  # dyad the answer sentence speaks of (default: the changed events' dyad)
    rank_rung: int = 3  # leave-one-out ranks P(rung >= this within 12 months) and tension
    answer_rung: Any = 3  # the answer sentence's P(rung >= this): 1..6, or auto (the rung that changes most)
    attribution_lags: List[int] = field(default_factory=lambda: [30, 90, 365])  # days after each event's own day
    rank_lag: int = 90  # leave-one-out rows are ranked by |tension effect| at this lag (one of attribution_lags)


@dataclass
class ReportConf:
    enabled: bool = True
    # figure files to write: png, svg, pdf (vector) -- a list, or one name (checked in sim/config/report.py)
    format: Any = field(default_factory=lambda: ["png"])
    paper: str = "screen"  # figure width: a4 | letter | screen
    dyads: Optional[List[str]] = None  # dyads of the per-dyad figures (default: all up to 9; sim/report/dyads.py)


@dataclass
class TriadConf:
    question: str = MISSING
    start: str = MISSING
    end: str = MISSING
    actors: Dict[str, ActorConf] = field(default_factory=dict)
    events: EventsConf = field(default_factory=EventsConf)
    dynamics: DynamicsConf = field(default_factory=DynamicsConf)
    decisions: DecisionsConf = field(default_factory=DecisionsConf)
    ladder: LadderConf = field(default_factory=LadderConf)
    ensemble: EnsembleConf = field(default_factory=EnsembleConf)
    record: RecordConf = field(default_factory=RecordConf)
    counterfactual: CounterfactualConf = field(default_factory=CounterfactualConf)
    report: ReportConf = field(default_factory=ReportConf)
    # exploration (sensitivity, discovery, calibrate): its keys are checked by sim/explore
    explore: Dict[str, Any] = field(default_factory=lambda: {"method": "none"})
    # rolling-origin backtest (experiment=backtest): its keys are checked by sim/forecast/options.py
    backtest: Dict[str, Any] = field(default_factory=lambda: {"enabled": False})


def leaves(cls: type = TriadConf, prefix: str = "") -> dict[str, Any]:
    """Dotted path -> type of every field below ``cls`` that is not a structured config
    itself; a mapping of structured configs (``actors``) is entered under the key ``X``."""
    out: dict[str, Any] = {}
    for name, tp in get_type_hints(cls).items():
        path = f"{prefix}{name}"
        args = get_args(tp)
        if is_dataclass(tp):
            out.update(leaves(tp, path + "."))
        elif get_origin(tp) is dict and is_dataclass(args[1]):
            out.update(leaves(args[1], path + ".X."))
        else:
            out[path] = tp
    return out
