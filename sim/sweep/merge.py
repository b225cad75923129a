"""Split ensembles: jobs whose resolved configs differ only in ``ensemble.chunk`` (same
``ensemble.chunks``) are the shares of one ensemble. Once every share is complete, their
integer accumulators are summed into ``merged/<group>/``, a run directory with exactly the
one-process result (spec §6), written by the same writer as a single run."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pyarrow.parquet as pq
from omegaconf import OmegaConf

from sim.config.spec import build_spec
from sim.config.validate import validate
from sim.io.accumulators import add_paired_moments, read_accumulators
from sim.io.rundir import finish, write_run_dir
from sim.runs import effects, summary
from sim.runs.ensemble import PairResult
from sim.runs.plan import counterfactual_summary, outside_horizon, plan_run
from sim.runs.routes import RouteStats
from sim.runs.stats import DailyStats, difference_stats, dyad_names
from sim.sweep.jobs import MERGED, Job, parse_override

log = logging.getLogger(__name__)


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


def _sum_accumulators(accs: list[dict], settings) -> tuple[dict, dict, dict]:
    """(daily statistics, daily paired differences, route counts) per scenario, summed."""
    actors, n_days, bins = settings.actors, settings.n_days, settings.bins
    stats: dict[str, DailyStats] = {}
    diffs: dict[str, DailyStats] = {}
    routes: dict[str, RouteStats] = {}
    n_dyads = len(dyad_names(actors))
    for name in sorted({k.split("/")[1] for k in accs[0]}):
        for acc in accs:
            if f"stats/{name}/hist" in acc:
                s = DailyStats(actors, n_days, bins)
                s.hist, s.sums, s.reached = acc[f"stats/{name}/hist"], acc[f"stats/{name}/sums"], acc[f"stats/{name}/reached"]
                s.reached_endo = acc[f"stats/{name}/reached_endo"]
                s.n = int(acc[f"stats/{name}/n"])
                stats[name].merge(s) if name in stats else stats.__setitem__(name, s)
            if f"effects/{name}/hist" in acc:
                e = difference_stats(actors, n_days, bins)
                e.hist, e.sums = acc[f"effects/{name}/hist"], acc[f"effects/{name}/sums"]
                e.n = int(acc[f"effects/{name}/n"])
                diffs[name].merge(e) if name in diffs else diffs.__setitem__(name, e)
            if f"routes/{name}/counts" in acc:
                r = RouteStats(n_dyads, n_days)
                r.counts, r.step_days = acc[f"routes/{name}/counts"], acc[f"routes/{name}/step_days"]
                r.n = int(acc[f"routes/{name}/n"])
                if f"routes/{name}/counts_endogenous" in acc:
                    e = r.endogenous = RouteStats(n_dyads, n_days)
                    e.counts, e.step_days, e.n = (acc[f"routes/{name}/counts_endogenous"],
                                                  acc[f"routes/{name}/step_days_endogenous"], r.n)
                routes[name].merge(r) if name in routes else routes.__setitem__(name, r)
    return stats, diffs, routes


def merge_group(g: Group, out: Path) -> None:
    """Sum the members' integer accumulators and write the one-process outputs to ``out``."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    members = [g.members[c] for c in range(g.chunks)]
    one = OmegaConf.create(members[0].config_yaml)
    one.ensemble.chunk, one.ensemble.chunks = 0, 1
    config_yaml = OmegaConf.to_yaml(one)
    spec = build_spec(validate(one))
    settings = spec.settings
    accs = []
    for m in members:
        path = m.dir / "accumulators.npz"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing")
        accs.append(read_accumulators(path))
    stats, diffs, routes = _sum_accumulators(accs, settings)
    # scenarios in the order a single run writes them (its manifest lists them)
    listed = [str(n) for n in (members[0].manifest or {}).get("scenarios", [])]
    names = [*listed, *sorted((set(stats) | set(routes) | set(diffs)) - set(listed))]
    order = [n for n in names if n in stats]
    plan = plan_run(spec)  # the same pairs as every chunk's (chunking is not in the plan)
    paired = {}
    for p in plan.pairs:
        pr = paired[p.scenario.name] = PairResult(p.scenario.name, p)
        for acc in accs:
            add_paired_moments(pr, json.loads(str(acc[f"paired/{p.scenario.name}"])))
    scen = {n: summary.scenario_summary(stats[n], settings.actors) for n in order}
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
        "validation": summary.validation(stats["baseline"], settings.dates, settings.actors)
        if "baseline" in stats else {},
        "events_outside_horizon": outside_horizon(settings),
        **counterfactual_summary(plan, paired, spec),
        "merged_from": [str(m.dir) for m in members],
        "note": "merged from the integer accumulators of the chunks: the one-process numbers",
    }
    recorded = {name: [pq.read_table(m.dir / name) for m in members if (m.dir / name).exists()]
                for name in ("trajectories.parquet", "actions.parquet")}  # chunk by chunk: replicate order
    write_run_dir(
        out, settings, stats={n: stats[n] for n in order}, routes={n: routes[n] for n in names if n in routes},
        effects={n: diffs[n] for n in names if n in diffs}, trajectories=recorded["trajectories.parquet"],
        actions=recorded["actions.parquet"], summary=summ, config_yaml=config_yaml)
    if spec.report.enabled:  # the merged ensemble gets its report like a single run
        from sim.report import build_report

        build_report(out)
    members_info = [{"chunk": c, "dir": str(m.dir), "config_hash": m.manifest.get("config_hash"),
                     "end_time": m.manifest.get("end_time")} for c, m in enumerate(members)]
    man = finish(out, config_yaml, settings.seed, settings.replicates, started, t0,
                 {"merged": True, "chunks": g.chunks, "members": members_info, "scenarios": names})
    g.summary, g.manifest = summ, man


def merge_groups(sweep_dir: Path, jobs: Sequence[Job]) -> list[Group]:
    """Find the split ensembles of the sweep and merge each one whose shares are all complete."""
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
