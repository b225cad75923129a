"""Measure the run-time numbers the README quotes and write them to
``docs/results/run_time.json`` (``tests/test_docs_numbers.py`` checks every quoted number
against its results file; ``docs/numbers.md`` says how).

    .venv/bin/python scripts/docs_numbers.py              # about 2 min on a quiet 2-core machine

Measured, each in a fresh process of this checkout, wall clock and CPU time (the load
average before and after is recorded: timings under load are longer):
- ``startup_version_s``: ``python -m sim --version`` (the command's start-up);
- ``import_palette_s``: ``import sim.report.style`` (the report's colours; no figure module);
- ``run_cold_s``: the default run (``triad``, report included) with an empty numba cache,
  so the day loop is compiled, and an empty figure cache (the first run after installing);
- ``run_warm_s``: the same again, caches warm (what ``make run`` takes from then on: the
  inputs are unchanged, so the figures are copied from the figure cache);
- ``run_warm_drawn_s``: warm, the figure cache off (``TRIAD_FIGURE_CACHE=off``): every
  figure drawn, as after any change of config, seed or code;
- ``run_warm_no_report_s``: warm, ``report.enabled=false``;
- ``report_s``: ``build_report`` on that run in a fresh process, figure cache off
  (``report_import_s`` of it: importing ``sim.report.run``; ``report_build_s``:
  ``build_report`` itself); ``report_cached_s``: the same with the figures in the cache.

The figure cache is a directory of the run's temporary folder, empty at the start.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "results" / "run_time.json"
REPORT = ("import sys, time, json; t0 = time.perf_counter(); from sim.report.run import build_report; "
          "t1 = time.perf_counter(); build_report(sys.argv[1]); t2 = time.perf_counter(); "
          "print(json.dumps({'import': t1 - t0, 'build': t2 - t1}))")


def _timed(args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall s, CPU s of the child and its children, stdout) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"docs_numbers: {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def measure(repeat: int) -> dict:
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="triad-docs-numbers-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp / "numba-cache"),
           "TRIAD_FIGURE_CACHE": str(tmp / "figure-cache")}
    drawn = {**env, "TRIAD_FIGURE_CACHE": "off"}
    env.pop("TRIAD_REPORT_WORKERS", None)
    drawn.pop("TRIAD_REPORT_WORKERS", None)
    v: dict[str, float] = {}

    def median(args: list[str]) -> tuple[float, float]:
        runs = [_timed(args, env)[:2] for _ in range(repeat)]
        return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

    v["startup_version_s"], v["startup_version_cpu_s"] = median([py, "-m", "sim", "--version"])
    v["import_palette_s"], v["import_palette_cpu_s"] = median([py, "-c", "import sim.report.style"])
    v["run_cold_s"], v["run_cold_cpu_s"], _ = _timed([py, "-m", "sim", f"hydra.run.dir={tmp / 'cold'}"], env)
    warm = [_timed([py, "-m", "sim", f"hydra.run.dir={tmp / f'warm{i}'}"], env)[:2] for i in range(repeat)]
    v["run_warm_s"] = statistics.median(w for w, _ in warm)
    v["run_warm_cpu_s"] = statistics.median(c for _, c in warm)
    fresh = [_timed([py, "-m", "sim", f"hydra.run.dir={tmp / f'drawn{i}'}"], drawn)[:2] for i in range(repeat)]
    v["run_warm_drawn_s"] = statistics.median(w for w, _ in fresh)
    v["run_warm_drawn_cpu_s"] = statistics.median(c for _, c in fresh)
    bare = [_timed([py, "-m", "sim", f"hydra.run.dir={tmp / f'bare{i}'}", "report.enabled=false"], env)[:2]
            for i in range(repeat)]
    v["run_warm_no_report_s"] = statistics.median(w for w, _ in bare)
    v["run_warm_no_report_cpu_s"] = statistics.median(c for _, c in bare)
    rep = []
    for _ in range(repeat):
        wall, cpu, out = _timed([py, "-c", REPORT, str(tmp / "bare0")], drawn)
        rep.append((wall, cpu, json.loads(out.strip().splitlines()[-1])))
    v["report_s"] = statistics.median(r[0] for r in rep)
    v["report_cpu_s"] = statistics.median(r[1] for r in rep)
    v["report_import_s"] = statistics.median(r[2]["import"] for r in rep)
    v["report_build_s"] = statistics.median(r[2]["build"] for r in rep)
    _timed([py, "-c", REPORT, str(tmp / "bare1")], env)  # its figures into the cache (bare runs are alike)
    v["report_cached_s"], v["report_cached_cpu_s"] = median([py, "-c", REPORT, str(tmp / "bare0")])
    return {k: round(x, 2) for k, x in v.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per warm measurement (the median is kept)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    values = measure(args.repeat)
    doc = {
        "command": f"python scripts/docs_numbers.py --repeat {args.repeat}",
        "measured": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "python": sys.version.split()[0],
                    "load_average_before": [round(x, 2) for x in load0],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "meaning": "wall-clock seconds (and CPU seconds, *_cpu_s) of the default run and its parts, each in a "
                   "fresh process of this checkout; see the docstring of scripts/docs_numbers.py",
        "values": values,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", "utf-8")
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
