"""The event key's line fitting (sim/report/figures/events.py): the proportional walk finds
the prefix the bisection found, for every width."""
from __future__ import annotations

import pytest

from sim.report import style
from sim.report.figures import events as E

LINES = ["2023-01-27  IRN→AZE  Gunman attacks the Azerbaijani embassy in Tehran, killing its security chief",
         "2023-03-29  AZE→ISR  Azerbaijan opens its embassy in Tel Aviv, the first of a Shia-majority state",
         "May 2023  ISR→AZE  Herzog visits Baku", "x", "a b c d e f g h i j k l m n o p q r s t u v w x y z"]


def _bisect(text: str, width_pt: float, size: float) -> str:
    """The fitting as it was before issue 19's change (a bisection), for reference."""
    text = " ".join(text.split())
    if E._text_width_pt(text, size) <= width_pt:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if E._text_width_pt(text[:mid].rstrip() + "…", size) <= width_pt:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


@pytest.mark.parametrize("line", LINES)
def test_the_walk_finds_the_bisections_prefix(line):
    with style.style_context():
        for width in (0.5, 3.0, 12.0, 40.0, 77.7, 120.0, 160.0, 199.0, 260.0, 400.0):
            assert E._fit(line, width, 5.5) == _bisect(line, width, 5.5), width
            fitted = E._fit(line, width, 5.5)
            assert fitted == " ".join(line.split()) or fitted.endswith("…")
