"""The aggregate of a sweep: one table and one report over the jobs of a Hydra multirun.

Everything here reads the files the jobs wrote, never the jobs' return values: Hydra
skips ``on_multirun_end`` when a job raises, Ray and submitit run jobs in other processes,
and a sweep may be interrupted and resumed. So the same plain function, :func:`aggregate`,
runs from the Hydra callback at the end of a sweep and from ``triad-aggregate SWEEP_DIR``
by hand, and it is idempotent.

Outputs, all written atomically: ``sweep.parquet`` (one row per job × scenario × dyad, plus
merged groups), ``merged/<group>/`` (split ensembles), ``sweep_report.html`` and
``sweep_figures/*.png``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.io.atomic import write_parquet
from sim.sweep.jobs import FIGURES, REPORT, TABLE, Job, parse_override, read_sweep
from sim.sweep.merge import Group, merge_groups
from sim.sweep.table import job_base, sweep_frame, sweep_table

log = logging.getLogger(__name__)


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

    @property
    def merge_failed(self) -> list[Group]:
        return [g for g in self.groups if not g.done and (g.note or "").startswith("merge failed")]

    @property
    def ok(self) -> bool:
        """Every job complete and every split ensemble that could be merged, merged."""
        return not (self.failed or self.incomplete or self.merge_failed)

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
                out.append(f"merged {g.chunks} chunks into {g.dir}" + (f"; report: {g.dir / 'report.html'}" if (g.dir / "report.html").exists() else ""))  # noqa: E501
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
    entries = [(job_base(j, sweep_dir), j.overrides, j.summary) for j in jobs]
    for g in groups:
        if g.done:
            base = job_base(Job(None, g.dir, "complete", config=None, manifest=g.manifest), sweep_dir, "merged")
            base.update(chunk=None, chunks=g.chunks)
            entries.append((base, g.overrides, g.summary))
    frame = sweep_frame(entries)
    table = sweep_dir / TABLE
    write_parquet(table, sweep_table(frame))
    rep = None
    if report:
        try:
            from sim.report.sweep import write_report  # matplotlib only when a report is wanted

            rep = write_report(sweep_dir, frame, jobs, groups, table=table, figures=sweep_dir / FIGURES,
                               path=sweep_dir / REPORT)
        except Exception as exc:  # the table is what matters; a plotting problem is reported, not fatal
            log.warning("sweep report failed: %s: %s", type(exc).__name__, exc)
    return Aggregate(sweep_dir, frame, jobs, stale, groups, table, rep)
