"""Figures drawn once per input: a content-addressed cache of the report's figure files.

A run report's figures are a pure function of the run directory's report inputs (the
files ``load_run`` reads), of triad's code and data, of the plotting libraries' versions
and settings (``matplotlib.rcParams``, which a user's matplotlibrc may set) and of the
requested formats and paper size: the same inputs give the same bytes
(figures are reproducible, ``freeze_layout``). So a figure is stored under the SHA-256
of all of these and its name, and a report whose inputs did not change (the same config
and seed run again, ``triad-report`` on an unchanged directory) copies its figures
instead of drawing them (issue 19: "figures drawn … only what changed").

Where: ``$TRIAD_FIGURE_CACHE`` (a directory; ``off`` disables the cache), else
``$XDG_CACHE_HOME/triad/figures`` or ``~/.cache/triad/figures``. The cache holds at most
``LIMIT_BYTES``; the least recently used figures go first. Config files cannot choose
or change any of this. A damaged or unreadable entry is a miss, never an error: the
figure is drawn as if the cache did not exist.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Sequence

from sim.io.atomic import OutputError, atomic_write_bytes

INPUTS = ("events.json", "stats.parquet", "incidence.parquet", "summary.json", "config.yaml", "routes.parquet",
          "effects.parquet")  # what sim.report.run.load_run reads
LIMIT_BYTES = 256 * 2**20
LIBRARIES = ("matplotlib", "numpy", "pandas", "pyarrow", "pillow", "numba", "contourpy", "kiwisolver")


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    env = os.environ.get("TRIAD_FIGURE_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no", "false") else Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "triad" / "figures"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of every file of the ``sim`` package (code and data) and of the versions of
    Python and the libraries that draw: any change to them draws the figures again."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".nbi", ".nbc"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = None
        h.update(f"{name}={version}\0".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def inputs_digest(run_dir: Path, formats: Sequence[str], paper: str) -> str:
    """SHA-256 of the report inputs of ``run_dir``, the code, matplotlib's settings (a
    user's matplotlibrc sets what the report's style leaves alone), the formats and the
    paper size."""
    import matplotlib

    h = hashlib.sha256(code_digest().encode())
    rc = matplotlib.rcParams  # not "backend": reading it resolves one (imports pyplot); figures use Agg
    h.update(repr(sorted((k, repr(rc[k])) for k in rc if k != "backend")).encode())
    for name in INPUTS:
        p = run_dir / name
        data = p.read_bytes() if p.is_file() else b"<absent>"
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    h.update(("\0".join(formats) + "\0" + paper).encode())
    return h.hexdigest()


def _path(root: Path, digest: str, name: str, fmt: str) -> Path:
    key = hashlib.sha256(f"{digest}\0{name}".encode()).hexdigest()
    return root / key[:2] / f"{key}.{fmt}"


def get(root: Path | None, digest: str, name: str, formats: Sequence[str]) -> dict[str, bytes] | None:
    """The cached bytes of figure ``name`` in every format, or None (a miss)."""
    if root is None:
        return None
    out = {}
    try:
        for fmt in formats:
            p = _path(root, digest, name, fmt)
            out[fmt] = p.read_bytes()
            os.utime(p)  # recently used
    except OSError:
        return None
    return out if all(out.values()) else None


def put(root: Path | None, digest: str, name: str, files: dict[str, bytes]) -> None:
    """Store a drawn figure (best effort: a cache that cannot be written is skipped)."""
    if root is None:
        return
    try:
        for fmt, data in files.items():
            atomic_write_bytes(_path(root, digest, name, fmt), data)
    except OutputError:
        pass


def trim(root: Path | None, limit: int = LIMIT_BYTES) -> None:
    """Delete the least recently used figures until the cache holds at most ``limit`` bytes."""
    if root is None or not root.is_dir():
        return
    entries = []
    for p in root.glob("??/*"):
        try:
            st = p.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in entries)
    for _, size, p in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        try:
            p.unlink()
        except OSError:
            continue
        total -= size
