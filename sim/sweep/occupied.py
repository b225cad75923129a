"""A sweep directory that holds another sweep's jobs is refused before Hydra writes into it
(hostile trial 3, H9): Hydra would rewrite each job's ``.hydra/overrides.yaml`` before the
job is refused, and the table would label one sweep's numbers with the other's values.

The same command again (to redo failed or missing jobs) is the same sweep: its task
overrides equal those of the sweep's ``multirun.yaml``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sim.errors import ConfigError


def task_overrides(overrides: Sequence[str]) -> list[str]:
    """The overrides Hydra records as the sweep's task (those not about Hydra itself)."""
    return [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]


def foreign_sweep(sweep_dir: Path, overrides: Sequence[str]) -> None:
    from sim.sweep.jobs import _read_yaml, job_dirs

    sweep_dir = Path(sweep_dir)
    record = sweep_dir / "multirun.yaml"
    if record.exists():
        cfg = _read_yaml(record)
        try:
            before = [str(o) for o in cfg["hydra"]["overrides"]["task"]]
        except (TypeError, KeyError):
            raise ConfigError("hydra.sweep.dir", f"{str(record)!r} is unreadable; choose another sweep directory "
                              "or delete that one") from None
        now = task_overrides(overrides)
        if sorted(before) != sorted(now):
            raise ConfigError("hydra.sweep.dir", f"{str(sweep_dir)!r} holds another sweep's jobs ({' '.join(before)}"
                              f"); choose another sweep directory, or rerun that sweep's own command to resume it")
    elif job_dirs(sweep_dir):
        raise ConfigError("hydra.sweep.dir", f"{str(sweep_dir)!r} holds job folders but no multirun.yaml (not a "
                          "sweep this command made); choose another sweep directory")
