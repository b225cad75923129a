"""Provenance of a run directory: package versions, git commit, config hash, the manifest.

``manifest.json`` is the completion mark of a run directory, written after every data file:
a directory without it is incomplete.
"""
from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("triad", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "hydra-core", "omegaconf")


def git_commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def config_hash(config_yaml: str) -> str:
    return hashlib.sha256(config_yaml.encode("utf-8")).hexdigest()


def manifest(config_yaml: str, seed: int, replicates: int, started: str, ended: str, wall: float,
             extra: dict | None = None) -> dict:
    v = versions()
    return {
        "package": "triad", "version": v.get("triad"), "git_commit": git_commit(),
        "command_line": " ".join(sys.argv), "config_hash": config_hash(config_yaml),
        "seed": seed, "replicates": replicates, "versions": v,
        "start_time": started, "end_time": ended, "wall_seconds": round(wall, 3), **(extra or {}),
    }
