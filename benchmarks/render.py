"""The measured numbers that README.md and docs/ODD.md quote, written from benchmarks/results.json.

Each document holds a block between ``<!-- bench:begin -->`` and ``<!-- bench:end -->``;
``make bench`` (``bench.py``) rewrites it from the results it has just written, and
``tests/test_bench_docs.py`` fails when a block differs from what ``results.json`` gives,
so a quoted figure cannot drift from its measurement.

    .venv/bin/python benchmarks/render.py           # rewrite the blocks from results.json
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
DOCS = ("README.md", "docs/ODD.md")


def machine(root: Path) -> dict:
    import mesa
    import numba
    import numpy

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "numpy": numpy.__version__, "numba": numba.__version__,
            "mesa": mesa.__version__, "threads": "1 BLAS/OpenMP thread per process", "git": commit}


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


def _m(x: float) -> str:
    return f"{x / 1e6:.2f} M"


def _n(x: float) -> str:
    """A whole number with thin groups: 10 000."""
    return f"{x:,.0f}".replace(",", " ")


def _conditions(r: dict) -> str:
    load = r["load_average_at_start"][0]
    busy = (f"load average {load:.1f} at the start on {r['cores']} CPUs: a busy machine, so the ratios (both engines "
            "under the same load, alternating) mean more than the absolute rates") if load > 0.5 else (
            f"load average {load:.1f} at the start on {r['cores']} CPUs")
    size = "reduced sizes (`--quick`: " if r["quick"] else "full sizes ("
    return (f"`make bench` on {r['date'][:10]}, {size}{r['workload']['days']} days), {busy}; "
            f"git {r['machine']['git']}")


def readme_block(r: dict) -> str:
    lines = [f"*Measured* by {_conditions(r)}. Default config (article timeline, decisions, events, per-day "
             f"statistics, 200 recorded replicates), `run_ensemble` timed in a fresh process per run, against the "
             f"pre-issue engine (main @ {r['pre_issue']['commit']}) in the same run, alternating:", "",
             "| R | workers | this code, replicate-days/s (per CPU-s) | pre-issue (per CPU-s) | ratio (per CPU-s) |",
             "|---:|---:|---:|---:|---:|"]
    for c in r["comparison"].values():
        w = "1" if c["workers"] == 1 else f"{c['workers']} (all cores)"
        cpu = c["workers"] == 1
        lines.append(f"| {_n(c['replicates'])} | {w} | {_m(c['current'])}"
                     + (f" ({_m(c['current_cpu'])})" if cpu else "") + f" | {_m(c['pre_issue'])}"
                     + (f" ({_m(c['pre_issue_cpu'])})" if cpu else "") + f" | {c['ratio']:.2f}×"
                     + (f" ({c['ratio_cpu']:.2f}×)" if cpu else "") + " |")
    mg, mr = r["marginal_per_core"], r["make_run_warm"]
    target = "met" if r["targets"].get(">= 3.5 M replicate-days/s marginal per core (issue 19)") else (
        "met per CPU-second only" if r["targets"].get(">= 3.5 M replicate-days per CPU-second marginal (issue 19)")
        else "not met")
    lines += ["",
              f"- Marginal rate per core (R {_n(mg['from_replicates'])} → {_n(mg['to_replicates'])}, one worker): "
              f"**{_m(mg['current'])}** replicate-days/s against {_m(mg['pre_issue'])} ({mg['ratio']:.2f}×); per "
              f"CPU-second **{_m(mg['current_cpu'])}** against {_m(mg['pre_issue_cpu'])} ({mg['ratio_cpu']:.2f}×); "
              f"issue 19's target of 3.5 M per core is {target} in this run.",
              f"- `make run` warm (the default run with its report, the whole command): **{mr['current_s']:.1f} s** "
              f"against {mr['pre_issue_s']:.1f} s for the pre-issue code ({mr['speedup']:.2f}× faster); this code "
              "copies the unchanged figures from its figure cache"
              + (f", and takes **{mr['current_drawn_s']:.1f} s** with the cache off (every figure drawn, as after "
                 "a change of config, seed or code)." if "current_drawn_s" in mr else "."),
              f"- Scalar Mesa baseline (`benchmarks/scalar_baseline.py`): "
              f"{_n(r['scalar_baseline']['replicate_days_per_s'])} replicate-days/s; the engine at "
              f"R = {_n(r['ratio']['engine_replicates'])} is {_n(r['ratio']['engine_over_baseline'])}× faster."]
    return "\n".join(lines)


def odd_block(r: dict) -> str:
    mg, mr = r["marginal_per_core"], r["make_run_warm"]
    one = r["comparison"].get("R10000_workers1")
    return (f"*Measured* by {_conditions(r)}: marginal throughput {_m(mg['current'])} replicate-days/s per core, "
            f"{_m(mg['current_cpu'])} per CPU-second ({mg['ratio']:.2f}× and {mg['ratio_cpu']:.2f}× the pre-issue-19 "
            "engine in the same run)"
            + (f", {_m(one['current'])} at R = 10 000 on one core ({one['ratio']:.2f}×)" if one else "")
            + f"; `make run` warm {mr['current_s']:.1f} s ({mr['speedup']:.2f}× faster; figures from the figure cache"
            + (f", {mr['current_drawn_s']:.1f} s drawn" if "current_drawn_s" in mr else "") + "). Full table: README "
            "§ Performance, `benchmarks/results.json`.")


def blocks(r: dict) -> dict[str, str]:
    """The text each document holds between its markers, from results ``r``."""
    return {"README.md": readme_block(r), "docs/ODD.md": odd_block(r)}


def current_block(text: str) -> str | None:
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def update_docs(r: dict, root: Path = ROOT) -> list[Path]:
    """Rewrite each document's block (atomic replace); returns the files changed."""
    changed = []
    for rel, body in blocks(r).items():
        path = root / rel
        text = path.read_text("utf-8")
        if current_block(text) is None or current_block(text) == body:
            continue
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"{head}{BEGIN}\n{body}\n{END}{tail}")
        os.replace(tmp, path)
        changed.append(path)
    return changed


if __name__ == "__main__":
    for p in update_docs(json.loads(RESULTS.read_text("utf-8"))):
        print(f"updated {p}")
    sys.exit(0)
