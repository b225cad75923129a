"""Escalation incidence: the share of replicates that reached at least rung k by
each date, by any act and by the model's own (endogenous) acts, with the event
markers of the fan charts and the end-of-horizon Wilson intervals beside the horizon."""

from __future__ import annotations

from typing import Sequence

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.figures.base import fitted_legend, placeholder
from sim.report.figures.events import events_by_dyad, in_horizon, mark_events, panel_grid, window_handle

PANEL_H = 1.9  # inches per dyad: six rungs and their labels need more room than a fan
LW_ANY, LW_ENDO = 1.5, 0.8
LABEL_FS = 6.5  # pt, line-end labels


def _origins(incid: pd.DataFrame) -> list[str]:
    return ["any", "endogenous"] if "origin" in incid and (incid["origin"] == "endogenous").any() else ["any"]


def _curve(sub: pd.DataFrame, scenario: str, rung: int, origin: str) -> pd.DataFrame:
    d = sub[(sub["scenario"] == scenario) & (sub["rung"] == rung)]
    if "origin" in d:
        d = d[d["origin"] == origin]
    return d.sort_values("date")


def spread_labels(ys: Sequence[float], gap: float, lo: float = 0.0, hi: float = 1.0) -> list[float]:
    """Label heights near `ys` (same order) with at least `gap` between any two, inside
    [lo, hi] when they fit: pushed up from the bottom, then down from the top."""
    order = sorted(range(len(ys)), key=lambda i: (ys[i], i))
    pos = [float(ys[i]) for i in order]
    for i in range(len(pos)):  # up, from lo
        pos[i] = max(pos[i], lo if i == 0 else pos[i - 1] + gap)
    for i in range(len(pos) - 1, -1, -1):  # down, from hi
        pos[i] = min(pos[i], hi if i == len(pos) - 1 else pos[i + 1] - gap)
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = pos[k]
    return out


def incidence(incid: pd.DataFrame, summary: dict | None = None, events: Sequence[dict] | None = None):
    """P(dyad reached at least rung k by date), one panel per dyad.

    One colour per rung, labelled at the line end; thick lines count any act (the
    article's scripted events included), thin lines the model's own acts only.
    Events are marked and numbered as on the fan charts, with their key below.
    The end-of-horizon 95 % Wilson interval from summary["scenarios"] is drawn as
    an error bar just right of the last date.
    """
    if incid is None or incid.empty:
        return placeholder("No escalation incidence data (incidence.parquet)")
    dyads = sorted(incid["dyad"].astype(str).unique())
    colors = style.dyad_colors(dyads)
    scenarios = style.order_scenarios(incid["scenario"])
    ls = style.scenario_linestyles(scenarios)
    rungs = sorted(int(r) for r in incid["rung"].unique())
    origins = _origins(incid)
    cis = (summary or {}).get("scenarios", {}) or {}
    last, first = incid["date"].max(), incid["date"].min()
    marked = in_horizon(events, first, last)

    fig, grid = panel_grid(len(dyads), 1, PANEL_H, marked)
    axes = grid[:, 0]
    span = mdates.date2num(last) - mdates.date2num(first)
    x_last = mdates.date2num(last)
    right = x_last + (_CI_GAP + len(scenarios) * _CI_GROUP) * span if cis else x_last
    ev_by = events_by_dyad(marked)
    for ax, dyad in zip(axes, dyads):
        sub = incid[incid["dyad"] == dyad]
        for s in scenarios:
            for r in rungs:
                for origin in origins:
                    d = _curve(sub, s, r, origin)
                    if not d.empty:
                        ax.plot(d["date"].to_numpy(), d["p"].to_numpy(), color=style.rung_color(r), ls=ls[s],
                                lw=LW_ANY if origin == "any" else LW_ENDO,
                                alpha=1.0 if origin == "any" else 0.75, zorder=2 if origin == "any" else 2.5)
        _incidence_errorbars(ax, cis, dyad, scenarios, rungs, last, span)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel(dyad.replace("-", "–"), color=colors[dyad], fontweight="bold")
        ax.set_xlim(mdates.date2num(first), right)
        if cis:  # tint the strip that holds the CIs: it is not a time range
            ax.axvspan(x_last + 0.4 * _CI_GAP * span, right, color="0.5", alpha=0.08, lw=0, zorder=0)
        mark_events(ax, ev_by.get(dyad, []), style.double_col() * 72 * 0.8)
    style.format_date_axis(axes[-1], last=x_last)
    axes[-1].set_xlabel("date")
    fig.supylabel("P(reached at least rung k by date)", fontsize=8)
    _incidence_legend(fig, scenarios, ls, bool(cis), len(origins) > 1, bool(marked))
    fig.draw_without_rendering()  # lay out first: the labels' spacing needs the panels' height
    for ax, dyad in zip(axes, dyads):
        _label_line_ends(ax, incid[incid["dyad"] == dyad], scenarios[0], rungs)
    return fig


