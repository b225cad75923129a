"""The ``triad`` command's job: a composed config in, every output file of spec §9 out
(through ``sim.runs.orchestrate``), and what the terminal shows. No Hydra here: the entry
point (``sim.cli``) hands over the config and the output directory."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig

from sim.config.validate import validate
from sim.errors import TriadError
from sim.runs.orchestrate import checked_dir, execute


def run(cfg: DictConfig | Mapping[str, Any], out_dir: str | Path) -> dict:
    """Validate, simulate, write every output into ``out_dir`` (manifest last) through
    ``sim.runs.orchestrate.execute``; return the summary (``skipped: True`` when the
    directory already held the complete run)."""
    checked_dir(out_dir, "hydra.run.dir")  # before validating, as the command always did
    outcome = execute(validate(cfg), out_dir)
    return {**outcome.summary, "skipped": True} if outcome.skipped else outcome.summary


def main_task(cfg: DictConfig, out_dir: str | Path, multirun: bool = False, overrides: list[str] | None = None,
              job: int | None = None) -> dict | None:
    """Run and report; a user mistake prints one clear line and exits 2.

    In a multirun (``multirun=True``) one job must not end the sweep: any error is printed
    to stderr and recorded in ``error.json`` of the job (no manifest, so nothing looks
    complete), and None is returned so the launcher goes on with the other jobs and the
    sweep aggregate lists this one as failed."""
    from sim.sweep.jobs import clear_failure, record_failure

    clear_failure(out_dir)
    try:
        summ = run(cfg, out_dir)
    except TriadError as exc:
        if not multirun:
            print(f"triad: error: {exc}", file=sys.stderr)
            if Path(out_dir).is_dir():
                record_failure(out_dir, exc, user_error=True)
            sys.exit(exc.exit_code)
        print(f"triad: error: {exc} (job {Path(out_dir).resolve()})", file=sys.stderr)
        record_failure(out_dir, exc, user_error=True)
        return None
    except Exception as exc:
        if not multirun:
            record_failure(out_dir, exc, user_error=False)
            raise
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(f"triad: error: job {Path(out_dir).resolve()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        try:
            record_failure(out_dir, exc, user_error=False)
        except TriadError:  # the job directory itself is unwritable: the aggregate sees no manifest
            pass
        return None
    from sim.runs.console import print_result

    print_result(summ, out_dir, overrides if multirun else None, job)
    return summ
