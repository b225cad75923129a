"""Plans and read-outs of counterfactual comparisons: effect dates, paired effects,
route changes, leave-one-out attribution, and the one-sentence answer."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Mapping, Sequence

import numpy as np

from sim.engine.events import event_rung
from sim.engine.ladder import N_RUNGS
from sim.engine.settings import Settings
from sim.runs.counterfactual import Applied
from sim.runs.dates import add_months
from sim.runs.ensemble import PairPlan, PairResult
from sim.runs.routes import RouteStats, route_name
from sim.runs.stats import dyad_names
from sim.runs.summary import Z95, wilson


def plan(applied: Applied, settings: Settings, months: Sequence[int], dates: Sequence[dt.date],
         p_months: int | None = None) -> PairPlan:
    """Effect days: the end, ``months`` after the first change, and explicit ``dates``.
    P(rung) effects at the end, or ``p_months`` after the first change when given."""
    end = settings.n_days - 1
    days = {end}
    fc = applied.first_change
    if fc is not None:
        for m in months:
            days.add(settings.day_of(add_months(fc, m)))
    days |= {settings.day_of(d) for d in dates}
    days = {d for d in days if 0 <= d <= end}
    p_days = (end,)
    if p_months is not None and fc is not None:
        p_days = (min(end, max(0, settings.day_of(add_months(fc, p_months)))),)
    return PairPlan(applied.scenario, p_days, tuple(sorted(days | set(p_days))), daily=p_months is None)


def _iso(settings: Settings, day: int) -> str:
    return (settings.start + dt.timedelta(days=day)).isoformat()


def effects(pr: PairResult, settings: Settings, half_width: float) -> dict:
    """Paired effects per dyad: P(rung >= k by date) and values on the effect days."""
    names = dyad_names(settings.actors)
    out: dict[str, Any] = {}
    for d, dyad in enumerate(names):
        e: dict[str, Any] = {"p_rung_at_least": {}, "tension": {}, "net_relation": {}}
        for day in pr.plan.p_days:
            by = {str(k): pr.p[(day, d, k)].report(half_width) for k in range(1, N_RUNGS + 1)}
            if (day, d, 1, "endogenous") in pr.p:
                by["endogenous"] = {str(k): pr.p[(day, d, k, "endogenous")].report(half_width)
                                    for k in range(1, N_RUNGS + 1)}
            e["p_rung_at_least"][_iso(settings, day)] = by
        for var in ("tension", "net_relation"):
            for day in pr.plan.value_days:
                e[var][_iso(settings, day)] = pr.values[(var, day, d)].report(half_width)
        out[dyad] = e
    return dict(sorted(out.items()))


def route_table(routes: RouteStats, settings: Settings, top: int = 5) -> dict:
    """Per dyad: the most frequent routes with Wilson intervals and step-date quartiles,
    and the row-normalised rung-to-rung transition matrix (any act); the same three for
    the endogenous acts alone under ``endogenous`` when they were counted."""
    out = _route_block(routes, settings, top)
    if routes.endogenous is not None:
        for dyad, block in _route_block(routes.endogenous, settings, top).items():
            out[dyad]["endogenous"] = block
    return out


def _route_block(routes: RouteStats, settings: Settings, top: int) -> dict:
    names = dyad_names(settings.actors)
    trans = routes.transitions()
    out = {}
    for d, dyad in enumerate(names):
        order = np.argsort(-routes.counts[d], kind="stable")[:top]
        rows = []
        for mask in order:
            c = int(routes.counts[d, mask])
            if c == 0:
                break
            p, lo, hi = wilson(c, routes.n)
            steps = [{"rung": k, "q25": _iso(settings, q[0]), "median": _iso(settings, q[1]), "q75": _iso(settings, q[2])}
                     for k, q in zip([int(x) for x in route_name(int(mask)).split(">")[1:]],
                                     routes.step_quantiles(d, int(mask)))]
            rows.append({"route": route_name(int(mask)), "p": round(p, 6), "lo": round(lo, 6), "hi": round(hi, 6),
                         "steps": steps})
        t = trans[d].astype(float)
        tot = t.sum(axis=1, keepdims=True)
        out[dyad] = {"routes": rows,
                     "transitions": np.round(np.divide(t, tot, out=np.zeros_like(t), where=tot > 0), 6).tolist(),
                     "transition_counts": trans[d].tolist()}
    return dict(sorted(out.items()))


def route_changes(pr: PairResult, settings: Settings, top: int = 5) -> dict:
    """Paired change in the probability of each frequent route, per dyad."""
    names = dyad_names(settings.actors)
    out = {}
    for d, dyad in enumerate(names):
        nb, nc, both = pr.route_base[d], pr.route_cf[d], pr.route_both[d]
        n = int(nb.sum())
        masks = list(dict.fromkeys([*np.argsort(-nb, kind="stable")[:top], *np.argsort(-nc, kind="stable")[:top]]))
        rows = []
        for m in masks:
            if nb[m] == 0 and nc[m] == 0:
                continue
            s1 = int(nc[m] - nb[m])
            s2 = int(nb[m] - both[m] + nc[m] - both[m])
            var = (s2 - s1 * s1 / n) / (n - 1) if n > 1 else float("nan")
            half = Z95 * math.sqrt(max(var, 0.0) / n) if n > 1 else float("nan")
            diff = s1 / n
            rows.append({"route": route_name(int(m)), "baseline": round(nb[m] / n, 6), "counterfactual": round(nc[m] / n, 6),
                         "diff": round(diff, 6), "lo": round(diff - half, 6), "hi": round(diff + half, 6)})
        out[dyad] = sorted(rows, key=lambda r: -abs(r["diff"]))
    return dict(sorted(out.items()))


def focus_dyad(applied: Applied, settings: Settings, cfg_focus: str | None, eff: dict) -> str:
    """The dyad the answer speaks of: the configured one; else the dyad most of the changed
    events concern (ties: alphabetical); else (parameter changes only) the dyad whose
    tension changes most by the end."""
    if cfg_focus:
        return cfg_focus
    pairs = []
    for ev in {e.id: e for e in (*settings.events, *applied.scenario.events)}.values():
        if ev.id in applied.changed_events:
            pairs.append("-".join(sorted((ev.source, ev.target))))
    if pairs:
        return max(sorted(set(pairs)), key=pairs.count)
    end = settings.end.isoformat()
    return max(sorted(eff), key=lambda d: abs(eff[d]["tension"][end]["diff"]))


def scripts_escalation(applied, settings: Settings, focus: str) -> bool:
    """Whether the counterfactual removes, adds, moves, scales or re-attributes a scripted
    hostile act on the ladder in the focus dyad: then P(rung) by any act partly counts that
    act itself, and the answer speaks of the model's own (endogenous) escalation."""
    for ev in {e.id: e for e in (*settings.events, *applied.scenario.events)}.values():
        if ev.id in applied.changed_events and "-".join(sorted((ev.source, ev.target))) == focus:
            if ev.goldstein < 0 and event_rung(ev, settings.ladder) > 0:
                return True
    return False


