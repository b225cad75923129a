"""``sim.cli.run_cli``: the ``triad`` command inside the test process. It must return the
exit status the command would have, print what it would print, and leave the process as it
found it, so that commands can follow one another (tests/test_bad_input.py runs 125)."""
from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys

import pandas as pd
import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig

from conftest import ROOT
from sim.cli import run_cli
from sim.config.locate import GROUP
from sim.inprocess import exit_code


def _state() -> dict:
    root = logging.getLogger()
    return {
        "argv": list(sys.argv), "cwd": os.getcwd(), "env": dict(os.environ),
        "root_handlers": list(root.handlers), "root_level": root.level,
        "loggers": {n: (list(lg.handlers), lg.level, lg.disabled, lg.propagate)
                    for n, lg in logging.Logger.manager.loggerDict.items()
                    if isinstance(lg, logging.Logger) and n.startswith(("hydra", "sim", "triad"))},
        "capturing_warnings": getattr(logging, "_warnings_showwarning", None) is not None,
        "loader": ConfigLoaderImpl.__dict__["load_configuration"],
        "global_hydra": GlobalHydra.instance().is_initialized(),
        "hydra_cfg": HydraConfig.instance().cfg,
        "experiments": sorted(ConfigStore.instance().repo.get(GROUP, {})),
        "start_method": multiprocessing.get_start_method(allow_none=True),
    }


def same(before: dict) -> bool:
    """The process state is ``before``'s; loggers first created by a module the command
    imported are new objects, not changed ones, and are left out."""
    now = _state()
    now["loggers"] = {n: v for n, v in now["loggers"].items() if n in before["loggers"]}
    return now == before


def test_a_refused_config_is_exit_2_with_one_line(tmp_path, capsys):
    before = _state()
    code = run_cli(["dynamics.restraint.IRN=-0.1", f"hydra.run.dir={tmp_path / 'out'}"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "triad: error: dynamics.restraint.IRN: -0.1 is out of range; allowed: [0.0, 1.0]\n"
    assert same(before)
    assert not (tmp_path / "out").exists()


def test_version_is_exit_0(capsys):
    from sim import __version__

    assert run_cli(["--version"]) == 0
    assert capsys.readouterr().out == f"triad {__version__}\n"


def test_system_exit_codes_map_as_the_interpreter_maps_them(capsys):
    assert exit_code(SystemExit()) == 0 and exit_code(SystemExit(0)) == 0
    assert exit_code(SystemExit(3)) == 3
    assert exit_code(SystemExit("stopped: no disk")) == 1
    assert capsys.readouterr().err == "stopped: no disk\n"


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_a_complete_run_in_process_equals_the_real_process(tmp_path, capsys):
    """Same config and seed: the same numbers and the same printed lines, and the process
    (logging, Hydra's singletons, its config guard) as it was before the run."""
    args = ["ensemble.replicates=20", "ensemble.seed=3", "report.enabled=false", "record.replicates=0"]
    before = _state()
    assert run_cli([*args, f"hydra.run.dir={tmp_path / 'seam'}"]) == 0
    seam_out = capsys.readouterr().out
    assert same(before)
    proc = subprocess.run([sys.executable, "-m", "sim", *args, f"hydra.run.dir={tmp_path / 'real'}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "seam" / "stats.parquet"),
                                  pd.read_parquet(tmp_path / "real" / "stats.parquet"))
    assert seam_out.replace(str(tmp_path / "seam"), "DIR") == proc.stdout.replace(str(tmp_path / "real"), "DIR")
    # the job log of the finished run is closed: a later run may rotate or delete it
    assert not [h for h in logging.getLogger().handlers
                if isinstance(h, logging.FileHandler) and h.baseFilename.startswith(str(tmp_path))]


@pytest.mark.parametrize("argv", [["--version"], ["dynamics.reactoin.IRN=0.1"]])
def test_argv_is_restored_after_each_command(argv, tmp_path):
    saved = list(sys.argv)
    run_cli([*argv, f"hydra.run.dir={tmp_path}/o"] if argv[0] != "--version" else argv)
    assert sys.argv == saved
