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
