"""Write the parameter table of docs/ODD.md from sim/params.py (between the params markers).

    python scripts/param_table.py          # rewrite the table in docs/ODD.md
    python scripts/param_table.py --check  # exit 1 if the ODD's table is stale
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.params import markdown  # noqa: E402

ODD = ROOT / "docs" / "ODD.md"
BEGIN, END = "<!-- params:begin -->", "<!-- params:end -->"


def between(text: str) -> str:
    """The text between the markers (the table with its surrounding newlines)."""
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def render(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    return f"{head}{BEGIN}\n{markdown()}{END}{rest.split(END, 1)[1]}"


def main(argv: list[str]) -> int:
    text = ODD.read_text("utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{ODD}: the parameter table is stale; run python scripts/param_table.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        ODD.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
