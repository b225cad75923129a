"""What a finished run prints on standard output: where it wrote, its headline lines, the
answers, and the GDELT agreement — every per-dyad line as ``LABEL: DYAD value; DYAD value``
in the same dyad order. In a sweep the first line also names the job's overrides, and the
block is written at once so that parallel jobs' blocks do not interleave."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping, Sequence

from sim.runs.headline import headline_lines, validation_line


def result_lines(summ: Mapping, out_dir: str | Path, overrides: Sequence[str] | None = None,
                 job: int | None = None) -> list[str]:
    """The lines of a finished run; ``overrides``/``job``: the sweep job's settings."""
    out = Path(out_dir).resolve()
    first = f"output: {out}"
    if overrides is not None:
        first += f"  (job {job if job is not None else '?'}: {' '.join(overrides) or 'no overrides'})"
    lines = [first]
    if summ.get("skipped"):
        lines.append("skipped: this directory already holds the complete outputs of the same config")
    lines += headline_lines(summ)  # labelled by scenario, one format (sim/runs/headline.py)
    for name, c in (summ.get("counterfactuals") or {}).items():
        lines.append(f"answer ({name}): {c['answer']}")
    if "backtest" in summ:
        lines.append(f"answer (backtest): {summ['backtest']['answer']}")
    if "attribution" in summ:
        lines.append(f"answer ({summ['attribution']['name']}): {summ['attribution']['answer']}")
    g = validation_line(summ)
    if g:
        lines.append(g)
    if (out / "report.html").exists():
        lines.append(f"report: {out / 'report.html'}")
    return lines


def print_result(summ: Mapping, out_dir: str | Path, overrides: Sequence[str] | None = None,
                 job: int | None = None) -> None:
    from sim.io.printable import printable_line

    sys.stdout.write("\n".join(printable_line(ln) for ln in result_lines(summ, out_dir, overrides, job)) + "\n")
    sys.stdout.flush()
