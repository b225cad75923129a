"""Sweep aggregation: one table and one report over the jobs of a Hydra multirun.

Everything here reads the files the jobs wrote, never the jobs' return values: Hydra
skips ``on_multirun_end`` when a job raises, Ray and submitit run jobs in other processes,
and a sweep may be interrupted and resumed. So the same plain function, :func:`aggregate`,
runs from the Hydra callback at the end of a sweep and from ``triad-aggregate SWEEP_DIR``
by hand, and it is idempotent.

A job directory (any directory under the sweep holding ``.hydra/overrides.yaml``) is

- ``complete``: ``manifest.json`` (written last) names the hash of its ``config.yaml``;
- ``failed``: the job recorded its error in ``error.json`` (see :func:`record_failure`);
- ``incomplete``: neither (interrupted, killed, still running), or — when the sweep's
  ``multirun.yaml`` lists a job that has no directory at all — never started.

Jobs whose resolved configs differ only in ``ensemble.chunk`` (same ``ensemble.chunks``)
are the shares of one split ensemble; once every share is complete their integer
accumulators are summed into ``merged/<group>/`` — exactly the one-process result (spec §6).

Outputs, all written atomically: ``sweep.parquet`` (one row per job × scenario × dyad, plus
merged groups), ``sweep_report.html`` and ``sweep_figures/*.png``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import json
import logging
import math
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import yaml

from sim.io import outputs

log = logging.getLogger(__name__)

ERROR_FILE = "error.json"
MERGED = "merged"
FIGURES = "sweep_figures"
REPORT = "sweep_report.html"
TABLE = "sweep.parquet"
RUNGS = range(1, 7)
CF_RUNGS = (3, 5)  # paired counterfactual effects carried into the sweep table
PLOT_RUNGS = (3, 5)
SKIP_DIRS = {MERGED, FIGURES, ".submitit"}


# -- written by a failing job ---------------------------------------------------------
def record_failure(out_dir: str | Path, exc: BaseException, user_error: bool) -> None:
    """Mark a job of a multirun as failed: no manifest (nothing looks complete), and an
    ``error.json`` that the aggregate lists."""
    out = Path(out_dir)
    (out / "manifest.json").unlink(missing_ok=True)
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    outputs.write_json(out / ERROR_FILE, {
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
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


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
    overrides = _read_yaml(d / ".hydra" / "overrides.yaml") or []
    job = Job(_job_num(d), d, "incomplete", overrides=[str(o) for o in overrides])
    err = _read_json(d / ERROR_FILE)
    if err is not None:
        job.status, job.error = "failed", str(err.get("error", "failed"))
        return job
    man = _read_json(d / "manifest.json")
    if man is None:
        job.error = "no manifest.json: interrupted, killed or still running"
        return job
    try:
        text = (d / "config.yaml").read_text("utf-8")
    except OSError:
        job.error = "manifest.json without config.yaml"
        return job
    if man.get("config_hash") != outputs.config_hash(text):
        job.error = "manifest.json does not match config.yaml"
        return job
    summ = _read_json(d / "summary.json")
    if summ is None:
        job.error = "manifest.json without a readable summary.json"
        return job
    job.status, job.manifest, job.summary, job.config_yaml = "complete", man, summ, text
    job.config = yaml.safe_load(text)
    return job


def expected_jobs(sweep_dir: Path) -> list[list[str]] | None:
    """The overrides of every job the sweep's ``multirun.yaml`` asks for, in job order
    (Hydra's basic sweeper only; None when it cannot be told)."""
    cfg = _read_yaml(sweep_dir / "multirun.yaml")
    try:
        hy = cfg["hydra"]
        target = str((hy.get("sweeper") or {}).get("_target_", ""))
        if not target.endswith("BasicSweeper"):
            return None
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        params = (hy.get("sweeper") or {}).get("params") or {}
        args = [f"{k}={v}" for k, v in params.items()] + [str(o) for o in hy["overrides"]["task"]]
        batches = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(args), None)
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


def _scalar(v: str) -> Any:
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


def _column(values: list[str | None]) -> pd.Series:
    parsed = [None if v is None else _scalar(v) for v in values]
    present = [p for p in parsed if p is not None]
    if present and all(isinstance(p, int) for p in present):
        return pd.array(parsed, dtype="Int64")
    if present and all(isinstance(p, (int, float)) for p in present):
        return pd.array([float("nan") if p is None else float(p) for p in parsed], dtype="float64")
    return pd.array([None if v is None else str(p) for v, p in zip(values, parsed)], dtype="string")


