"""The report's options (``report.format``, ``report.paper``), checked: one line naming the
key, the allowed values and the closest one when a value is misspelled."""
from __future__ import annotations

import difflib
from typing import Any, Mapping

from sim.errors import ConfigError

FORMATS = ("png", "svg", "pdf")
PAPERS = ("a4", "letter", "screen")
DEFAULT_FORMATS = ("png",)  # vector formats on request: a third of the report's time (docs/figures.md)


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in allowed:
        return text
    # names are short, so a lower cutoff than for config keys ("a5" → "a4", "pfd" → "pdf")
    near = difflib.get_close_matches(str(value).lower(), allowed, n=2, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(n) for n in near)}? " if near else ""
    raise ConfigError(key, f"{value!r} is not an option; {hint}allowed: {', '.join(allowed)}")


def report_formats(value: Any) -> tuple[str, ...]:
    """``report.format`` as a tuple of distinct names in the order given."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise ConfigError("report.format", f"{value!r}: give one or more of {', '.join(FORMATS)}, "
                          "e.g. [png, pdf]")
    out: list[str] = []
    for k, v in enumerate(items):
        name = _choice(f"report.format[{k}]" if not isinstance(value, str) else "report.format", v, FORMATS)
        if name not in out:
            out.append(name)
    return tuple(out)


def report_paper(value: Any) -> str:
    return _choice("report.paper", value, PAPERS)


def report_options(report: Mapping[str, Any] | None) -> tuple[tuple[str, ...], str]:
    """(formats, paper) of a config's ``report`` block; defaults for missing keys."""
    report = report or {}
    return (report_formats(report.get("format", list(DEFAULT_FORMATS))),
            report_paper(report.get("paper", "screen")))
