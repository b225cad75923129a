"""Engine throughput and ``make run`` wall time, against the pre-issue-19 engine in the same run.

    .venv/bin/python benchmarks/bench.py            # full run (several minutes), writes benchmarks/results.json
    .venv/bin/python benchmarks/bench.py --quick    # reduced sizes (160 days, R <= 10^4): validates, prints only
                                                    # (add --out FILE to save)

The pre-issue engine is main at ``PRE_ISSUE`` (before issue 19), extracted with ``git
archive`` into a directory of the system's temp folder (kept between runs, so its numba cache
stays warm) and run with ``PYTHONPATH`` pointing there. Both engines run the same measurement
in fresh subprocesses, alternately (pre-issue first in odd rounds, current first in even
ones), so load from other processes hits both alike: their *ratios* are meaningful on a busy
machine, their absolute numbers are not.

Every engine measurement runs ``run_ensemble`` of the default config (article timeline,
decisions, events, per-day statistics, 200 recorded replicates; 639 days from 2022-09-01)
in a fresh subprocess pinned to one BLAS/OpenMP thread; only the ensemble is timed. "All
cores" rows use ``ensemble.workers`` = the CPUs of this process's affinity, with chunks of
at most 10 000 replicates and at least one per worker (same chunks for both engines), worker
start-up included. The marginal rate per core is (10⁴ − 10³)·days / (t(10⁴) − t(10³)) with
one worker. ``make run`` is ``python -m sim`` (the default run with its report) timed as a
whole command, warm (after one run that fills the caches). The scalar Mesa baseline
(``benchmarks/scalar_baseline.py``) and the small-R rows are measured on the current engine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PRE_ISSUE = "579d532"  # main before issue 19 (the engine issue 19 set out to speed up)
START = dt.date(2022, 9, 1)
FULL_DAYS = 639
BLOCK = 1024  # sim.engine.rng.BLOCK: chunks of whole random-number blocks
SINGLE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TREE = Path(os.environ.get("TRIAD_BENCH_TREE", ROOT))  # the source tree a worker imports sim from


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _settings(replicates: int, days: int, chunk_size: int):
    sys.path.insert(0, str(TREE))
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.build import build_settings
    from sim.config.validate import validate

    end = START + dt.timedelta(days=days - 1)
    overrides = [f"ensemble.replicates={replicates}", f"ensemble.chunk_size={chunk_size}", f"end={end.isoformat()}",
                 "ensemble.workers=1"]
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(TREE / "conf"), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()
    return build_settings(validate(cfg))


# -- workers (each in a fresh subprocess) -----------------------------------------------------
def worker_engine(replicates: int, days: int, chunk_size: int, repeat: int, workers: int = 1) -> dict:
    from sim.engine.settings import Scenario
    from sim.runs.ensemble import run_ensemble

    warm = _settings(2, 5, chunk_size)  # load (or compile) the numba kernels outside the timing
    run_ensemble(warm, [Scenario("baseline", warm.events)], quiet=True)
    s = _settings(replicates, days, chunk_size)
    rss_before = _rss_mb()
    walls, cpus, peak = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu_s()
        run_ensemble(s, [Scenario("baseline", s.events)], workers=workers, quiet=True)
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu_s() - c0)
        peak = peak or _rss_mb()  # peak RSS of the first run alone (repeats only refine the time)
    wall, cpu = min(walls), min(cpus)
    return {"replicates": replicates, "days": s.n_days, "chunk_size": chunk_size, "repeat": repeat,
            "workers": workers, "wall_s": wall, "walls_s": walls, "cpu_s": cpu,
            "replicate_days_per_s": replicates * s.n_days / wall,
            "replicate_days_per_cpu_s": replicates * s.n_days / cpu if workers == 1 else None,
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


def worker_normals(n: int, repeat: int) -> dict:
    """Nanoseconds per standard normal: numpy's ``Generator.standard_normal`` filling an array,
    and the engine's compiled copy of it (``sim.engine.draws``, the same numbers); best of
    ``repeat``, the two alternating, in one process."""
    import numpy as np

    from sim.engine.draws import normals_into

    g = np.random.Generator(np.random.PCG64(0))
    out = np.empty((12, n // 12))
    normals_into(g, out, out.shape[1], 0, out.shape[1], 0)  # compiled (or loaded) outside the timing
    best = {"numpy_ns": math.inf, "compiled_ns": math.inf}
    for _ in range(repeat):
        t0 = time.perf_counter()
        g.standard_normal(out=out)
        best["numpy_ns"] = min(best["numpy_ns"], (time.perf_counter() - t0) / out.size * 1e9)
        t0 = time.perf_counter()
        normals_into(g, out, out.shape[1], 0, out.shape[1], 0)
        best["compiled_ns"] = min(best["compiled_ns"], (time.perf_counter() - t0) / out.size * 1e9)
    return {"draws": out.size, "repeat": repeat, **best, "ratio": best["numpy_ns"] / best["compiled_ns"]}


def spawn(tree: Path, *args: str) -> dict:
    env = {**os.environ, **SINGLE_CORE, "PYTHONPATH": str(tree), "TRIAD_BENCH_TREE": str(tree)}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args],
                         env=env, cwd=tree, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"bench: worker {' '.join(args)} in {tree} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


FIGURE_CACHE = Path(tempfile.mkdtemp(prefix="triad-bench-figures-"))  # this bench run's own, empty at start


def make_run(tree: Path, figure_cache: str | None = None) -> float:
    """Wall seconds of ``python -m sim`` (the default run with its report), output in a temp
    dir; the figure cache is this bench's own directory (``figure_cache="off"``: none, every
    figure drawn). The pre-issue code has no figure cache and ignores it."""
    cache = str(FIGURE_CACHE) if figure_cache is None else figure_cache
    with tempfile.TemporaryDirectory(prefix="triad-bench-run-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "sim", f"hydra.run.dir={tmp}/run"], cwd=tree,
                              env={**os.environ, "PYTHONPATH": str(tree), "TRIAD_FIGURE_CACHE": cache},
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"bench: make run in {tree} failed (exit {proc.returncode})")
    return wall


def pre_issue_tree() -> Path:
    """The pre-issue source tree (``git archive PRE_ISSUE``), extracted once into the temp folder."""
    dest = Path(tempfile.gettempdir()) / f"triad-bench-{PRE_ISSUE}"
    if (dest / "sim" / "engine" / "model.py").is_file():
        return dest
    proc = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", PRE_ISSUE], capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench: cannot extract the pre-issue engine ({PRE_ISSUE}) with git archive: "
                         f"{proc.stderr.decode(errors='replace').strip()}")
    part = Path(tempfile.mkdtemp(prefix=f"triad-bench-{PRE_ISSUE}-", dir=dest.parent))
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(part, filter="data")
    shutil.rmtree(dest, ignore_errors=True)
    part.rename(dest)
    return dest


# -- comparisons --------------------------------------------------------------------------------
def alternate(trees: dict[str, Path], rounds: int, measure) -> dict[str, list]:
    """``measure(tree)`` for each engine, ``rounds`` times, the order swapped every round."""
    names = list(trees)
    out: dict[str, list] = {n: [] for n in names}
    for k in range(rounds):
        for n in (names if k % 2 == 0 else names[::-1]):
            out[n].append(measure(trees[n]))
    return out


def all_core_chunk(replicates: int, n: int) -> int:
    return min(10_000, BLOCK * math.ceil(replicates / n / BLOCK))


def compare_engine(trees, replicates: int, days: int, workers: int, rounds: int) -> dict:
    chunk = 10_000 if workers == 1 else all_core_chunk(replicates, workers)
    repeat = 3 if replicates * days < 2e7 else 1  # best of three up to R = 10 000 (the marginal rate's ends)
    runs = alternate(trees, rounds, lambda t: spawn(t, "engine", str(replicates), str(days), str(chunk), str(repeat),
                                                    str(workers)))
    best = {n: max(r["replicate_days_per_s"] for r in rs) for n, rs in runs.items()}
    row = {"replicates": replicates, "days": days, "workers": workers, "chunk_size": chunk, "rounds": rounds,
           "current": best["current"], "pre_issue": best["pre_issue"], "ratio": best["current"] / best["pre_issue"],
           "current_runs": runs["current"], "pre_issue_runs": runs["pre_issue"]}
    if workers == 1:  # CPU time of the one process: much less sensitive to other processes than the wall clock
        cpu = {n: max(r["replicate_days_per_cpu_s"] for r in rs) for n, rs in runs.items()}
        row.update(current_cpu=cpu["current"], pre_issue_cpu=cpu["pre_issue"],
                   ratio_cpu=cpu["current"] / cpu["pre_issue"])
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="reduced sizes: 160 days, R up to 10^4; prints only")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default benchmarks/results.json; --quick writes none unless given)")
    ap.add_argument("--rounds", type=int, default=None, help="alternations per comparison (default 2; quick 1)")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        kind, *nums = a.worker
        work = {"engine": worker_engine, "baseline": worker_baseline, "normals": worker_normals}[kind]
        res = work(*map(int, nums))
        print(json.dumps(res))
        return 0

    days = 160 if a.quick else FULL_DAYS
    small, sizes = (1000, (10_000,)) if a.quick else (1000, (10_000, 100_000))
    rounds = a.rounds or (1 if a.quick else 2)
    n_base = 5 if a.quick else 20
    out = a.out if a.out is not None else (None if a.quick else HERE / "results.json")
    n = cores()
    t_all = time.perf_counter()
    load_start = list(os.getloadavg())
    trees = {"pre_issue": pre_issue_tree(), "current": ROOT}
    print(f"current engine ({ROOT}) against the pre-issue engine (main @ {PRE_ISSUE}, {trees['pre_issue']}), "
          f"alternating; {days} days; load average at start {load_start[0]:.2f} on {n} CPU(s)"
          + (" (busy machine: trust the ratios, not the absolute numbers)" if load_start[0] > 0.5 else ""), flush=True)

    comparison = {}
    for R in sizes:
        for w in sorted({1, n}):
            key = f"R{R}_workers{'1' if w == 1 else '_all'}"
            c = compare_engine(trees, R, days, w, rounds)
            comparison[key] = c
            print(f"R={R:>7,} workers={w}: current {c['current'] / 1e6:6.2f} M  pre-issue {c['pre_issue'] / 1e6:6.2f} M "
                  f"replicate-days/s  ratio {c['ratio']:.2f}"
                  + (f"; per CPU-second {c['current_cpu'] / 1e6:.2f} M / {c['pre_issue_cpu'] / 1e6:.2f} M, "
                     f"ratio {c['ratio_cpu']:.2f}" if w == 1 else ""), flush=True)
    low = compare_engine(trees, small, days, 1, rounds)
    hi_key = f"R{sizes[0]}_workers1"
    marginal = {}
    for name in ("current", "pre_issue"):  # wall clock, and CPU time (suffix _cpu)
        for tail in ("", "_cpu"):
            t_hi = sizes[0] * days / comparison[hi_key][name + tail]
            t_lo = small * days / low[name + tail]
            marginal[name + tail] = (sizes[0] - small) * days / (t_hi - t_lo)
    marginal_row = {"from_replicates": small, "to_replicates": sizes[0], "days": days, **marginal,
                    "ratio": marginal["current"] / marginal["pre_issue"],
                    "ratio_cpu": marginal["current_cpu"] / marginal["pre_issue_cpu"], "low_rows": low}
    print(f"marginal per core (R {small:,} -> {sizes[0]:,}): current {marginal['current'] / 1e6:.2f} M, pre-issue "
          f"{marginal['pre_issue'] / 1e6:.2f} M replicate-days/s, ratio {marginal_row['ratio']:.2f}; per CPU-second "
          f"{marginal['current_cpu'] / 1e6:.2f} M / {marginal['pre_issue_cpu'] / 1e6:.2f} M, "
          f"ratio {marginal_row['ratio_cpu']:.2f}", flush=True)

    for tree in trees.values():  # one run each first: caches filled, kernels compiled
        make_run(tree)
    runs = alternate(trees, rounds, make_run)
    best = {k: min(v) for k, v in runs.items()}
    drawn = [make_run(ROOT, "off") for _ in range(rounds)]  # every figure drawn (inputs changed)
    make_run_row = {"current_s": best["current"], "pre_issue_s": best["pre_issue"],
                    "speedup": best["pre_issue"] / best["current"], "current_runs_s": runs["current"],
                    "pre_issue_runs_s": runs["pre_issue"], "current_drawn_s": min(drawn), "current_drawn_runs_s": drawn,
                    "command": "python -m sim (default run with report); current: figures from the figure cache "
                               "(unchanged inputs), current_drawn: figure cache off"}
    print(f"make run, warm: current {best['current']:.1f} s (figures from the cache; {min(drawn):.1f} s drawn), "
          f"pre-issue {best['pre_issue']:.1f} s ({make_run_row['speedup']:.2f}x faster)", flush=True)

    rows = [spawn(ROOT, "engine", str(R), str(days), "10000", "3") for R in ((1, 100) if not a.quick else ())]
    rows += [low["current_runs"][0]] + [comparison[f"R{R}_workers1"]["current_runs"][0] for R in sizes]
    base = spawn(ROOT, "baseline", str(n_base), str(days))
    normals = spawn(ROOT, "normals", str(12 * 10240), "20")
    print(f"standard normals: numpy {normals['numpy_ns']:.1f} ns, compiled (sim.engine.draws) "
          f"{normals['compiled_ns']:.1f} ns a draw ({normals['ratio']:.2f}x)", flush=True)
    ref = comparison[hi_key]["current"]
    ratio = ref / base["replicate_days_per_s"]
    print(f"scalar Mesa baseline ({n_base} replicates): {base['replicate_days_per_s']:,.0f} replicate-days/s; "
          f"engine at R={sizes[0]:,} / baseline: {ratio:,.0f}x", flush=True)
    targets = {
        ">= 3.5 M replicate-days/s marginal per core (issue 19)": marginal["current"] >= 3.5e6,
        ">= 3.5 M replicate-days per CPU-second marginal (issue 19)": marginal["current_cpu"] >= 3.5e6,
        ">= 1.5 M replicate-days/s at R=10,000 (issue 7)": ref >= 1.5e6,
        ">= 50x the per-replicate baseline (issue 7)": ratio >= 50,
    }
    big = comparison.get("R100000_workers1")
    if big is not None:
        targets["peak RSS < 1.5 GB at R=100,000 (issue 7)"] = big["current_runs"][0]["peak_rss_mb"] < 1536
    for name, ok in targets.items():
        print(f"  {'met ' if ok else 'MISS'}  {name}")
    wall = time.perf_counter() - t_all
    print(f"total bench wall time {wall:.0f} s")

    if out is not None:
        from render import machine, update_docs, write_json_atomic

        results = {
            "command": "make bench (python benchmarks/bench.py)",
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "quick": a.quick, "machine": machine(ROOT), "load_average_at_start": load_start,
            "load_average_at_end": list(os.getloadavg()), "cores": n,
            "pre_issue": {"commit": PRE_ISSUE, "what": "main before issue 19, run from a git archive of it"},
            "workload": {"config": "default (article timeline, decisions, events, noise, balance)",
                         "start": START.isoformat(), "days": days, "per_day_statistics": True,
                         "record_replicates": 200, "timed": "run_ensemble only, fresh subprocess per measurement"},
            "comparison": comparison, "marginal_per_core": marginal_row, "make_run_warm": make_run_row,
            "engine": rows, "scalar_baseline": base, "targets": targets,
            "ratio": {"engine_replicates": sizes[0], "engine_over_baseline": ratio},
            "normals": normals, "bench_wall_s": wall,
        }
        write_json_atomic(out, results)
        print(f"wrote {out}")
        if out.resolve() == (HERE / "results.json").resolve():
            for p in update_docs(results):
                print(f"updated the measured numbers in {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
