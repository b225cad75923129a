"""Wall time of the rolling-origin backtest of the shipped window (issue 13's budget: under
10 minutes on the 2-core machine), as a user runs it.

    .venv/bin/python benchmarks/bench_backtest.py     # writes benchmarks/backtest_results.json

Runs ``python -m sim experiment=backtest`` (default ensemble size, every origin and
horizon, report on) in a fresh subprocess into a temporary directory, twice: the first run
includes compiling the day loop when numba's cache is cold, the second is warm. The time
is the wall clock of the whole command (Python start, Hydra, the checks, simulation,
scoring, bootstrap, figures, report); the run's own timing is read from its manifest.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUDGET_S = 600.0


def one_run(out: Path) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim", "experiment=backtest", f"hydra.run.dir={out}"], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"backtest failed ({proc.returncode}): {proc.stderr[-2000:]}")
    man = json.loads((out / "manifest.json").read_text("utf-8"))
    summ = json.loads((out / "summary.json").read_text("utf-8"))
    return {"command_wall_s": round(wall, 2), "run_wall_s": man.get("wall_seconds"),
            "origins": len(summ["backtest"]["origins"]), "horizons": summ["backtest"]["horizons"],
            "replicates": summ["replicates"], "rows": summ["backtest"]["rows"], "headline": summ["headline"]}


def main() -> None:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="triad-bench-bt-") as tmp:
        runs = [one_run(Path(tmp) / f"run{k}") for k in range(2)]
    res = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
           "load_average_at_start": round(load, 2), "budget_s": BUDGET_S,
           "first_run": runs[0], "second_run": runs[1],
           "within_budget": all(r["command_wall_s"] < BUDGET_S for r in runs)}
    tmp = HERE / "backtest_results.json.tmp"
    tmp.write_text(json.dumps(res, indent=2) + "\n", "utf-8")
    tmp.replace(HERE / "backtest_results.json")  # atomic: never a half-written results file
    for k, r in (("first", runs[0]), ("second", runs[1])):
        print(f"backtest of the shipped window, {k} run: {r['command_wall_s']:.1f} s for the whole command "
              f"({r['origins']} origins x horizons {r['horizons']}, {r['replicates']} replicates; budget {BUDGET_S:.0f} s)")


if __name__ == "__main__":
    main()
