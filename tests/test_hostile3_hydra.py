"""Hostile trial 3 (issue 23): Hydra's own knobs and flags that wrote outside the run
directory or ran code are refused, one line naming the key, exit 2, nothing written."""
from __future__ import annotations

import os
import pickle

import pytest

from sim.config import door, trust
from sim.errors import ConfigError
from tests.hostile3 import cli, composed

FAST = ["ensemble.replicates=2", "report.enabled=false"]


def test_H1_output_subdir_refused(tmp_path, capsys, monkeypatch):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "config.yaml").write_text("precious\n")
    for value in (str(victim), "../conf"):
        code, err = cli([*FAST, f"hydra.run.dir={tmp_path / 'run'}", f"hydra.output_subdir={value}"],
                        capsys, monkeypatch)
        assert code == 2 and err.startswith("triad: error: hydra.output_subdir:"), err
        assert "allowed: '.hydra'" in err and err.count("\n") == 1
    assert (victim / "config.yaml").read_text() == "precious\n" and sorted(os.listdir(victim)) == ["config.yaml"]
    assert not (tmp_path / "run").exists()


def test_H2_job_name_refused(tmp_path, capsys, monkeypatch):
    victim = tmp_path / "victim_b.log"
    victim.write_text("important line 1\n")
    code, err = cli([*FAST, f"hydra.run.dir={tmp_path / 'run'}", f"hydra.job.name=../..{tmp_path}/victim_b"],
                    capsys, monkeypatch)
    assert code == 2 and "hydra.job.name: " in err and "a plain name" in err
    assert victim.read_text() == "important line 1\n" and not (tmp_path / "run").exists()
    # the handler's mode alone: a log never truncates
    bad = trust.check(composed(["+hydra.job_logging.handlers.file.mode=w"]))
    assert bad == ["hydra.job_logging.handlers.file.mode: 'w' is not allowed; allowed: 'a' (append: a log never "
                   "truncates a file)"]


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch PWNED_BY_PICKLE",))


def test_H3_experimental_rerun_refused(tmp_path, capsys, monkeypatch):
    evil = tmp_path / "evil.pickle"
    evil.write_bytes(pickle.dumps(_Evil()))
    monkeypatch.chdir(tmp_path)
    code, err = cli(["--experimental-rerun", str(evil)], capsys, monkeypatch)
    assert code == 2 and err.startswith("triad: error: --experimental-rerun: is not allowed"), err
    assert not (tmp_path / "PWNED_BY_PICKLE").exists()


def test_H13_launcher_setup_refused(tmp_path, capsys, monkeypatch):
    exp = tmp_path / "experiment"
    exp.mkdir()
    (exp / "evil_slurm.yaml").write_text("# @package _global_\ndefaults:\n  - override /hydra/launcher: submitit_slurm"
                                         "\nquestion: harmless\nhydra:\n  launcher:\n"
                                         f"    setup:\n      - touch {tmp_path}/pwn\n")
    code, err = cli(["-m", "--config-dir", str(tmp_path), "experiment=evil_slurm", *FAST,
                     f"hydra.sweep.dir={tmp_path / 'sweep'}"], capsys, monkeypatch)
    assert code == 2 and "hydra.launcher.setup: a config may not set a launcher's 'setup'" in err, err
    assert not (tmp_path / "pwn").exists() and not (tmp_path / "sweep").exists()
    for o in ("+hydra.launcher.srun_args=[--x]", "+hydra.launcher.additional_parameters={a: b}"):
        bad = trust.check(composed(["hydra/launcher=submitit_local", o]))
        assert bad and "a config may not set a launcher's" in bad[0], o


def test_H15_callback_exact_name(tmp_path):
    bad = trust.check(composed(["+hydra.callbacks.x={_target_: sim.sweep.AggregateCallback.on_multirun_end, "
                                f"config: {{hydra: {{sweep: {{dir: {tmp_path}}}}}}}}}"]))
    assert bad and bad[0].startswith("hydra.callbacks.x._target_: 'sim.sweep.AggregateCallback.on_multirun_end' "
                                     "is not allowed; allowed: exactly {_target_: sim.sweep.AggregateCallback}")
    # the class itself, with arguments, is refused too; alone it is the package's own callback
    assert trust.check(composed(["+hydra.callbacks.y={_target_: sim.sweep.AggregateCallback, report: false}"]))
    assert trust.check(composed()) == []


def test_M21_ray_runtime_env_refused():
    bad = trust.check(composed(["hydra/launcher=ray",
                                "+hydra.launcher.ray.init.runtime_env={env_vars: {LD_PRELOAD: /tmp/evil.so}}"]))
    assert bad and bad[0].startswith("hydra.launcher.ray.init.runtime_env: a config may not set a launcher's "
                                     "'runtime_env'"), bad


def test_M2_group_value_with_path_refused(tmp_path, capsys, monkeypatch):
    (tmp_path / "x.yaml").write_text("# @package _global_\nquestion: loaded from elsewhere\n")
    for value in (f"../../../../../..{tmp_path}/x", "a/b", "..\\x", "x,../y"):
        with pytest.raises(ConfigError, match=r"^experiment: .* is not an option name"):
            door.check("api", overrides=[f"experiment={value}"])
    code, err = cli([f"experiment=../../../../../..{tmp_path}/x", *FAST], capsys, monkeypatch)
    assert code == 2 and "is not an option name" in err
    with pytest.raises(ConfigError, match=r"^events: "):
        door.check("api", overrides=["events=../events/default"])
    door.check("api", overrides=["experiment=discovery", "question=a/b/../c", "events.file=/x/y.yaml"])  # not groups


def test_M4_hydra_interpolation_outside_hydra_refused():
    bad = trust.check(composed(["+hydra.leak=${oc.env:HOME}", "question=${hydra:leak}"]))
    assert bad == ["question: '${hydra:leak}' reads Hydra's own node; a config may not copy it into the outputs "
                   "(it can hold an environment variable), write the value itself"]


def test_M23_job_chdir_refused():
    bad = trust.check(composed(["hydra.job.chdir=true"]))
    assert bad and bad[0].startswith("hydra.job.chdir: True is not allowed; allowed: false")


def test_M29_output_subdir_null_refused():
    bad = trust.check(composed(["hydra.output_subdir=null"]))
    assert bad and bad[0].startswith("hydra.output_subdir: None is not allowed")


def test_H9b_constant_sweep_subdir_refused(tmp_path, capsys, monkeypatch):
    code, err = cli(["-m", "ensemble.seed=1,2,3", "hydra.sweep.subdir=x", *FAST,
                     f"hydra.sweep.dir={tmp_path / 's'}"], capsys, monkeypatch)
    assert code == 2 and "hydra.sweep.subdir: 'x' is not allowed; it must contain ${hydra.job.num}" in err
    assert not (tmp_path / "s").exists()
    for ok in ("${hydra.job.num}", "job_${hydra.job.num}_${hydra.job.override_dirname}"):
        assert trust.check(composed([f"hydra.sweep.subdir='{ok}'"])) == [], ok
    assert trust.check(composed(["hydra.sweep.subdir='../${hydra.job.num}'"]))
