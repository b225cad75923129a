"""The jobs of a sweep: the failure marker a job leaves, finding and reading job
directories, and the override strings that tell jobs apart.

A job directory (any directory under the sweep holding ``.hydra/overrides.yaml``) is

- ``complete``: ``manifest.json`` (written last) names the hash of its ``config.yaml``;
- ``failed``: the job recorded its error in ``error.json`` (see :func:`record_failure`);
- ``incomplete``: neither (interrupted, killed, still running), or — when the sweep's
  ``multirun.yaml`` lists a job that has no directory at all — never started.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.config import safeyaml
from sim.errors import TriadError
from sim.io.atomic import write_json
from sim.io.manifest import config_hash, verify
from sim.io.rundir import mark_incomplete, read_manifest

ERROR_FILE = "error.json"
# what the aggregate writes into a sweep directory
MERGED = "merged"
FIGURES = "sweep_figures"
REPORT = "sweep_report.html"
TABLE = "sweep.parquet"
SKIP_DIRS = {MERGED, FIGURES, ".submitit"}


# -- written by a failing job ---------------------------------------------------------
def record_failure(out_dir: str | Path, exc: BaseException, user_error: bool) -> None:
    """Mark a run (a job of a multirun, or a single run that failed after its pre-check) as
    failed: no manifest (nothing looks complete), and an ``error.json`` that the aggregate
    lists. A directory holding a complete, verified run is left untouched: a failure of
    another run into it (refused, or bad input) never takes its completeness away."""
    out = Path(out_dir)
    man = read_manifest(out)
    if man is not None and not verify(out, man):
        return
    mark_incomplete(out)
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    write_json(out / ERROR_FILE, {
        "error": msg if user_error else f"{type(exc).__name__}: {msg}",
        "type": type(exc).__name__,
        "user_error": user_error,
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command_line": " ".join(sys.argv),
        "traceback": None if user_error else "".join(traceback.format_exception(exc)),
    })


def clear_failure(out_dir: str | Path) -> None:
    (Path(out_dir) / ERROR_FILE).unlink(missing_ok=True)


# -- reading a sweep ------------------------------------------------------------------
@dataclass
class Job:
    num: int | None
    dir: Path | None
    status: str
    error: str | None = None
    overrides: list[str] = field(default_factory=list)
    config: dict | None = None  # the job's resolved config.yaml (complete jobs)
    config_yaml: str | None = None
    summary: dict | None = None
    manifest: dict | None = None


def _read_yaml(path: Path) -> Any:
    """A job's or sweep's YAML file, or None when missing or unreadable (bounded reader:
    these files may have been edited or damaged since the run)."""
    try:
        return safeyaml.load(safeyaml.read_text(path, str(path)), str(path))
    except (TriadError, yaml.YAMLError, ValueError):
        return None


def _read_json(path: Path) -> dict | None:
    """A JSON object from ``path``; None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def job_dirs(sweep_dir: Path) -> list[Path]:
    """Directories under the sweep that Hydra made for a job (they hold .hydra/overrides.yaml)."""
    found = []
    for p in sorted(sweep_dir.rglob(".hydra/overrides.yaml")):
        d = p.parent.parent
        rel = d.relative_to(sweep_dir).parts
        if d == sweep_dir or (rel and rel[0] in SKIP_DIRS):
            continue
        found.append(d)
    return found


def _job_num(d: Path) -> int | None:
    hy = _read_yaml(d / ".hydra" / "hydra.yaml")
    try:
        return int(hy["hydra"]["job"]["num"])
    except (TypeError, KeyError, ValueError):
        try:
            return int(d.name)
        except ValueError:
            return None


def read_job(d: Path) -> Job:
    overrides = _read_yaml(d / ".hydra" / "overrides.yaml")
    overrides = overrides if isinstance(overrides, list) else []
    job = Job(_job_num(d), d, "incomplete", overrides=[str(o) for o in overrides])
    if (d / ERROR_FILE).exists():
        err = _read_json(d / ERROR_FILE) or {"error": f"{ERROR_FILE} is unreadable or not a JSON object"}
        job.status, job.error = "failed", str(err.get("error", "failed"))
        return job
    man = _read_json(d / "manifest.json")
    if man is None:
        job.error = ("no manifest.json: interrupted, killed or still running" if not (d / "manifest.json").exists()
                     else "manifest.json is unreadable or not a JSON object")
        return job
    try:
        text = (d / "config.yaml").read_text("utf-8")
    except (OSError, ValueError):
        job.error = "manifest.json without a readable config.yaml"
        return job
    changed = verify(d, man)
    if changed:
        job.error = "files changed since the run: " + "; ".join(changed[:3])
        return job
    if man.get("config_hash") != config_hash(text):
        job.error = "manifest.json does not match config.yaml"
        return job
    summ = _read_json(d / "summary.json")
    if summ is None:
        job.error = "manifest.json without a readable summary.json"
        return job
    job.config = _read_yaml(d / "config.yaml")
    wrong = label_mismatch(job.overrides, job.config)
    if wrong:
        job.status, job.error = "failed", (f"its .hydra/overrides.yaml says {wrong[0]} but its config.yaml (the "
                                           f"data) says {wrong[1]}: not the job the sweep asked for")
        return job
    job.status, job.manifest, job.summary, job.config_yaml = "complete", man, summ, text
    return job


