"""What every report figure shares: the placeholder for missing data, date numbers
and the reproducible PNG/SVG rendering."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import matplotlib
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


# Fixed metadata, so the same figure gives the same bytes (no dates, no version strings).
_METADATA = {"png": {"Software": None}, "svg": {"Date": None},
             "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
FORMATS = tuple(_METADATA)


def fitted_legend(fig: Figure, handles: list, *, ncols: int, title: str | None = None, **kw):
    """``fig.legend`` no wider than the figure (a wider one is cut in the PNG): fewer columns
    until it fits, then, in one column, its title and labels wrapped at spaces."""
    import textwrap

    renderer, room = fig._get_renderer(), fig.bbox.width - 4
    labels = [h.get_label() for h in handles]
    for n in range(max(1, ncols), 0, -1):
        leg = fig.legend(handles=handles, labels=labels, ncols=n, title=title, **kw)
        width = leg.get_window_extent(renderer).width
        if width <= room:
            return leg
        leg.remove()
    for attempt in range(4):  # one column is still too wide: wrap the longest lines
        longest = max(len(line) for t in [*labels, title or ""] for line in t.split("\n"))
        chars = max(12, int(longest * room / width) - 2)
        labels = [textwrap.fill(t.replace("\n", " "), chars) for t in labels]
        title = textwrap.fill(title.replace("\n", " "), chars) if title else title
        leg = fig.legend(handles=handles, labels=labels, ncols=1, title=title, **kw)
        width = leg.get_window_extent(renderer).width
        if width <= room or attempt == 3:
            break
        leg.remove()
    return leg


def freeze_layout(fig: Figure, digits: int = 5, dpi: int = 200) -> Figure:
    """Run the constrained layout once, round the resulting axes positions and switch the
    layout engine off. The layout solver sums margins in an order that can depend on
    object addresses, so its results differ in the last bits from process to process; the
    vector formats (SVG, PDF) print coordinates to 6 decimals and would differ too.

    The layout runs at ``dpi`` on the Agg canvas the PNG is then drawn on, and with no
    engine left ``savefig`` draws once: the PNG at the same dpi reuses the text layouts
    (matplotlib caches them per renderer) instead of laying out every text two more times
    (issue 19: a third of the report's time)."""
    if fig.get_layout_engine() is None:
        return fig
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(dpi)
    renderer = FigureCanvasAgg(fig).get_renderer()
    with getattr(renderer, "_draw_disabled", contextlib.nullcontext)():
        fig.draw(renderer)
    for ax in fig.get_axes():
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position([round(v, digits) for v in (x0, y0, w, h)], which="both")
    for sub in [fig, *fig.subfigs]:
        for label in (getattr(sub, "_supylabel", None), getattr(sub, "_supxlabel", None)):
            if label is not None:
                label.set_position([round(v, digits) for v in label.get_position()])
    # no engine at all: a "none" placeholder still makes savefig draw twice (a dry run for
    # the layout); None means none only while the rcParams ask for no automatic layout
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    return fig


def render(fig: Figure, fmt: str, dpi: int = 200) -> bytes:
    """The figure as PNG (`dpi`), SVG or PDF (vector) bytes, reproducibly."""
    buf = io.BytesIO()
    # PNG: zlib level 3 is a third faster than Pillow's default 6 here, and no larger
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt],
                **({"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}))
    return buf.getvalue()


def render_figure(fig: Figure, dpi: int = 200) -> tuple[bytes, bytes]:
    """PNG and SVG bytes with metadata stripped so output is reproducible."""
    return render(fig, "png", dpi), render(fig, "svg")
