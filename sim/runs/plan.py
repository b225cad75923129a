"""What a run simulates and compares: the factual baseline and its counterfactuals (one,
or one per event for leave-one-out attribution), and the summary of their comparison.
The counterfactual settings come checked in the ``RunSpec`` (``sim/config/spec.py``)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from sim.config.ops import Remove
from sim.config.spec import RunSpec
from sim.engine.events import dependents
from sim.engine.settings import Scenario, Settings
from sim.runs import effects
from sim.runs.counterfactual import Applied, apply_ops
from sim.runs.ensemble import PairPlan
from sim.runs.paired import intervals

log = logging.getLogger(__name__)

@dataclass
class Plan:
    baseline: Scenario
    pairs: list[PairPlan]
    applied: dict[str, Applied]
    event_of: dict[str, str]  # leave-one-out scenario -> event id
    recorded: list[str] | None


def plan_run(spec: RunSpec) -> Plan:
    """The factual baseline and the counterfactuals to pair with it."""
    settings, cf = spec.settings, spec.counterfactual
    baseline = Scenario("baseline", settings.events)
    pairs, applied, event_of = [], {}, {}
    if cf.leave_one_out:
        for ev in settings.events:
            name = f"without_{ev.id}"
            raw = {"remove": {"event": ev.id, "cascade": True}}
            a = apply_ops(name, [Remove("counterfactual.ops[0].remove", raw, ev.id, cascade=True)], settings)
            applied[name], event_of[name] = a, ev.id
            pairs.append(replace(effects.plan(a, settings, [12], [], p_months=12), event_id=ev.id,
                                 lags=cf.attribution_lags))
    elif cf.single:
        a = apply_ops(cf.name, cf.ops, settings)
        if a.first_change is not None and a.first_change > settings.end:
            log.warning("counterfactual %s: every change takes effect on or after %s, after the horizon's end %s: "
                        "nothing can differ; extend end to see an effect", cf.name, a.first_change, settings.end)
        for eid in moved_out(a, settings):
            log.warning("counterfactual %s: event %s now falls after the horizon's end %s: within the horizon this "
                        "is the same as removing it", cf.name, eid, settings.end)
        applied[cf.name] = a
        pairs.append(effects.plan(a, settings, list(cf.effect_months), list(cf.effect_dates)))
    rec = spec.record.scenarios
    return Plan(baseline, pairs, applied, event_of, None if rec is None else list(rec))


def counterfactual_summary(plan: Plan, paired: dict, spec: RunSpec) -> dict:
    settings, cf = spec.settings, spec.counterfactual
    hw = cf.target_half_width
    if cf.leave_one_out:
        # the events each row removes: its own and (cascade) those anchored to it, directly or not
        removed = {name: (ev, *dependents(list(settings.events), ev)) for name, ev in plan.event_of.items()}
        ranking = effects.attribution_ranking(paired, plan.event_of, settings, hw, cf.rank_rung, cf.rank_lag,
                                              removed=removed)
        lines = []
        for dyad, rows in ranking.items():
            r = rows[0]
            t = ((r.get("lags") or {}).get(str(cf.rank_lag)) or {}).get("tension") or r["tension"]
            lines.append(f"{dyad}: {r['event']} ({t['diff']:+.3f} [{t['lo']:+.3f}, {t['hi']:+.3f}])")
        n = settings.replicate_range()[1] - settings.replicate_range()[0]
        answer = ((cf.question or "").strip() + " " if cf.question else "") + (
            f"Leave-one-out over {len(paired)} events, {n} paired replicates: the event whose removal changes "
            f"tension {cf.rank_lag} days after the event's own date the most, per dyad (its own effect, "
            "95% CI): " + "; ".join(lines) + ".")
        return {"attribution": {"name": cf.name, "question": cf.question, "rank_rung": cf.rank_rung,
                                "attribution_lags": list(cf.attribution_lags), "rank_lag": cf.rank_lag,
                                "ranking": ranking, "answer": answer}}
    out = {}
    for name, pr in paired.items():
        a = plan.applied[name]
        eff = effects.effects(pr, settings, hw)
        focus = effects.focus_dyad(a, settings, cf.focus, eff)
        fc = a.first_change.isoformat() if a.first_change else None
        n = settings.replicate_range()[1] - settings.replicate_range()[0]
        out[name] = {
            "question": cf.question, "ops": cf.raw_ops, "first_change": fc,
            "changed_events": list(a.changed_events), "focus": focus, "target_half_width": hw,
            "answer": _after_end_note(a, settings)
            + effects.answer(name, cf.question, eff, focus, n, fc, settings.ladder.names,
                             endogenous=effects.scripts_escalation(a, settings, focus), rung=cf.answer_rung),
            "effects": eff, "route_changes": effects.route_changes(pr, settings),
            "intervals": intervals(settings.posterior_draws),
        }
    return {"counterfactuals": out}


def moved_out(a: Applied, settings: Settings) -> list[str]:
    """Events inside the horizon in the factual timeline that the counterfactual moves
    wholly after its end (a large ``shift``: M10)."""
    from sim.engine.events import possible_days

    before = {ev.id: ev for ev in settings.events}
    out = []
    for ev in a.scenario.events:
        old = before.get(ev.id)
        if old is None or ev == old:
            continue
        if min(possible_days(old, settings.events)) <= settings.end < min(possible_days(ev, a.scenario.events)):
            out.append(ev.id)
    return out


def _after_end_note(a: Applied, settings: Settings) -> str:
    """A counterfactual whose every change falls after the horizon has no effect by
    construction: the answer says so first, instead of reporting "no effect" as a finding.
    An event moved past the end is, within the horizon, removed: said too."""
    gone = moved_out(a, settings)
    if gone:
        return (f"{', '.join(gone)} now fall{'s' if len(gone) == 1 else ''} after the horizon's end {settings.end}: "
                "within the horizon this is the same as removing it. ")
    if a.first_change is None or a.first_change <= settings.end:
        return ""
    return (f"Every change of this counterfactual takes effect on or after {a.first_change}, after the horizon's "
            f"end {settings.end}, so nothing can differ (extend end to see an effect). ")


def outside_horizon(settings: Settings) -> list[str]:
    """Ids of events whose whole date window lies outside the horizon."""
    out = []
    for ev in settings.events:
        lo, hi = (d + dt.timedelta(days=ev.shift_days) for d in ev.window())
        if hi < settings.start or lo > settings.end:
            out.append(ev.id)
    return out
