"""Paired-difference fan charts of a counterfactual: per dyad and day, the spread over
replicates of counterfactual − baseline tension and net relation."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report import style
from sim.report.figures.base import date_num, fitted_legend, placeholder

_DIFF_VARS = (("tension", "Δ tension (cf − baseline)"), ("net_relation", "Δ net relation (cf − baseline)"))
LEAD_DAYS = 45  # days shown before the first change


def _norm_dyad(d: str) -> str:
    return style.dyad_name(*d.split("-", 1)) if "-" in d else d


def _draw_diff_fan(ax, d: pd.DataFrame, color: str) -> None:
    d = d.sort_values("date")
    x = d["date"].to_numpy()
    ax.fill_between(x, d["q05"], d["q95"], color=color, alpha=0.18, lw=0)
    ax.fill_between(x, d["q25"], d["q75"], color=color, alpha=0.38, lw=0)
    ax.plot(x, d["q50"], color=style.shade(color, -0.35), lw=1.2)
    ax.axhline(0.0, color="black", lw=0.7, zorder=0.6)


def _mark_first_change(ax, x: float | None, label: bool) -> None:
    if x is None:
        return
    ax.axvline(x, color="black", ls="--", lw=0.8, zorder=0.7)
    if label:
        ax.annotate("first change", xy=(x, 1.0), xycoords=ax.get_xaxis_transform(), xytext=(2, 2),
                    textcoords="offset points", fontsize=6, ha="left", va="bottom", annotation_clip=False)


def _diff_xlim(dates: pd.Series, first_change: Any) -> tuple[float, float]:
    lo, hi = mdates.date2num(dates.min()), mdates.date2num(dates.max())
    fc = date_num(first_change)
    if fc is not None:
        lo = max(lo, fc - LEAD_DAYS)
    return lo, hi


def paired_difference(effects_df: pd.DataFrame | None, scenario: str, first_change: Any = None) -> Figure:
    """Rows = dyads, columns = tension / net relation; bands of the paired difference."""
    if effects_df is None or effects_df.empty:
        return placeholder("No paired-difference data (effects.parquet)")
    df = effects_df[effects_df["scenario"] == scenario]
    df = df.assign(dyad=df["dyad"].map(_norm_dyad))
    dyads = sorted(df["dyad"].unique())
    if not dyads:
        return placeholder(f"No effects.parquet rows for {scenario}")
    colors = style.dyad_colors(dyads)
    fig = Figure(figsize=(style.double_col(), 1.6 * len(dyads) + 0.9), layout="constrained")
    # one y scale per column (variable): the dyads are compared, so 0.002 must not look like 0.13
    axes = fig.subplots(len(dyads), 2, sharex=True, sharey="col", squeeze=False)
    xlim = _diff_xlim(df["date"], first_change)
    fc = date_num(first_change)
    for i, dyad in enumerate(dyads):
        for j, (var, label) in enumerate(_DIFF_VARS):
            ax = axes[i, j]
            part = df[(df["dyad"] == dyad) & (df["variable"] == var)]
            part = part[part["date"] >= pd.Timestamp(mdates.num2date(xlim[0]).date())]
            if not part.empty:
                _draw_diff_fan(ax, part, colors[dyad])
            _mark_first_change(ax, fc, i == 0)
            ax.set_title(f"{dyad.replace('-', '–')}: {label}", loc="left", color=colors[dyad],
                         fontweight="bold", pad=10 if i == 0 else 4)
    axes[0, 0].set_xlim(*xlim)
    for j in range(2):  # symmetric about 0, so up and down read alike
        # 5 % headroom: a tick at the very limit would put its label half outside the panel,
        # past the top of the figure for the first row
        lim = 1.05 * max(max(abs(v) for v in axes[0, j].get_ylim()), 1e-3)
        axes[0, j].set_ylim(-lim, lim)
    for ax in axes[-1]:
        style.format_date_axis(ax, maxticks=6)
        ax.set_xlabel("date")
    _diff_legend(fig, scenario)
    return fig


def _diff_legend(fig: Figure, scenario: str) -> None:
    handles = [
        Line2D([], [], color="0.25", lw=1.2, label="median paired difference"),
        Patch(color="0.5", alpha=0.38, label="50% of replicates (q25–q75)"),
        Patch(color="0.5", alpha=0.18, label="90% of replicates (q05–q95)"),
        Line2D([], [], color="black", lw=0.7, label="no effect (0)"),
        Line2D([], [], color="black", lw=0.8, ls="--", label="first change"),
    ]
    fitted_legend(fig, handles, loc="outside lower center", ncols=3,
               title=f"counterfactual: {scenario} (difference = counterfactual − baseline, same replicate); "
               "panels of a column share the y scale",
               title_fontsize=6.5)
