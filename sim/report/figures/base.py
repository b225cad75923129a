"""What every report figure shares: the placeholder for missing data, date numbers
and the reproducible PNG/SVG rendering."""

from __future__ import annotations

import io
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from sim.report import style

PANEL_H = 1.55  # inches per stacked panel


def date_num(value: Any) -> float | None:
    """ISO date string → matplotlib date number (None if unparsable)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(ts):
        return None
    return float(mdates.date2num(ts.to_pydatetime()))


def placeholder(message: str) -> Figure:
    """Small figure stating why a plot is unavailable."""
    fig = Figure(figsize=(style.SINGLE_COL, 1.0))
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=8, wrap=True)
    return fig


def render_figure(fig: Figure, dpi: int = 200) -> tuple[bytes, bytes]:
    """PNG and SVG bytes with metadata stripped so output is reproducible."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()