# -- rows -----------------------------------------------------------------------------
def _primary(summary: dict) -> str:
    """The scenario a job is about: its counterfactual when it has one, else the baseline."""
    names = [n for n in summary.get("scenarios", {}) if n != "baseline"]
    cfs = [n for n in summary.get("counterfactuals", {}) if n in names]
    return (cfs or names or ["baseline"])[-1]


def metric_rows(summary: dict) -> list[dict]:
    rows = []
    primary = _primary(summary)
    cfs = summary.get("counterfactuals") or {}
    for scen, dyads in summary.get("scenarios", {}).items():
        for dyad, d in dyads.items():
            row: dict[str, Any] = {"scenario": scen, "dyad": dyad, "primary": scen == primary}
            for k in RUNGS:
                e = d["p_rung_at_least"][str(k)]
                row[f"p_rung_{k}"], row[f"p_rung_{k}_lo"], row[f"p_rung_{k}_hi"] = e["p"], e["lo"], e["hi"]
            for q in ("q05", "q50", "q95"):
                row[f"tension_end_{q}"] = d["tension_end"][q]
            eff = (cfs.get(scen) or {}).get("effects", {}).get(dyad, {}).get("p_rung_at_least") or {}
            last = eff[max(eff)] if eff else {}
            for k in CF_RUNGS:
                e = last.get(str(k)) or {}
                for part, name in (("diff", ""), ("lo", "_lo"), ("hi", "_hi")):
                    v = e.get(part)
                    row[f"cf_diff_p_rung_{k}{name}"] = float("nan") if v is None else float(v)
            rows.append(row)
    return rows


def _job_base(job: Job, sweep_dir: Path, kind: str = "job") -> dict:
    ens = (job.config or {}).get("ensemble", {})
    man = job.manifest or {}
    return {
        "kind": kind,
        "job": job.num,
        "job_dir": str(job.dir.relative_to(sweep_dir)) if job.dir is not None else None,
        "status": job.status,
        "error": job.error,
        "chunk": ens.get("chunk"),
        "chunks": ens.get("chunks"),
        "replicates": man.get("replicates"),
        "seed": man.get("seed"),
        "config_hash": man.get("config_hash"),
        "wall_seconds": man.get("wall_seconds"),
    }


METRICS = ["scenario", "dyad", "primary", *[f"p_rung_{k}{s}" for k in RUNGS for s in ("", "_lo", "_hi")],
           "tension_end_q05", "tension_end_q50", "tension_end_q95",
           *[f"cf_diff_p_rung_{k}{s}" for k in CF_RUNGS for s in ("", "_lo", "_hi")]]
BASE = ["kind", "job", "job_dir", "status", "error", "chunk", "chunks", "replicates", "seed", "config_hash",
        "wall_seconds"]


def sweep_frame(entries: Sequence[tuple[dict, list[str], dict | None]]) -> pd.DataFrame:
    """One row per (job or merged group) x scenario x dyad; a job without results gets one
    row with empty metrics. ``entries``: (base columns, overrides, summary or None)."""
    keys: list[str] = []
    for _, ov, _ in entries:
        for item in ov:
            k = parse_override(item)[0]
            if k not in keys:
                keys.append(k)
    taken = set(BASE) | set(METRICS)
    colname = {k: (f"override.{k}" if k in taken else k) for k in keys}
    rows, raw = [], []
    for base, ov, summ in entries:
        values = dict(parse_override(i) for i in ov)
        for m in (metric_rows(summ) if summ else [{}]):
            rows.append({**base, **m})
            raw.append(values)
    df = pd.DataFrame(rows, columns=BASE + METRICS) if rows else pd.DataFrame(columns=BASE + METRICS)
    for k in reversed(keys):
        df.insert(BASE.index("status"), colname[k], _column([r.get(k) for r in raw]))
    df["job"] = pd.array(df["job"].tolist(), dtype="Int64")
    for c in ("chunk", "chunks", "replicates", "seed"):
        df[c] = pd.array([None if (v is None or (isinstance(v, float) and math.isnan(v))) else int(v)
                          for v in df[c].tolist()], dtype="Int64")
    df["primary"] = df["primary"].astype("boolean")
    for c in ("kind", "job_dir", "status", "error", "config_hash", "scenario", "dyad"):
        df[c] = df[c].astype("string")  # stable types whether or not a column holds a value
    for c in METRICS[3:] + ["wall_seconds"]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df.attrs["override_columns"] = [colname[k] for k in keys]
    return df


