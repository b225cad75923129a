"""Faults: a killed run leaves nothing that looks complete, and a rerun finishes it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from sim.io.atomic import OutputError, atomic_write_bytes, write_json

# the report is off: the test compares the data files, and three reports would double its time
ARGS = ["ensemble.replicates=3000", "record.replicates=50", "end=2023-12-31", "report.enabled=false"]


def triad(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "sim", f"hydra.run.dir={out}", *ARGS, *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_killed_run_then_rerun_equals_uninterrupted(tmp_path):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    p = triad(killed)
    deadline = time.time() + 120
    # wait until the simulation is under way (Hydra has made the directory), then kill
    while not (killed / ".hydra").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL
    assert not (killed / "manifest.json").exists()
    # only hidden temporary names may be half-written; a real name is either whole or absent
    for f in killed.iterdir():
        if f.suffix in (".parquet", ".json", ".html"):
            assert f.name in ("stats.parquet", "incidence.parquet", "trajectories.parquet", "actions.parquet",
                              "routes.parquet", "summary.json", "events.json"), f.name
    p2 = triad(killed)
    out2, err2 = p2.communicate(timeout=300)
    assert p2.returncode == 0, err2
    p3 = triad(clean)
    p3.communicate(timeout=300)
    for name in ("stats.parquet", "incidence.parquet", "summary.json", "trajectories.parquet", "actions.parquet"):
        assert (killed / name).read_bytes() == (clean / name).read_bytes(), name
    # and a third run over the finished directory is skipped, not redone
    p4 = triad(killed)
    out4, _ = p4.communicate(timeout=300)
    assert "skipped" in out4


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_text("old")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_bytes(target, b"new")
    assert target.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["x.json"]


def test_output_path_that_is_a_file(tmp_path):
    """A path component that is a regular file cannot become a directory: a clear error."""
    blocker = tmp_path / "blocker"
    blocker.write_text("I am a file")
    with pytest.raises(OutputError, match="is not writable"):
        write_json(blocker / "run" / "summary.json", {"a": 1})
