"""The triangle with and without the region, side by side: writes docs/results/region.json
and the table block of docs/region.md (between its `<!-- region-compare -->` markers).

Three runs, same seed and replicates (common random numbers are keyed by pair names, so the
triangle's pairs draw the same numbers in every run):
  triangle  actors=default events=article                (the default run)
  region    actors=region  events=article                (the same timeline, five more actors)
  region+   actors=region  events=region_2023_2024       (plus the regional timeline, Jun 2023 – May 2024)
For the triangle's three dyads: P(rung >= k by the end), any act and endogenous acts, with
95 % Wilson intervals, and the monthly mean net relation (mean over replicates). Also each
run's wall time per replicate-day (the speed of N = 8 against N = 3; measured while other
jobs share the machine, so compare the ratio, not the seconds).

Usage: python scripts/region_compare.py [REPLICATES]   (default 400)
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import plain_cfg  # noqa: E402
from sim.config.build import build_settings  # noqa: E402
from sim.engine.settings import Scenario  # noqa: E402
from sim.io.atomic import atomic_write_bytes  # noqa: E402
from sim.runs import summary, validation  # noqa: E402
from sim.runs.ensemble import run_ensemble  # noqa: E402

RUNS = {
    "triangle": ["actors=default", "events=article"],
    "region": ["actors=region", "events=article"],
    "region+events": ["actors=region", "events=region_2023_2024"],
}
TRIANGLE = ("AZE-IRN", "AZE-ISR", "IRN-ISR")
MONTHS = ("2022-12", "2023-06", "2023-10", "2024-01", "2024-04", "2024-05")  # shown in the table
DOC = ROOT / "docs" / "region.md"


def one(name: str, overrides: list[str], replicates: int) -> dict:
    s = build_settings(plain_cfg([*overrides, f"ensemble.replicates={replicates}", "record.replicates=0"]))
    t0 = time.perf_counter()
    st = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
    wall = time.perf_counter() - t0
    sc = summary.scenario_summary(st, s.actors)
    monthly = validation.model_monthly_net(st, s.dates, s.actors)
    out = {"overrides": overrides, "actors": list(s.actors), "events": len(s.events), "wall_seconds": round(wall, 2),
           "replicate_days": replicates * s.n_days,
           "microseconds_per_replicate_day": round(1e6 * wall / (replicates * s.n_days), 2), "dyads": {}}
    for d in TRIANGLE:
        e = sc[d]["p_rung_at_least"]
        out["dyads"][d] = {
            "p_rung_at_least": {k: {x: round(e[k][x], 4) for x in ("p", "lo", "hi")} for k in "123456"},
            "p_rung_at_least_endogenous": {k: round(e["endogenous"][k]["p"], 4) for k in "123456"},
            "monthly_net_relation": {str(m)[:7]: round(float(v), 4) for m, v in monthly[d].items()},
        }
    print(f"{name}: {out['microseconds_per_replicate_day']} µs per replicate-day ({wall:.1f} s)", file=sys.stderr)
    return out


def table(res: dict) -> str:
    names = list(RUNS)
    lines = ["| dyad | k | " + " | ".join(f"P(rung ≥ k) {n}" for n in names) + " |",
             "|---|---|" + "---|" * len(names)]
    for d in TRIANGLE:
        for k in "12345":
            cells = [res["runs"][n]["dyads"][d]["p_rung_at_least"][k] for n in names]
            lines.append(f"| {d} | {k} | " + " | ".join(f"{c['p']:.3f} [{c['lo']:.3f}, {c['hi']:.3f}]" for c in cells)
                         + " |")
    lines += ["", "| dyad | month | " + " | ".join(f"net relation {n}" for n in names) + " |",
              "|---|---|" + "---|" * len(names)]
    for d in TRIANGLE:
        for m in MONTHS:
            cells = [res["runs"][n]["dyads"][d]["monthly_net_relation"].get(m) for n in names]
            lines.append(f"| {d} | {m} | " + " | ".join(f"{c:+.3f}" for c in cells) + " |")
    sp = res["runs"]
    lines += ["", "| run | actors | events | wall s | µs per replicate-day | ratio to triangle |", "|---|---|---|---|---|---|"]
    for n in names:
        r = sp[n]
        ratio = r["microseconds_per_replicate_day"] / sp["triangle"]["microseconds_per_replicate_day"]
        lines.append(f"| {n} | {len(r['actors'])} | {r['events']} | {r['wall_seconds']} | "
                     f"{r['microseconds_per_replicate_day']} | {ratio:.1f} |")
    return "\n".join(lines)


def main() -> int:
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    res = {"command": f"python scripts/region_compare.py {replicates}", "replicates": replicates, "seed": 0,
           "note": "wall times measured on a shared 2-core machine under load: compare ratios",
           "runs": {n: one(n, o, replicates) for n, o in RUNS.items()}}
    atomic_write_bytes(ROOT / "docs" / "results" / "region.json",
                       (json.dumps(res, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    text = DOC.read_text("utf-8")
    block = f"<!-- region-compare -->\n{table(res)}\n<!-- /region-compare -->"
    DOC.write_text(re.sub(r"<!-- region-compare -->.*?<!-- /region-compare -->", lambda _: block, text, flags=re.S),
                   "utf-8")
    print(table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
