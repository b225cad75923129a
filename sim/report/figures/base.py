"""What every report figure shares: the placeholder for missing data, date numbers
and the reproducible PNG/SVG rendering."""

from __future__ import annotations

import io
from typing import Any, Sequence

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
    fig = Figure(figsize=(style.single_col(), 1.0))
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=8, wrap=True)
    return fig


def with_event_key(height: float, events: Sequence[dict] | None) -> tuple[Figure, Any]:
    """A full-width figure of `height` inches for the panels, plus the event key below
    them when there are events; returns (figure, the (sub)figure to draw panels on)."""
    from sim.report.figures.events import draw_event_key, key_height

    events = list(events or [])
    key_h = key_height(events)
    fig = Figure(figsize=(style.double_col(), height + key_h), layout="constrained")
    if not events:
        return fig, fig
    top, bottom = fig.subfigures(2, 1, height_ratios=[height, key_h], hspace=0.0)
    draw_event_key(bottom, events)
    return fig, top


# Fixed metadata, so the same figure gives the same bytes (no dates, no version strings).
_METADATA = {"png": {"Software": None}, "svg": {"Date": None},
             "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
FORMATS = tuple(_METADATA)


def render(fig: Figure, fmt: str, dpi: int = 200) -> bytes:
    """The figure as PNG (`dpi`), SVG or PDF (vector) bytes, reproducibly."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buf.getvalue()


def render_figure(fig: Figure, dpi: int = 200) -> tuple[bytes, bytes]:
    """PNG and SVG bytes with metadata stripped so output is reproducible."""
    return render(fig, "png", dpi), render(fig, "svg")
