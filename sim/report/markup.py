"""Small HTML builders shared by the sections of every report.

Every piece of text that comes from run data goes through `esc`; `table` takes
cells that are already escaped.
"""

from __future__ import annotations

import html
import json
from typing import Any, Iterable, Sequence

# Text from config files reaches the page: control characters are dropped (a NUL would end
# some readers' view of the page) and bidirectional overrides are shown as escapes, so a
# summary cannot render reversed text ("Trojan Source").
_UNSAFE = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {0x7F: None}
_UNSAFE |= {c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def esc(value: Any) -> str:
    """HTML-escape any value's string form (quotes included), without control characters
    and with bidirectional overrides made visible."""
    return html.escape(("" if value is None else str(value)).translate(_UNSAFE), quote=True)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], classes: Sequence[str] | None = None) -> str:
    """Table from already-escaped cell strings."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = f' class="{classes[i]}"' if classes and classes[i] else ""
            cells.append(f"<td{cls}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # in its own scrolling box: a wide table scrolls there, never the page
    return f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def num(v: Any, nd: int = 3) -> str:
    """A number with `nd` decimals; anything else escaped, None as "–"."""
    try:
        return f"{float(v):.{nd}f}"
    except (TypeError, ValueError):
        return esc(v) if v is not None else "–"


def yes_no(v: Any) -> str:
    return ("yes" if v else "no") if isinstance(v, bool) else esc(v)


def json_text(v: Any) -> str:
    """Compact, key-sorted JSON of `v`, escaped."""
    return esc(json.dumps(v, sort_keys=True, ensure_ascii=False, default=str))


def generic(title: str, anchor: str, value: Any) -> str:
    """Any JSON value as a key → JSON-text table under an <h2>; "" for None."""
    if value is None:
        return ""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        items = [("value", value)]
    rows = [[esc(k), f"<code>{json_text(v)}</code>"] for k, v in items]
    return f"<h2 id='{anchor}'>{esc(title)}</h2>" + table(["key", "value"], rows, ["", "text"])
