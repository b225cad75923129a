"""Leave-one-out event attribution: a tornado per dyad of each event's paired effect
on tension and on the probability of reaching a rung."""

from __future__ import annotations

import textwrap
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.report import style
from sim.report.figures.base import fitted_legend, placeholder

TORNADO_TOP = 12


def event_labels(events: Sequence[dict], width: int = 50) -> dict[str, str]:
    """event id → "n. short summary" (id when there is no summary)."""
    out = {}
    for ev in events:
        eid = str(ev.get("id", ""))
        text = str(ev.get("summary") or eid).strip()
        short = textwrap.shorten(text, width=width, placeholder="…")
        out[eid] = f"{ev['n']}. {short}" if "n" in ev else short
    return out


def _interval(rec: Any) -> tuple[float, float, float] | None:
    try:
        return float(rec["diff"]), float(rec["lo"]), float(rec["hi"])
    except (TypeError, KeyError, ValueError):
        return None


def tornado_rows(ranking: Sequence[dict], p_key: str, top: int = TORNADO_TOP) -> list[dict]:
    """Top rows in ranking order (already sorted by |tension effect|)."""
    rows = []
    for r in list(ranking)[:top]:
        rows.append({"event": str(r.get("event", "?")), "tension": _interval(r.get("tension")),
                     "p": _interval(r.get(p_key))})
    return rows


def _draw_tornado(ax, rows: list[dict], key: str, color: str) -> None:
    y = np.arange(len(rows))[::-1]  # first (largest) row at the top
    for yi, r in zip(y, rows):
        iv = r[key]
        if iv is None:
            continue
        d, lo, hi = iv
        crosses = lo <= 0 <= hi
        ax.barh(yi, d, height=0.62, color=style.shade(color, 0.6) if crosses else color, lw=0, zorder=2)
        ax.errorbar([d], [yi], xerr=[[max(d - lo, 0)], [max(hi - d, 0)]], fmt="none", ecolor="0.15",
                    elinewidth=0.8, capsize=1.8, zorder=3)
    ax.axvline(0.0, color="black", lw=0.7, zorder=1)
    m = max([abs(v) for r in rows if r[key] for v in r[key]] or [0.0])
    if m < 1e-12:
        ax.text(0.5, 0.5, "no effect in any replicate pair", transform=ax.transAxes, ha="center",
                va="center", fontsize=6.5, color="0.4", bbox=dict(fc="white", ec="none"))
    ax.set_xlim(-(m * 1.12 or 1.0), m * 1.12 or 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
    ax.grid(axis="y", visible=False)


def attribution(att: dict, events: Sequence[dict] | None = None, top: int = TORNADO_TOP) -> Figure:
    """Tornado per dyad: event effect on tension (left) and on P(rung ≥ k) (right)."""
    ranking = att.get("ranking") or {}
    dyads = sorted(d for d, rows in ranking.items() if rows)
    if not dyads:
        return placeholder("No attribution ranking in summary.json")
    k = att.get("rank_rung", 3)
    p_key = f"p_rung_at_least_{k}"
    labels = event_labels(events or [])
    colors = style.dyad_colors(dyads)
    per = {d: tornado_rows(ranking[d], p_key, top) for d in dyads}
    heights = [max(len(r), 1) * 0.16 + 0.45 for r in per.values()]
    fig = Figure(figsize=(style.DOUBLE_COL, sum(heights) + 0.8), layout="constrained")
    axes = fig.subplots(len(dyads), 2, squeeze=False, gridspec_kw={"height_ratios": heights})
    for i, dyad in enumerate(dyads):
        rows = per[dyad]
        for j, key in enumerate(("tension", "p")):
            _draw_tornado(axes[i, j], rows, key, colors[dyad])
            axes[i, j].set_yticks(np.arange(len(rows))[::-1])
            axes[i, j].set_yticklabels([labels.get(r["event"], r["event"]) for r in rows] if j == 0 else [],
                                       fontsize=6)
        axes[i, 0].set_title(f"{dyad.replace('-', '–')}: Δ tension", loc="left", color=colors[dyad],
                             fontweight="bold")
        axes[i, 1].set_title(f"{dyad.replace('-', '–')}: Δ P(rung ≥ {k})", loc="left", color=colors[dyad],
                             fontweight="bold")
    axes[-1, 0].set_xlabel("Δ tension 12 months after the event")
    axes[-1, 1].set_xlabel(f"Δ P(rung ≥ {k} within 12 months)")
    _tornado_legend(fig, colors)
    return fig


def _tornado_legend(fig: Figure, colors: dict) -> None:
    c = "0.45"
    handles = [Patch(color=c, label="effect of the event (with − without it)"),
               Patch(color=style.shade(c, 0.6), label="95% CI includes 0"),
               Line2D([], [], color="0.15", marker="|", ms=6, lw=0.8, label="95% CI (paired)")]
    fitted_legend(fig, handles, loc="outside lower center", ncols=3)
