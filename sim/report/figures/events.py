"""Event numbers and markers: the numbering shared by the figures and the timeline
table, and the lines, spans and staggered number labels drawn on the fan charts."""

from __future__ import annotations

import math
from typing import Sequence

from sim.report import style
from sim.report.figures.base import date_num

EVENT_FS = 6.5  # font size of event number markers (pt)


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


def events_by_dyad(events: Sequence[dict] | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for ev in events or []:
        out.setdefault(event_dyad(ev), []).append(ev)
    return out
