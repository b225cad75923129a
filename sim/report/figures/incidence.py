"""Escalation incidence: the share of replicates that reached at least rung k by
each date, with the end-of-horizon Wilson intervals beside the horizon."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.figures.base import PANEL_H, placeholder

_RUNG_SHADE = {1: 0.72, 2: 0.48, 3: 0.22, 4: 0.0, 5: -0.3, 6: -0.55}


def _rung_shade(color: str, rung: int) -> tuple[float, float, float]:
    """Light tint (rung 1) through the dyad colour (rung 4) to a dark shade (rung 6)."""
    return style.shade(color, _RUNG_SHADE.get(rung, 0.0))


def incidence(incid: pd.DataFrame, summary: dict | None = None) -> Figure:
    """P(dyad reached at least rung k by date), one panel per dyad.

    The end-of-horizon 95 % Wilson interval from summary["scenarios"] is
    drawn as an error bar just right of the last date.
    """
    if incid is None or incid.empty:
        return placeholder("No escalation incidence data (incidence.parquet)")
    if "origin" in incid:  # any act (the endogenous-only shares are in the tables)
        incid = incid[incid["origin"] == "any"]
    dyads = sorted(incid["dyad"].astype(str).unique())
    colors = style.dyad_colors(dyads)
    scenarios = style.order_scenarios(incid["scenario"])
    ls = style.scenario_linestyles(scenarios)
    rungs = sorted(int(r) for r in incid["rung"].unique())
    cis = (summary or {}).get("scenarios", {}) or {}

    fig = Figure(figsize=(style.DOUBLE_COL, PANEL_H * len(dyads) + 1.1), layout="constrained")
    axes = fig.subplots(len(dyads), 1, sharex=True, squeeze=False)[:, 0]
    last = incid["date"].max()
    span = mdates.date2num(last) - mdates.date2num(incid["date"].min())
    for ax, dyad in zip(axes, dyads):
        sub = incid[incid["dyad"] == dyad]
        for s in scenarios:
            for r in rungs:
                d = sub[(sub["scenario"] == s) & (sub["rung"] == r)].sort_values("date")
                if not d.empty:
                    ax.plot(d["date"].to_numpy(), d["p"], color=_rung_shade(colors[dyad], r),
                            ls=ls[s], lw=1.1)
        _incidence_errorbars(ax, cis, dyad, scenarios, rungs, colors[dyad], last, span)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel(dyad.replace("-", "–"), color=colors[dyad], fontweight="bold")
    x_last = mdates.date2num(last)
    right = x_last + (_CI_GAP + len(scenarios) * _CI_GROUP) * span
    axes[0].set_xlim(mdates.date2num(incid["date"].min()), right)
    if cis:
        for ax in axes:  # tint the strip that holds the CIs: it is not a time range
            ax.axvspan(x_last + 0.4 * _CI_GAP * span, right, color="0.5", alpha=0.08, lw=0, zorder=0)
    style.format_date_axis(axes[-1], last=x_last)
    axes[-1].set_xlabel("date")
    fig.supylabel("P(at least rung k by date)", fontsize=8)
    _incidence_legend(fig, rungs, scenarios, ls, bool(cis))
    return fig


_CI_GAP, _CI_GROUP, _CI_STEP = 0.015, 0.075, 0.011  # as fractions of the time span


def _incidence_errorbars(ax, cis, dyad, scenarios, rungs, color, last, span) -> None:
    """Wilson intervals right of the horizon end: one group per scenario,
    rungs side by side within a group so bars never overlap."""
    x_last = mdates.date2num(last)
    styles = style.scenario_linestyles(scenarios)
    for si, s in enumerate(scenarios):
        p_at = ((cis.get(s) or {}).get(dyad) or {}).get("p_rung_at_least") or {}
        for r in rungs:
            ci = p_at.get(str(r))
            if not ci:
                continue
            p, lo, hi = float(ci["p"]), float(ci["lo"]), float(ci["hi"])
            x = x_last + span * (_CI_GAP + si * _CI_GROUP + (r - 1) * _CI_STEP)
            eb = ax.errorbar([x], [p], yerr=[[max(p - lo, 0)], [max(hi - p, 0)]], fmt="o",
                             ms=2.5, color=_rung_shade(color, r), elinewidth=0.9, capsize=1.5)
            if si:
                eb[-1][0].set_linestyle(styles[s])


def _incidence_legend(fig, rungs, scenarios, ls, has_ci: bool) -> None:
    grey = "#444444"
    handles = [Line2D([], [], color=_rung_shade(grey, r), lw=2, label=f"≥{r} {style.RUNG_NAMES.get(r, '')}")
               for r in rungs]
    if len(scenarios) > 1 or scenarios != [style.BASELINE]:
        handles += [Line2D([], [], color="0.25", ls=ls[s], label=s) for s in scenarios]
    if has_ci:
        handles.append(Line2D([], [], color="0.25", marker="o", ms=3, ls="none",
                              label="95% Wilson CI at horizon end (grey strip; groups in scenario order)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