def answer(name: str, question: str | None, eff: dict, focus: str, n: int, first_change: str | None,
           ladder_names: Sequence[str], endogenous: bool = False, rung: int | None = None) -> str:
    """One sentence with the numbers that answer the question; with ``endogenous`` the
    probabilities are of the model's own acts (the any-act figure in brackets). It speaks of
    P(rung >= ``rung``) (``counterfactual.answer_rung``), so the answers of a sweep's jobs
    compare; when another rung changes more, a clause names it. ``rung=None``: the rung
    that changes most."""
    e = eff[focus]
    (by, ps_any), = list(e["p_rung_at_least"].items())[:1]
    endogenous = endogenous and "endogenous" in ps_any
    ps = ps_any["endogenous"] if endogenous else ps_any
    most = max(range(1, N_RUNGS + 1), key=lambda j: (abs(ps[str(j)]["diff"]), -j))
    k = most if rung is None else rung
    p = ps[str(k)]
    other = ps[str(most)]
    larger = (f" The largest change is at rung {most} ({ladder_names[most]}): {other['diff']:+.3f} "
              f"[{other['lo']:+.3f}, {other['hi']:+.3f}]." if abs(other["diff"]) > abs(p["diff"]) else "")
    ten_dates = sorted(e["tension"])
    t_date = ten_dates[-1]
    if first_change:
        after = [d for d in ten_dates if d > first_change]
        t_date = max(after) if after else t_date
        twelve = add_months(dt.date.fromisoformat(first_change), 12).isoformat()
        t_date = twelve if twelve in e["tension"] else t_date
    t = e["tension"][t_date]
    head = f"{question.strip()} " if question else ""
    own = " by its own acts (endogenous escalation)" if endogenous else ""
    alt = (f" (by any act, scripted ones included: {ps_any[str(k)]['diff']:+.3f})" if endogenous else "")
    return (f"{head}Under '{name}' ({n} paired replicates), P({focus} reaches at least rung {k}, "
            f"{ladder_names[k]}, by {by}{own}) is {p['counterfactual']:.3f} against {p['baseline']:.3f} in the "
            f"factual run: {p['diff']:+.3f} [95% CI {p['lo']:+.3f}, {p['hi']:+.3f}]{_total(p)}{alt}; {focus} tension on "
            f"{t_date} changes by "
            f"{t['diff']:+.3f} [{t['lo']:+.3f}, {t['hi']:+.3f}]{_total(t)} (from {t['baseline']:.3f} to "
            f"{t['counterfactual']:.3f}).{larger} {_interval_words(p)}")


