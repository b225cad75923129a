"""What reaches the terminal while a run works: triad's own log lines, and errors.

Everything else — third-party warnings (SALib, numba, pandas… through ``warnings``) and
third-party log records (ema_workbench's ``EMA`` loggers, Ray, joblib, matplotlib) — goes
to ``triad.log`` in the run directory only. Hydra's job logging already writes that file
(and the console) from the root logger; ``captured(run_dir)`` adds a filter to the console
handlers, routes ``warnings`` into logging, and opens ``triad.log`` itself when nobody else
does (a run started from Python rather than by the ``triad`` command). Undone on exit.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

LOG_NAME = "triad.log"
OWN = ("triad", "sim", "__main__")
FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"  # Hydra's default job format


def own(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in OWN)


class ConsoleFilter(logging.Filter):
    """Pass triad's records (unless marked ``console=False``) and any error; drop the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "console", True) is False:
            return False
        return own(record.name) or record.levelno >= logging.ERROR


def _is_console(h: logging.Handler) -> bool:
    return isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)


def _writes_to(h: logging.Handler, path: Path) -> bool:
    try:
        return isinstance(h, logging.FileHandler) and Path(h.baseFilename).resolve() == path.resolve()
    except OSError:
        return False


@contextlib.contextmanager
def captured(run_dir: str | Path | None) -> Iterator[Path | None]:
    """Within the block, third-party warnings and log lines go to ``run_dir/triad.log``,
    not to the console handlers of the root logger. Yields the log's path (None without a
    run directory: then they are only kept off the console)."""
    root = logging.getLogger()
    filt = ConsoleFilter()
    consoles = [h for h in root.handlers if _is_console(h)]
    for h in consoles:
        h.addFilter(filt)
    added = None
    path = Path(run_dir) / LOG_NAME if run_dir is not None else None
    if path is not None and not any(_writes_to(h, path) for h in root.handlers):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            added = logging.FileHandler(path, encoding="utf-8", delay=True)
            added.setFormatter(logging.Formatter(FORMAT))
            root.addHandler(added)
        except OSError:  # an unwritable directory is refused later, with its own message
            added = None
    was_capturing = _capturing()
    logging.captureWarnings(True)
    # a logger that writes to the terminal itself (not through the root) is quieted too
    own_handlers = [h for name in ("EMA", "ray", "numba", "SALib") for h in logging.getLogger(name).handlers
                    if _is_console(h)]
    for h in own_handlers:
        h.addFilter(filt)
    try:
        yield path
    finally:
        if not was_capturing:
            logging.captureWarnings(False)
        for h in consoles + own_handlers:
            h.removeFilter(filt)
        if added is not None:
            root.removeHandler(added)
            added.close()


def _capturing() -> bool:
    import warnings

    return getattr(warnings.showwarning, "__module__", "") == "logging"
