"""Hostile trial 3 (issue 23), low cases fixed (the others are explained in docs/security.md)."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.errors import ConfigError
from tests.hostile3 import cli

FAST = ["ensemble.replicates=2", "report.enabled=false"]


def test_M1_bare_search_path_bomb_refused_on_the_cli(tmp_path, capsys, monkeypatch):
    from tests.test_hostile3_api import BOMB

    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "bomb.yaml").write_text("# @package _global_\n" + BOMB)
    code, err = cli([f"hydra.searchpath=[{tmp_path}]", "experiment=bomb", *FAST], capsys, monkeypatch)
    assert code == 2 and "bomb.yaml" in err and err.count("\n") == 1


def test_L2_refused_scenario_is_a_value_not_a_traceback():
    from sim.ui.app import render
    from sim.ui.scenario import Scenario

    out = render(Scenario(replicates=5000), {})
    assert out == {"error": "ensemble.replicates: 5000 is out of range; allowed: 1..1000 in the explorer (run larger "
                            "ensembles with triad)"}


def test_L4_ops_mapping_says_a_list_is_expected(capsys, monkeypatch):
    code, err = cli(["counterfactual.ops={remove: herzog_praises_azerbaijan}", *FAST], capsys, monkeypatch)
    assert code == 2 and "is a mapping; a list of ops is expected" in err


def test_L5_glob_does_not_select_internal_files(tmp_path, capsys, monkeypatch):
    code, err = cli(["-m", "counterfactual=glob(_*)", *FAST, f"hydra.sweep.dir={tmp_path / 's'}"], capsys, monkeypatch)
    assert code == 2 and "selects '_common', an internal file of the group" in err
    assert not (tmp_path / "s").exists()


def test_L9_model_run_negative_days():
    import sim

    m = sim.model(replicates=1, overrides=["end=2022-09-30"])
    with pytest.raises(ConfigError, match=r"^days: -5 is not a number of days"):
        m.run(days=-5)
    assert m.day == 0


def test_L10_cfg_with_multirun_is_one_line(capsys, monkeypatch):
    code, err = cli(["-m", "ensemble.seed=1,2", "--cfg", "hydra"], capsys, monkeypatch)
    assert code == 2 and err == ("triad: error: --cfg: cannot be combined with -m/--multirun (Hydra shows one "
                                 "config); drop one of them\n")


def test_L11_cfg_job_with_a_broken_experiment_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "dup.yaml").write_text("# @package _global_\nquestion: a\nquestion: b\n")
    code, err = cli(["--cfg", "job", "--config-dir", str(tmp_path), "experiment=dup"], capsys, monkeypatch)
    assert code == 2 and "duplicate key" in err and "Traceback" not in err and err.count("\n") == 1


def test_L12_list_with_extra_argument(capsys):
    from sim.catalog import main

    assert main(["events", "--foo"]) == 2
    assert capsys.readouterr().err == ("triad: error: list events: unexpected argument(s) '--foo'; usage: triad list "
                                       "events\n")


def test_L13_tilde_path_hint(capsys, monkeypatch):
    code, err = cli(["events.file=~/nonexistent_ev.yaml", *FAST], capsys, monkeypatch)
    assert code == 2 and "Hydra reads '~' as its delete prefix" in err and "$HOME/nonexistent_ev.yaml" in err


def test_L14_behaviorspace_cells_are_not_formulas():
    from sim.io.exports import _inert

    assert _inert('=HYPERLINK("http://evil.example","x")') == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert [_inert(v) for v in ("+1", "-x", "@a", "baseline", 3, -2.5)] == ["'+1", "'-x", "'@a", "baseline", 3, -2.5]


def _posterior(path, column):
    pq.write_table(pa.table({"dynamics.reaction.IRN": column}), path)
    return path


def test_L16_posterior_not_a_regular_file(tmp_path):
    from sim.io.posterior import read_draws

    os.mkfifo(tmp_path / "fifo.parquet")
    (tmp_path / "zero.parquet").symlink_to("/dev/zero")
    for name in ("fifo.parquet", "zero.parquet"):
        with pytest.raises(ConfigError, match=r"not a regular file"):
            read_draws(tmp_path / name, ("AZE", "IRN", "ISR"))


@pytest.mark.parametrize("column", [pa.array([True, False, True]), pa.array(["0.1", "0.2", "0.1"]),
                                    pa.array([pd.Timestamp("2020-01-01")] * 3)])
def test_L17_posterior_non_numeric_columns_refused(column, tmp_path):
    from sim.io.posterior import read_draws

    with pytest.raises(ConfigError, match=r"column dynamics.reaction.IRN is of type .*; allowed: float or integer"):
        read_draws(_posterior(tmp_path / "p.parquet", column), ("AZE", "IRN", "ISR"))
    ok = read_draws(_posterior(tmp_path / "q.parquet", pa.array([0.01, 0.02, 0.03])), ("AZE", "IRN", "ISR"))
    assert np.allclose(ok["dynamics.reaction.IRN"], [0.01, 0.02, 0.03])


def test_L18_docs_say_what_the_precheck_checks():
    from pathlib import Path

    from sim.config.precheck import MAX_VALUES

    text = (Path(__file__).resolve().parent.parent / "docs" / "bad-input.md").read_text("utf-8")
    assert f"up to {MAX_VALUES} values per swept key" in text
