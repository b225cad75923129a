"""Event numbers and markers: the numbering shared by the figures and the timeline
table, and the lines, spans and staggered number labels drawn on the fan charts."""

from __future__ import annotations

import functools
import math
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.report import style
from sim.report.figures.base import date_num

EVENT_FS = 6.5  # font size of event number markers (pt)
WINDOW_HATCH = "///"


def number_events(events: Sequence[dict]) -> list[dict]:
    """Copy events sorted by their date window (first possible day, then last, then id) and
    add a 1-based number `n`: the key is in the order the events can happen, not by the
    nominal first-of-month of a month-precision date.

    The same numbering is used by the figures and the HTML timeline table.
    """
    def key(ev: dict) -> tuple[str, str, str]:
        w = ev.get("window") or [ev.get("date", ""), ev.get("date", "")]
        return (str(w[0])[:10], str(w[-1])[:10], str(ev.get("id", "")))

    return [dict(ev, n=i) for i, ev in enumerate(sorted(events, key=key), 1)]


def event_dyad(ev: dict) -> str:
    """Dyad an event concerns (sorted source/target)."""
    return style.dyad_name(ev.get("source", ""), ev.get("target", ""))


def _event_extent(ev: dict) -> tuple[float, float, float] | None:
    """(nominal, lo, hi) date numbers; lo == hi for day precision."""
    nominal = date_num(ev.get("date"))
    if nominal is None:
        return None
    lo = hi = nominal
    window = ev.get("window") or []
    if ev.get("precision") in ("month", "year") and len(window) == 2:
        a, b = date_num(window[0]), date_num(window[1])
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
        for lvl, edge in enumerate(right_edge):  # noqa: B007 - lvl is read after the loop
            if x - w / 2 >= edge:
                break
        else:
            lvl = len(right_edge)
            right_edge.append(-math.inf)
        right_edge[lvl] = x + w / 2
        levels.append(lvl)
    return levels


def mark_events(ax, events: Sequence[dict], axis_width_pt: float) -> int:
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
            window_span(ax, a, b)
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
    widths = [(len(lbl) * 0.6 * EVENT_FS + 5.0) * data_per_pt for _, lbl in placed]
    levels = _stagger([x for x, _ in placed], widths)
    trans = ax.get_xaxis_transform()  # x in data, y in axes fraction
    for (x, lbl), lvl in zip(placed, levels):
        ax.annotate(
            lbl, xy=(x, 1.0), xycoords=trans,
            xytext=(0, 2 + lvl * (EVENT_FS + 4)), textcoords="offset points",
            ha="center", va="bottom", fontsize=EVENT_FS, annotation_clip=False,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=style.EVENT_COLOR, lw=0.5),
        )
    return max(levels) + 1


def window_span(ax, a: float, b: float) -> None:
    """An event's date window: a hatched span, so it never looks like a fan band."""
    ax.axvspan(a, b, facecolor="none", edgecolor=style.EVENT_COLOR, hatch=WINDOW_HATCH, lw=0,
               alpha=0.22, zorder=0)


def window_handle(label: str = "event date window (date known to the month/year)"):
    """Legend swatch matching `window_span`."""
    from matplotlib.patches import Patch

    return Patch(facecolor="none", edgecolor=style.EVENT_COLOR, hatch=WINDOW_HATCH, lw=0, alpha=0.6, label=label)


def event_date_text(ev: dict) -> str:
    """The date as the window it is drawn in (events.json ``when``: 27 Jan 2023, 27–30 Jan
    2023 (drawn)); for an events.json without it, the date as precisely as it is known."""
    if ev.get("when"):
        return str(ev["when"])
    w = ev.get("window") or []
    if len(w) == 2:
        import datetime as dt

        from sim.runs.dates import window_text

        try:
            return window_text(dt.date.fromisoformat(str(w[0])[:10]), dt.date.fromisoformat(str(w[1])[:10]))
        except ValueError:
            pass
    d = str(ev.get("date", ""))
    return {"month": d[:7], "year": d[:4]}.get(str(ev.get("precision")), d[:10])