def _label_line_ends(ax, sub: pd.DataFrame, scenario: str, rungs: list[int]) -> None:
    """"≥k name" in the rung's colour right of the axes, at the height where the first
    scenario's any-act curve ends; labels pushed apart so they never overlap."""
    ends = []
    for r in rungs:
        d = _curve(sub, scenario, r, "any")
        if not d.empty:
            ends.append((r, float(d["p"].iloc[-1])))
    lo, hi = ax.get_ylim()
    height_pt = ax.get_window_extent().height * 72.0 / ax.get_figure(root=True).dpi
    gap = 1.45 * LABEL_FS / max(height_pt, 1.0) * (hi - lo)
    ys = spread_labels([y for _, y in ends], gap, lo + gap / 2, hi - gap / 2)
    trans = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for (r, y_end), y in zip(ends, ys):
        ax.annotate(f"≥{r} {style.RUNG_NAMES.get(r, '')}", xy=(1.0, y_end), xycoords=trans,
                    xytext=(1.012, y), textcoords=trans, fontsize=LABEL_FS, color=style.rung_color(r),
                    fontweight="bold", ha="left", va="center", annotation_clip=False,
                    arrowprops=dict(arrowstyle="-", color=style.rung_color(r), lw=0.5, shrinkA=0, shrinkB=1,
                                    patchA=None, relpos=(0.0, 0.5)))  # ends at the label's left middle, unclipped


_CI_GAP, _CI_GROUP, _CI_STEP = 0.015, 0.075, 0.011  # as fractions of the time span


def _incidence_errorbars(ax, cis, dyad, scenarios, rungs, last, span) -> None:
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
                             ms=2.5, color=style.rung_color(r), elinewidth=0.9, capsize=1.5)
            if si:
                eb[-1][0].set_linestyle(styles[s])


def _incidence_legend(fig, scenarios, ls, has_ci: bool, has_endo: bool, has_events: bool) -> None:
    handles = [Line2D([], [], color="0.2", lw=LW_ANY, label="thick: by any act (scripted events included)")]
    if has_endo:
        handles.append(Line2D([], [], color="0.2", lw=LW_ENDO, alpha=0.75,
                              label="thin: by the model's own acts only (endogenous)"))
    if len(scenarios) > 1 or scenarios != [style.BASELINE]:
        handles += [Line2D([], [], color="0.25", ls=ls[s], label=s) for s in scenarios]
    if has_ci:
        handles.append(Line2D([], [], color="0.25", marker="o", ms=3, ls="none",
                              label="95% Wilson CI at horizon end (grey strip; scenario order)"))
    if has_events:
        handles += [Line2D([], [], color=style.EVENT_COLOR, lw=0.6, label="event on a known day (key below)"),
                    window_handle()]
    fitted_legend(fig, handles, loc="outside upper center", ncols=2)
