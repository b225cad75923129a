"""Output files of a run (spec §9), written atomically; the manifest is written last.

Every file goes to a temporary name in the same directory, is flushed to disk, then
renamed over its final name, so a crash never leaves a half-written file under a real
name. ``manifest.json`` is the completion mark: a directory without it is incomplete.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import TriadError
from sim.runs.stats import QUANTILES, DailyStats, dyad_names

_UMASK = os.umask(0)
os.umask(_UMASK)
PACKAGES = ("triad", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "hydra-core", "omegaconf")


class OutputError(TriadError):
    """The output directory cannot be written."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"output directory {str(path.parent)!r} is not writable: {exc.strerror}") from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None


def write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"))


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
    atomic_write_bytes(path, buf.getvalue())


def stats_frame(scenario: str, stats: DailyStats, dates: np.ndarray) -> pd.DataFrame:
    """Long table: scenario, date, source, target, variable, mean, q05..q95."""
    s = stats.series
    D, S = stats.mean().shape
    mean, q = stats.mean(), stats.quantiles(QUANTILES)
    d_idx = np.repeat(np.arange(D), S)
    s_idx = np.tile(np.arange(S), D)
    df = pd.DataFrame({
        "scenario": scenario,
        "date": dates[d_idx].astype("datetime64[ns]"),
        "source": np.array(s.source)[s_idx],
        "target": np.array(s.target)[s_idx],
        "variable": np.array(s.variable)[s_idx],
        "mean": mean.ravel(),
    })
    for k, qq in enumerate(QUANTILES):
        df[f"q{int(round(qq * 100)):02d}"] = q[..., k].ravel()
    return df.sort_values(["scenario", "variable", "source", "target", "date"], kind="stable").reset_index(drop=True)


def effects_frame(scenario: str, daily: DailyStats, dates: np.ndarray) -> pd.DataFrame:
    """Long table of daily paired differences: scenario, date, dyad, variable, mean, q05..q95."""
    df = stats_frame(scenario, daily, dates)
    df.insert(2, "dyad", df.pop("source") + "-" + df.pop("target"))
    return df.sort_values(["scenario", "variable", "dyad", "date"], kind="stable").reset_index(drop=True)


def incidence_frame(scenario: str, stats: DailyStats, dates: np.ndarray, actors: tuple[str, ...]) -> pd.DataFrame:
    """Long table: scenario, date, dyad, rung (1..6), p."""
    p = stats.p_reached()[:, :, 1:]  # (D, dyads, 6)
    D, Dy, K = p.shape
    names = np.array(dyad_names(actors))
    d_idx, y_idx, k_idx = (a.ravel() for a in np.meshgrid(np.arange(D), np.arange(Dy), np.arange(K), indexing="ij"))
    df = pd.DataFrame({
        "scenario": scenario,
        "date": dates[d_idx].astype("datetime64[ns]"),
        "dyad": names[y_idx],
        "rung": (k_idx + 1).astype(np.int64),
        "p": p.ravel(),
    })
    return df.sort_values(["scenario", "dyad", "rung", "date"], kind="stable").reset_index(drop=True)


def git_commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def config_hash(config_yaml: str) -> str:
    return hashlib.sha256(config_yaml.encode("utf-8")).hexdigest()


def manifest(config_yaml: str, seed: int, replicates: int, started: str, ended: str, wall: float,
             extra: dict | None = None) -> dict:
    v = versions()
    return {
        "package": "triad", "version": v.get("triad"), "git_commit": git_commit(),
        "command_line": " ".join(sys.argv), "config_hash": config_hash(config_yaml),
        "seed": seed, "replicates": replicates, "versions": v,
        "start_time": started, "end_time": ended, "wall_seconds": round(wall, 3), **(extra or {}),
    }


def routes_frame(scenario: str, routes, actors: tuple[str, ...]) -> pd.DataFrame:
    """Long table: scenario, dyad, route ("0>1>3"), count, p — every route that occurred."""
    from sim.runs.routes import route_name

    names = dyad_names(actors)
    rows = []
    for d, dyad in enumerate(names):
        for mask in np.nonzero(routes.counts[d])[0]:
            c = int(routes.counts[d, mask])
            rows.append((scenario, dyad, route_name(int(mask)), c, c / routes.n))
    df = pd.DataFrame(rows, columns=["scenario", "dyad", "route", "count", "p"])
    return df.sort_values(["scenario", "dyad", "count", "route"], ascending=[True, True, False, True],
                          kind="stable").reset_index(drop=True)


def write_accumulators(path: Path, results: dict, paired: dict) -> None:
    """The exact integer accumulators behind the statistics, so jobs that split one
    ensemble (``ensemble.chunks``) merge into exactly the one-process result."""
    arrays: dict[str, np.ndarray] = {}
    for name, r in results.items():
        if r.stats is not None:
            arrays[f"stats/{name}/hist"] = r.stats.hist
            arrays[f"stats/{name}/sums"] = r.stats.sums
            arrays[f"stats/{name}/reached"] = r.stats.reached
            arrays[f"stats/{name}/n"] = np.array(r.stats.n)
        arrays[f"routes/{name}/counts"] = r.routes.counts
        arrays[f"routes/{name}/step_days"] = r.routes.step_days
        arrays[f"routes/{name}/n"] = np.array(r.routes.n)
    for name, pr in paired.items():
        if pr.daily is not None:
            arrays[f"effects/{name}/hist"] = pr.daily.hist
            arrays[f"effects/{name}/sums"] = pr.daily.sums
            arrays[f"effects/{name}/n"] = np.array(pr.daily.n)
        # the paired moments are Python integers that may pass 2^63: JSON text, not int64
        arrays[f"paired/{name}"] = np.array(json.dumps(paired_moments(pr)))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def paired_moments(pr) -> dict:
    """A pair's exact integer moments (per metric: n, Σx, Σx² of baseline, counterfactual,
    difference) and route counts, as plain JSON values."""
    m = lambda metric: [[x.n, x.s1, x.s2] for x in (metric.base, metric.cf, metric.diff)]  # noqa: E731
    return {
        "p": [[*key, m(metric)] for key, metric in sorted(pr.p.items())],
        "values": [[*key, m(metric)] for key, metric in sorted(pr.values.items())],
        "routes": [pr.route_base.tolist(), pr.route_cf.tolist(), pr.route_both.tolist()],
    }


def add_paired_moments(pr, data: dict) -> None:
    """Add moments saved by ``paired_moments`` into a PairResult (exact: integers)."""
    from sim.runs.paired import Moments, PairedMetric

    for store, rows in ((pr.p, data["p"]), (pr.values, data["values"])):
        for *key, (b, c, d) in rows:
            metric = PairedMetric(Moments(*b), Moments(*c), Moments(*d))
            key = tuple(key)
            if key in store:
                store[key].merge(metric)
            else:
                store[key] = metric
    base, cf, both = (np.array(x, dtype=np.int64) for x in data["routes"])
    if pr.route_base is None:
        pr.route_base, pr.route_cf, pr.route_both = base, cf, both
    else:
        pr.route_base += base
        pr.route_cf += cf
        pr.route_both += both


def read_accumulators(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}
