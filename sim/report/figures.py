"""Report figures: pure functions from DataFrames/dicts to matplotlib Figures.

No file I/O happens here.  Figures are built with `matplotlib.figure.Figure`
directly (not pyplot) so nothing is kept in a global registry; callers should
wrap calls in `style.style_context()`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report import style

FIGURE_NAMES = (
    "fan_tension",
    "fan_cooperation",
    "fan_net_relation",
    "incidence",
    "network",
    "gdelt",
)

_PANEL_H = 1.55  # inches per stacked panel
_EVENT_FS = 6.5  # font size of event number markers (pt)


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------

def number_events(events: Sequence[dict]) -> list[dict]:
    """Copy events sorted by (date, id) and add a 1-based number `n`.

    The same numbering is used by the figures and the HTML timeline table.
    """
    def key(ev: dict) -> tuple[str, str]:
        return (str(ev.get("date", "")), str(ev.get("id", "")))

    return [dict(ev, n=i) for i, ev in enumerate(sorted(events, key=key), 1)]


def event_dyad(ev: dict) -> str:
    """Dyad an event concerns (sorted source/target)."""
    return style.dyad_name(ev.get("source", ""), ev.get("target", ""))


def _to_num(value: Any) -> float | None:
    """ISO date string → matplotlib date number (None if unparsable)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(ts):
        return None
    return float(mdates.date2num(ts.to_pydatetime()))


def _event_extent(ev: dict) -> tuple[float, float, float] | None:
    """(nominal, lo, hi) date numbers; lo == hi for day precision."""
    nominal = _to_num(ev.get("date"))
    if nominal is None:
        return None
    lo = hi = nominal
    window = ev.get("window") or []
    if ev.get("precision") in ("month", "year") and len(window) == 2:
        a, b = _to_num(window[0]), _to_num(window[1])
        if a is not None and b is not None and b > a:
            lo, hi = a, b
    return nominal, lo, hi


def _stagger(xs: Sequence[float], widths: Sequence[float]) -> list[int]:
    """Greedy level assignment so labels at the same level never overlap.

    `xs` are label centres, `widths` label widths (same units), both in the
    order the labels should be considered (sorted by x).
    """
    right_edge: list[float] = []  # right edge of the last label on each level
    levels = []
    for x, w in zip(xs, widths):
        for lvl, edge in enumerate(right_edge):
            if x - w / 2 >= edge:
                break
        else:
            lvl = len(right_edge)
            right_edge.append(-math.inf)
        right_edge[lvl] = x + w / 2
        levels.append(lvl)
    return levels


def _mark_events(ax, events: Sequence[dict], axis_width_pt: float) -> int:
    """Draw event lines/spans and non-overlapping number markers above `ax`.

    Returns the number of marker rows used (0 if nothing was marked).
    """
    x0, x1 = ax.get_xlim()
    placed = []
    for ev in events:
        ext = _event_extent(ev)
        if ext is None:
            continue
        nominal, lo, hi = ext
        if hi < x0 or lo > x1:
            continue  # outside the simulated horizon
        if hi > lo:
            a, b = max(lo, x0), min(hi, x1)
            ax.axvspan(a, b, color=style.EVENT_COLOR, alpha=0.10, lw=0, zorder=0)
            centre = (a + b) / 2
        else:
            ax.axvline(nominal, color=style.EVENT_COLOR, lw=0.6, alpha=0.8, zorder=0.5)
            centre = nominal
        placed.append((centre, str(ev["n"])))
    if not placed:
        return 0
    placed.sort()
    data_per_pt = (x1 - x0) / axis_width_pt
    # digit width ≈ 0.6 em, plus box padding and a small gap
    widths = [(len(lbl) * 0.6 * _EVENT_FS + 5.0) * data_per_pt for _, lbl in placed]
    levels = _stagger([x for x, _ in placed], widths)
    trans = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for (x, lbl), lvl in zip(placed, levels):
        ax.annotate(
            lbl, xy=(x, 1.0), xycoords=trans,
            xytext=(0, 2 + lvl * (_EVENT_FS + 4)), textcoords="offset points",
            ha="center", va="bottom", fontsize=_EVENT_FS, annotation_clip=False,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=style.EVENT_COLOR, lw=0.5),
        )
    return max(levels) + 1


