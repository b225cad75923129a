"""The signed network of the actors at the start, middle and end of the horizon."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.figures.base import fitted_legend, placeholder


def network_dates(stats: pd.DataFrame) -> list[pd.Timestamp]:
    """Start, middle and end of the horizon (snapped to available dates)."""
    dates = np.sort(stats["date"].unique())
    if len(dates) == 0:
        return []
    idx = sorted({0, (len(dates) - 1) // 2, len(dates) - 1})
    return [pd.Timestamp(dates[i]) for i in idx]


def _node_positions(actors: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Actors on a circle, first at the top, clockwise (a triangle for N=3)."""
    n = len(actors)
    return {a: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
            for i, a in enumerate(actors)}


LABEL_MIN = 0.75  # with more than four actors only the strong edges are labelled (else labels overlap)


def _edge_width(v: float, n: int = 3) -> float:
    return 0.4 + (7.0 if n <= 4 else 3.5) * min(abs(v), 1.0)


def network(stats: pd.DataFrame, scenario: str | None = None) -> Figure:
    """Signed triangle at three dates: colour = sign, width ∝ |median net relation|."""
    df = stats[stats["variable"] == "net_relation"]
    if df.empty:
        return placeholder("No 'net_relation' rows in stats.parquet")
    scenario = scenario or style.order_scenarios(df["scenario"])[0]
    df = df[df["scenario"] == scenario]
    actors = sorted(set(df["source"]) | set(df["target"]))
    pos = _node_positions(actors)
    dates = network_dates(df)

    n = len(actors)
    fig = Figure(figsize=(style.DOUBLE_COL, 2.9 if n <= 4 else 3.4), layout="constrained")
    axes = fig.subplots(1, len(dates), squeeze=False)[0]
    for ax, day in zip(axes, dates):
        _draw_network(ax, df[df["date"] == day], pos)
        ax.set_title(day.strftime("%Y-%m-%d"))
    handles = [
        Line2D([], [], color=style.POSITIVE, lw=_edge_width(0.5, n), label="positive (net cooperation)"),
        Line2D([], [], color=style.NEGATIVE, lw=_edge_width(0.5, n), label="negative (net hostility)"),
    ] + [Line2D([], [], color="0.5", lw=_edge_width(v, n), label=f"|median| = {v:g}") for v in (0.1, 0.5, 1.0)]
    which = "" if n <= 4 else f" (edges with |median| ≥ {LABEL_MIN:g})"
    fitted_legend(fig, handles, loc="outside lower center", ncols=5, handlelength=2.5, handletextpad=1.0,
                  columnspacing=1.2, title=f"scenario: {scenario}; edge label = median net relation{which}",
                  title_fontsize=7)
    return fig


def _draw_network(ax, day: pd.DataFrame, pos: dict) -> None:
    # With N > 3 diagonals cross at the centre, so labels sit off-midpoint.
    t = 0.5 if len(pos) <= 3 else 0.38
    for src, tgt, v in zip(day["source"], day["target"], day["q50"]):
        if src not in pos or tgt not in pos or not np.isfinite(v):
            continue
        (x0, y0), (x1, y1) = pos[src], pos[tgt]
        color = style.POSITIVE if v > 0 else style.NEGATIVE if v < 0 else style.NEUTRAL
        ax.plot([x0, x1], [y0, y1], color=color, lw=_edge_width(v, len(pos)), solid_capstyle="round", zorder=1)
        if len(pos) > 4 and abs(v) < LABEL_MIN:
            continue
        label = f"{v:+.2f}".replace("-0.00", "0.00").replace("+0.00", "0.00")
        ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), label, ha="center", va="center", fontsize=7,
                zorder=3, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
    for actor, (x, y) in pos.items():
        ax.scatter([x], [y], s=520, color="white", edgecolor="0.2", linewidth=1.0, zorder=4)
        ax.text(x, y, actor, ha="center", va="center", fontsize=7, fontweight="bold", zorder=5)
    ys = [y for _, y in pos.values()]
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(min(ys) - 0.3, max(ys) + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
