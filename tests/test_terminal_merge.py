"""A split ensemble's merged result gets its report when the sweep ends, and the sweep's
output names it, so nobody has to run triad-report by hand to see the merged numbers."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from sim.io.manifest import verify

pytestmark = pytest.mark.slow  # a split ensemble run as separate processes, then merged: make test runs it, make test-fast leaves it out


def test_merged_split_ensemble_has_its_report_and_prints_its_path(tmp_path):
    d = tmp_path / "sweep"
    proc = subprocess.run([sys.executable, "-m", "sim", "-m", f"hydra.sweep.dir={d}", "ensemble.replicates=20",
                           "record.replicates=2", "end=2022-10-15", "ensemble.chunks=2", "ensemble.chunk=0,1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (m,) = (d / "merged").iterdir()
    report = m / "report.html"
    assert report.exists() and "data:image/png;base64," in report.read_text("utf-8")
    assert verify(m) == [] and "report.html" in json.loads((m / "manifest.json").read_text())["files"]
    assert f"merged 2 chunks into {m}; report: {report}" in proc.stdout.splitlines()
    # each job's block names its overrides in its first line
    firsts = [ln for ln in proc.stdout.splitlines() if ln.startswith("output: ")]
    assert len(firsts) == 2 and all("ensemble.chunks=2" in ln for ln in firsts)
    assert sorted(ln.split("ensemble.chunk=")[1][0] for ln in firsts) == ["0", "1"]
