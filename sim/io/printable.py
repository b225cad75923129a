"""Text from configs and data files shown on a terminal: control characters (ESC sequences
can move the cursor and rewrite printed numbers) and bidirectional overrides shown escaped,
as the HTML report escapes them (M8, L3)."""
from __future__ import annotations

import re

# C0 except tab, C1, DEL, and the bidi embedding/override/isolate marks
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every unsafe character written as ``\\xNN`` / ``\\uNNNN``."""
    return _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


def printable_line(text: str) -> str:
    """One line: newlines escaped too (an error message stays on one line)."""
    return printable(str(text).replace("\n", "\\n").replace("\r", "\\r"))
