"""Settings of the running explorer, set by ``triad-explore`` before the server starts."""
from __future__ import annotations

import os

_save_dir: str | None = None
_actors: str | None = None  # a shipped option of the actors group (`--actors region`)


def set_save_dir(path: str | None) -> None:
    global _save_dir
    _save_dir = path


def save_dir() -> str:
    """Where the save button writes by default: ``--save-dir``, else the server's cwd."""
    return _save_dir or os.getcwd()


def set_actors(name: str | None) -> None:
    global _actors
    _actors = name


def overrides() -> tuple[str, ...]:
    """The command-line overrides the explorer composes its config with."""
    return (f"actors={_actors}",) if _actors else ()