# -- merging split ensembles ----------------------------------------------------------
@dataclass
class Group:
    id: str
    chunks: int
    members: dict[int, Job]
    config: dict  # a member's resolved config (with its own chunk)
    overrides: list[str]
    done: bool = False
    note: str | None = None
    dir: Path | None = None
    summary: dict | None = None
    manifest: dict | None = None


def _group_key(cfg: dict) -> str:
    c = json.loads(json.dumps(cfg, default=str))
    c.get("ensemble", {}).pop("chunk", None)
    return hashlib.sha256(json.dumps(c, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def split_groups(jobs: Iterable[Job]) -> list[Group]:
    groups: dict[str, Group] = {}
    for j in jobs:
        if j.status != "complete" or not j.config:
            continue
        ens = j.config.get("ensemble", {})
        n = int(ens.get("chunks", 1))
        if n <= 1:
            continue
        gid = _group_key(j.config)
        g = groups.setdefault(gid, Group(gid, n, {}, j.config, [o for o in j.overrides
                                                                   if parse_override(o)[0] != "ensemble.chunk"]))
        g.members.setdefault(int(ens.get("chunk", 0)), j)
    return list(groups.values())


def merge_group(g: Group, out: Path) -> None:
    """Sum the members' integer accumulators and write the one-process outputs to ``out``."""
    from omegaconf import OmegaConf

    from sim.runs import effects, summary
    from sim.runs.job import validate
    from sim.config.spec import build_spec
    from sim.runs.routes import RouteStats
    from sim.runs.stats import DailyStats, difference_stats, dyad_names

    t0 = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    members = [g.members[c] for c in range(g.chunks)]
    one = OmegaConf.create(members[0].config_yaml)
    one.ensemble.chunk, one.ensemble.chunks = 0, 1
    config_yaml = OmegaConf.to_yaml(one)
    spec = build_spec(validate(one))
    settings = spec.settings
    actors, dates = settings.actors, settings.dates
    accs = []
    for m in members:
        path = m.dir / "accumulators.npz"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing")
        accs.append(outputs.read_accumulators(path))
    names = sorted({k.split("/")[1] for k in accs[0]})
    stats: dict[str, DailyStats] = {}
    diffs: dict[str, DailyStats] = {}
    routes: dict[str, RouteStats] = {}
    n_dyads = len(dyad_names(actors))
    for name in names:
        for acc in accs:
            if f"stats/{name}/hist" in acc:
                s = DailyStats(actors, settings.n_days, settings.bins)
                s.hist, s.sums, s.reached = acc[f"stats/{name}/hist"], acc[f"stats/{name}/sums"], acc[f"stats/{name}/reached"]
                s.n = int(acc[f"stats/{name}/n"])
                stats[name].merge(s) if name in stats else stats.__setitem__(name, s)
            if f"effects/{name}/hist" in acc:
                e = difference_stats(actors, settings.n_days, settings.bins)
                e.hist, e.sums = acc[f"effects/{name}/hist"], acc[f"effects/{name}/sums"]
                e.n = int(acc[f"effects/{name}/n"])
                diffs[name].merge(e) if name in diffs else diffs.__setitem__(name, e)
            if f"routes/{name}/counts" in acc:
                r = RouteStats(n_dyads, settings.n_days)
                r.counts, r.step_days = acc[f"routes/{name}/counts"], acc[f"routes/{name}/step_days"]
                r.n = int(acc[f"routes/{name}/n"])
                routes[name].merge(r) if name in routes else routes.__setitem__(name, r)
    order = [n for n in [m for m in members[0].summary.get("scenarios", {})] if n in stats]
    order += [n for n in stats if n not in order]
    outputs.write_parquet(out / "stats.parquet", pd.concat(
        [outputs.stats_frame(n, stats[n], dates) for n in order], ignore_index=True))
    outputs.write_parquet(out / "incidence.parquet", pd.concat(
        [outputs.incidence_frame(n, stats[n], dates, actors) for n in order], ignore_index=True))
    if diffs:
        outputs.write_parquet(out / "effects.parquet", pd.concat(
            [outputs.effects_frame(n, d, dates) for n, d in diffs.items()], ignore_index=True))
    if routes:
        route_order = ["baseline", *[n for n in routes if n != "baseline"]] if "baseline" in routes else list(routes)
        outputs.write_parquet(out / "routes.parquet", pd.concat(
            [outputs.routes_frame(n, routes[n], actors) for n in route_order], ignore_index=True))
    for name in ("trajectories.parquet", "actions.parquet"):  # the recorded replicates, chunk by chunk
        frames = [pd.read_parquet(m.dir / name) for m in members if (m.dir / name).exists()]
        frames = [f for f in frames if len(f)] or frames[:1]
        if frames:
            outputs.write_parquet(out / name, pd.concat(frames, ignore_index=True))
    from sim.runs.ensemble import PairResult
    from sim.runs.plan import counterfactual_summary, plan_run

    plan = plan_run(spec)  # the same pairs as every chunk's (chunking is not in the plan)
    paired = {}
    for p in plan.pairs:
        pr = paired[p.scenario.name] = PairResult(p.scenario.name, p)
        for acc in accs:
            outputs.add_paired_moments(pr, json.loads(str(acc[f"paired/{p.scenario.name}"])))
    scen = {n: summary.scenario_summary(stats[n], actors) for n in order}
    for n in order:
        if n in routes:
            for dyad, rt in effects.route_table(routes[n], settings).items():
                scen[n][dyad].update(rt)
    summ = {
        "question": spec.question, "start": settings.start.isoformat(), "end": settings.end.isoformat(),
        "replicates": settings.replicates, "simulated_replicates": [0, settings.replicates], "seed": settings.seed,
        "headline": summary.headline(scen["baseline"], settings.ladder.names, settings.end.isoformat())
        if "baseline" in scen else [],
        "scenarios": scen,
        **counterfactual_summary(plan, paired, spec),
        "merged_from": [str(m.dir) for m in members],
        "note": "merged from the integer accumulators of the chunks: the one-process numbers",
    }
    outputs.write_json(out / "summary.json", summ)
    outputs.atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    wall = time.perf_counter() - t0
    ended = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    man = outputs.manifest(config_yaml, settings.seed, settings.replicates, started, ended, wall, {
        "merged": True, "chunks": g.chunks, "members": [
            {"chunk": c, "dir": str(m.dir), "config_hash": m.manifest.get("config_hash"),
             "end_time": m.manifest.get("end_time")} for c, m in enumerate(members)],
        "scenarios": order})
    outputs.write_json(out / "manifest.json", man)
    g.summary, g.manifest = summ, man


def merge_groups(sweep_dir: Path, jobs: Sequence[Job]) -> list[Group]:
    groups = split_groups(jobs)
    for g in groups:
        missing = [c for c in range(g.chunks) if c not in g.members]
        if missing:
            g.note = f"chunk(s) {', '.join(map(str, missing))} of {g.chunks} not complete: not merged"
            continue
        g.dir = sweep_dir / MERGED / g.id
        try:
            merge_group(g, g.dir)
            g.done = True
        except Exception as exc:  # a damaged chunk never stops the aggregate
            g.note = f"merge failed: {type(exc).__name__}: {exc}"
            log.warning("group %s: %s", g.id, g.note)
    return groups


# -- the aggregate --------------------------------------------------------------------
@dataclass
class Aggregate:
    sweep_dir: Path
    frame: pd.DataFrame
    jobs: list[Job]
    stale: list[Job]
    groups: list[Group]
    table: Path
    report: Path | None

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if j.status == "failed"]

    @property
    def incomplete(self) -> list[Job]:
        return [j for j in self.jobs if j.status == "incomplete"]

    def swept(self, overrides: list[str]) -> str:
        """The overrides that tell this job from the others of the sweep."""
        seen: dict[str, set[str]] = {}
        for j in self.jobs:
            for k, v in map(parse_override, j.overrides):
                seen.setdefault(k, set()).add(v)
        keep = [o for o in overrides if len(seen.get(parse_override(o)[0], ())) > 1]
        return " ".join(keep or overrides)

    def lines(self) -> list[str]:
        n = len(self.jobs)
        c = sum(j.status == "complete" for j in self.jobs)
        out = [f"sweep: {n} job(s): {c} complete, {len(self.failed)} failed, {len(self.incomplete)} incomplete"]
        for j in self.failed + self.incomplete:
            where = str(j.dir) if j.dir is not None else "(no directory)"
            out.append(f"  job {j.num} {j.status}: {where}: {self.swept(j.overrides)}: {j.error}")
        for j in self.stale:
            out.append(f"  ignored {j.dir}: {j.error}")
        for g in self.groups:
            if g.done:
                out.append(f"merged {g.chunks} chunks into {g.dir}")
            else:
                out.append(f"split ensemble {g.id}: {g.note}")
        out.append(f"sweep table: {self.table}")
        if self.report is not None:
            out.append(f"sweep report: {self.report}")
        return out


def aggregate(sweep_dir: str | Path, report: bool = True) -> Aggregate:
    """Read every job of the sweep, merge complete split ensembles, write ``sweep.parquet``
    and the report. Failed or incomplete jobs are rows with a status, never an error."""
    sweep_dir = Path(sweep_dir)
    jobs, stale = read_sweep(sweep_dir)
    groups = merge_groups(sweep_dir, jobs)
    entries = [(_job_base(j, sweep_dir), j.overrides, j.summary) for j in jobs]
    for g in groups:
        if g.done:
            base = _job_base(Job(None, g.dir, "complete", config=None, manifest=g.manifest), sweep_dir, "merged")
            base.update(chunk=None, chunks=g.chunks)
            entries.append((base, g.overrides, g.summary))
    frame = sweep_frame(entries)
    table = sweep_dir / TABLE
    outputs.write_parquet(table, frame)
    rep = None
    if report:
        try:
            rep = write_report(sweep_dir, frame, jobs, groups)
        except Exception as exc:  # the table is what matters; a plotting problem is reported, not fatal
            log.warning("sweep report failed: %s: %s", type(exc).__name__, exc)
    return Aggregate(sweep_dir, frame, jobs, stale, groups, table, rep)


# -- the report -----------------------------------------------------------------------
def plotted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a plot shows: each complete job's main scenario, split ensembles as merged."""
    if frame.empty:
        return frame
    ok = frame["status"].eq("complete") & frame["primary"].fillna(False).astype(bool)
    whole = frame["kind"].eq("merged") | frame["chunks"].fillna(1).le(1)
    return frame[ok & whole].copy()


def swept_keys(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) override columns that take more than one value."""
    num, cat = [], []
    for c in frame.attrs.get("override_columns", []):
        if c == "ensemble.chunk" or c not in frame:
            continue
        if frame[c].nunique(dropna=False) > 1:
            (num if pd.api.types.is_numeric_dtype(frame[c]) else cat).append(c)
    return num, cat


def _facets(df: pd.DataFrame, keys: list[str]) -> list[tuple[str, pd.DataFrame]]:
    if not keys:
        return [("", df)]
    out = []
    for vals, sub in df.groupby(keys, dropna=False, sort=True):
        vals = vals if isinstance(vals, tuple) else (vals,)
        out.append((", ".join(f"{k}={v}" for k, v in zip(keys, vals)), sub))
    return out


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    outputs.atomic_write_bytes(path, buf.getvalue())


def _metric(kind: str) -> tuple[str, str | None, str | None, str]:
    if kind == "tension":
        return "tension_end_q50", "tension_end_q05", "tension_end_q95", "tension at the end (median, 90% band)"
    k = int(kind.split("_")[-1])
    return f"p_rung_{k}", f"p_rung_{k}_lo", f"p_rung_{k}_hi", f"P(rung >= {k} by the end) (95% Wilson)"


def plot_sweep(frame: pd.DataFrame, fig_dir: Path) -> list[tuple[str, Path]]:
    """Heatmaps over two swept numeric keys, else lines against one numeric key, else
    points per swept value; one colour per dyad. Returns (title, png) pairs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    df = plotted(frame)
    if df.empty:
        return []
    num, cat = swept_keys(df)
    dyads = sorted(df["dyad"].dropna().unique())
    from sim.report.style import dyad_colors

    colours = dyad_colors(dyads)  # the report's colour-blind-safe colour per dyad
    figs = []
    for kind in [*(f"p_rung_{k}" for k in PLOT_RUNGS), "tension"]:
        col, lo, hi, title = _metric(kind)
        if len(num) >= 2:
            x, y, facet_keys = num[0], num[1], cat + num[2:]
            facets = _facets(df, facet_keys)
            fig, axes = plt.subplots(len(facets), len(dyads), figsize=(3.9 * len(dyads) + 1.0, 3.2 * len(facets)),
                                     squeeze=False, layout="constrained")
            vmax = 1.0
            for r, (label, sub) in enumerate(facets):
                for c, dyad in enumerate(dyads):
                    ax = axes[r][c]
                    piv = sub[sub["dyad"] == dyad].pivot_table(index=y, columns=x, values=col, aggfunc="mean")
                    im = ax.imshow(piv.to_numpy(dtype=float), origin="lower", aspect="auto", vmin=0.0, vmax=vmax,
                                   cmap="magma_r")
                    ax.set_xticks(range(piv.shape[1]), [f"{v:g}" for v in piv.columns], fontsize=7)
                    ax.set_yticks(range(piv.shape[0]), [f"{v:g}" for v in piv.index], fontsize=7)
                    for (i, j), v in np.ndenumerate(piv.to_numpy(dtype=float)):
                        if not math.isnan(v):
                            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                                    color="white" if v > 0.6 * vmax else "black")
                    ax.set_xlabel(x, fontsize=8)
                    if c == 0:
                        ax.set_ylabel(y, fontsize=8)
                    ax.set_title(f"{dyad}" + (f"\n{label}" if label else ""), fontsize=8)
            fig.colorbar(im, ax=axes, shrink=0.8, label=col)
            fig.suptitle(title, fontsize=10)
        else:
            facets = _facets(df, cat if num else [])
            fig, axes = plt.subplots(1, len(facets), figsize=(4.6 * len(facets), 3.6), squeeze=False, sharey=True,
                                     layout="constrained")
            for c, (label, sub) in enumerate(facets):
                ax = axes[0][c]
                if num:
                    x = num[0]
                    for dyad in dyads:
                        s = sub[sub["dyad"] == dyad].sort_values(x)
                        xs = s[x].to_numpy(dtype=float)
                        ax.plot(xs, s[col], marker="o", color=colours[dyad], label=dyad)
                        ax.fill_between(xs, s[lo], s[hi], color=colours[dyad], alpha=0.18, linewidth=0)
                    ax.set_xlabel(x, fontsize=8)
                else:
                    keys = cat
                    def names(rows: pd.DataFrame) -> list[str]:
                        if keys:
                            return [", ".join(str(v) for v in t) for t in rows[keys].itertuples(index=False)]
                        return [f"job {j}" if not pd.isna(j) else str(d) for j, d in zip(rows["job"], rows["job_dir"])]

                    labels = list(dict.fromkeys(names(sub)))
                    pos = {lab: i for i, lab in enumerate(labels)}
                    for k, dyad in enumerate(dyads):
                        s = sub[sub["dyad"] == dyad]
                        lab = names(s)
                        xs = np.array([pos[v] for v in lab], dtype=float) + (k - (len(dyads) - 1) / 2) * 0.12
                        ax.errorbar(xs, s[col], yerr=[s[col] - s[lo], s[hi] - s[col]], fmt="o",
                                    color=colours[dyad], label=dyad, capsize=3)
                    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=7)
                    ax.set_xlim(-0.6, len(labels) - 0.4)
                    ax.set_xlabel(", ".join(keys) if keys else "job", fontsize=8)
                ax.set_ylim(-0.02, 1.02)
                ax.set_title(label, fontsize=8)
                ax.grid(alpha=0.3)
            axes[0][0].set_ylabel(title, fontsize=8)
            fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=len(dyads),
                       fontsize=7, frameon=False)
            fig.suptitle(title, fontsize=10)
        path = fig_dir / f"sweep_{kind}.png"
        _save(fig, path)
        plt.close(fig)
        figs.append((title, path))
    return figs