def _events_by_dyad(events: Sequence[dict] | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for ev in events or []:
        out.setdefault(event_dyad(ev), []).append(ev)
    return out


# --------------------------------------------------------------------------
# Fan charts
# --------------------------------------------------------------------------

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


def _fan_legend(fig: Figure, scenarios: list[str], linestyles: dict, has_events: bool) -> None:
    handles = [Line2D([], [], color="0.25", ls=linestyles[s], label=f"{s}: median") for s in scenarios]
    handles += [
        Patch(color="0.5", alpha=0.32, label="50% band (q25–q75)"),
        Patch(color="0.5", alpha=0.16, label="90% band (q05–q95)"),
    ]
    if has_events:
        handles += [
            Line2D([], [], color=style.EVENT_COLOR, lw=0.6, label="event (number = timeline row)"),
            Patch(color=style.EVENT_COLOR, alpha=0.10, label="event date window"),
        ]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))


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
    ev_by = _events_by_dyad(events)

    fig = Figure(figsize=(style.DOUBLE_COL, _PANEL_H * len(dyads) + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(dyads), 1, sharex=True, squeeze=False)[:, 0])
    keyed = df.assign(dyad=[style.dyad_name(a, b) for a, b in zip(df["source"], df["target"])])
    for ax, dyad in zip(axes, dyads):
        sub = keyed[keyed["dyad"] == dyad]
        for i, s in enumerate(scenarios):
            part = sub[sub["scenario"] == s]
            if not part.empty:
                _draw_fan(ax, part, colors[dyad], ls[s], i == 0)
        ax.set_ylabel(dyad.replace("-", "–"), color=colors[dyad], fontweight="bold")
        _finish_panel(ax, ylim, zero_line)
    _set_xlim_dates(axes[0], df["date"])
    for ax, dyad in zip(axes, dyads):
        _mark_events(ax, ev_by.get(dyad, []), _axis_width_pt(fig, 1))
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
    ev_by = _events_by_dyad(events)

    fig = Figure(figsize=(style.DOUBLE_COL, _PANEL_H * len(dyads) + 0.9), layout="constrained")
    axes = fig.subplots(len(dyads), 2, sharex=True, sharey=True, squeeze=False)
    for row, dyad in enumerate(dyads):
        a, b = dyad.split("-", 1)
        for col, (src, tgt) in enumerate(((a, b), (b, a))):
            ax = axes[row, col]
            sub = df[(df["source"] == src) & (df["target"] == tgt)]
            for i, s in enumerate(scenarios):
                part = sub[sub["scenario"] == s]
                if not part.empty:
                    _draw_fan(ax, part, colors[dyad], ls[s], i == 0)
            _finish_panel(ax, (0, 1), False)
    _set_xlim_dates(axes[0, 0], df["date"])
    for row, dyad in enumerate(dyads):
        a, b = dyad.split("-", 1)
        for col, (src, tgt) in enumerate(((a, b), (b, a))):
            rows = _mark_events(axes[row, col], ev_by.get(dyad, []), _axis_width_pt(fig, 2))
            # lift the panel title above the event markers
            axes[row, col].set_title(f"{src} → {tgt}", color=colors[dyad], fontweight="bold",
                                     loc="left", pad=3 + rows * (_EVENT_FS + 4))
    for ax in axes[-1]:
        style.format_date_axis(ax)
        ax.set_xlabel("date")
    fig.supylabel("cooperation (0–1)", fontsize=8)
    _fan_legend(fig, scenarios, ls, bool(events))
    return fig


