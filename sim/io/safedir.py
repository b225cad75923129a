"""Run and sweep directories received from elsewhere (a tarball or ``cp -a`` keeps symbolic
links) must not make triad write, truncate or delete outside them (hostile trial 3: H4, H5,
H14, M27, M28).

triad and Hydra write ``.triad.lock``, ``triad.log``, ``.hydra/*.yaml``, the data files,
``figures/*`` and ``manifest.json`` into a run directory, some through APIs that follow links
(Hydra's ``_save_config``, ``logging.FileHandler``). Rather than hunt each open, a directory
that holds a symbolic link, or a special file, where those files go is refused before
anything is written; the lock itself is opened with ``O_NOFOLLOW`` (``sim.io.lock``).
"""
from __future__ import annotations

import stat
from pathlib import Path

from sim.errors import ConfigError

SUBFOLDERS = (".hydra", "figures")  # folders of a run directory that triad or Hydra write into


def _entries(d: Path):
    try:
        return sorted(d.iterdir())
    except (NotADirectoryError, FileNotFoundError):
        return []


def link_problem(d: Path) -> str | None:
    """The first symbolic link or special file in run directory ``d`` (its top level and
    its ``.hydra/`` and ``figures/`` folders), as a message; None when there is none."""
    for p in _entries(d):
        st = p.lstat()
        if p.name == ".triad.lock" and not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
            return f"{str(p)!r} is not a regular file (triad's lock); remove it or choose another directory"
        if stat.S_ISLNK(st.st_mode):
            return f"{str(p)!r} is a symbolic link; triad does not write through links in a run directory " \
                   "(a received directory could point them anywhere): remove it or choose another directory"
        if p.name in SUBFOLDERS:
            if not stat.S_ISDIR(st.st_mode):
                return f"{str(p)!r} is not a folder; remove it or choose another directory"
            for q in _entries(p):
                if stat.S_ISLNK(q.lstat().st_mode):
                    return f"{str(q)!r} is a symbolic link; triad does not write through links in a run " \
                           "directory: remove it or choose another directory"
        elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return f"{str(p)!r} is not a regular file (a FIFO, socket or device); remove it or choose another " \
                   "directory"
    return None


def refuse_links(d: Path, *, sweep: bool = False, key: str | None = None) -> None:
    """Raise ConfigError when ``d`` (or, for a sweep, any job folder in it) holds a link or
    a special file where triad writes."""
    d = Path(d)
    key = key or ("hydra.sweep.dir" if sweep else "hydra.run.dir")
    dirs = [d] + ([p for p in _entries(d) if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
                  if sweep else [])
    for sub in dirs:
        problem = link_problem(sub)
        if problem:
            raise ConfigError(key, problem)