def write_report(sweep_dir: Path, frame: pd.DataFrame, jobs: Sequence[Job], groups: Sequence[Group]) -> Path:
    figs = plot_sweep(frame, sweep_dir / FIGURES)
    esc = html.escape
    rows = []
    for j in jobs:
        rows.append(f"<tr class='{esc(j.status)}'><td>{j.num}</td><td>{esc(j.status)}</td>"
                    f"<td><code>{esc(' '.join(j.overrides))}</code></td>"
                    f"<td>{esc(str(j.dir.relative_to(sweep_dir)) if j.dir else '')}</td><td>{esc(j.error or '')}</td></tr>")
    merged = "".join(
        f"<li>{esc(g.id)}: {g.chunks} chunks — "
        + (f"merged into <code>{esc(str(g.dir.relative_to(sweep_dir)))}</code>" if g.done else esc(g.note or ""))
        + f" (<code>{esc(' '.join(g.overrides))}</code>)</li>" for g in groups)
    n_bad = sum(j.status != "complete" for j in jobs)
    body = [
        "<!doctype html><html><head><meta charset='utf-8'><title>triad sweep</title><style>",
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "tr.failed{background:#fdd}tr.incomplete{background:#ffd}img{max-width:100%}",
        "</style></head><body>",
        f"<h1>Sweep {esc(str(sweep_dir))}</h1>",
        f"<p>{len(jobs)} job(s), {len(jobs) - n_bad} complete, {n_bad} failed or incomplete. "
        f"Table: <code>{TABLE}</code> (one row per job × scenario × dyad).</p>",
    ]
    if n_bad:
        body.append("<p><b>Failed or incomplete jobs are listed below and left out of the figures.</b></p>")
    if merged:
        body.append(f"<h2>Split ensembles</h2><ul>{merged}</ul>")
    for title, path in figs:
        body.append(f"<h2>{esc(title)}</h2><img src='{esc(str(path.relative_to(sweep_dir)))}' alt='{esc(title)}'>")
    body.append("<h2>Jobs</h2><table><tr><th>job</th><th>status</th><th>overrides</th><th>dir</th><th>error</th></tr>")
    body += rows
    body.append("</table></body></html>")
    path = sweep_dir / REPORT
    outputs.atomic_write_bytes(path, "\n".join(body).encode("utf-8"))
    return path


