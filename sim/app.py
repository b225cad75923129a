"""The run: validated config in, every output file of spec §9 out. No Hydra here: the
entry point (``__main__``) hands over a plain config and the output directory."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from . import outputs, summary
from .config import build_settings
from .ensemble import run_ensemble
from .errors import ConfigError, TriadError
from .events import event_rung
from .schema import TriadConf
from .settings import Scenario, Settings

log = logging.getLogger("triad")


def validate(cfg: DictConfig | Mapping[str, Any]) -> dict:
    """Check types and unknown keys against the schema; return a plain, resolved dict."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(TriadConf), cfg)
        return OmegaConf.to_container(merged, resolve=True, throw_on_missing=True)  # type: ignore[return-value]
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "config"
        msg = str(getattr(exc, "msg", exc)).splitlines()[0]
        raise ConfigError(str(key), msg) from None


def scenarios_for(cfg: Mapping[str, Any], settings: Settings) -> list[Scenario]:
    cf = cfg["counterfactual"]
    if cf.get("ops"):
        raise ConfigError("counterfactual.ops", "counterfactual operations are not available in this version; "
                          "use counterfactual=none")
    return [Scenario("baseline", settings.events)]


def events_table(settings: Settings) -> list[dict]:
    rows = []
    for ev in settings.events:
        d = ev.as_dict()
        d["rung"] = event_rung(ev, settings.ladder)
        rows.append(d)
    return rows


def run(cfg: DictConfig | Mapping[str, Any], out_dir: str | Path) -> dict:
    """Simulate, write every output into ``out_dir`` (manifest last), return the summary."""
    started, t0 = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    plain = validate(cfg)
    settings = build_settings(plain)
    scenarios = scenarios_for(plain, settings)
    out = Path(out_dir)
    config_yaml = OmegaConf.to_yaml(OmegaConf.create(plain))
    log.info("simulating %d replicates x %d days x %d scenario(s)", settings.replicates, settings.n_days, len(scenarios))
    results = run_ensemble(settings, scenarios)
    dates = settings.dates

    outputs.write_parquet(out / "stats.parquet", pd.concat(
        [outputs.stats_frame(n, r.stats, dates) for n, r in results.items()], ignore_index=True))
    outputs.write_parquet(out / "incidence.parquet", pd.concat(
        [outputs.incidence_frame(n, r.stats, dates, settings.actors) for n, r in results.items()], ignore_index=True))
    traj = [df for r in results.values() for df in r.trajectories]
    outputs.write_parquet(out / "trajectories.parquet", pd.concat(traj, ignore_index=True) if traj else pd.DataFrame(
        columns=["scenario", "replicate", "date", "source", "target", "hostility", "cooperation"]))
    acts = [df for r in results.values() for df in r.actions]
    outputs.write_parquet(out / "actions.parquet", pd.concat(acts, ignore_index=True) if acts else pd.DataFrame(
        columns=["scenario", "replicate", "date", "source", "target", "origin", "event_id", "cameo", "goldstein", "rung"]))

    base = results["baseline"].stats
    scen = {n: summary.scenario_summary(r.stats, settings.actors) for n, r in results.items()}
    summ = {
        "question": plain["question"],
        "start": settings.start.isoformat(), "end": settings.end.isoformat(),
        "replicates": settings.replicates, "simulated_replicates": list(settings.replicate_range()),
        "seed": settings.seed,
        "headline": summary.headline(scen["baseline"], settings.ladder.names, settings.end.isoformat()),
        "scenarios": scen,
        "validation": summary.validation(base, dates, settings.actors),
    }
    outputs.write_json(out / "summary.json", summ)
    outputs.write_json(out / "events.json", events_table(settings))
    outputs.atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    if plain["report"]["enabled"]:
        from .report import build_report  # matplotlib only when a report is wanted

        build_report(out)
    wall = time.perf_counter() - t0
    ended = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    outputs.write_json(out / "manifest.json", outputs.manifest(
        config_yaml, settings.seed, settings.replicates, started, ended, wall,
        {"chunk": settings.chunk, "chunks": settings.chunks, "scenarios": list(results)}))
    return summ


def main_task(cfg: DictConfig, out_dir: str | Path) -> dict:
    """Run and report; a user mistake prints one clear line and exits 2."""
    try:
        summ = run(cfg, out_dir)
    except TriadError as exc:
        print(f"triad: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    print(f"output: {Path(out_dir).resolve()}")
    for line in summ["headline"]:
        print(line)
    v = summ["validation"]
    if "overall_sign_agreement" in v:
        print(f"GDELT sign agreement of monthly net relation {v['window'][0]}..{v['window'][1]}: "
              f"{v['overall_sign_agreement']:.0%} " + json.dumps(
                  {k: d["sign_agreement"] for k, d in v["dyads"].items()}))
    return summ
