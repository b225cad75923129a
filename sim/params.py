"""The model's numeric parameters: one row each (``PARAMS``), read by everything that names them.

Readers: the range checks and the build of ``ModelParams`` (``sim/config/build.py``), the
paths that may vary per replicate (``sim/engine/replicate_params.py``, and through it the
exploration box), the paths a counterfactual ``set`` may change (``sim/config/ops.py``),
and the parameter table of ``docs/ODD.md`` (``markdown()``, written by
``scripts/param_table.py``). A test checks the rows against the structured schema and the
defaults against ``conf/``.

Run settings that are not model parameters (ensemble, record, ladder, counterfactual and
explore settings) are not rows: their checks stay in ``sim/config`` and the ODD describes
them by hand.

A row's ``path`` is the config key; a per-actor value sits below it keyed by actor code
(``dynamics.reaction.IRN``), a per-pair value keyed ``SRC_TGT`` (``dynamics.grievance.IRN_ISR``),
except ``actors.X.capability``, where ``X`` is the actor. ``target`` is where the built
value lives in ``Settings`` (``params.drift.reaction``: an (N, 1) array, the trailing axis
for replicates; ``params.capability``: (N,); ``initial_hostility``: (N, N)).

Adding a parameter: a row here, a field in the schema (``sim/config/schema.py``) and the
yaml default, its field in ``DriftParams``/``DecisionParams``/``ModelParams``, and its use
in the engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

ACTOR, PAIR, SCALAR, RUNG = "actor", "pair", "scalar", "rung"
RUNGS = ("1", "2", "3", "4", "5", "6")  # keys of per-rung values (decisions.rungs.K.*, excitation.K)
RATE_MAX = 1.0  # per day: a rate above 1/day has no meaning at a one-day step

Default = Union[float, Mapping[str, float]]


@dataclass(frozen=True)
class Param:
    path: str  # dotted config key (see the module docstring for X and the keyed values)
    shape: str  # ACTOR, PAIR or SCALAR
    unit: str
    lo: float  # allowed range, inclusive (ints and floats as the error messages print them)
    hi: float
    default: Default  # as in conf/
    target: str  # attribute path in Settings of the built value
    settable: bool  # a counterfactual `set` may change it from a date
    varies: bool  # may take one value per replicate (exploration)
    meaning: str
    why: str = ""  # the reason for the default (docs/ODD.md)

    def entry(self, key: str | None) -> str:
        """The dotted path of one value: ``key`` is the actor code or ``SRC_TGT`` pair."""
        if self.shape == SCALAR:
            return self.path
        return self.path.replace(".X.", f".{key}.") if ".X." in self.path else f"{self.path}.{key}"

    def keys(self, actors: Sequence[str]) -> list[str | None]:
        """The keys of the values for these actors, in engine order."""
        if self.shape == SCALAR:
            return [None]
        if self.shape == ACTOR:
            return list(actors)
        if self.shape == RUNG:
            return list(RUNGS)
        return [f"{a}_{b}" for a in actors for b in actors if a != b]

    def entries(self, actors: Sequence[str]) -> list[str]:
        return [self.entry(k) for k in self.keys(actors)]

    def index(self, key: str | None, actors: Sequence[str]) -> tuple[int, ...]:
        """Array index of the value ``key`` (``()`` for a scalar)."""
        if self.shape == SCALAR:
            return ()
        if self.shape == ACTOR:
            return (list(actors).index(key),)
        if self.shape == RUNG:
            return (RUNGS.index(str(key)),)
        a, b = str(key).split("_")
        return (list(actors).index(a), list(actors).index(b))


def _actor(path: str, unit: str, default: Default, meaning: str, why: str, lo: float = 0.0, hi: float = RATE_MAX,
           target: str | None = None) -> Param:
    return Param(path, ACTOR, unit, lo, hi, default, target or "params.drift." + path.split(".")[-1],
                 True, True, meaning, why)


def _pair(path: str, default: Default, meaning: str, why: str) -> Param:
    return Param(path, PAIR, "1/day", -RATE_MAX, RATE_MAX, default, "params.drift." + path.split(".")[-1],
                 True, True, meaning, why)


def _scalar(path: str, unit: str, lo: float, hi: float, default: float, target: str, meaning: str,
            why: str) -> Param:
    return Param(path, SCALAR, unit, lo, hi, default, target, True, True, meaning, why)


def _each(v: float) -> dict[str, float]:
    return {"ISR": v, "AZE": v, "IRN": v}


def _rung(field: str, unit: str, lo: float, hi: float, default: Sequence[float], meaning: str, why: str) -> Param:
    return Param(f"decisions.rungs.X.{field}", RUNG, unit, lo, hi, dict(zip(RUNGS, default)),
                 f"params.decisions.rung_{field}", True, True, meaning, why)


def _memory(field: str, unit: str, lo: float, hi: float, default: Default, meaning: str, why: str,
            varies: bool = True) -> Param:
    return Param(f"decisions.memory.{field}", RUNG if isinstance(default, Mapping) else SCALAR, unit, lo, hi,
                 default, "params.decisions.memory_" + field.replace(".", "_"), True, varies, meaning, why)


# In the order of the ODD table and of the range checks (the first bad value is reported).
PARAMS: tuple[Param, ...] = (
    _actor("dynamics.reaction", "1/day", {"ISR": 0.010, "AZE": 0.010, "IRN": 0.012},
           "Richardson k: i answers j's hostility",
           "kept well below restraint (k/a ≤ 0.6) so every pair is stable with margin for the act feedback "
           "(below). IRN slightly higher — interpretation: Iran answers Israel's and Azerbaijan's moves most "
           "readily in the article; unsure, the config gives no reason."),
    _actor("dynamics.restraint", "1/day", {"ISR": 0.020, "AZE": 0.025, "IRN": 0.020},
           "Richardson a: hostility fades (half-life ln2/a)",
           "hostility half-life ln2/a ≈ 35 days (AZE 28 days — interpretation: Azerbaijan's stated aim of good "
           "ties with all)."),
    _actor("dynamics.balance", "1/day", _each(0.002), "structural-balance coupling",
           "small: at the initial state it adds at most ≈0.0011/day (IRN→AZE), of the order of the grievances, "
           "so it steers without dominating."),
    _scalar("dynamics.balance_cases.friend_of_friend", "weight", 0, 10, 1.0, "params.balance_ff",
            "structural balance, Heider's case 'friend of friend': i's friend m is j's friend: i's cooperation toward j rises (C_im C_jm)",
            "every case at full weight: balance pushes every triad toward consistency (Heider 1946; Cartwright & Harary 1956)."),
    _scalar("dynamics.balance_cases.enemy_of_friend", "weight", 0, 10, 1.0, "params.balance_ef",
            "structural balance, Heider's case 'enemy of friend': i's friend m is j's enemy: i's hostility toward j rises (C_im H_jm)",
            "same."),
    _scalar("dynamics.balance_cases.friend_of_enemy", "weight", 0, 10, 1.0, "params.balance_fe",
            "structural balance, Heider's case 'friend of enemy': i's enemy m is j's friend: i's hostility toward j rises (H_im C_jm)",
            "same."),
    _scalar("dynamics.balance_cases.enemy_of_enemy", "weight", 0, 10, 1.0, "params.balance_ee",
            "structural balance, Heider's case 'enemy of enemy': i's enemy m is j's enemy: i's cooperation toward j rises (H_im H_jm)",
            "same."),
    _actor("dynamics.cooperation_damping", "1/day", _each(0.005), "cooperation lowers hostility",
           "weak cross term (¼ of restraint)."),
    _actor("dynamics.reciprocity", "1/day", _each(0.005), "i answers j's cooperation",
           "¼ of decay, so the cooperative pair is strongly stable."),
    _actor("dynamics.decay", "1/day", _each(0.020), "cooperation fades without upkeep",
           "half-life ≈ 35 days. Chosen with the impulse sizes so the cooperative act loop stays weaker than "
           "net decay (below)."),
    _actor("dynamics.hostility_drag", "1/day", _each(0.005), "hostility erodes cooperation", "weak cross term."),
    _pair("dynamics.grievance",
          {"ISR_AZE": 0.00146, "ISR_IRN": 0.0053, "AZE_ISR": 0.0016,
           "AZE_IRN": 0.00399, "IRN_ISR": 0.00572, "IRN_AZE": 0.00349},
          "constant drive of i's hostility toward j",
          "computed by `scripts/anchor_equilibrium.py` so the initial state is the no-event resting point (§5)."),
    _pair("dynamics.affinity",
          {"ISR_AZE": 0.00741, "ISR_IRN": 0.00173, "AZE_ISR": 0.00739,
           "AZE_IRN": 0.00735, "IRN_ISR": 0.00196, "IRN_AZE": 0.00638},
          "constant drive of i's cooperation toward j", "same."),
    Param("dynamics.initial.hostility", PAIR, "state", 0, 1,
          {"ISR_AZE": 0.03, "ISR_IRN": 0.85, "AZE_ISR": 0.03, "AZE_IRN": 0.25, "IRN_ISR": 0.90, "IRN_AZE": 0.30},
          "initial_hostility", False, False, "hostility of i toward j on the first day",
          "article background (§5)."),
    Param("dynamics.initial.cooperation", PAIR, "state", 0, 1,
          {"ISR_AZE": 0.60, "ISR_IRN": 0.02, "AZE_ISR": 0.60, "AZE_IRN": 0.40, "IRN_ISR": 0.02, "IRN_AZE": 0.35},
          "initial_cooperation", False, False, "cooperation of i toward j on the first day",
          "article background (§5)."),
    _scalar("dynamics.status.grievance", "1/day per unit Δρ", 0, 1, 0.0007, "params.status_grievance",
            "a dyad's rupture index Δρ (change of its diplomatic statuses since the start) adds this × Δρ to "
            "both grievances",
            "about a fifth of AZE–IRN's grievance per unit Δρ: the article's ruptures (Δρ +1.0) move AZE–IRN's "
            "resting tension by ≈ +0.1 (docs/design/escalation.md §4.3)."),
    _scalar("dynamics.status.affinity", "1/day per unit Δρ", 0, 1, 0.0007, "params.status_affinity",
            "… and subtracts this × Δρ from both affinities", "same."),
    Param("dynamics.status.reopen_half_life_days", SCALAR, "day", 1, 1e9, 370.0,
          "params.status_reopen_half_life_days", False, False,
          "half-life of a downgraded status (suspended embassy, recalled ambassador, reduced staff): it returns "
          "to normal after a geometric delay drawn when the event downgrades it (1e9: never)",
          "a prior from one case: Baku suspended its Tehran embassy on 27 Jan 2023 and reopened it on 15 Jul 2024, "
          "535 days; the exponential law whose mean is that delay has a half-life of 535·ln 2 ≈ 370 days."),
    _scalar("dynamics.noise.hostility", "1/√day", 0, 1, 0.01, "params.noise_hostility",
            "σ of the daily Gaussian increment of hostility",
            "with restraint 0.02 the stationary spread is ≈ σ/√(2a) ≈ 0.05 — day-to-day drift of perceptions "
            "small against event impulses."),
    _scalar("dynamics.noise.cooperation", "1/√day", 0, 1, 0.01, "params.noise_cooperation",
            "σ of the daily Gaussian increment of cooperation", "same with decay 0.02."),
    _scalar("dynamics.impulse.hostility", "per |w|/10", 0, 1, 0.15, "params.impulse_hostility",
            "target's H toward the source rises by this × |Goldstein|/10",
            "a criticism (w = −2) +0.03, an expulsion (−5) +0.075, the attack (−9) +0.135. Size chosen with "
            "decay/thresholds so the act loop stays weaker than net restraint (below)."),
    _scalar("dynamics.impulse.cooperation", "per w/10", 0, 1, 0.10, "params.impulse_cooperation",
            "target's C toward the source rises by this × Goldstein/10",
            "praise (+3.4) +0.034, signed agreement (+8) +0.08."),
    _scalar("dynamics.impulse.commitment", "per |w|/10", 0, 1, 0.03, "params.impulse_commitment",
            "the actor's own H (or C) toward the target, per act", "acting commits the actor a little."),

    _scalar("decisions.hostility_weight", "latent per unit H", 0, 100, 6.0, "params.decisions.hostility_weight",
            "weight of the actor's hostility in the hostile-act latent",
            "spreads H ∈ [0, 1] over 6 logits: at H ≈ 0.9 an actor acts a few % of days, at H ≤ 0.3 practically "
            "never (table in 7c)."),
    _scalar("decisions.provocation_weight", "latent per unit P", 0, 100, 1.5, "params.decisions.provocation_weight",
            "weight of remembered provocations in the hostile-act latent",
            "a criticism received (P +0.2) raises the odds of answering by ×1.35, the attack (P +0.9) by ×3.9. "
            "Kept low (with the half-life) so the provocation loop (act → P → counter-act) stays weak (below)."),
    _scalar("decisions.cooperation_weight", "latent per unit C", 0, 100, 3.0, "params.decisions.cooperation_weight",
            "weight of cooperation restraining hostile acts",
            "cooperation restrains hostile acts at half the weight of hostility."),
    _scalar("decisions.deterrence_weight", "latent per unit capability", 0, 100, 2.0,
            "params.decisions.deterrence_weight",
            "deterrence: the target's capability minus the actor's lowers the hostile latent",
            "a capability gap of 0.2 shifts the odds by ×1.5 (e^0.4)."),
    _scalar("decisions.provocation_half_life_days", "day", 0.01, 1e6, 14.0,
            "params.decisions.provocation_half_life_days", "half-life of the provocation memory P",
            "provocations matter for about two weeks (mean memory ≈ 20 days); short for the same loop-stability "
            "reason."),
    _scalar("decisions.cooperative.cooperation_weight", "latent per unit C", 0, 100, 6.0,
            "params.decisions.coop_cooperation_weight", "weight of cooperation in the cooperative-act latent",
            "mirror of `hostility_weight`."),
    _scalar("decisions.cooperative.hostility_weight", "latent per unit H", 0, 100, 6.0,
            "params.decisions.coop_hostility_weight", "weight of hostility suppressing cooperative acts",
            "hostility suppresses cooperative acts as strongly as cooperation promotes them."),
    # the reciprocal rule (default; docs/ODD.md §7c, docs/design/escalation.md §2-3)
    _rung("rate", "1/day", 0, 1, (0.0444, 0.00121, 0.00303, 0.0205, 0.00137, 0.000010),
          "reciprocal rule: base hazard of a rung-K act by a fully hostile actor (H = 1, P = 0, C = 0, equal "
          "capability)",
          "issue 21: posterior medians on ICEWS21 coded dyad-days, Jan–May 2021, state actors on both ends "
          "(docs/calibration.md): the issue-12 rates × 1.48 (rung 1), × 1.01 (rungs 2–3), × 3.42 (rungs 4–5); "
          "rung 6 kept (no data)."),
    _rung("hostility", "log-rate per unit H", 0, 50, (2, 3, 3, 3, 5, 8),
          "reciprocal rule: log rate ratio of a rung-K act per unit of hostility (applied to H − 1)",
          "strikes and war need high hostility; kept modest because it sets the strength of the act loop "
          "(loop margin 1.72 for IRN–ISR)."),
    _rung("provocation", "log-rate per unit P", 0, 50, (1, 1, 1, 1, 1, 1),
          "reciprocal rule: log rate ratio per unit of remembered provocation P", "a fresh heavy act multiplies every rate by e."),
    _rung("cooperation", "log-rate per unit C", 0, 50, (5, 5, 3, 6, 6, 6),
          "reciprocal rule: log rate reduction per unit of cooperation",
          "cooperation, not hostility, separates the hostile dyad from the cool ones."),
    _rung("deterrence", "log-rate per unit capability", 0, 50, (0, 0, 1, 2, 2, 2),
          "reciprocal rule: log rate reduction per unit of the target's capability advantage",
          "words are not deterred; force is (a 0.2 gap: × 0.67 on rungs 4–6)."),
    _rung("rupture", "log-rate per unit Δρ", 0, 50, (0.5, 0.5, 0.3, 0.3, 0.5, 0.5),
          "reciprocal rule: log rate ratio per unit of the dyad's diplomatic rupture Δρ (dynamics.status), both "
          "directions",
          "a suspended embassy and a recalled ambassador (Δρ 0.6) raise words and strikes × 1.35, shows of force "
          "and covert acts × 1.2: a rupture removes channels that defuse crises (docs/design/escalation.md §3.1)."),
    _memory("half_life_days", "day", 0.01, 1e6, 30.0, "half-life of the memory of received acts (the Hawkes kernel)",
            "MID 4.3 incidents 1992–2010: median delay of the reply 31 days; Iran's reciprocal expulsion came 29 days "
            "after Azerbaijan's."),
    _memory("excitation", "replies per act", 0, 10, dict(zip(RUNGS, (0.239, 0.334, 0.191, 0.191, 0.286, 0.0))),
            "expected number of direct replies to one received rung-K act (branching ratio, at equal capability)",
            "issue 21: the issue-12 values (0.5, 0.7, 0.4, 0.4, 0.6, 0: tit-for-tat routine, Goldstein & Freeman "
            "1991; MID: 33 % of displays and 24 % of uses of force answered) × 0.477, the ICEWS21 posterior median "
            "(docs/calibration.md). "
            "Checked at load: the spectral radius of the pair's reply matrix must be < 1 (design §2.4), so cascades die out."),
    _memory("spread.down", "share", 0, 1, 0.2, "share of replies one rung below the received act (the three shares are normalised to sum 1 over the rungs 1–5 a reply can take)",
            "MID replies to displays and uses: 18 % a level lower, 63 % the same, 19 % higher.", varies=False),
    _memory("spread.same", "share", 0, 1, 0.6, "share of replies at the rung of the received act", "same.",
            varies=False),
    _memory("spread.up", "share", 0, 1, 0.2, "share of replies one rung above the received act", "same.",
            varies=False),
    _memory("deterrence_weight", "per capability unit", 0, 100, 1.0,
            "the replier's capability minus the source's scales its replies by exp(weight × difference)",
            "a 0.2 capability gap: × 1.22 for the stronger side, × 0.82 for the weaker."),
    _memory("discharge", "share", 0, 1, 1.0,
            "share of the replier's received traces at or below a rung that its act at that rung settles",
            "tit-for-tat: a reply settles what it answers, so one act is not answered twice."),
    _memory("cross_target", "share", 0, 1, 0.38,
            "cross-target channel: an act of j on i adds this × (C_ja + C_aj)/2 × H_ia to i's memory trace toward "
            "every third actor a (j's partner, as far as i already distrusts a), so i's replies may go to a",
            "Iran reads Azerbaijan as Israel's platform (the article; its 2021 coded acts cannot separate the channel: "
            "calibrated jointly with the rates on ICEWS21, docs/calibration.md)."),
    _actor("actors.X.capability", "relative", {"ISR": 0.85, "AZE": 0.45, "IRN": 0.65},
           "military capability; used only by the deterrence term",
           "relative judgement of military capability (ordering ISR > IRN > AZE). Not derived from data.",
           lo=0, hi=1, target="params.capability"),
)

BY_PATH = {p.path: p for p in PARAMS}


def lookup(path: str, actors: Sequence[str]) -> tuple[Param, str | None] | None:
    """The row and key of the dotted path of one value (``dynamics.reaction.IRN``), else None."""
    if path in BY_PATH and BY_PATH[path].shape == SCALAR:
        return BY_PATH[path], None
    parts = path.split(".")
    for n in range(1, len(parts) - 1):  # a value inside each key's entry (actors.X.capability, rungs.X.rate)
        row = BY_PATH.get(".".join(parts[:n] + ["X"] + parts[n + 1:]))
        if row is not None:
            return (row, parts[n]) if parts[n] in row.keys(actors) else None
    head, _, key = path.rpartition(".")
    row = BY_PATH.get(head)
    if row is None or row.shape == SCALAR or ".X." in row.path or key not in row.keys(actors):
        return None
    return row, key


def varying(actors: Sequence[str]) -> list[str]:
    """Every dotted path that may take one value per replicate."""
    return [e for p in PARAMS if p.varies for e in p.entries(actors)]


def _number(x: float) -> str:
    if isinstance(x, float) and x >= 1e4 and math.log10(x).is_integer():
        return "10" + str(int(math.log10(x))).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{x:g}".replace("-", "−")


def _default(p: Param) -> str:
    if not isinstance(p.default, Mapping):
        return _number(p.default)
    values = list(p.default.values())
    if p.shape == ACTOR and len(set(values)) == 1:
        return f"{_number(values[0])} each"
    return ", ".join(f"{k} {_number(v)}" for k, v in p.default.items())


def markdown() -> str:
    """The ODD's parameter table (docs/ODD.md, between the ``params`` markers)."""
    shape = {ACTOR: "actor", PAIR: "pair `SRC_TGT`", SCALAR: "—", RUNG: "rung `K`"}
    rows = ["| key | per | unit | default | allowed | `set` | per replicate | meaning; why this value |",
            "|---|---|---|---|---|---|---|---|"]
    for p in PARAMS:
        cells = [f"`{p.path}`", shape[p.shape], p.unit, _default(p), f"[{_number(p.lo)}, {_number(p.hi)}]",
                 "yes" if p.settable else "no", "yes" if p.varies else "no",
                 f"{p.meaning}; {p.why}" if p.why else p.meaning]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
