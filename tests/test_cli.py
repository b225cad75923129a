"""The `triad` command as a user meets it: outputs of spec §9, and clear errors."""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from sim.cli import run_cli

TRIAD = [sys.executable, "-m", "sim"]
COLUMNS = {
    "stats.parquet": ["scenario", "date", "source", "target", "variable", "mean", "q05", "q25", "q50", "q75", "q95"],
    "incidence.parquet": ["scenario", "date", "dyad", "rung", "origin", "p"],
    "trajectories.parquet": ["scenario", "replicate", "date", "source", "target", "hostility", "cooperation"],
    "actions.parquet": ["scenario", "replicate", "date", "source", "target", "origin", "event_id", "cameo",
                        "goldstein", "rung", "status"],
}


def triad(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([*TRIAD, f"hydra.run.dir={tmp_path / 'out'}", *overrides], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    proc = triad(tmp, "ensemble.replicates=100", "record.replicates=10")
    assert proc.returncode == 0, proc.stderr
    return tmp / "out", proc


def test_run_writes_every_output_with_its_columns(small_run):
    out, proc = small_run
    for name, cols in COLUMNS.items():
        df = pd.read_parquet(out / name)
        assert list(df.columns) == cols, name
        assert len(df) > 0, name
    stats = pd.read_parquet(out / "stats.parquet")
    assert set(stats.variable) == {"hostility", "cooperation", "tension", "net_relation"}
    assert set(stats[stats.variable == "tension"].apply(lambda r: f"{r.source}-{r.target}", axis=1)) == {
        "AZE-IRN", "AZE-ISR", "IRN-ISR"}
    assert stats.date.min() == dt.date(2022, 9, 1) and stats.date.max() == dt.date(2024, 5, 31)  # date32: days
    assert (stats.q05 <= stats.q50).all() and (stats.q50 <= stats.q95).all()
    inc = pd.read_parquet(out / "incidence.parquet")
    assert set(inc.rung) == set(range(1, 7)) and inc.p.between(0, 1).all() and set(inc.origin) == {"any", "endogenous"}
    # incidence never falls with time, and never rises with the rung
    for _, g in inc.groupby(["dyad", "rung", "origin"]):
        assert g.sort_values("date").p.is_monotonic_increasing
    assert set(pd.read_parquet(out / "trajectories.parquet").replicate) == set(range(10))
    acts = pd.read_parquet(out / "actions.parquet")
    assert set(acts.origin) == {"exogenous", "endogenous"}
    summ = json.loads((out / "summary.json").read_text())
    for dy in ("AZE-IRN", "AZE-ISR", "IRN-ISR"):
        d = summ["scenarios"]["baseline"][dy]
        rungs = {"1", "2", "3", "4", "5", "6"}
        assert set(d["p_rung_at_least"]) == rungs | {"endogenous"} and set(d["p_rung_at_least"]["endogenous"]) == rungs
        for k in rungs:
            for e in (d["p_rung_at_least"][k], d["p_rung_at_least"]["endogenous"][k]):
                assert e["lo"] <= e["p"] <= e["hi"]
            assert d["p_rung_at_least"]["endogenous"][k]["p"] <= d["p_rung_at_least"][k]["p"]
        assert d["tension_end"]["q05"] <= d["tension_end"]["q50"] <= d["tension_end"]["q95"]
    assert "validation" in summ and summ["validation"]["months"] == 9
    man = json.loads((out / "manifest.json").read_text())
    for key in ("version", "git_commit", "command_line", "config_hash", "seed", "replicates", "versions",
                "start_time", "end_time", "wall_seconds"):
        assert key in man
    # Mesa 3.3 on Python 3.11, 3.5 on 3.12 and 3.13 (pyproject.toml): the manifest names the one that ran
    assert man["replicates"] == 100 and man["versions"]["mesa"] == importlib.metadata.version("mesa")
    assert (out / "report.html").exists() and (out / "figures" / "fan_tension.png").exists()


def test_run_prints_output_dir_and_three_headlines(small_run):
    out, proc = small_run
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == f"output: {out.resolve()}"
    assert lines[1].startswith("P(reach rung 3") and lines[2].startswith("P(reach rung 6") and lines[3].startswith("Tension")


@pytest.mark.parametrize("overrides, needle", [
    (["+dynamics.reaction.XYZ=0.1"], "dynamics.reaction.XYZ: unknown actor code; allowed: ISR, AZE, IRN"),
    (["dynamics.restraint.IRN=-0.1"], "dynamics.restraint.IRN: -0.1 is out of range; allowed: [0.0, 1.0]"),
    (["start=2022-13-01"], "start: '2022-13-01' is not a date; use YYYY-MM-DD"),
    (["end=2022-01-01"], "end: 2022-01-01 is before start 2022-09-01"),
    (["ensemble.replicates=0"], "ensemble.replicates: 0 is out of range"),
    (["ensemble.replicates=abc"], "ensemble.replicates"),
    (["decisions.hostility_weight=-1"], "decisions.hostility_weight: -1.0 is out of range"),
    (["+actors.ISR.colour=blue"], "actors.ISR.colour"),
])
def test_bad_config_is_a_clear_error(tmp_path, overrides, needle, capsys):
    # in this process (sim.cli.run_cli); tests/test_bad_input.py runs such cases as real processes too
    extra = [] if "ensemble.replicates" in overrides[0] else ["ensemble.replicates=10"]
    code = run_cli([f"hydra.run.dir={tmp_path / 'out'}", *extra, *overrides])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert needle in err
    assert "Traceback" not in err and not out
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_event_file_with_unknown_actor(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("- id: rumour\n  date: 2023-02-01\n  source: XYZ\n  target: IRN\n  cameo: '111'\n", "utf-8")
    proc = triad(tmp_path, f"events.file={f}", "ensemble.replicates=10")
    assert proc.returncode == 2
    assert "source: 'XYZ' is not a configured actor; allowed: ISR, AZE, IRN" in proc.stderr
    assert "Traceback" not in proc.stderr