def _text_width_pt(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    w, _, _ = TextToPath().get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return float(w)


def _fit(text: str, width_pt: float, size: float) -> str:
    """`text` cut (with "…") to fit `width_pt` at font `size`."""
    import matplotlib

    font = tuple(str(matplotlib.rcParams[k]) for k in ("font.family", "font.sans-serif", "font.weight"))
    return _fit_cached(" ".join(str(text).split()), float(width_pt), float(size), font)


@functools.lru_cache(maxsize=4096)
def _fit_cached(text: str, width_pt: float, size: float, font: tuple) -> str:
    """``_fit`` under the font settings ``font`` (part of the key only): every figure with an
    event key fits the same lines."""
    full = _text_width_pt(text, size)
    if full <= width_pt:
        return text
    fits = lambda k: _text_width_pt(text[:k].rstrip() + "…", size) <= width_pt  # noqa: E731
    # the longest prefix that fits with the ellipsis: start from the proportional guess and
    # walk (two or three measurements, where a bisection took about ten)
    k = min(len(text) - 1, max(0, int(len(text) * width_pt / full)))
    if fits(k):
        while k + 1 < len(text) and fits(k + 1):
            k += 1
    else:
        while k > 0 and not fits(k - 1):
            k -= 1
        k = max(k - 1, 0)
    return text[:k].rstrip() + "…"


def draw_event_key(ax, events: Sequence[dict], ncols: int = 2) -> None:
    """The key to the event numbers inside the figure: one line per event (number in the
    marker's box, date, source → target, summary), in `ncols` columns on `ax` (an axes
    spanning the figure's width, used for nothing else)."""
    ax.set_axis_off()
    margin = 0.012
    ax.text(margin, 1.0, "Event key (numbers as marked above; details in the report's timeline table)",
            fontsize=EVENT_FS + 0.5, fontweight="bold", va="top", ha="left", transform=ax.transAxes)
    rows = math.ceil(len(events) / ncols)
    col_pt = ax.get_figure(root=True).get_figwidth() * 72 * (1 - 2 * margin) / ncols
    step = 1.0 / (rows + 1.3)
    for i, ev in enumerate(events):
        col, row = divmod(i, rows)
        x, y = margin + col * (1 - 2 * margin) / ncols, 1.0 - (row + 1.35) * step
        ax.text(x + 0.01, y, str(ev["n"]), fontsize=EVENT_FS, ha="center", va="center", transform=ax.transAxes,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=style.EVENT_COLOR, lw=0.5))
        line = (f"{event_date_text(ev)}  {ev.get('source', '')}→{ev.get('target', '')}  "
                f"{' '.join(str(ev.get('summary') or ev.get('id', '')).split())}")
        ax.text(x + 0.026, y, _fit(line, col_pt - 0.036 * col_pt * ncols - 6, EVENT_FS), fontsize=EVENT_FS,
                ha="left", va="center", transform=ax.transAxes)


def key_height(events: Sequence[dict], ncols: int = 2) -> float:
    """Inches the event key needs."""
    return 0.0 if not events else 0.25 + 0.135 * math.ceil(len(events) / ncols)


def in_horizon(events: Sequence[dict] | None, first, last) -> list[dict]:
    """The events whose date window overlaps [first, last] (the ones a figure marks)."""
    lo, hi = str(first)[:10], str(last)[:10]
    out = []
    for ev in events or []:
        w = [str(x)[:10] for x in (ev.get("window") or [ev.get("date"), ev.get("date")])]
        if len(w) == 2 and w[0] <= hi and w[1] >= lo:
            out.append(ev)
    return out


def events_by_dyad(events: Sequence[dict] | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for ev in events or []:
        out.setdefault(event_dyad(ev), []).append(ev)
    return out


def panel_grid(nrows: int, ncols: int, panel_h: float, events: Sequence[dict] | None, *,
               sharey: bool = False) -> tuple[Figure, np.ndarray]:
    """A full-width figure of `nrows` x `ncols` panels sharing the x axis, with the event
    key in a strip across the bottom when there are events; returns (figure, axes).

    The key's strip is kept out of the layout (the layout fills the rest): nesting it in
    subfigures would make the layout solver's positions differ in the last bits from
    process to process, and the SVG/PDF bytes with them."""
    events = list(events or [])
    key_h = key_height(events)
    height = panel_h * nrows + 0.9 + key_h
    fig = Figure(figsize=(style.double_col(), height), layout="constrained")
    if events:
        frac = round(key_h / height, 4)
        fig.get_layout_engine().set(rect=(0.0, frac, 1.0, 1.0 - frac))
        key_ax = fig.add_axes((0.0, 0.0, 1.0, frac))
        key_ax.set_in_layout(False)
        draw_event_key(key_ax, events)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
    return fig, axes