# --------------------------------------------------------------------------
# Escalation incidence
# --------------------------------------------------------------------------

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
    dyads = sorted(incid["dyad"].astype(str).unique())
    colors = style.dyad_colors(dyads)
    scenarios = style.order_scenarios(incid["scenario"])
    ls = style.scenario_linestyles(scenarios)
    rungs = sorted(int(r) for r in incid["rung"].unique())
    cis = (summary or {}).get("scenarios", {}) or {}

    fig = Figure(figsize=(style.DOUBLE_COL, _PANEL_H * len(dyads) + 1.1), layout="constrained")
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


# --------------------------------------------------------------------------
# Signed network
# --------------------------------------------------------------------------

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


def _edge_width(v: float) -> float:
    return 0.4 + 7.0 * min(abs(v), 1.0)


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

    fig = Figure(figsize=(style.DOUBLE_COL, 2.9), layout="constrained")
    axes = fig.subplots(1, len(dates), squeeze=False)[0]
    for ax, day in zip(axes, dates):
        _draw_network(ax, df[df["date"] == day], pos)
        ax.set_title(day.strftime("%Y-%m-%d"))
    handles = [
        Line2D([], [], color=style.POSITIVE, lw=_edge_width(0.5), label="positive (net cooperation)"),
        Line2D([], [], color=style.NEGATIVE, lw=_edge_width(0.5), label="negative (net hostility)"),
    ] + [Line2D([], [], color="0.5", lw=_edge_width(v), label=f"|median| = {v:g}") for v in (0.1, 0.5, 1.0)]
    fig.legend(handles=handles, loc="outside lower center", ncols=5, handlelength=2.5, handletextpad=1.0,
               columnspacing=1.2, title=f"scenario: {scenario}; edge label = median net relation",
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
        ax.plot([x0, x1], [y0, y1], color=color, lw=_edge_width(v), solid_capstyle="round", zorder=1)
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


# --------------------------------------------------------------------------
# Validation against GDELT
# --------------------------------------------------------------------------

def gdelt(validation: dict, gdelt_monthly: pd.DataFrame | None = None,
          model_monthly: pd.DataFrame | None = None) -> Figure:
    """Model monthly mean net relation (left axis) vs GDELT score (right axis).

    `validation` is summary["validation"]; its month records supply both
    series.  Missing values are filled from `model_monthly`/`gdelt_monthly`
    (index = month "YYYY-MM", columns = dyad names, our dyad naming).
    """
    dyads_v = {style.dyad_name(*k.split("-", 1)): v for k, v in (validation.get("dyads") or {}).items()}
    dyads = sorted(dyads_v)
    if not dyads:
        return placeholder("No validation dyads in summary.json")
    colors = style.dyad_colors(dyads)
    fig = Figure(figsize=(style.DOUBLE_COL, 1.5 * len(dyads) + 0.8), layout="constrained")
    axes = fig.subplots(len(dyads), 1, sharex=True, squeeze=False)[:, 0]
    for ax, dyad in zip(axes, dyads):
        months = _validation_months(dyads_v[dyad], dyad, validation, gdelt_monthly, model_monthly)
        _draw_gdelt_panel(ax, months, colors[dyad])
        rec = dyads_v[dyad]
        ax.set_title(f"{dyad.replace('-', '–')}: sign agreement {_fmt(rec.get('sign_agreement'))}, "
                     f"Spearman {_fmt(rec.get('spearman'))}", loc="left", color=colors[dyad],
                     fontweight="bold")
    # one tick per month: the window is short and each month is a data point
    style.format_date_axis(axes[-1], maxticks={mdates.MONTHLY: 13, mdates.YEARLY: 6, mdates.DAILY: 8})
    axes[-1].set_xlabel("month")
    fig.supylabel("model: monthly mean net relation (−1 to 1)", fontsize=8)
    handles = [
        Line2D([], [], color="0.25", lw=1.3, label="model (left axis)"),
        Line2D([], [], color="0.45", lw=1.0, ls="--", marker="s", ms=3, mfc="white",
               label="GDELT monthly score (right axis, GDELT units)"),
        Line2D([], [], color="black", marker="o", ls="none", ms=4, label="signs agree"),
        Line2D([], [], color=style.NEGATIVE, marker="X", ls="none", ms=5, label="signs disagree"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


def _fmt(v: Any, nd: int = 2) -> str:
    try:
        return f"{float(v):.{nd}f}"
    except (TypeError, ValueError):
        return "n/a"


def _validation_months(rec: dict, dyad: str, validation: dict,
                       gdelt_monthly: pd.DataFrame | None,
                       model_monthly: pd.DataFrame | None) -> pd.DataFrame:
    """Month table (month, model, gdelt, agree) with gaps filled from data."""
    rows = [dict(month=str(m.get("month")), model=m.get("model"), gdelt=m.get("gdelt"), agree=m.get("agree"))
            for m in rec.get("months") or []]
    if not rows:
        window = validation.get("window") or []
        if len(window) == 2:
            rows = [dict(month=p.strftime("%Y-%m"), model=None, gdelt=None, agree=None)
                    for p in pd.period_range(window[0], window[1], freq="M")]
    out = pd.DataFrame(rows, columns=["month", "model", "gdelt", "agree"])
    for col, src in (("model", model_monthly), ("gdelt", gdelt_monthly)):
        if src is not None and dyad in src.columns:
            fill = out["month"].map(src[dyad])
            out[col] = pd.to_numeric(out[col], errors="coerce").fillna(fill)
        out[col] = pd.to_numeric(out[col], errors="coerce")
    same = np.sign(out["model"]) == np.sign(out["gdelt"])
    out["agree"] = [bool(a) if isinstance(a, (bool, np.bool_)) else bool(s)
                    for a, s in zip(out["agree"], same)]
    out["date"] = pd.to_datetime(out["month"] + "-01", errors="coerce")
    return out.dropna(subset=["date"])


def _symmetric_lim(values: pd.Series) -> tuple[float, float]:
    """Limits symmetric about 0 so both axes share the zero line."""
    m = float(np.nanmax(np.abs(values))) if values.notna().any() else 1.0
    m = m * 1.15 if m > 0 else 1.0
    return -m, m


def _draw_gdelt_panel(ax, months: pd.DataFrame, color: str) -> None:
    x = months["date"].to_numpy()
    ax.axhline(0.0, color="0.3", lw=0.6, zorder=0.6)
    ax.plot(x, months["model"], color=color, lw=1.3, zorder=2)
    agree = months["agree"].to_numpy(dtype=bool)
    ax.scatter(x[agree], months["model"][agree], color="black", marker="o", s=14, zorder=3)
    ax.scatter(x[~agree], months["model"][~agree], color=style.NEGATIVE, marker="X", s=26, zorder=3)
    ax.set_ylim(*_symmetric_lim(months["model"]))
    ax2 = ax.twinx()
    ax2.plot(x, months["gdelt"], color="0.45", lw=1.0, ls="--", marker="s", ms=3, mfc="white", zorder=1)
    ax2.set_ylim(*_symmetric_lim(months["gdelt"]))
    ax2.spines["right"].set_visible(True)
    ax2.grid(False)
    ax2.set_ylabel("GDELT score", fontsize=7, color="0.35")
    ax2.tick_params(axis="y", colors="0.35")


# --------------------------------------------------------------------------
# Fallback
# --------------------------------------------------------------------------

def placeholder(message: str) -> Figure:
    """Small figure stating why a plot is unavailable."""
    fig = Figure(figsize=(style.SINGLE_COL, 1.0))
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=8, wrap=True)
    return fig
