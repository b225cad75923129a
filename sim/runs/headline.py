"""The headline lines as the terminal and the report show them: one format for every line,
``<what>, <scenario>: <per-dyad values>``, the scenario named explicitly (``baseline
(factual)`` and ``counterfactual NAME`` in a counterfactual run), dyads in sorted order.

summary.json keeps its ``headline`` (the baseline's lines) unchanged; the counterfactual
lines are made here from ``summary["scenarios"]`` with the same formatter."""
from __future__ import annotations

import re
from typing import Any, Mapping

from sim.runs import summary as S

_RUNG = re.compile(r"P\(reach rung (\d+), (.+?), by ")


def scenario_label(name: str, has_counterfactual: bool) -> str:
    if name == "baseline":
        return "baseline (factual)" if has_counterfactual else "baseline"
    return f"counterfactual {name}"


def _ladder_names(lines: list[str]) -> list[str]:
    names = [f"rung {k}" for k in range(7)]
    for line in lines:
        m = _RUNG.match(line)
        if m and int(m.group(1)) < 7:
            names[int(m.group(1))] = m.group(2)
    return names


def counterfactual_names(summ: Mapping[str, Any]) -> list[str]:
    """Counterfactual scenarios with their own summary block (not leave-one-out's many)."""
    scen = summ.get("scenarios") or {}
    return [n for n in sorted(summ.get("counterfactuals") or {}) if n in scen and n != "baseline"]


def headline_lines(summ: Mapping[str, Any]) -> list[str]:
    """Every headline line labelled by scenario; lines of runs without scenario blocks
    (explorations) unchanged."""
    base = [str(x) for x in summ.get("headline") or []]
    scen = summ.get("scenarios") or {}
    if "baseline" not in scen:
        return base
    cfs = counterfactual_names(summ)
    names, end = _ladder_names(base), str(summ.get("end", ""))
    cf_lines = {}
    for n in cfs:
        try:
            cf_lines[n] = S.headline(scen[n], names, end)
        except (KeyError, TypeError, IndexError):
            continue  # an older or partial record: show the baseline only
    out = []
    for i, line in enumerate(base):
        head, sep, rest = line.partition(": ")
        if not sep:
            out.append(line)
            continue
        out.append(f"{head}, {scenario_label('baseline', bool(cfs))}: {rest}")
        for n, lines in cf_lines.items():
            if i < len(lines):
                out.append(f"{head}, {scenario_label(n, True)}: {lines[i].partition(': ')[2]}")
    return out


def validation_line(summ: Mapping[str, Any]) -> str | None:
    """The GDELT comparison in the headline format (the baseline is what is compared; it is
    an in-sample fit: the defaults were tuned on these months)."""
    v = summ.get("validation") or {}
    if "overall_sign_agreement" not in v:
        return None
    recs = v.get("dyads") or {}
    dyads = "; ".join(f"{d} {recs[d]['sign_agreement']:.2f}" for d in sorted(recs))
    label = scenario_label("baseline", bool(counterfactual_names(summ)))
    return (f"GDELT sign agreement of monthly net relation {v['window'][0]}..{v['window'][1]} "
            f"({v.get('label', 'in-sample fit')}), {label}: {dyads}; all dyads {v['overall_sign_agreement']:.2f}")
