"""What a finished run prints on standard output: where it wrote, its headline lines, the
answers, and the GDELT agreement — every per-dyad line as ``LABEL: DYAD value; DYAD value``
in the same dyad order. In a sweep the first line also names the job's overrides, and the
block is written at once so that parallel jobs' blocks do not interleave."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping, Sequence


def dyad_order(summ: Mapping) -> list[str]:
    """The dyads in the order of the headline lines (the baseline's scenario summary)."""
    base = (summ.get("scenarios") or {}).get("baseline") or {}
    if base:
        return list(base)
    return sorted(((summ.get("validation") or {}).get("dyads") or {}))


def gdelt_line(v: Mapping, order: Sequence[str]) -> str | None:
    """``GDELT sign agreement of monthly net relation, 2022-09..2023-05: AZE-IRN 0.78; …; all 0.93``."""
    if "overall_sign_agreement" not in v:
        return None
    dyads = v.get("dyads") or {}
    names = [d for d in order if d in dyads] + sorted(set(dyads) - set(order))
    parts = [f"{d} {dyads[d]['sign_agreement']:.2f}" for d in names]
    parts.append(f"all dyads {v['overall_sign_agreement']:.2f}")
    label = v.get("label", "in-sample fit")
    return (f"GDELT sign agreement of monthly net relation, {v['window'][0]}..{v['window'][1]} ({label}): "
            + "; ".join(parts))


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
    lines += list(summ.get("headline") or [])
    for name, c in (summ.get("counterfactuals") or {}).items():
        lines.append(f"answer ({name}): {c['answer']}")
    if "backtest" in summ:
        lines.append(f"answer (backtest): {summ['backtest']['answer']}")
    if "attribution" in summ:
        lines.append(f"answer ({summ['attribution']['name']}): {summ['attribution']['answer']}")
    g = gdelt_line(summ.get("validation") or {}, dyad_order(summ))
    if g:
        lines.append(g)
    if (out / "report.html").exists():
        lines.append(f"report: {out / 'report.html'}")
    return lines


def print_result(summ: Mapping, out_dir: str | Path, overrides: Sequence[str] | None = None,
                 job: int | None = None) -> None:
    sys.stdout.write("\n".join(result_lines(summ, out_dir, overrides, job)) + "\n")
    sys.stdout.flush()
