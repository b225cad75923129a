"""The explorer's fan charts, in the report's style (``sim/report/style.py``): per dyad, the
factual and counterfactual fans of one variable side by side with their paired difference.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no backend chosen)."""
from __future__ import annotations

import datetime as dt
import io

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

from sim.report.style import EVENT_COLOR, NEUTRAL, dyad_colors, shade, style_context
from sim.ui.compute import Outcome

TITLES = {"tension": "tension", "net_relation": "net relation (cooperation − hostility)"}
LIMITS = {"tension": (0.0, 1.0), "net_relation": (-1.0, 1.0)}
CF_COLOR = "#333333"


def _quarters(first: dt.date, last: dt.date) -> list[dt.date]:
    out, y, m = [], first.year, 1
    while (d := dt.date(y, m, 1)) <= last:
        if d >= first:
            out.append(d)
        y, m = (y + 1, 1) if m == 10 else (y, m + 3)
    return out


def new_figure(dates: np.ndarray, n_dyads: int, width: float = 9.0) -> Figure:
    """The empty grid of a fan figure over ``dates``: ``draw`` fills it, and refills it on
    every update (axes and their ticks are made once: making them is half the cost of a
    fresh figure). Quarterly ticks are fixed here: automatic date ticks and shared-axis
    labels would be worked out again on every draw."""
    with style_context():
        h = 1.45 * n_dyads + 1.0
        fig = Figure(figsize=(width, h))  # a fixed layout: constrained layout doubles the drawing time
        axes = fig.subplots(n_dyads, 2, sharex=True, squeeze=False, gridspec_kw={"width_ratios": (3, 2)})
        fig.subplots_adjust(left=0.075, right=0.99, bottom=0.62 / h, top=1 - 0.4 / h, hspace=0.12, wspace=0.1)
        days = dates.astype("datetime64[D]").astype(object)
        ticks = _quarters(days[0], days[-1])
        labels = [str(d.year) if d.month == 1 else d.strftime("%b") for d in ticks]
        for a in axes.flat:
            a.xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks)))
            a.xaxis.set_major_formatter(FixedFormatter(labels))
            a.yaxis.set_major_locator(MaxNLocator(4))
        axes[0, 0].set_xlim(days[0], days[-1])
    return fig


def _clear(fig: Figure) -> None:
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.texts]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()


def draw(fig: Figure, out: Outcome, variable: str) -> Figure:
    """Rows: dyads. Left: factual fan (50 % and 90 % bands, median) and the counterfactual's
    median and 90 % band as dashed lines. Right: the paired difference (counterfactual −
    factual, replicate by replicate), median and bands; one y scale for all its rows."""
    with style_context():
        _clear(fig)
        n = len(out.dyads)
        axes = np.asarray(fig.axes).reshape(n, 2)
        x = out.dates.astype("datetime64[D]").astype(object)
        colors = dyad_colors(out.dyads)
        base = out.fans["baseline"][variable]
        cf = out.fans[out.cf_name][variable] if out.cf_name else None
        diff = out.diff[variable] if out.diff is not None else None
        span = float(np.nanmax(np.abs(diff[..., [0, 4]]))) if diff is not None else 0.0
        span = max(span * 1.1, 0.01)
        first = (out.counterfactual or {}).get("first_change")
        for d, dyad in enumerate(out.dyads):
            c = colors[dyad]
            ax, axd = axes[d]
            ax.fill_between(x, base[:, d, 0], base[:, d, 4], color=shade(c, 0.75), lw=0, label="factual 90 %")
            ax.fill_between(x, base[:, d, 1], base[:, d, 3], color=shade(c, 0.45), lw=0, label="factual 50 %")
            ax.plot(x, base[:, d, 2], color=shade(c, -0.25), lw=1.3, label="factual median")
            if cf is not None:
                ax.plot(x, cf[:, d, 2], color=CF_COLOR, lw=1.1, ls="--", label="counterfactual median")
                ax.plot(x, cf[:, d, 0], color=CF_COLOR, lw=0.6, ls=":", label="counterfactual 90 %")
                ax.plot(x, cf[:, d, 4], color=CF_COLOR, lw=0.6, ls=":")
            ax.set_ylim(*LIMITS[variable])
            ax.text(-0.075, 0.5, dyad, transform=ax.transAxes, rotation=90, ha="center", va="center",
                    color=shade(c, -0.35), fontweight="bold")  # not set_ylabel: aligning labels costs each draw
            if diff is not None:
                axd.fill_between(x, diff[:, d, 0], diff[:, d, 4], color=shade(NEUTRAL, 0.6), lw=0, label="90 %")
                axd.fill_between(x, diff[:, d, 1], diff[:, d, 3], color=shade(NEUTRAL, 0.2), lw=0, label="50 %")
                axd.plot(x, diff[:, d, 2], color="black", lw=1.1, label="median")
                axd.set_ylim(-span, span)
                axd.tick_params(axis="y", labelleft=True)
            else:
                axd.text(0.5, 0.5, "no counterfactual change:\nswitch an event off, shift or scale it,\nor move "
                         "parameters into the counterfactual", ha="center", va="center", transform=axd.transAxes,
                         color=NEUTRAL, bbox={"facecolor": "white", "edgecolor": "none"})
                axd.set_ylim(-1, 1)
                axd.tick_params(axis="y", labelleft=False)
            axd.axhline(0, color=EVENT_COLOR, lw=0.6)
            if first:
                for a in (ax, axd):
                    a.axvline(dt.date.fromisoformat(first), color=EVENT_COLOR, lw=0.6, ls=(0, (2, 2)))
        ax0 = axes[0, 0]
        ax0.set_title(f"{TITLES[variable]}: factual and counterfactual ({out.replicates} replicates)")
        axes[0, 1].set_title("paired difference, counterfactual − factual")
        axes[-1, 0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=5, fontsize=6, handlelength=1.8)
        if diff is not None:
            axes[-1, 1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=6)
        if first:
            axes[-1, 1].annotate(f"first change {first}", (dt.date.fromisoformat(first), -span), xytext=(3, 2),
                                 textcoords="offset points", fontsize=6, color=EVENT_COLOR)
        return fig


def fan_figure(out: Outcome, variable: str, width: float = 9.0) -> Figure:
    """A new figure of one variable's fans (``draw`` on ``new_figure``)."""
    return draw(new_figure(out.dates, len(out.dyads), width), out, variable)


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with style_context():
        fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()