def label_mismatch(overrides: list[str], config: Any) -> tuple[str, str] | None:
    """The first override whose value differs from the job's own ``config.yaml``
    ((override, what config.yaml holds)), or None. A job's labels come from Hydra's
    overrides file, which a refused later run may have rewritten (H9): the data's own
    config decides. Group choices and non-scalar values are not compared."""
    import math

    if not isinstance(config, dict):
        return None
    for item in overrides:
        key, value = parse_override(item)
        if key.startswith(("hydra.", "hydra/")) or "/" in key:
            continue
        node: Any = config
        for part in key.split("."):
            node = node.get(part, _MISSING) if isinstance(node, dict) else _MISSING
        if node is _MISSING or isinstance(node, (dict, list)):
            continue
        want = parse_value(value)
        if isinstance(want, (int, float)) and isinstance(node, (int, float)) and not isinstance(node, bool):
            same = math.isclose(float(want), float(node), rel_tol=1e-12, abs_tol=0.0)
        elif isinstance(node, bool) or node is None or want is None:
            same = str(want).lower() in (str(node).lower(), "none" if node is None else "")
        else:
            same = str(want) == str(node)
        if not same:
            return item, f"{key}={node}"
    return None


_MISSING = object()


def expected_jobs(sweep_dir: Path) -> list[list[str]] | None:
    """The overrides of every job the sweep's ``multirun.yaml`` asks for, in job order
    (Hydra's basic sweeper only; None when it cannot be told)."""
    cfg = _read_yaml(sweep_dir / "multirun.yaml")
    try:
        hy = cfg["hydra"]
        target = str((hy.get("sweeper") or {}).get("_target_", ""))
        if not target.endswith("BasicSweeper"):
            return None
        from itertools import islice

        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        from sim.config.limits import MAX_JOBS

        params = (hy.get("sweeper") or {}).get("params") or {}
        args = [f"{k}={v}" for k, v in params.items()] + [str(o) for o in hy["overrides"]["task"]]
        parsed = OverridesParser.create().parse_overrides(args)
        n = 1
        for o in parsed:  # a damaged or hostile multirun.yaml may ask for millions (M20)
            if o.is_sweep_override():
                n *= len(list(islice(o.sweep_string_iterator(), MAX_JOBS + 1)))
                if n > MAX_JOBS:
                    return None
        batches = BasicSweeper.split_arguments(parsed, None)
        return [list(j) for b in batches for j in b]
    except Exception:  # glob sweeps, a foreign sweeper, a damaged file: no expectations
        return None


def read_sweep(sweep_dir: Path) -> tuple[list[Job], list[Job]]:
    """(jobs of this sweep, stale job directories not part of it) — jobs by number."""
    jobs = [read_job(d) for d in job_dirs(sweep_dir)]
    expected = expected_jobs(sweep_dir)
    stale: list[Job] = []
    if expected is not None:
        by_num: dict[int, Job] = {}
        for j in jobs:
            if j.num is not None and j.num < len(expected) and sorted(j.overrides) == sorted(expected[j.num]) \
                    and j.num not in by_num:
                by_num[j.num] = j
            else:
                j.status, j.error = "stale", "not a job of the sweep in multirun.yaml"
                stale.append(j)
        for n, ov in enumerate(expected):
            if n not in by_num:
                by_num[n] = Job(n, None, "incomplete", "no job directory: never started", overrides=ov)
        jobs = [by_num[n] for n in sorted(by_num)]
    else:
        jobs.sort(key=lambda j: (j.num is None, j.num if j.num is not None else 0, str(j.dir)))
    return jobs, stale


# -- override values ------------------------------------------------------------------
def parse_override(item: str) -> tuple[str, str]:
    key, _, value = item.partition("=")
    return key.lstrip("+~"), value


def parse_value(v: str) -> Any:
    """An override's value as Hydra would type it, for a column: null, int, float or text."""
    if v in ("null", ""):
        return None
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v
