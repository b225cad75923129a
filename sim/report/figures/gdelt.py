"""Validation against GDELT: the model's monthly net relation beside GDELT's monthly
score, with the months where their signs agree or differ marked."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.figures.base import fitted_legend, placeholder


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
    fitted_legend(fig, handles, loc="outside lower center", ncols=2)
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