def _total(rec: dict) -> str:
    """The total interval over the posterior after the CRN one, when the run has one."""
    return f" (total over the posterior [{rec['total_lo']:+.3f}, {rec['total_hi']:+.3f}])" if "total_lo" in rec else ""


def _interval_words(rec: dict) -> str:
    if "total_lo" in rec:
        return ("The first interval of each pair is the common-random-number 95% interval (simulation noise only); "
                "'total over the posterior' is the 95% interval with parameter uncertainty from the posterior draws "
                "plus simulation noise.")
    return ("Intervals are common-random-number 95% intervals: simulation noise only; this run has no posterior "
            "(ensemble.posterior), so parameter uncertainty is not included.")


def _lag_block(pr: PairResult, d: int, rung: int, half_width: float, flip) -> dict:
    """The event's own effect (minus the removal's) L days after its realised day, per lag."""
    out = {}
    for L in pr.plan.lags:
        e: dict[str, Any] = {}
        for key in ("tension", "net_relation", f"p_{rung}", f"p_{rung}_endogenous"):
            metric = pr.lagged.get((key, L, d))
            name = key if not key.startswith("p_") else "p_rung_at_least_" + key[2:]
            e[name] = flip(metric.report(half_width)) if metric is not None and metric.diff.n else None
        metric = pr.lagged.get(("tension", L, d))
        e["n"] = metric.diff.n if metric is not None else 0
        out[str(L)] = e
    return out


def _rank_key(row: dict, rank_lag: int) -> float:
    t = ((row.get("lags") or {}).get(str(rank_lag)) or {}).get("tension") or row.get("tension")
    return -abs(t["diff"]) if t else 0.0


def self_scored(removed: Sequence[str], settings: Settings, dyad: str, rung: int) -> list[str]:
    """The removed events that put ``dyad`` at rung ≥ ``rung`` themselves: for them an effect on
    "reaches rung ≥ k (any act)" is a tautology (the event scores the metric), not an effect."""
    out = []
    for ev in settings.events:
        if ev.id in removed and "-".join(sorted((ev.source, ev.target))) == dyad \
                and event_rung(ev, settings.ladder) >= rung:
            out.append(ev.id)
    return out


def attribution_ranking(pairs: Mapping[str, PairResult], event_of: Mapping[str, str], settings: Settings,
                        half_width: float, rung: int = 3, rank_lag: int = 90,
                        removed: Mapping[str, Sequence[str]] | None = None) -> dict:
    """Leave-one-out ranking per dyad: each event's effect on tension 12 months after it,
    and on P(rung >= ``rung`` within 12 months), and the same at each of the pairs' lags
    after the event's own day; the effect of an event is minus the effect of removing it.
    Rows are ranked by |tension effect| ``rank_lag`` days after the event
    (``counterfactual.rank_lag``)."""
    names = dyad_names(settings.actors)
    out: dict[str, list] = {}
    for d, dyad in enumerate(names):
        rows = []
        for name, pr in pairs.items():
            (pday,) = pr.plan.p_days
            t = pr.values[("tension", pday, d)].report(half_width) if ("tension", pday, d) in pr.values else None
            p = pr.p[(pday, d, rung)].report(half_width)
            flip = lambda r: {"diff": -r["diff"], "lo": -r["hi"], "hi": -r["lo"]}  # noqa: E731
            row = {"event": event_of[name], "horizon_date": _iso(settings, pday),
                   "tension": flip(t) if t else None, f"p_rung_at_least_{rung}": flip(p)}
            if removed is not None:  # issue 21: what the row removes, and whether it scores itself
                row["removed_events"] = list(removed.get(name, (event_of[name],)))
                own = self_scored(row["removed_events"], settings, dyad, rung)
                row["self_scored"] = own
                if own:  # suppressed: the any-act metric counts the removed event's own rung
                    row[f"p_rung_at_least_{rung}"] = None
            if (pday, d, rung, "endogenous") in pr.p:
                row[f"p_rung_at_least_{rung}_endogenous"] = flip(pr.p[(pday, d, rung, "endogenous")].report(half_width))
            if pr.plan.lags:
                row["lags"] = _lag_block(pr, d, rung, half_width, flip)
                if removed is not None and row["self_scored"]:
                    for block in row["lags"].values():
                        block[f"p_rung_at_least_{rung}"] = None
            rows.append(row)
        out[dyad] = sorted(rows, key=lambda r: _rank_key(r, rank_lag))
    return dict(sorted(out.items()))
