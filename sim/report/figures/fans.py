"""Fan charts: median and bands of tension, cooperation and net relation per dyad
and scenario over time, with the events marked on the panel of their dyad."""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report import style
from sim.report.figures.base import PANEL_H, fitted_legend, placeholder
from sim.report.figures.events import EVENT_FS, events_by_dyad, in_horizon, mark_events, panel_grid, window_handle

NEAR_ZERO = 0.1  # a panel whose q95 stays below this is "near 0" on a 0–1 axis


def _dyads_of(df: pd.DataFrame) -> list[str]:
    return sorted({style.dyad_name(a, b) for a, b in zip(df["source"], df["target"])})


def _draw_fan(ax, d: pd.DataFrame, color: str, ls: Any, is_first: bool) -> None:
    """Median line with 50 % and 90 % bands for one scenario."""
    d = d.sort_values("date")
    x = d["date"].to_numpy()
    # The first (baseline) scenario gets solid bands; others lighter bands with
    # band edges traced in their line style, so overlapping fans stay legible.
    a90, a50 = (0.16, 0.32) if is_first else (0.07, 0.14)
    ax.fill_between(x, d["q05"], d["q95"], color=color, alpha=a90, lw=0)
    ax.fill_between(x, d["q25"], d["q75"], color=color, alpha=a50, lw=0)
    if not is_first:
        for col in ("q05", "q95"):
            ax.plot(x, d[col], color=color, ls=ls, lw=0.5, alpha=0.8)
    # Darker counterfactual medians stay distinguishable from the baseline
    # even where noisy daily lines blur the dash pattern.
    ax.plot(x, d["q50"], color=color if is_first else style.shade(color, -0.4), ls=ls, lw=1.3)


def _fan_legend(fig, scenarios: list[str], linestyles: dict, has_events: bool) -> None:
    """Bands are solid tints (drawn in the dyad's colour; grey here), event windows
    hatched, so the two swatches cannot be confused."""
    handles = [Line2D([], [], color="0.25", ls=linestyles[s], label=f"{s}: median") for s in scenarios]
    handles += [
        Patch(color="0.35", alpha=0.32, lw=0, label="50% band (q25–q75), dyad colour"),
        Patch(color="0.35", alpha=0.16, lw=0, label="90% band (q05–q95), dyad colour"),
    ]
    if has_events:
        handles += [
            Line2D([], [], color=style.EVENT_COLOR, lw=0.6, label="event on a known day (number: key below)"),
            window_handle(),
        ]
    fitted_legend(fig, handles, loc="outside upper center", ncols=min(len(handles), 3))


