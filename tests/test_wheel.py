"""The package as a user gets it: build the wheel, install it into a fresh venv outside the
repository, and run `triad` from an empty directory. Slow (pip installs the dependencies
from the package index, a minute or more); deselect with `-m "not wheel"`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

# the wheel carries every experiment: built while no bad-input case adds one (tests/conftest.py)
pytestmark = pytest.mark.wheel  # with the tests around experiments/ under xdist (tests/xdist_groups.py)

# what the build reads; copied out so the build leaves nothing in the checkout
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "sim", "conf", "experiments")


def sh(args, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert proc.returncode == 0, (args, proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(p, src / name)
    dist = tmp_path_factory.mktemp("dist")
    sh([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, src], timeout=900)
    (whl,) = dist.glob("triad_sim-*.whl")
    return whl


def test_the_wheel_carries_every_module_and_config(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sim").rglob("*.py") if "__pycache__" not in p.parts}
    expected |= {"sim/conf/" + p.relative_to(ROOT / "conf").as_posix() for p in (ROOT / "conf").rglob("*.yaml")}
    expected |= {f"sim/experiments/{p.name}" for p in (ROOT / "experiments").glob("*.yaml")}
    expected |= {f"sim/data/{p.name}" for p in (ROOT / "sim" / "data").iterdir()} | {"sim/py.typed"}
    assert not expected - names, sorted(expected - names)  # a new subpackage must be listed in pyproject
    info = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = zipfile.ZipFile(wheel).read(info).decode()
    assert "Name: triad-sim" in meta and "License-Expression: MIT" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry = zipfile.ZipFile(wheel).read(info.replace("METADATA", "entry_points.txt")).decode()
    for script in ("triad = sim.cli:console", "triad-report = sim.cli:report_main", "triad-aggregate = sim.cli:aggregate_main"):
        assert script in entry


def test_installed_wheel_runs_from_an_empty_directory(wheel, tmp_path):
    venv, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    sh([sys.executable, "-m", "venv", venv], env=env, timeout=300)
    sh([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], env=env, timeout=1800)

    # the package and its configs come from the venv, not from this checkout
    code = "from sim.config import locate; print(locate.conf_dir()); print(locate.experiments_dir())"
    where = sh([venv / "bin" / "python", "-c", code], cwd=work, env=env, timeout=120).stdout.split()
    site = next((venv / "lib").glob("python3.*/site-packages")).resolve()
    assert [Path(p) for p in where] == [site / "sim" / "conf", site / "sim" / "experiments"]

    # an experiment composes from the installed copy (`--cfg job` prints the config, runs nothing)
    cfg = sh([venv / "bin" / "triad", "experiment=no_embassy_attack", "--cfg", "job"], cwd=work, env=env, timeout=300)
    assert "name: no_embassy_attack" in cfg.stdout

    proc = sh([venv / "bin" / "triad", "ensemble.replicates=50"], cwd=work, env=env, timeout=900)
    (run,) = (work / "outputs" / "runs").iterdir()
    assert proc.stdout.startswith(f"output: {run}")
    for name in ("manifest.json", "stats.parquet", "summary.json", "report.html", "config.yaml"):
        assert (run / name).is_file() and (run / name).stat().st_size > 0, name
    assert json.loads((run / "manifest.json").read_text())["replicates"] == 50
