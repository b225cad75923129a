"""Palette and matplotlib style shared by every report figure.

Colours are the Okabe–Ito colour-blind-safe set.  Each dyad keeps one colour
in every figure; sign (positive/negative) uses blue/vermillion, which are never
used as dyad colours so the two meanings cannot be confused.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from typing import Iterable, Iterator

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.dates as mdates
from matplotlib.axes import Axes

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

POSITIVE = OKABE_ITO["blue"]
NEGATIVE = OKABE_ITO["vermillion"]
NEUTRAL = "#999999"
EVENT_COLOR = "#555555"

# Fixed colours for the three dyads of the triangle.
_KNOWN_DYADS = {
    "AZE-IRN": OKABE_ITO["orange"],
    "AZE-ISR": OKABE_ITO["bluish_green"],
    "IRN-ISR": OKABE_ITO["reddish_purple"],
}
# Spare colours for dyads of larger (N > 3) actor sets, assigned in sorted order.
# Yellow goes last: it has poor contrast on white.
_SPARE = [OKABE_ITO["sky_blue"], OKABE_ITO["black"], "#7F7F7F", OKABE_ITO["yellow"]]

# Paper column widths in inches (the "screen" widths; `paper` sets others).
SINGLE_COL = 3.4
DOUBLE_COL = 7.0
# Full text width of a figure per `report.paper`: A4 and US letter with 25 mm / 1 in
# margins; "screen" is the report page's figure width.
PAPER_WIDTHS = {"a4": 6.3, "letter": 6.5, "screen": DOUBLE_COL}
_paper_width: contextvars.ContextVar[float] = contextvars.ContextVar("paper_width", default=DOUBLE_COL)


def double_col() -> float:
    """Width (inches) of a full-width figure for the current paper size."""
    return _paper_width.get()


def single_col() -> float:
    """Width (inches) of a one-column figure for the current paper size."""
    return round(_paper_width.get() * SINGLE_COL / DOUBLE_COL, 3)

BASELINE = "baseline"
_CF_LINESTYLES = ["--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3))]

# One distinct colour per rung (Paul Tol's "vibrant" set, colour-blind safe): cool
# colours for the verbal and diplomatic rungs, warm ones for violence.  None of
# them is a dyad colour, so a rung is never mistaken for a dyad.
RUNG_COLORS = {
    1: "#33BBEE",  # cyan
    2: "#0077BB",  # blue
    3: "#009988",  # teal
    4: "#EE7733",  # orange
    5: "#CC3311",  # red
    6: "#EE3377",  # magenta
}

RUNG_NAMES = {
    1: "verbal conflict",
    2: "diplomatic sanctions",
    3: "show of force",
    4: "covert or proxy violence",
    5: "limited military strike",
    6: "war",
}

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.2,
    # Deterministic SVG ids and no mathtext surprises from data strings with '$'.
    "svg.hashsalt": "triad-report",
    "text.parse_math": False,
    "path.simplify": True,
}


@contextlib.contextmanager
def style_context(paper: str = "screen") -> Iterator[None]:
    """Apply the report rcParams and the figure width of `paper` for the block."""
    token = _paper_width.set(PAPER_WIDTHS[paper])
    try:
        with matplotlib.rc_context(RC):
            yield
    finally:
        _paper_width.reset(token)


def rung_color(rung: int) -> str:
    return RUNG_COLORS.get(int(rung), NEUTRAL)


def dyad_name(a: str, b: str) -> str:
    """Unordered dyad name, members sorted alphabetically ("AZE-IRN")."""
    lo, hi = sorted((str(a), str(b)))
    return f"{lo}-{hi}"


def dyad_colors(dyads: Iterable[str]) -> dict[str, str]:
    """Map each dyad to its colour; the triangle's dyads keep fixed colours."""
    out: dict[str, str] = {}
    spare = itertools.cycle(_SPARE)  # beyond the triangle, colours repeat: panels carry the dyad's name
    for d in sorted(set(dyads)):
        out[d] = _KNOWN_DYADS.get(d) or next(spare)
    return out


def order_scenarios(scenarios: Iterable[str]) -> list[str]:
    """Baseline first, then counterfactuals alphabetically."""
    s = sorted(set(map(str, scenarios)))
    return ([BASELINE] if BASELINE in s else []) + [x for x in s if x != BASELINE]


def scenario_linestyles(scenarios: Iterable[str]) -> dict[str, object]:
    """Solid for the baseline, distinct dash patterns for counterfactuals."""
    out: dict[str, object] = {}
    cf = 0
    for s in order_scenarios(scenarios):
        if s == BASELINE:
            out[s] = "-"
        else:
            out[s] = _CF_LINESTYLES[cf % len(_CF_LINESTYLES)]
            cf += 1
    if BASELINE not in out and out:
        # With no baseline the first scenario gets the solid line.
        first = next(iter(out))
        out = {k: ("-" if k == first else v) for k, v in out.items()}
    return out


def shade(color: str, frac: float) -> tuple[float, float, float]:
    """Blend `color` towards white (frac > 0) or black (frac < 0); 0 = unchanged."""
    rgb = mcolors.to_rgb(color)
    if frac >= 0:
        return tuple(c + (1 - c) * frac for c in rgb)  # type: ignore[return-value]
    return tuple(c * (1 + frac) for c in rgb)  # type: ignore[return-value]


class _DateLocator(mdates.AutoDateLocator):
    """AutoDateLocator that drops ticks after `last` (a date number, if given) and remembers
    its ticks for the view interval: the panels of a figure share one locator (``sharex``)
    and every draw asks each panel again, each time through dateutil's rrule."""

    def __init__(self, last: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self._last = last
        self._memo: tuple = (None, None)

    def __call__(self):
        key = tuple(self.axis.get_view_interval()) if self.axis is not None else None
        if key is None or key != self._memo[0]:
            ticks = super().__call__()
            if self._last is not None:
                ticks = [t for t in ticks if t <= self._last + 1e-9]
            self._memo = (key, ticks)
        return self._memo[1]


def format_date_axis(ax: Axes, maxticks: int | dict = 8, last: float | None = None) -> None:
    """Readable, compact date ticks (none after `last` if given)."""
    locator = _DateLocator(last, minticks=4, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
