"""Every row of the bad-input catalogue (docs/bad-input.md): exit code 2, a message that
names the key or file, no traceback, and no output that claims success."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bad_input_cases import CASES
from conftest import CONF, ROOT
from sim.io.manifest import verify

DOC = ROOT / "docs" / "bad-input.md"


def _fill(text: str, tmp_path: Path, experiment) -> str:
    return text.replace("{tmp}", str(tmp_path)).replace("{conf}", str(CONF)).replace("{experiment}", str(experiment))


def setup_state(name: str | None, out: Path):
    """Put the output directory in the state a case starts from; returns what must stay
    alive during the case (an open, locked file)."""
    if name == "complete_run_seed_1":
        proc = subprocess.run([sys.executable, "-m", "sim", "ensemble.replicates=5", "ensemble.seed=1",
                               "report.enabled=false", f"hydra.run.dir={out}"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return None
    if name == "locked":
        out.mkdir(parents=True)
        fh = open(out / ".triad.lock", "w")
        fh.write(str(os.getpid()))
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fh
    return None


def run_case(tmp_path: Path, overrides, files, needle, setup=None):
    experiment = None
    made = []
    out = tmp_path / "out"
    held = setup_state(setup, out)
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
        proc = subprocess.run([sys.executable, "-m", "sim", *args, *small],
            cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "HYDRA_FULL_ERROR": "0"})
        return proc, out, _fill(needle, tmp_path, experiment)
    finally:
        if held is not None:
            held.close()
        for p in made:
            if p.parent == ROOT / "experiments":
                p.unlink()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, case):
    cid, what, overrides, files, needle, *setup = case
    proc, out, needle = run_case(tmp_path, overrides, files, needle, *setup)
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


def test_catalogue_document_lists_every_case():
    text = DOC.read_text("utf-8")
    assert len(CASES) >= 80
    for cid, _what, *_ in CASES:
        assert f"`{cid}`" in text, cid
