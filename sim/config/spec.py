"""One ``RunSpec`` from the plain config: everything a run needs, checked, in one call.

After ``build_spec`` no raw config travels: the engine's ``Settings``, the counterfactual
to compare (``CounterfactualSpec``, its ops typed), what to record and report. The
exploration settings stay a mapping here: ``sim/explore`` checks its own keys.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np

from sim import params
from sim.config.build import build_settings
from sim.config.checks import iso_date, number
from sim.config.ops import Op, parse_ops
from sim.config.report import report_options
from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.io import posterior


@dataclass(frozen=True)
class CounterfactualSpec:
    name: str
    question: str | None
    ops: tuple[Op, ...]
    leave_one_out: bool  # one counterfactual per timeline event: remove it (and its anchored events)
    effect_months: tuple[int, ...]
    effect_dates: tuple[dt.date, ...]
    target_half_width: float  # for the "enough replications" diagnostic
    focus: str | None  # dyad the answer sentence speaks of (None: the changed events' dyad)
    rank_rung: int  # leave-one-out ranks P(rung >= this within 12 months) and tension
    attribution_lags: tuple[int, ...] = (30, 90, 365)  # leave-one-out: days after each event's own day
    rank_lag: int = 90  # leave-one-out rows are ranked by |tension effect| at this lag
    answer_rung: int | None = 3  # the answer sentence's rung (None: auto, the rung that changes most)

    @property
    def single(self) -> bool:
        """One named counterfactual (not leave-one-out, not none)."""
        return not self.leave_one_out and (self.name != "none" or bool(self.ops))

    @property
    def raw_ops(self) -> list:
        """The ops as written (for summary.json)."""
        return [op.raw for op in self.ops]


@dataclass(frozen=True)
class RecordSpec:
    scenarios: tuple[str, ...] | None  # with daily stats and recorded replicates (None: all)
    accumulators: bool  # write accumulators.npz (always when the ensemble is split)
    behaviorspace: bool = False  # write behaviorspace.csv (sim/io/exports.py)


@dataclass(frozen=True)
class ReportSpec:
    enabled: bool
    formats: tuple[str, ...] = ("png",)  # figure files (report.format)
    paper: str = "screen"  # figure width (report.paper)


@dataclass(frozen=True)
class RunSpec:
    question: str
    settings: Settings
    counterfactual: CounterfactualSpec
    record: RecordSpec
    report: ReportSpec
    explore: Mapping[str, Any]  # method and its keys, checked by sim/explore
    max_hours: float = 2.0  # ensemble.max_hours: longer estimated runs are refused

    def parameter(self, path: str) -> float:
        """The configured value of one model parameter (``dynamics.reaction.IRN``; a
        ``default`` entry resolved), from the built settings."""
        hit = params.lookup(path, self.settings.actors)
        if hit is None:
            raise ConfigError(path, "not a model parameter (sim/params.py)")
        row, key = hit
        target = row.target.removeprefix("params.")
        value = self.settings.params.get(target) if row.target.startswith("params.") else getattr(self.settings, target)
        return float(np.asarray(value)[row.index(key, self.settings.actors)].flat[0])

    def scenario_names(self) -> list[str]:
        """The counterfactual scenarios this run pairs with the baseline."""
        cf = self.counterfactual
        if cf.leave_one_out:
            return [f"without_{ev.id}" for ev in self.settings.events]
        return [cf.name] if cf.single else []


def build_counterfactual(cf: Mapping[str, Any], settings: Settings) -> CounterfactualSpec:
    dates = tuple(iso_date(d, f"counterfactual.effect_dates[{k}]") for k, d in enumerate(cf["effect_dates"]))
    for k, d in enumerate(dates):
        if not settings.start <= d <= settings.end:
            raise ConfigError(f"counterfactual.effect_dates[{k}]", f"{d} is outside the horizon "
                              f"{settings.start} .. {settings.end}")
    months = tuple(int(m) for m in cf["effect_months"])
    if any(not 0 < m <= 1200 for m in months):
        raise ConfigError("counterfactual.effect_months", f"{list(months)}: months after the change must be in "
                          "[1, 1200]")
    if not 0 < cf["target_half_width"] <= 1:
        raise ConfigError("counterfactual.target_half_width", f"{cf['target_half_width']} is out of range; allowed: (0, 1]")
    if not 1 <= cf["rank_rung"] <= 6:
        raise ConfigError("counterfactual.rank_rung", f"{cf['rank_rung']} is out of range; allowed: 1..6")
    answer_rung = cf.get("answer_rung", 3)
    if answer_rung != "auto" and (isinstance(answer_rung, bool) or not isinstance(answer_rung, int)
                                  or not 1 <= answer_rung <= 6):
        raise ConfigError("counterfactual.answer_rung", f"{answer_rung!r} is not allowed; allowed: 1..6 or auto")
    lags, rank_lag = attribution_lags(cf)
    dyads = {"-".join(sorted(p)) for p in combinations(settings.actors, 2)}
    if cf.get("focus") and cf["focus"] not in dyads:
        raise ConfigError("counterfactual.focus", f"{cf['focus']!r}; allowed: {', '.join(sorted(dyads))}")
    if cf["leave_one_out"] and not settings.events:
        raise ConfigError("counterfactual.leave_one_out", "needs events to leave out, and the timeline has none "
                          "(events=none); choose a timeline with events")
    if cf["leave_one_out"] and cf["ops"]:
        raise ConfigError("counterfactual.ops", "leave_one_out builds its own ops; give no ops with it")
    single = not cf["leave_one_out"] and (cf["name"] != "none" or bool(cf["ops"]))
    if single and cf["name"] in ("none", "baseline"):
        raise ConfigError("counterfactual.name", f"{cf['name']!r} is reserved; name the counterfactual")
    return CounterfactualSpec(
        name=cf["name"], question=cf.get("question"), ops=parse_ops(cf["ops"], settings.actors),
        leave_one_out=bool(cf["leave_one_out"]), effect_months=months, effect_dates=dates,
        target_half_width=float(cf["target_half_width"]), focus=cf.get("focus"),
        rank_rung=int(cf["rank_rung"]), attribution_lags=lags, rank_lag=rank_lag,
        answer_rung=None if answer_rung == "auto" else answer_rung,
    )


MAX_LAG_DAYS = 3650  # ten years: longer than any horizon the timeline supports
MAX_LAGS = 10  # each lag keeps 12 running maxima per pair and replicate chunk


def attribution_lags(cf: Mapping[str, Any]) -> tuple[tuple[int, ...], int]:
    """``counterfactual.attribution_lags`` (distinct whole days in [1, 3650], at most 10,
    sorted) and ``counterfactual.rank_lag`` (one of them)."""
    raw = list(cf.get("attribution_lags", (30, 90, 365)))
    key = "counterfactual.attribution_lags"
    if not raw or len(raw) > MAX_LAGS:
        raise ConfigError(key, f"{raw}: give 1 to {MAX_LAGS} lags in days; allowed: whole days in [1, {MAX_LAG_DAYS}]")
    for k, v in enumerate(raw):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_LAG_DAYS:
            raise ConfigError(f"{key}[{k}]", f"{v!r} is not a lag in days; allowed: whole days in [1, {MAX_LAG_DAYS}]")
    if len(set(raw)) != len(raw):
        raise ConfigError(key, f"{raw} lists a lag twice; allowed: distinct whole days in [1, {MAX_LAG_DAYS}]")
    lags = tuple(sorted(raw))
    rank = cf.get("rank_lag", 90)
    if isinstance(rank, bool) or not isinstance(rank, int) or rank not in lags:
        raise ConfigError("counterfactual.rank_lag", f"{rank!r} is not one of counterfactual.attribution_lags; "
                          f"allowed: {', '.join(map(str, lags))}")
    return lags, rank


def _check_report_dyads(wanted: Any, actors: Sequence[str]) -> None:
    """``report.dyads``: names A-B (sorted) of configured actors, at least one."""
    if wanted is None:
        return
    dyads = sorted("-".join(sorted(p)) for p in combinations(actors, 2))
    if not wanted:
        raise ConfigError("report.dyads", f"an empty list; give dyads, e.g. [{dyads[0]}], or null for the default")
    for k, d in enumerate(wanted):
        if d not in dyads:
            raise ConfigError(f"report.dyads[{k}]", f"{d!r} is not a dyad of the configured actors (codes sorted, "
                              f"e.g. {dyads[0]}); allowed: {', '.join(dyads)}")


def build_spec(plain: Mapping[str, Any]) -> RunSpec:
    """Check a plain config (schema-validated: ``validate``) and build the run's spec."""
    settings = build_settings(plain)
    _check_report_dyads(plain["report"].get("dyads"), settings.actors)
    cf = build_counterfactual(plain["counterfactual"], settings)
    settings = posterior.attach(settings, plain["ensemble"], cf.ops)  # ensemble.posterior: per-replicate draws
    from sim.config.branching import check_draws, check_sets

    check_sets(settings.params, settings.actors, cf.ops, "counterfactual.ops")  # H8
    if getattr(settings, "posterior_draws", None):
        check_draws(settings.params, settings.actors, dict(settings.replicate_values), "ensemble.posterior")  # H7
    rec = plain["record"].get("scenarios")
    if rec is None and cf.leave_one_out:
        rec = ["baseline"]  # 20 removals would otherwise multiply memory and output
    spec = RunSpec(
        question=plain["question"], settings=settings, counterfactual=cf,
        record=RecordSpec(None if rec is None else tuple(rec), bool(plain["record"].get("accumulators")),
                          bool(plain["record"].get("behaviorspace"))),
        report=ReportSpec(bool(plain["report"]["enabled"]), *report_options(plain["report"])),
        explore=dict(plain["explore"]),
        max_hours=number(plain["ensemble"]["max_hours"], "ensemble.max_hours", 0.001, 1e6),
    )
    if rec is not None and "baseline" not in rec:
        raise ConfigError("record.scenarios", f"{list(rec)} leaves out 'baseline', the factual run every summary is "
                          "built from; list it first, e.g. [baseline]")
    if rec is not None:
        known = {"baseline", *spec.scenario_names()}
        bad = [r for r in rec if r not in known]
        if bad:
            raise ConfigError("record.scenarios", f"unknown scenario(s) {bad}; allowed: {', '.join(sorted(known))}")
    return spec
