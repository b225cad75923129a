"""Engine throughput and memory: replicate-days per second and peak RSS, on one core.

    .venv/bin/python benchmarks/bench.py            # full run (~2-3 min), writes benchmarks/results.json
    .venv/bin/python benchmarks/bench.py --quick    # smoke run, R <= 1000, prints only (unless --out)

Every measurement runs in a fresh subprocess pinned to one BLAS/OpenMP thread, so its
peak RSS (``ru_maxrss``) is its own. The engine is measured through
``sim.ensemble.run_ensemble`` with the default config: the article's timeline, decisions,
events, per-day streamed statistics and the recorder of the first ``record.replicates``
(200) replicates all on; the horizon is 2022-09-01..2024-05-31 (639 days) unless a row
says otherwise. The timed section is the ensemble run only (not imports or config).
The scalar baseline (``benchmarks/scalar_baseline.py``: one Mesa model per replicate,
Python floats, its own generator) is measured in the same run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START = dt.date(2022, 9, 1)
FULL_DAYS = 639
SINGLE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _settings(replicates: int, days: int, chunk_size: int):
    sys.path.insert(0, str(ROOT))
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.build import build_settings
    from sim.config.validate import validate

    end = START + dt.timedelta(days=days - 1)
    overrides = [f"ensemble.replicates={replicates}", f"ensemble.chunk_size={chunk_size}", f"end={end.isoformat()}"]
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()
    return build_settings(validate(cfg))


# -- workers (run in a fresh subprocess each) ---------------------------------------------
def worker_engine(replicates: int, days: int, chunk_size: int, repeat: int, workers: int = 1) -> dict:
    from sim.engine.settings import Scenario
    from sim.runs.ensemble import run_ensemble

    warm = _settings(2, 5, chunk_size)  # load (or compile) the numba kernels outside the timing
    run_ensemble(warm, [Scenario("baseline", warm.events)])
    s = _settings(replicates, days, chunk_size)
    rss_before = _rss_mb()
    walls, cpus, peak = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu_s()
        run_ensemble(s, [Scenario("baseline", s.events)], workers=workers)
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu_s() - c0)
        peak = peak or _rss_mb()  # peak RSS of the first run alone (repeats only refine the time)
    wall, cpu = min(walls), min(cpus)
    return {"replicates": replicates, "days": s.n_days, "chunk_size": chunk_size, "repeat": repeat,
            "workers": workers, "wall_s": wall, "walls_s": walls, "cpu_s": cpu, "replicate_days_per_s": replicates * s.n_days / wall,
            "replicate_days_per_cpu_s": replicates * s.n_days / cpu,
            "rss_before_run_mb": rss_before, "peak_rss_mb": peak}


def worker_baseline(replicates: int, days: int) -> dict:
    sys.path.insert(0, str(HERE))
    from scalar_baseline import run_scalar

    s = _settings(1, days, 1)
    t0, c0 = time.perf_counter(), _cpu_s()
    run_scalar(s, range(replicates))
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"replicates": replicates, "days": s.n_days, "wall_s": wall, "cpu_s": cpu,
            "replicate_days_per_s": replicates * s.n_days / wall,
            "replicate_days_per_cpu_s": replicates * s.n_days / cpu, "peak_rss_mb": _rss_mb()}


def spawn(*args: str) -> dict:
    env = {**os.environ, **SINGLE_CORE}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args],
                         env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"bench: worker {' '.join(args)} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the run ----------------------------------------------------------------------------
def machine() -> dict:
    import mesa
    import numpy
    import scipy

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu,
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "scipy": scipy.__version__, "mesa": mesa.__version__, "threads": "1 (OMP/OPENBLAS/MKL_NUM_THREADS=1)",
            "git": commit, "load_average_1_5_15": list(os.getloadavg())}


def write_json_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: R up to 1000, fewer baseline replicates")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default benchmarks/results.json; --quick writes none unless given)")
    ap.add_argument("--baseline-replicates", type=int, default=None, help="scalar replicates (default 20; quick 5)")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        kind, *nums = a.worker
        res = worker_engine(*map(int, nums)) if kind == "engine" else worker_baseline(*map(int, nums))
        print(json.dumps(res))
        return 0

    sizes = [1, 100, 1000] if a.quick else [1, 100, 1000, 10_000, 100_000]
    chunk = 10_000
    n_base = a.baseline_replicates or (5 if a.quick else 20)
    out = a.out if a.out is not None else (None if a.quick else HERE / "results.json")
    t_all = time.perf_counter()
    load_start = list(os.getloadavg())

    print(f"engine: default config, {FULL_DAYS} days, decisions + events + daily stats + recorder on, "
          f"chunk_size={chunk}, 1 thread; load average at start {load_start[0]:.2f} on {os.cpu_count()} CPUs"
          + (" (busy machine: timings are noisy)" if load_start[0] > 0.5 else ""), flush=True)
    print(f"{'R':>8} {'replicate-days/s':>17} {'wall s':>8} {'per CPU-s':>12} {'RSS before MB':>14} {'peak RSS MB':>12}")
    rows = []
    for R in sizes:
        repeat = 3 if R * FULL_DAYS < 1e6 else 1  # best of 3 where a run is under a second
        r = spawn("engine", str(R), str(FULL_DAYS), str(chunk), str(repeat))
        rows.append(r)
        print(f"{R:>8,} {r['replicate_days_per_s']:>17,.0f} {r['wall_s']:>8.2f} {r['replicate_days_per_cpu_s']:>12,.0f} "
              f"{r['rss_before_run_mb']:>14.0f} "
              f"{r['peak_rss_mb']:>12.0f}", flush=True)

    print("\nscaling in days (R=1000, best of 3):")
    scaling = []
    for days in (160, 320, 639):
        r = spawn("engine", "1000", str(days), str(chunk), "3")  # best of 3
        scaling.append(r)
        print(f"{days:>8} days {r['wall_s']:>8.2f} s wall  {r['cpu_s']:>6.2f} s CPU  "
              f"{r['cpu_s'] / days * 1000:>6.2f} CPU-ms/day  {r['replicate_days_per_s']:>12,.0f} replicate-days/s",
              flush=True)

    two = None
    if not a.quick:
        print("\ntwo worker processes (ensemble.workers=2), R=100,000 in 10 chunks:")
        two = spawn("engine", "100000", str(FULL_DAYS), str(chunk), "1", "2")
        one = next(r for r in rows if r["replicates"] == 100_000)
        print(f"{100_000:>8,} {two['replicate_days_per_s']:>17,.0f} replicate-days/s {two['wall_s']:>8.2f} s wall; "
              f"{two['replicate_days_per_s'] / one['replicate_days_per_s']:.2f}x one worker (same numbers)", flush=True)

    base = spawn("baseline", str(n_base), str(FULL_DAYS))
    ref = next((r for r in rows if r["replicates"] == 10_000), rows[-1])
    ratio = ref["replicate_days_per_s"] / base["replicate_days_per_s"]
    ratio_cpu = ref["replicate_days_per_cpu_s"] / base["replicate_days_per_cpu_s"]
    print(f"\nscalar Mesa baseline ({n_base} replicates one after another, own RNG): "
          f"{base['replicate_days_per_s']:,.0f} replicate-days/s ({base['wall_s']:.2f} s; "
          f"{base['replicate_days_per_cpu_s']:,.0f} per CPU-s; peak RSS "
          f"{base['peak_rss_mb']:.0f} MB)")
    print(f"engine (R={ref['replicates']:,}) / scalar baseline: {ratio:,.0f}x wall-clock, {ratio_cpu:,.0f}x per CPU-second")
    targets = {
        ">= 1.5 M replicate-days/s at R=10,000": ref["replicates"] == 10_000 and ref["replicate_days_per_s"] >= 1.5e6,
        ">= 50x the per-replicate baseline": ratio >= 50,
    }
    big = next((r for r in rows if r["replicates"] == 100_000), None)
    if big is not None:
        targets["peak RSS < 1.5 GB at R=100,000"] = big["peak_rss_mb"] < 1536
    print("\ntargets (issue 7), measured in this run:")
    for name, ok in targets.items():
        print(f"  {'met ' if ok else 'MISS'}  {name}")
    wall = time.perf_counter() - t_all
    print(f"total bench wall time {wall:.0f} s")

    if out is not None:
        write_json_atomic(out, {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "quick": a.quick,
            "machine": machine(),
            "load_average_at_start": load_start,
            "workload": {"config": "default (article timeline, decisions, events, noise, balance)",
                         "start": START.isoformat(), "days": FULL_DAYS, "chunk_size": chunk,
                         "per_day_statistics": True, "record_replicates": 200,
                         "timed": "sim.ensemble.run_ensemble only, in a fresh subprocess per row"},
            "engine": rows,
            "scaling_days_R1000": scaling,
            "scalar_baseline": base,
            "two_workers_R100000": two,
            "targets": targets,
            "ratio": {"engine_replicates": ref["replicates"], "engine_over_baseline": ratio,
                      "engine_over_baseline_cpu": ratio_cpu},
            "bench_wall_s": wall,
        })
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
