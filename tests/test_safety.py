"""Safety: outputs stay inside the output directory; report text is escaped."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # a whole run watched for writes outside its directory: make test runs it, make test-fast leaves it out


def test_a_run_writes_only_inside_its_output_directory(tmp_path):
    """No config key names an output path: everything lands under hydra.run.dir."""
    work = tmp_path / "cwd"
    work.mkdir()
    before = {p for p in ROOT.rglob("*") if ".venv" not in p.parts and "__pycache__" not in p.parts
              and ".git" not in p.parts and "outputs" not in p.parts}
    proc = subprocess.run([sys.executable, "-m", "sim", "hydra.run.dir=out", "ensemble.replicates=20",
                           "record.replicates=2", "end=2022-12-31"], cwd=work, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in work.iterdir()) == ["out"]
    after = {p for p in ROOT.rglob("*") if ".venv" not in p.parts and "__pycache__" not in p.parts
             and ".git" not in p.parts and "outputs" not in p.parts}
    assert after == before
    assert json.loads((work / "out" / "manifest.json").read_text())["replicates"] == 20
