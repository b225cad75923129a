"""Calendar arithmetic on dates shared by the run's read-outs and the explorations."""
from __future__ import annotations

import calendar
import datetime as dt


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by ``months`` calendar months (negative: back), the day clipped to the
    length of the target month (31 Jan + 1 month = 28 or 29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def window_text(lo: dt.date, hi: dt.date) -> str:
    """An event's date as the window it is drawn in: ``27 Jan 2023`` for one day, else
    ``27–30 Jan 2023 (drawn)``, ``2 Mar – 30 May 2023 (drawn)`` or
    ``1 Dec 2022 – 31 Jan 2023 (drawn)``: each replicate draws its day in the window."""
    def day(d: dt.date, year: bool = True) -> str:
        return f"{d.day} {calendar.month_abbr[d.month]}" + (f" {d.year}" if year else "")

    if lo == hi:
        return day(lo)
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo.day}–{day(hi)} (drawn)"
    if lo.year == hi.year:
        return f"{day(lo, year=False)} – {day(hi)} (drawn)"
    return f"{day(lo)} – {day(hi)} (drawn)"
