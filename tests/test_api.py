"""The Python API (sim.run, sim.compare; docs/api.md): the CLI's numbers, in memory, and the
CLI's run directory when saved."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from conftest import ROOT
from sim.errors import ConfigError
from sim.io.manifest import verify

# small: 40 replicates over seven months with a counterfactual, so every table has rows
OVERRIDES = ["end=2023-03-31", "record.replicates=5", "ensemble.seed=3"]
DATA_FILES = ("stats.parquet", "incidence.parquet", "effects.parquet", "routes.parquet", "trajectories.parquet",
              "actions.parquet", "summary.json", "events.json", "config.yaml")


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", f"hydra.run.dir={out}", "counterfactual=no_embassy_attack",
                           "ensemble.replicates=40", *OVERRIDES], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, proc.stdout


@pytest.fixture(scope="module")
def api_run(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))  # nothing may appear in the working directory
    try:
        r = sim.compare("no_embassy_attack", overrides=OVERRIDES, replicates=40)
        assert os.listdir(".") == []
    finally:
        os.chdir(cwd)
    return r


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_save_writes_the_cli_directory_byte_for_byte(cli_run, api_run, tmp_path):
    cli, _ = cli_run
    out = api_run.save(tmp_path / "api")
    for name in DATA_FILES:
        assert (out / name).read_bytes() == (cli / name).read_bytes(), name
    man, cli_man = (json.loads((d / "manifest.json").read_text()) for d in (out, cli))
    assert verify(out, man) == []
    assert set(man["files"]) == set(cli_man["files"])  # report.html and figures/ included
    assert man["config_hash"] == cli_man["config_hash"]
    assert man["api_call"].startswith("sim.run(")
    # saving again into the complete directory changes nothing
    before = (out / "manifest.json").read_bytes()
    api_run.save(out)
    assert (out / "manifest.json").read_bytes() == before


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_tables_are_the_cli_files_read_back(cli_run, api_run):
    cli, _ = cli_run
    for name in ("stats", "incidence", "effects", "routes", "trajectories", "actions"):
        got, want = getattr(api_run, name), pd.read_parquet(cli / f"{name}.parquet")
        assert len(want) > 0, name
        if "date" in want.columns:  # pandas datetimes, not datetime.date objects
            assert got["date"].dtype == "datetime64[ns]", name
            want["date"] = pd.to_datetime(want["date"]).astype("datetime64[ns]")
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert api_run.summary == json.loads((cli / "summary.json").read_text())
    assert api_run.events == json.loads((cli / "events.json").read_text())


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_headline_and_answer_are_what_the_cli_prints(cli_run, api_run):
    _, stdout = cli_run
    lines = stdout.splitlines()
    for line in api_run.headline:
        assert line in lines
    assert f"answer (no_embassy_attack): {api_run.answer}" in lines
    assert api_run.answers == {"no_embassy_attack": api_run.answer}
    p = api_run.p_rung(3)
    s = api_run.summary["scenarios"]["baseline"]
    assert p.loc["AZE-IRN", "p"] == s["AZE-IRN"]["p_rung_at_least"]["3"]["p"]
    assert list(p.index) == sorted(s)


def test_config_reruns_to_the_same_numbers(api_run):
    again = sim.run(config=api_run.config)
    assert again.config_yaml == api_run.config_yaml
    pd.testing.assert_frame_equal(again.stats, api_run.stats, check_exact=True)
    pd.testing.assert_frame_equal(again.effects, api_run.effects, check_exact=True)


def test_figures_are_matplotlib_figures_of_the_report(api_run):
    from matplotlib.figure import Figure

    names = api_run.figure_names
    assert {"fan_tension", "incidence", "paired_difference"} <= set(names)
    fig = api_run.plot_paired_difference()
    assert isinstance(fig, Figure) and len(fig.axes) >= 6  # 3 dyads x (tension, net relation)
    assert isinstance(api_run.plot_incidence(), Figure)
    with pytest.raises(KeyError, match="figures of this run"):
        api_run.figure("nope")


def test_run_without_counterfactual_has_no_effects():
    r = sim.run(overrides=["end=2022-10-31", "record.replicates=2"], replicates=10, seed=1)
    assert r.effects is None and r.answer is None and r.scenarios == ["baseline"]
    assert r.trajectories["replicate"].unique().tolist() == [0, 1]
    assert r.summary["seed"] == 1 and r.summary["replicates"] == 10


def test_compare_with_ops_names_the_counterfactual():
    ops = [{"shift": {"event": "herzog_visit_baku", "days": 30}}]
    r = sim.compare(ops, name="late_visit", overrides=["end=2023-08-31", "record.replicates=0"], replicates=20)
    assert r.scenarios == ["baseline", "late_visit"]
    assert r.summary["counterfactuals"]["late_visit"]["ops"] == ops
    assert r.summary["counterfactuals"]["late_visit"]["first_change"] == "2023-05-30"


def test_mistakes_raise_the_cli_line():
    with pytest.raises(ConfigError, match=r"dynamics\.restraint\.IRN: -0\.1 is out of range; allowed: \[0\.0, 1\.0\]"):
        sim.run(overrides=["dynamics.restraint.IRN=-0.1"])
    with pytest.raises(ConfigError, match="did you mean 'dynamics.reaction'"):
        sim.run(overrides=["dynamics.reactoin.IRN=0.02"])
    with pytest.raises(ConfigError, match="unknown option"):
        sim.run("no_such_experiment")
    with pytest.raises(TypeError):
        sim.run(overrides="ensemble.seed=1")


def test_hydra_global_state_is_left_as_it_was():
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.locate import conf_dir

    sim.model(overrides=["end=2022-09-30"], replicates=1)
    assert not GlobalHydra.instance().is_initialized()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        mine = GlobalHydra.instance().hydra
        sim.model(overrides=["end=2022-09-30"], replicates=1)
        assert GlobalHydra.instance().hydra is mine
    GlobalHydra.instance().clear()


def test_import_sim_loads_the_api_lazily():
    code = ("import sys, sim; assert 'sim.api' not in sys.modules; assert 'hydra' not in sys.modules; "
            "f = sim.run; assert 'sim.api' in sys.modules; print(f.__module__, sorted(dir(sim))[:3])")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("sim.api ")
    with pytest.raises(AttributeError):
        sim.no_such_name  # noqa: B018


def test_save_refuses_a_forbidden_directory(api_run):
    with pytest.raises(ConfigError):
        api_run.save(Path(sim.__file__).parent / "runs_here")
