"""The one atomic writer: a file appears whole under its real name, or not at all.

Every file goes to a hidden temporary name in the same directory, is flushed to disk,
then renamed over its final name, so a crash never leaves a half-written file under a
real name.
"""
from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import TriadError

_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class OutputError(TriadError):
    """The output directory cannot be written."""


def _open_temp(path: Path) -> tuple[int, Path]:
    """A new hidden file next to ``path``. Created with mode 0666 so the process umask
    applies, as for any ordinary file (no umask to read or change)."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp"
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temp(path)
    except OSError as exc:
        raise OutputError(f"output directory {str(path.parent)!r} is not writable: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None


def write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"))


def write_parquet(path: Path, data: pd.DataFrame | pa.Table) -> None:
    """An Arrow table is written with its own schema; a DataFrame as pandas converts it."""
    buf = io.BytesIO()
    if isinstance(data, pa.Table):
        pq.write_table(data, buf, compression="zstd")
    else:
        data.to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
    atomic_write_bytes(path, buf.getvalue())
