"""Every row of the bad-input catalogue (docs/bad-input.md): exit code 2, a message that
names the key or file, no traceback, and no output that claims success.

The catalogue runs in this process through ``sim.cli.run_cli`` (one ``python -m sim`` costs
3-4 s of start-up; 125 of them were 7.5 min). One case of each error family (SUBPROCESS)
also runs as the real ``python -m sim`` process, which must print the same message."""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bad_input_cases import CASES
from conftest import CONF, ROOT
from sim.cli import run_cli
from sim.io.manifest import verify

DOC = ROOT / "docs" / "bad-input.md"
# One case per door a refusal can come through, run as a real process as well:
# {error family: case id}
SUBPROCESS = {
    "a config key": "typo_key",
    "a value out of range": "out_of_range",
    "a type Hydra cannot parse": "wrong_type_number",
    "an events file's content": "unknown_actor_event",
    "a file that is not small UTF-8 YAML": "events_alias_bomb",
    "an experiment that does not parse": "yaml_error_experiment",
    "the trust guard inside Hydra's loader": "callback_override",
    "a user config folder (flags before overrides)": "flags_config_dir_callback",
    "the output directory": "unwritable_output",
    "a directory another run holds": "locked_dir",
    "a directory holding another config's run": "occupied_other_config",
    "the run's cost": "replicates_trillion",
    "a sweep value": "sweep_bad_value",
    "an observations file": "backtest_obs_gap",
}
BY_ID = {c[0]: c for c in CASES}


class Outcome:
    """What a command left: exit status and its two streams."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def in_process(args, capsys, monkeypatch) -> Outcome:
    monkeypatch.setenv("HYDRA_FULL_ERROR", "0")
    capsys.readouterr()
    code = run_cli(args)
    out, err = capsys.readouterr()
    return Outcome(code, out, err)


def as_process(args) -> Outcome:
    proc = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "HYDRA_FULL_ERROR": "0"})
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def _fill(text: str, tmp_path: Path, experiment) -> str:
    return text.replace("{tmp}", str(tmp_path)).replace("{conf}", str(CONF)).replace("{experiment}", str(experiment))


def setup_state(name: str | None, out: Path, runner=as_process):
    """Put the output directory in the state a case starts from; returns what must stay
    alive during the case (an open, locked file)."""
    if name == "complete_run_seed_1":
        done = runner(["ensemble.replicates=5", "ensemble.seed=1", "report.enabled=false", f"hydra.run.dir={out}"])
        assert done.returncode == 0 and (out / "manifest.json").exists(), done.stderr[-2000:]
        return None
    if name == "locked":
        out.mkdir(parents=True)
        fh = open(out / ".triad.lock", "w")
        fh.write(str(os.getpid()))
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fh
    return None


def run_case(tmp_path: Path, overrides, files, needle, setup=None, runner=as_process):
    """Run one case with ``runner`` (the real process by default; the tests pass the
    in-process seam). Returns (outcome, output directory, the needle filled in)."""
    experiment = None
    made = []
    out = tmp_path / "out"
    held = setup_state(setup, out, runner)
    try:
        for name, text in files.items():
            if name == "experiment":  # experiments are looked up in experiments/
                experiment = f"_bad_input_{uuid.uuid4().hex[:8]}"
                path = ROOT / "experiments" / f"{experiment}.yaml"
            else:
                path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if text == "<fifo>":
                os.mkfifo(path)
            elif isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(_fill(text, tmp_path, experiment), "utf-8")
            made.append(path)
        args = [_fill(o, tmp_path, experiment) for o in overrides]
        plain = args[:1] == ["import"]  # `triad import` (issue 20) takes no Hydra overrides
        if not plain and not any(a.startswith(("hydra.run.dir=", "hydra.sweep.dir=")) for a in args):
            args.append(f"hydra.run.dir={out}")
        # flags first, then the overrides (argparse takes no flag after the overrides)
        small = [] if plain or any(a.startswith(("ensemble.replicates=", "-m")) for a in args) else [
            "ensemble.replicates=5"]
        return runner([*args, *small]), out, _fill(needle, tmp_path, experiment)
    finally:
        if held is not None:
            held.close()
        for p in made:
            if p.parent == ROOT / "experiments":
                p.unlink()


def check(proc: Outcome, out: Path, tmp_path: Path, needle: str, setup: list) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert needle in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("triad: error:"), proc.stderr[:500]
    assert not proc.stdout.strip()  # nothing printed as a result
    if setup == ["complete_run_seed_1"]:  # the complete run that was there is untouched
        assert verify(out) == [] and not (out / "error.json").exists()
    else:
        assert not (out / "manifest.json").exists() and not (out / "stats.parquet").exists()
    assert not (tmp_path / "sweep").exists()  # a refused sweep starts no job
    assert not (tmp_path / "bashrc").exists()  # the hostile log handler wrote nothing


def _param(case: tuple):
    """A case; one that writes an experiment into experiments/ runs in the xdist group of the
    tests that list that folder (its id ends in ``@experiments_dir``: tests/xdist_groups.py),
    never beside them."""
    return pytest.param(case, id=case[0] + _group(case))


def _group(case: tuple) -> str:
    return "@experiments_dir" if "experiment" in case[3] else ""


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(tmp_path, case, capsys, monkeypatch):
    cid, what, overrides, files, needle, *setup = case
    proc, out, needle = run_case(tmp_path, overrides, files, needle, *setup,
                                 runner=lambda a: in_process(a, capsys, monkeypatch))
    check(proc, out, tmp_path, needle, setup)


@pytest.mark.parametrize("cid", [pytest.param(c, id=family + _group(BY_ID[c]))
                                 for family, c in SUBPROCESS.items()])
@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_bad_input_real_process(tmp_path, cid, capsys, monkeypatch):
    """The real entry point prints what run_cli printed: same exit status, same message."""
    _, what, overrides, files, needle, *setup = BY_ID[cid]
    real, out, filled = run_case(tmp_path / "real", overrides, files, needle, *setup)
    check(real, out, tmp_path / "real", filled, setup)
    seam, _, _ = run_case(tmp_path / "seam", overrides, files, needle, *setup,
                          runner=lambda a: in_process(a, capsys, monkeypatch))
    assert seam.returncode == real.returncode == 2
    assert _same(seam.stderr, tmp_path / "seam") == _same(real.stderr, tmp_path / "real")


def _same(text: str, tmp: Path) -> str:
    """The message with what differs between two runs of a case (its folder, the random
    name of its experiment, numbers such as a process id or a speed measured on the spot)
    made equal; check() has matched each message's fixed text already."""
    text = text.replace(str(tmp), "<tmp>")
    return re.sub(r"\d[\d,.]*", "N", re.sub(r"_bad_input_[0-9a-f]{8}", "<experiment>", text))


def test_every_family_case_is_in_the_catalogue():
    assert set(SUBPROCESS.values()) <= set(BY_ID)


def test_catalogue_document_lists_every_case():
    text = DOC.read_text("utf-8")
    assert len(CASES) >= 80
    for cid, _what, *_ in CASES:
        assert f"`{cid}`" in text, cid