# -- entry points ---------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """``triad-aggregate SWEEP_DIR``: exit 0 when every job is complete, 1 when some failed
    or are incomplete (the aggregate is still written), 2 on a usage error."""
    ap = argparse.ArgumentParser(prog="triad-aggregate", description="Aggregate a triad multirun directory.")
    ap.add_argument("sweep_dir", metavar="SWEEP_DIR")
    ap.add_argument("--no-report", action="store_true", help="write sweep.parquet only, no figures")
    args = ap.parse_args(argv)
    d = Path(args.sweep_dir)
    if not d.is_dir():
        print(f"triad-aggregate: error: {str(d)!r} is not a directory", file=sys.stderr)
        return 2
    if not job_dirs(d) and not (d / "multirun.yaml").exists():
        print(f"triad-aggregate: error: {str(d)!r} holds no job of a multirun (no */.hydra/overrides.yaml)",
              file=sys.stderr)
        return 2
    try:
        agg = aggregate(d, report=not args.no_report)
    except outputs.OutputError as exc:
        print(f"triad-aggregate: error: {exc}", file=sys.stderr)
        return 2
    for line in agg.lines():
        print(line)
    return 1 if agg.failed or agg.incomplete else 0


def _callback_base():
    try:
        from hydra.experimental.callback import Callback
        return Callback
    except ImportError:  # pragma: no cover
        return object


class AggregateCallback(_callback_base()):  # type: ignore[misc]
    """Hydra callback (``hydra.callbacks`` in conf/config.yaml): aggregate at the end of a
    multirun. A sweep with failed jobs still aggregates, then exits 1."""

    def __init__(self, report: bool = True, fail_exit: bool = True) -> None:
        self.report, self.fail_exit = report, fail_exit

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            agg = aggregate(sweep_dir, report=self.report)
        except Exception as exc:
            print(f"triad: sweep aggregate failed: {type(exc).__name__}: {exc}; "
                  f"rerun it with: triad-aggregate {sweep_dir}", file=sys.stderr)
            return
        for line in agg.lines():
            print(line, file=sys.stderr if line.startswith("  job") else sys.stdout)
        sys.stdout.flush()
        if self.fail_exit and (agg.failed or agg.incomplete):
            print(f"triad: error: {len(agg.failed) + len(agg.incomplete)} of {len(agg.jobs)} job(s) of the sweep "
                  "did not complete (listed above; rerun the same command to redo only them)", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
