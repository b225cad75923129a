"""What a run simulates and compares: the factual baseline and its counterfactuals (one,
or one per event for leave-one-out attribution), and the summary of their comparison."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from sim.runs import effects
from sim.runs.counterfactual import Applied, apply_ops
from sim.runs.ensemble import PairPlan
from sim.errors import ConfigError, TriadError
from sim.engine.events import parse_date
from sim.engine.settings import Scenario, Settings
from sim.runs.stats import dyad_names


@dataclass
class Plan:
    baseline: Scenario
    pairs: list[PairPlan]
    applied: dict[str, Applied]
    event_of: dict[str, str]  # leave-one-out scenario -> event id
    recorded: list[str] | None


def plan_run(cfg: Mapping[str, Any], settings: Settings) -> Plan:
    """The factual baseline and the counterfactuals to pair with it."""
    cf = cfg["counterfactual"]
    baseline = Scenario("baseline", settings.events)
    rec = cfg["record"].get("scenarios")
    dates = [_cf_date(d, f"counterfactual.effect_dates[{k}]") for k, d in enumerate(cf["effect_dates"])]
    for k, d in enumerate(dates):
        if not settings.start <= d <= settings.end:
            raise ConfigError(f"counterfactual.effect_dates[{k}]", f"{d} is outside the horizon "
                              f"{settings.start} .. {settings.end}")
    months = [int(m) for m in cf["effect_months"]]
    if any(m <= 0 for m in months):
        raise ConfigError("counterfactual.effect_months", f"{months}: months after the change must be > 0")
    if not 0 < cf["target_half_width"] <= 1:
        raise ConfigError("counterfactual.target_half_width", f"{cf['target_half_width']} is out of range; allowed: (0, 1]")
    if not 1 <= cf["rank_rung"] <= 6:
        raise ConfigError("counterfactual.rank_rung", f"{cf['rank_rung']} is out of range; allowed: 1..6")
    if cf.get("focus") and cf["focus"] not in dyad_names(settings.actors):
        raise ConfigError("counterfactual.focus", f"{cf['focus']!r}; allowed: {', '.join(sorted(dyad_names(settings.actors)))}")
    pairs, applied, event_of = [], {}, {}
    if cf["leave_one_out"]:
        if cf["ops"]:
            raise ConfigError("counterfactual.ops", "leave_one_out builds its own ops; give no ops with it")
        for ev in settings.events:
            name = f"without_{ev.id}"
            a = apply_ops(name, [{"remove": {"event": ev.id, "cascade": True}}], settings, cfg)
            applied[name], event_of[name] = a, ev.id
            pairs.append(effects.plan(a, settings, [12], [], p_months=12))
        rec = rec if rec is not None else ["baseline"]
    elif cf["name"] != "none" or cf["ops"]:
        if cf["name"] in ("none", "baseline"):
            raise ConfigError("counterfactual.name", f"{cf['name']!r} is reserved; name the counterfactual")
        a = apply_ops(cf["name"], cf["ops"], settings, cfg)
        applied[cf["name"]] = a
        pairs.append(effects.plan(a, settings, months, dates))
    if rec is not None:
        known = {"baseline", *applied}
        bad = [r for r in rec if r not in known]
        if bad:
            raise ConfigError("record.scenarios", f"unknown scenario(s) {bad}; allowed: {', '.join(sorted(known))}")
    return Plan(baseline, pairs, applied, event_of, rec)


def _cf_date(value: Any, key: str) -> dt.date:
    try:
        return parse_date(value, key)
    except TriadError as exc:
        raise ConfigError(key, str(exc).split(": ", 1)[1]) from None


def counterfactual_summary(plan: Plan, paired: dict, settings: Settings, cfg: Mapping[str, Any]) -> dict:
    cf = cfg["counterfactual"]
    hw = float(cf["target_half_width"])
    if cf["leave_one_out"]:
        ranking = effects.attribution_ranking(paired, plan.event_of, settings, hw, int(cf["rank_rung"]))
        lines = []
        for dyad, rows in ranking.items():
            r = rows[0]
            lines.append(f"{dyad}: {r['event']} ({r['tension']['diff']:+.3f} [{r['tension']['lo']:+.3f}, "
                         f"{r['tension']['hi']:+.3f}])")
        n = settings.replicate_range()[1] - settings.replicate_range()[0]
        answer = ((cf.get("question") or "").strip() + " " if cf.get("question") else "") + (
            f"Leave-one-out over {len(paired)} events, {n} paired replicates: the event whose removal changes "
            "tension 12 months on the most, per dyad (its own effect, 95% CI): " + "; ".join(lines) + ".")
        return {"attribution": {"name": cf["name"], "question": cf.get("question"), "rank_rung": int(cf["rank_rung"]),
                                "ranking": ranking, "answer": answer}}
    out = {}
    for name, pr in paired.items():
        a = plan.applied[name]
        eff = effects.effects(pr, settings, hw)
        focus = effects.focus_dyad(a, settings, cf.get("focus"), eff)
        fc = a.first_change.isoformat() if a.first_change else None
        n = settings.replicate_range()[1] - settings.replicate_range()[0]
        out[name] = {
            "question": cf.get("question"), "ops": cf["ops"], "first_change": fc,
            "changed_events": list(a.changed_events), "focus": focus, "target_half_width": hw,
            "answer": effects.answer(name, cf.get("question"), eff, focus, n, fc, settings.ladder.names),
            "effects": eff, "route_changes": effects.route_changes(pr, settings),
        }
    return {"counterfactuals": out}
