"""Every row of the bad-input catalogue (docs/bad-input.md): exit code 2, a message that
names the key or file, no traceback, and no output that claims success."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bad_input_cases import CASES
from conftest import ROOT

DOC = ROOT / "docs" / "bad-input.md"


def run_case(tmp_path: Path, overrides, files, needle):
    experiment = None
    made = []
    try:
        for name, text in files.items():
            if name == "experiment":  # experiments are looked up in experiments/
                experiment = f"_bad_input_{uuid.uuid4().hex[:8]}"
                path = ROOT / "experiments" / f"{experiment}.yaml"
            else:
                path = tmp_path / name
            path.write_text(text, "utf-8")
            made.append(path)
        args = [o.replace("{tmp}", str(tmp_path)).replace("{experiment}", str(experiment)) for o in overrides]
        out = tmp_path / "out"
        if not any(a.startswith("hydra.run.dir=") for a in args):
            args.append(f"hydra.run.dir={out}")
        proc = subprocess.run([sys.executable, "-m", "sim", "ensemble.replicates=5", *args] if not any(
            a.startswith("ensemble.replicates=") for a in args) else [sys.executable, "-m", "sim", *args],
            cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "HYDRA_FULL_ERROR": "0"})
        return proc, out, needle.replace("{experiment}", str(experiment))
    finally:
        for p in made:
            if p.parent == ROOT / "experiments":
                p.unlink()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, case):
    cid, what, overrides, files, needle = case
    proc, out, needle = run_case(tmp_path, overrides, files, needle)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert needle in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("triad: error:"), proc.stderr[:500]
    assert not proc.stdout.strip()  # nothing printed as a result
    assert not (out / "manifest.json").exists() and not (out / "stats.parquet").exists()


def test_catalogue_document_lists_every_case():
    text = DOC.read_text("utf-8")
    for cid, _what, *_ in CASES:
        assert f"`{cid}`" in text, cid
