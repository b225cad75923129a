"""One writer at a time per run directory: an exclusive ``flock`` on ``DIR/.triad.lock``.

The lock is held for the whole run (data files, report, manifest) and released when the
process ends, however it ends, so a killed run never leaves a stale lock. The file keeps
the holder's pid for the message a second run gets.
"""
from __future__ import annotations

import fcntl
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sim.errors import ConfigError

LOCK = ".triad.lock"
_held: dict[str, int] = {}  # directories this process holds for its whole life (``hold``)


class LockedError(ConfigError):
    """Another triad process is writing the directory: nothing of it may be touched."""


def _acquire(out: Path, key: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    fd = _open(out, key)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise LockedError(key, f"{str(out)!r} is being written by another triad run (pid {holder}); wait "
                          "for it to end or choose another output directory") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    return fd


def hold(out: Path, key: str = "hydra.run.dir") -> None:
    """Lock ``out`` until this process ends: the command line takes its run or sweep
    directory before Hydra writes anything into it, so a second command started at the same
    moment is refused before it touches the directory (M11, M12)."""
    out = Path(out)
    name = str(out.resolve())
    if name not in _held:
        _held[name] = _acquire(out, key)


def release_all() -> None:
    """Release what ``hold`` took (the command is over; an in-process caller goes on)."""
    while _held:
        os.close(_held.popitem()[1])


@contextmanager
def run_lock(out: Path, key: str = "hydra.run.dir") -> Iterator[None]:
    out = Path(out)
    if str(out.resolve()) in _held:  # this process holds it already (``hold``)
        yield
        return
    fd = _acquire(out, key)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race with the next locker)


def _open(out: Path, key: str) -> int:
    """The lock file, never through a symbolic link and only as a regular file: a run
    directory received from elsewhere must not make triad truncate another file (H4)."""
    path = out / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        what = "a symbolic link" if path.is_symlink() else (exc.strerror or "unusable")
        raise ConfigError(key, f"{str(path)!r} is {what}; triad's lock must be a regular file: remove it or "
                          "choose another output directory") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(key, f"{str(path)!r} is not a regular file (a FIFO or device); triad's lock must be a "
                          "regular file: remove it or choose another output directory")
    return fd


def held_by_other(out: Path) -> str | None:
    """The pid holding ``out``'s lock, or None (for the pre-check: nothing is created)."""
    path = Path(out) / LOCK
    if path.is_symlink() or not path.is_file() or str(Path(out).resolve()) in _held:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
