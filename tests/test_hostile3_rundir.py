"""Hostile trial 3 (issue 23): run and sweep directories received from elsewhere cannot make
triad write, truncate or delete outside them, nor mislabel numbers."""
from __future__ import annotations

import os
import shutil

import pytest

from sim.cli import aggregate_main, report_main
from sim.errors import ConfigError
from tests.hostile3 import cli

FAST = ["ensemble.replicates=2", "report.enabled=false"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A complete run directory (report disabled), written by the API."""
    import sim

    d = tmp_path_factory.mktemp("finished") / "run"
    sim.run(replicates=2, seed=1, overrides=["report.enabled=false", "end=2022-10-31"]).save(d)
    return d


def test_H4_lock_symlink_refused(tmp_path, capsys, monkeypatch):
    victim = tmp_path / "victim_bashrc"
    victim.write_text("alias ll=ls\n")
    run = tmp_path / "recv"
    run.mkdir()
    (run / ".triad.lock").symlink_to(victim)
    code, err = cli([*FAST, f"hydra.run.dir={run}"], capsys, monkeypatch)
    assert code == 2 and "is a symbolic link" in err and ".triad.lock" in err, err
    assert victim.read_text() == "alias ll=ls\n"
    # the lock itself never follows a link, whoever opens it
    from sim.io.lock import run_lock

    with pytest.raises(ConfigError, match="symbolic link"):
        with run_lock(run):
            pass
    assert victim.read_text() == "alias ll=ls\n"


@pytest.mark.parametrize("name", [".hydra/overrides.yaml", "triad.log"])
def test_H5_overrides_and_log_symlinks_refused(name, tmp_path, capsys, monkeypatch):
    victim = tmp_path / "victim"
    victim.write_text("victim\n")
    run = tmp_path / "recv"
    (run / ".hydra").mkdir(parents=True)
    (run / name).symlink_to(victim)
    code, err = cli([*FAST, f"hydra.run.dir={run}"], capsys, monkeypatch)
    assert code == 2 and "is a symbolic link" in err and name.split("/")[-1] in err, err
    assert victim.read_text() == "victim\n"
    assert sorted(os.listdir(run / ".hydra")) == (["overrides.yaml"] if name.startswith(".hydra") else [])


def test_H14_figures_symlink_refused_by_report(finished, tmp_path, capsys):
    victim = tmp_path / "figvictim"
    victim.mkdir()
    (victim / "gdelt.pdf").write_text("old")
    d = tmp_path / "rC"
    shutil.copytree(finished, d)
    (d / "figures").symlink_to(victim)
    assert report_main([str(d)]) == 2
    assert "figures' is a symbolic link" in capsys.readouterr().err
    assert sorted(os.listdir(victim)) == ["gdelt.pdf"] and (victim / "gdelt.pdf").read_text() == "old"


def test_H10_report_refuses_unlisted_file(finished, tmp_path, capsys):
    d = tmp_path / "rA"
    shutil.copytree(finished, d)
    manifest = (d / "manifest.json").read_bytes()
    shutil.copy(d / "stats.parquet", d / "effects.parquet")  # a file of another run
    assert report_main([str(d)]) == 2
    err = capsys.readouterr().err
    assert "effects.parquet: not in the manifest" in err
    assert (d / "manifest.json").read_bytes() == manifest and not (d / "report.html").exists()


def test_H10_report_lists_only_manifest_and_report_files(finished, tmp_path, capsys):
    import json

    d = tmp_path / "rB"
    shutil.copytree(finished, d)
    before = json.loads((d / "manifest.json").read_text())["files"]
    assert report_main([str(d)]) == 0
    after = json.loads((d / "manifest.json").read_text())["files"]
    added = set(after) - set(before)
    assert {k: after[k] for k in before} == before
    assert "report.html" in added and all(k == "report.html" or k.startswith("figures/") for k in added)


def test_H9_second_sweep_into_finished_sweep_refused(tmp_path, capsys, monkeypatch):
    sweep = tmp_path / "sw"
    (sweep / "0" / ".hydra").mkdir(parents=True)
    (sweep / "multirun.yaml").write_text("hydra:\n  overrides:\n    task:\n    - ensemble.seed=1,2\n"
                                         "    - ensemble.replicates=2\n    - report.enabled=false\n")
    (sweep / "0" / ".hydra" / "overrides.yaml").write_text("- ensemble.seed=1\n")
    code, err = cli(["-m", "dynamics.reaction.IRN=0.5,0.9", *FAST, f"hydra.sweep.dir={sweep}"], capsys, monkeypatch)
    assert code == 2 and "holds another sweep's jobs (ensemble.seed=1,2" in err, err
    assert (sweep / "0" / ".hydra" / "overrides.yaml").read_text() == "- ensemble.seed=1\n"
    # the same command is the same sweep: the check passes it (resume)
    from sim.sweep.occupied import foreign_sweep

    foreign_sweep(sweep, ["ensemble.seed=1,2", "ensemble.replicates=2", "report.enabled=false", "hydra.sweep.dir=x"])


def test_H9_aggregate_labels_from_config_yaml():
    from sim.sweep.jobs import label_mismatch

    cfg = {"dynamics": {"reaction": {"IRN": 0.012}}, "ensemble": {"seed": 1}, "report": {"enabled": False},
           "question": "q", "counterfactual": {"name": "none"}}
    assert label_mismatch(["dynamics.reaction.IRN=0.5"], cfg) == ("dynamics.reaction.IRN=0.5",
                                                                  "dynamics.reaction.IRN=0.012")
    assert label_mismatch(["ensemble.seed=2"], cfg) == ("ensemble.seed=2", "ensemble.seed=1")
    assert label_mismatch(["dynamics.reaction.IRN=0.012", "ensemble.seed=1", "report.enabled=false",
                           "question=q", "counterfactual=no_embassy_attack", "hydra.job.num=3"], cfg) is None


def test_H12_save_dotdot_into_conf_refused(tmp_path):
    from sim.io.places import PACKAGE, forbidden_output_dir

    root = PACKAGE.parent
    for rel in ("nonexistent/../conf", "outputs_absent/../conf/x", "a/b/../../sim"):
        assert forbidden_output_dir(root / rel), rel
    assert forbidden_output_dir(tmp_path / "nonexistent" / ".." / "ok") is None


def test_M16_run_dir_dotdot_conf_refused_before_writing(capsys, monkeypatch):
    from sim.io.places import PACKAGE

    conf = PACKAGE.parent / "conf"
    before = sorted(os.listdir(conf))
    code, err = cli([*FAST, f"hydra.run.dir={PACKAGE.parent}/nonexist/../conf"], capsys, monkeypatch)
    assert code == 2 and "inside the project's conf/ folder" in err
    assert sorted(os.listdir(conf)) == before and not (PACKAGE.parent / "nonexist").exists()


def test_M5_cn_config_is_prechecked(capsys, monkeypatch):
    from sim.io.places import PACKAGE

    conf = PACKAGE.parent / "conf"
    before = sorted(os.listdir(conf))
    code, err = cli(["-cn", "config", "hydra.run.dir=conf", *FAST], capsys, monkeypatch)
    assert code == 2 and "inside the project's conf/ folder" in err
    assert sorted(os.listdir(conf)) == before


def test_M22_mode_multirun_sweep_dir_checked(capsys, monkeypatch):
    from sim.io.places import PACKAGE

    conf = PACKAGE.parent / "conf"
    before = sorted(os.listdir(conf))
    code, err = cli(["hydra.mode=MULTIRUN", f"hydra.sweep.dir={conf}", "ensemble.seed=1,2", *FAST],
                    capsys, monkeypatch)
    assert code == 2 and err.startswith("triad: error: hydra.sweep.dir:") and "conf/ folder" in err
    assert sorted(os.listdir(conf)) == before


def _lock_not_regular(kind, tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    run.mkdir()
    if kind == "dir":
        (run / ".triad.lock").mkdir()
    else:
        os.mkfifo(run / ".triad.lock")
    code, err = cli([*FAST, f"hydra.run.dir={run}"], capsys, monkeypatch)
    assert code == 2 and "is not a regular file" in err and err.count("\n") == 1, err
    from sim.io.lock import run_lock

    with pytest.raises(ConfigError, match="regular file"):
        with run_lock(run):
            pass


def test_M27_lock_is_a_directory(tmp_path, capsys, monkeypatch):
    _lock_not_regular("dir", tmp_path, capsys, monkeypatch)


def test_M28_lock_is_a_fifo(tmp_path, capsys, monkeypatch):
    _lock_not_regular("fifo", tmp_path, capsys, monkeypatch)


def test_H9_aggregate_refuses_links(tmp_path, capsys):
    sweep = tmp_path / "sw"
    (sweep / "0" / ".hydra").mkdir(parents=True)
    (sweep / "0" / ".hydra" / "overrides.yaml").write_text("- ensemble.seed=1\n")
    (sweep / "sweep.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    assert aggregate_main([str(sweep), "--no-report"]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