def _near_zero_note(ax, sub: pd.DataFrame, what: str) -> bool:
    """Say so in the panel when the whole 90% band stays near 0 (an otherwise empty-looking
    line on the axis); True if it does."""
    top = float(sub["q95"].max()) if not sub.empty else 0.0
    if top >= NEAR_ZERO:
        return False
    ax.text(0.99, 0.55, f"{what} stays near 0: q95 ≤ {top:.2f} throughout", transform=ax.transAxes,
            ha="right", va="center", fontsize=6.5, color="0.25",
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.7", lw=0.4))
    return True


def _axis_width_pt(fig: Figure, ncols: int) -> float:
    """Approximate drawable width of one panel in points (before layout)."""
    w_in = fig.get_figwidth()
    return max((w_in - 0.9) / ncols - 0.15 * (ncols - 1), 0.5) * 72.0


def _set_xlim_dates(ax, dates: pd.Series) -> None:
    ax.set_xlim(mdates.date2num(dates.min()), mdates.date2num(dates.max()))


def fan_chart(
    stats: pd.DataFrame,
    variable: str,
    events: Sequence[dict] | None = None,
    *,
    ylabel: str,
    ylim: tuple[float, float] | None = None,
    zero_line: bool = False,
) -> Figure:
    """One stacked panel per dyad: median and bands of `variable` per scenario.

    `events` should come from `number_events`; each is marked only on the
    panel of the dyad it concerns.
    """
    df = stats[stats["variable"] == variable]
    dyads = _dyads_of(df)
    if not dyads:
        return placeholder(f"No '{variable}' rows in stats.parquet")
    colors = style.dyad_colors(dyads)
    scenarios = style.order_scenarios(df["scenario"])
    ls = style.scenario_linestyles(scenarios)
    ev_by = events_by_dyad(events)

    fig, grid = panel_grid(len(dyads), 1, PANEL_H, in_horizon(events, df["date"].min(), df["date"].max()))
    axes = grid[:, 0]
    keyed = df.assign(dyad=[style.dyad_name(a, b) for a, b in zip(df["source"], df["target"])])
    for ax, dyad in zip(axes, dyads):
        sub = keyed[keyed["dyad"] == dyad]
        for i, s in enumerate(scenarios):
            part = sub[sub["scenario"] == s]
            if not part.empty:
                _draw_fan(ax, part, colors[dyad], ls[s], i == 0)
        ax.set_ylabel(dyad.replace("-", "–"), color=colors[dyad], fontweight="bold")
        _finish_panel(ax, ylim, zero_line)
        if not zero_line:
            _near_zero_note(ax, sub, variable.replace("_", " "))
    _set_xlim_dates(axes[0], df["date"])
    for ax, dyad in zip(axes, dyads):
        mark_events(ax, ev_by.get(dyad, []), _axis_width_pt(fig, 1))
    style.format_date_axis(axes[-1])
    axes[-1].set_xlabel("date")
    fig.supylabel(ylabel, fontsize=8)
    _fan_legend(fig, scenarios, ls, bool(events))
    return fig


def _finish_panel(ax, ylim, zero_line: bool) -> None:
    if ylim is not None:
        ax.set_ylim(*ylim)
    if zero_line:
        ax.axhline(0.0, color="0.3", lw=0.6, zorder=0.6)


def fan_tension(stats: pd.DataFrame, events: Sequence[dict] | None = None) -> Figure:
    """Tension fan chart per dyad."""
    return fan_chart(stats, "tension", events, ylabel="tension (0–1)", ylim=(0, 1))


def fan_net_relation(stats: pd.DataFrame, events: Sequence[dict] | None = None) -> Figure:
    """Net-relation fan chart per dyad, with a zero line."""
    return fan_chart(stats, "net_relation", events, ylabel="net relation (−1 to 1)",
                     ylim=(-1, 1), zero_line=True)


def fan_cooperation(stats: pd.DataFrame, events: Sequence[dict] | None = None) -> Figure:
    """Cooperation fans, rows = dyads, columns = the two directions A→B, B→A.

    Directions get their own panel (rather than a dashed line) because line
    style already distinguishes scenarios.
    """
    df = stats[stats["variable"] == "cooperation"]
    dyads = _dyads_of(df)
    if not dyads:
        return placeholder("No 'cooperation' rows in stats.parquet")
    colors = style.dyad_colors(dyads)
    scenarios = style.order_scenarios(df["scenario"])
    ls = style.scenario_linestyles(scenarios)
    ev_by = events_by_dyad(events)

    fig, axes = panel_grid(len(dyads), 2, PANEL_H, in_horizon(events, df["date"].min(), df["date"].max()),
                           sharey=True)
    for row, dyad in enumerate(dyads):
        a, b = dyad.split("-", 1)
        for col, (src, tgt) in enumerate(((a, b), (b, a))):
            ax = axes[row, col]
            sub = df[(df["source"] == src) & (df["target"] == tgt)]
            if not _near_zero_note(ax, sub, "cooperation"):  # else no empty line on the axis
                for i, s in enumerate(scenarios):
                    part = sub[sub["scenario"] == s]
                    if not part.empty:
                        _draw_fan(ax, part, colors[dyad], ls[s], i == 0)
            _finish_panel(ax, (0, 1), False)
    _set_xlim_dates(axes[0, 0], df["date"])
    for row, dyad in enumerate(dyads):
        a, b = dyad.split("-", 1)
        for col, (src, tgt) in enumerate(((a, b), (b, a))):
            rows = mark_events(axes[row, col], ev_by.get(dyad, []), _axis_width_pt(fig, 2))
            # lift the panel title above the event markers
            axes[row, col].set_title(f"{src} → {tgt}", color=colors[dyad], fontweight="bold",
                                     loc="left", pad=3 + rows * (EVENT_FS + 4))
    for ax in axes[-1]:
        style.format_date_axis(ax)
        ax.set_xlabel("date")
    fig.supylabel("cooperation (0–1)", fontsize=8)
    _fan_legend(fig, scenarios, ls, bool(events))
    return fig
