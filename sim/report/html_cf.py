"""HTML sections for counterfactual comparisons and leave-one-out attribution.

Every value from the run goes through `esc`; tables are built with the
helpers of `markup`.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from sim.report import style
from sim.report.markup import esc, generic, json_text, num, table

KNOWN_CF_KEYS = {"question", "ops", "first_change", "changed_events", "focus", "target_half_width",
                 "answer", "effects", "route_changes", "intervals"}


def is_structured(cf: Any) -> bool:
    """True for a counterfactual record in the engine's current format."""
    return isinstance(cf, dict) and any(k in cf for k in ("answer", "effects", "route_changes"))


def _pretty(v: Any) -> str:
    return json.dumps(v, indent=1, sort_keys=True, ensure_ascii=False, default=str)


def _signed(v: Any, nd: int = 3) -> str:
    """Signed number; values that round to zero print as "+0.000", never "-0.000"."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    return f"{(0.0 if round(x, nd) == 0 else x):+.{nd}f}"


def _ci(rec: dict, lo: str = "lo", hi: str = "hi", nd: int = 3) -> str:
    return f"[{_signed(rec.get(lo), nd)}, {_signed(rec.get(hi), nd)}]"


def _excludes_zero(rec: dict) -> bool:
    try:
        return float(rec["lo"]) > 0 or float(rec["hi"]) < 0
    except (KeyError, TypeError, ValueError):
        return False


def _diff_cell(rec: dict, nd: int = 3) -> str:
    """Difference and paired CI; bold when the interval excludes 0."""
    text = f"{_signed(rec.get('diff'), nd)} {_ci(rec, nd=nd)}"
    return f"<strong>{text}</strong>" if _excludes_zero(rec) else text


def answer_text(question: Any, answer: Any) -> str:
    """The answer without a leading repeat of the question."""
    a, q = str(answer or "").strip(), str(question or "").strip()
    return a[len(q):].strip() if q and a.startswith(q) and len(a) > len(q) else a


def _answer_block(question: Any, answer: Any) -> str:
    out = f"<p><strong>Question:</strong> {esc(question)}</p>" if question else ""
    if answer:
        out += f"<p class='answer'>{esc(answer_text(question, answer))}</p>"
    return out


def _event_ref(eid: Any, by_id: dict) -> str:
    ev = by_id.get(str(eid))
    return f"{esc(eid)} (#{esc(ev['n'])})" if ev and "n" in ev else esc(eid)


# --------------------------------------------------------------------------
# Counterfactuals
# --------------------------------------------------------------------------

def _facts(cf: dict, by_id: dict) -> str:
    rows = [("first change", esc(cf.get("first_change") or "–")),
            ("changed events", ", ".join(_event_ref(e, by_id) for e in cf.get("changed_events") or []) or "–"),
            ("focus dyad", esc(cf.get("focus") or "–")),
            ("operations", f"<code>{json_text(cf.get('ops'))}</code>" if cf.get("ops") is not None else "–")]
    rows += [(esc(k), f"<code>{json_text(v)}</code>") for k, v in sorted(cf.items())
             if k not in KNOWN_CF_KEYS]
    return ("<div class='wide'><table>" + "".join(f"<tr><th>{k}</th><td class='text'>{v}</td></tr>" for k, v in rows)
            + "</table></div>")


def _unchanged(rec: dict) -> bool:
    try:
        return float(rec["diff"]) == float(rec["lo"]) == float(rec["hi"]) == 0.0
    except (KeyError, TypeError, ValueError):
        return False


def _effect_diff(rec: dict, nd: int = 3) -> str:
    return "<span class='muted'>0 (same in every pair)</span>" if _unchanged(rec) else _diff_cell(rec, nd)


def _effect_cells(rec: dict) -> list[str]:
    diff = _effect_diff(rec)
    total = _ci(rec, "total_lo", "total_hi") if "total_lo" in rec else "<span class='muted'>absent</span>"
    return [num(rec.get("baseline")), num(rec.get("counterfactual")), diff, total,
            _ci(rec, "unpaired_lo", "unpaired_hi"), esc(rec.get("replicates_for_half_width", "–"))]


def _effect_header(hw: Any) -> list[str]:
    reps = f"replicates for ±{esc(hw)}" if hw is not None else "replicates needed"
    return ["baseline (factual)", "counterfactual", "difference [95% paired CI]", "total 95% interval over the posterior",
            "unpaired 95% CI", reps]


def _rung_effects(effects: dict, hw: Any) -> str:
    rows = []
    for dyad in sorted(effects):
        for date, by_rung in sorted(((effects[dyad] or {}).get("p_rung_at_least") or {}).items()):
            for origin, block in (("", by_rung or {}), (" (endogenous)", (by_rung or {}).get("endogenous") or {})):
                for rung in sorted((r for r in block if str(r).isdigit()), key=int):
                    name = style.RUNG_NAMES.get(int(rung), "")
                    rows.append([esc(dyad), esc(date), f"≥{esc(rung)} {esc(name)}{origin}"]
                                + _effect_cells(block[rung] or {}))
    if not rows:
        return ""
    header = ["dyad", "by", "rung"] + _effect_header(hw)
    return ("<h4>Escalation: P(dyad reaches at least rung k by the date)</h4>"
            + table(header, rows, ["", "", ""] + ["num"] * 6))


def _value_effects(effects: dict, hw: Any) -> str:
    rows = []
    for dyad in sorted(effects):
        for var in ("tension", "net_relation"):
            for date, rec in sorted(((effects[dyad] or {}).get(var) or {}).items()):
                rows.append([esc(dyad), esc(var.replace("_", " ")), esc(date)] + _effect_cells(rec or {}))
    if not rows:
        return ""
    header = ["dyad", "variable", "date"] + _effect_header(hw)
    return "<h4>Tension and net relation on the effect dates</h4>" + table(header, rows, ["", "", ""] + ["num"] * 6)


def _route_changes(changes: dict) -> str:
    rows = []
    for dyad in sorted(changes or {}):
        for r in changes[dyad] or []:
            rows.append([esc(dyad), esc(str(r.get("route", "")).replace(">", "→")), num(r.get("baseline")),
                         num(r.get("counterfactual")), _diff_cell(r)])
    if not rows:
        return ""
    return ("<h4>Route changes</h4><p>Probability of each frequent escalation route (rungs first reached, in "
            "order; 0 = start) in both runs, and the paired difference.</p>"
            + table(["dyad", "route", "baseline", "counterfactual", "difference [95% paired CI]"], rows,
                     ["", "", "num", "num", "num"]))


def _interval_words(iv: Any) -> str:
    """What the two intervals measure, in the words of summary.json (older runs: CRN only)."""
    iv = iv if isinstance(iv, dict) else {}
    total = iv.get("total") if isinstance(iv.get("total"), dict) else {}
    crn = iv.get("crn") or "paired 95% interval: simulation noise only (common random numbers)"
    tot = (f"{esc(total['label'])} ({esc(total.get('draws'))} draws)" if total.get("label")
           else esc(total.get("absent") or "absent: this run records no posterior"))
    return (f"<p class='intervals'><strong>Intervals.</strong> Paired CI: {esc(crn)}. "
            f"Total interval: {tot}.</p>")


def _one_counterfactual(name: str, cf: dict, by_id: dict, figure: str | None) -> str:
    eff = cf.get("effects") or {}
    hw = cf.get("target_half_width")
    fig = (f"<p>Daily paired differences: figure <a href='#fig-{esc(figure)}'>{esc(figure)}</a>.</p>"
           if figure else "")
    return "".join([
        f"<h3 id='cf-{esc(name)}'>Counterfactual {esc(name)} vs baseline (factual)</h3>",
        _answer_block(cf.get("question"), cf.get("answer")),
        _facts(cf, by_id), fig,
        "<p>Differences are counterfactual − baseline over the same replicates (common random numbers); "
        "bold where the paired 95% interval excludes 0. The unpaired interval is what two independent runs "
        "of the same size would give; the last column is the number of replicates that would make the paired "
        "interval that narrow.</p>" if eff else "",
        _interval_words(cf.get("intervals")) if eff else "",
        _rung_effects(eff, hw), _value_effects(eff, hw), _route_changes(cf.get("route_changes") or {}),
    ])


def counterfactuals(cfs: Any, events: Sequence[dict], figures: dict[str, str] | None = None) -> str:
    """Section for summary["counterfactuals"]; "" when there are none."""
    if not isinstance(cfs, dict) or not any(is_structured(cf) for cf in cfs.values()):
        return generic("Counterfactuals", "counterfactuals", cfs or None)  # older runs: plain dump
    by_id = {str(e.get("id")): e for e in events}
    out = ["<h2 id='counterfactuals'>Counterfactuals</h2>"]
    for name, cf in sorted(cfs.items()):
        if is_structured(cf):
            out.append(_one_counterfactual(str(name), cf, by_id, (figures or {}).get(str(name))))
        else:
            out.append(f"<h3 id='cf-{esc(name)}'>{esc(name)}</h3><pre>{esc(_pretty(cf))}</pre>")
    return "".join(out)


# --------------------------------------------------------------------------
# Attribution
# --------------------------------------------------------------------------

def _attr_rows(rows: Sequence[dict], p_key: str, by_id: dict) -> list[list[str]]:
    out = []
    for i, r in enumerate(rows, 1):
        ev = by_id.get(str(r.get("event")), {})
        also = [e for e in (r.get("removed_events") or []) if e != r.get("event")]
        summary = esc(ev.get("summary", "")) + (f" <span class='muted'>(removes also: {esc(', '.join(also))})</span>"
                                                 if also else "")
        p_cell = (f"<span class='muted'>suppressed: scored by {esc(', '.join(r['self_scored']))} itself</span>"
                  if r.get("self_scored") else _effect_diff(r.get(p_key) or {}, 3))
        out.append([esc(i), esc(ev.get("n", "–")), esc(r.get("event")), summary,
                    esc(r.get("horizon_date")), _effect_diff(r.get("tension") or {}, 4), p_cell])
    return out


def attribution(att: Any, events: Sequence[dict]) -> str:
    """Section for summary["attribution"] (leave-one-out ranking); "" if absent."""
    if not isinstance(att, dict) or not att:
        return ""
    k = att.get("rank_rung", 3)
    p_key = f"p_rung_at_least_{k}"
    by_id = {str(e.get("id")): e for e in events}
    out = ["<h2 id='attribution'>Event attribution</h2>", _answer_block(att.get("question"), att.get("answer")),
           "<p>Leave-one-out: each event of the timeline is removed in a paired run; an event's effect is "
           "baseline − without it, on tension 12 months after the event (horizon date) and on the probability "
           f"of reaching rung ≥ {esc(k)} by then, with 95% paired intervals (bold: excludes 0). Ranked by the "
           "absolute tension effect; # is the event number of the timeline. See figure "
           "<a href='#fig-attribution'>attribution</a>.</p>"]
    header = ["rank", "#", "event", "summary", "horizon date", "Δ tension [95% CI]", f"Δ P(rung ≥ {esc(k)}) [95% CI]"]
    for dyad, rows in sorted((att.get("ranking") or {}).items()):
        out.append(f"<h3>{esc(dyad)}</h3>")
        out.append(table(header, _attr_rows(rows or [], p_key, by_id), ["num", "num", "", "text", "", "num", "num"]))
    return "".join(out)
