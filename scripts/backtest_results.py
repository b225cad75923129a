"""Run the default backtest and write the numbers docs/backtest.md quotes.

    python scripts/backtest_results.py               # runs `triad experiment=backtest` into outputs/backtest_results/
    python scripts/backtest_results.py RUN_DIR       # only reads a finished backtest run
    python scripts/backtest_results.py --table       # prints the markdown tables of docs/results/backtest.json

Writes ``docs/results/backtest.json``: the command, when, the frozen parameters' hash and commit,
the run's wall time (from its manifest), and per period, dyad and pooled horizons the model's
CRPS skill against every baseline with its origin-bootstrap interval, the seed SD of the gap and
the verdict; the model's coverage at 50/80/90/95 % with seed SDs; the held-back (training)
coverage the noise was calibrated to; the best-baseline sentences. ``render`` turns that file
into the tables of docs/backtest.md (tests/test_backtest_docs.py checks they agree).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "results" / "backtest.json"
COMMAND = "triad experiment=backtest"
GROUPS = ("all", "1-3", "4-6", "7-12")


def collect(run_dir: Path) -> dict:
    summ = json.loads((run_dir / "summary.json").read_text("utf-8"))
    man = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    b = summ["backtest"]
    skill = [{k: c[k] for k in ("period", "dyad", "horizons", "baseline", "skill", "lo", "hi", "gap", "seed_sd",
                                "gap_lo", "gap_hi", "verdict", "model_score", "baseline_score", "origins", "n")}
             for c in b["skill"] if c["score"] == "crps" and c["horizons"] in GROUPS]
    cover = [{k: r[k] for k in ("period", "dyad", "scored", "not_yet_observable", "crps", "crps_seed_sd", "cover50",
                                "cover50_seed_sd", "cover80", "cover90", "cover90_seed_sd", "cover95")}
             for r in b["scores"] if r["forecaster"] == "model" and r["horizons"] == "all"]
    return {"command": COMMAND, "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "load_average": os.getloadavg()[0], "wall_seconds_in_run": man.get("wall_seconds"),
            "frozen": b["frozen"], "replicates": summ["replicates"], "seeds": b["seeds"], "origins": b["origins"],
            "periods": b["periods"], "horizons": b["horizons"], "observations": b["observations"],
            "targets": b["targets"], "held_back_coverage": b["observation_model"]["held_back_coverage"],
            "coverage": cover, "crps_skill": skill,
            "best_baseline": [line for line in summ["headline"] if line.startswith(("backcast", "true future"))]}


def _f(v, fmt="+.2f"):
    return "n/a" if v is None else format(v, fmt)


def render(res: dict) -> str:
    """The markdown tables of docs/backtest.md from the results file."""
    out = []
    for period in res["periods"]:
        rows = [c for c in res["crps_skill"] if c["period"] == period]
        if not rows:
            continue
        out.append(f"CRPS skill of the model, {period.replace('_', ' ')} (1 − CRPS model / CRPS baseline, "
                   "95 % origin-bootstrap interval; seed SD of the CRPS gap; verdict):\n")
        groups = [g for g in GROUPS if any(c["horizons"] == g for c in rows)]
        out.append("| dyad | baseline | " + " | ".join(f"h = {g}" for g in groups) + " |")
        out.append("|---|---|" + "---|" * len(groups))
        for d in sorted({c["dyad"] for c in rows}):
            for base in dict.fromkeys(c["baseline"] for c in rows):
                cells = []
                for g in groups:
                    c = next((c for c in rows if (c["dyad"], c["baseline"], c["horizons"]) == (d, base, g)), None)
                    cells.append("" if c is None else f"{_f(c['skill'])} [{_f(c['lo'])}, {_f(c['hi'])}] "
                                 f"sd {_f(c['seed_sd'], '.2f')} {c['verdict']}")
                out.append(f"| {d} | {base} | " + " | ".join(cells) + " |")
        out.append("")
    out.append("Coverage of the model's central intervals (all horizons; mean over seeds, seed SD in brackets), "
               "and the coverage its noise was calibrated to on held-back training origins:\n")
    out.append("| period | dyad | scored | CRPS (seed SD) | 50 % | 80 % | 90 % | 95 % | held-back 50 % | held-back 90 % |")
    out.append("|---|---|---:|---|---|---|---|---|---|---|")
    for r in res["coverage"]:
        if not r["scored"]:
            continue
        h = res["held_back_coverage"][r["dyad"]]
        out.append(f"| {r['period']} | {r['dyad']} | {r['scored']} | {_f(r['crps'], '.2f')} ({_f(r['crps_seed_sd'], '.2f')}) "
                   f"| {_f(r['cover50'], '.0%')} ({_f(r['cover50_seed_sd'], '.0%')}) | {_f(r['cover80'], '.0%')} "
                   f"| {_f(r['cover90'], '.0%')} ({_f(r['cover90_seed_sd'], '.0%')}) | {_f(r['cover95'], '.0%')} "
                   f"| {_f(h['held_cover50'], '.0%')} | {_f(h['held_cover90'], '.0%')} |")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--table":
        sys.stdout.write(render(json.loads(OUT.read_text("utf-8"))))
        return
    if argv:
        run_dir = Path(argv[0])
    else:
        run_dir = ROOT / "outputs" / "backtest_results"
        subprocess.run([sys.executable, "-m", "sim", "experiment=backtest", f"hydra.run.dir={run_dir}"], check=True,
                       cwd=ROOT)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collect(run_dir), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
