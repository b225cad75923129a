"""Provenance of a run directory: package versions, git commit, config hash, the manifest.

``manifest.json`` is the completion mark of a run directory, written last, after every data
file and the report: a directory without it is incomplete. It lists every file of the run
with its size and SHA-256, so a resume or ``triad-report`` can tell a complete directory from
one that was truncated, edited or mixed with another run's files (``verify``).
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("triad-sim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "hydra-core", "omegaconf")


DISTRIBUTION = "triad-sim"
MANIFEST = "manifest.json"
# not part of a run's result: Hydra's own records, logs, the lock, failure markers, temporaries
UNLISTED = (MANIFEST, "error.json", ".triad.lock")
UNLISTED_DIRS = (".hydra",)


def git_commit() -> str | None:
    """The commit of the checkout this package runs from (``-dirty`` with local changes);
    None for an installed wheel, whose provenance is its version."""
    root = Path(__file__).resolve().parents[2]
    if not ((root / "pyproject.toml").is_file() and (root / ".git").exists()):
        return None
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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_files(out: Path) -> dict[str, dict]:
    """Every file of the run in ``out`` (relative POSIX path -> bytes, sha256), sorted."""
    out = Path(out)
    files = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out)
        if not p.is_file() or p.is_symlink() or rel.parts[0] in UNLISTED_DIRS or rel.name in UNLISTED \
                or rel.name.startswith(".") or rel.suffix == ".log":
            continue
        files[rel.as_posix()] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
    return files


def verify(out: Path, man: dict | None = None) -> list[str]:
    """What is wrong with the run directory ``out`` against its manifest (empty: complete)."""
    out = Path(out)
    if man is None:
        try:
            man = json.loads((out / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            return [f"{MANIFEST}: {getattr(exc, 'strerror', None) or exc}"]
    files = man.get("files") if isinstance(man, dict) else None
    if not isinstance(files, dict) or not files:
        return [f"{MANIFEST}: lists no files (written by an older triad, or not a triad manifest)"]
    bad = []
    for rel, meta in files.items():
        p = out / rel
        if not isinstance(meta, dict) or not p.is_file():
            bad.append(f"{rel}: missing")
        elif p.stat().st_size != meta.get("bytes") or _sha256(p) != meta.get("sha256"):
            bad.append(f"{rel}: changed since the run wrote it")
    return bad


def manifest(config_yaml: str, seed: int, replicates: int, started: str, ended: str, wall: float,
             extra: dict | None = None, files: dict | None = None) -> dict:
    v = versions()
    return {
        "package": DISTRIBUTION, "version": v.get(DISTRIBUTION), "git_commit": git_commit(),
        "command_line": " ".join(sys.argv), "config_hash": config_hash(config_yaml),
        "seed": seed, "replicates": replicates, "versions": v,
        "start_time": started, "end_time": ended, "wall_seconds": round(wall, 3), **(extra or {}),
        "files": files or {},
    }
