"""The ``triad`` command's job: a composed config in, every output file of spec §9 out
(through ``sim.runs.orchestrate``), and what the terminal shows. No Hydra here: the entry
point (``sim.cli``) hands over the config and the output directory."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig

from sim.config.validate import validate
from sim.errors import ConfigError, TriadError
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
    from sim.io.lock import LockedError, held_by_other
    from sim.sweep.jobs import clear_failure, record_failure

    try:
        if not held_by_other(Path(out_dir)):  # another run's error marker is not ours to clear
            clear_failure(out_dir)
        summ = run(cfg, out_dir)
    except LockedError as exc:  # another run's directory: leave every file of it alone (M11, M12)
        print(f"triad: error: {exc}", file=sys.stderr)
        if not multirun:
            sys.exit(exc.exit_code)
        return None
    except TriadError as exc:
        if not multirun:
            from sim.io.printable import printable_line

            print(f"triad: error: {printable_line(str(exc))}", file=sys.stderr)
            if Path(out_dir).is_dir():
                record_failure(out_dir, exc, user_error=True)
            sys.exit(exc.exit_code)
        print(f"triad: error: {exc} (job {Path(out_dir).resolve()})", file=sys.stderr)
        record_failure(out_dir, exc, user_error=True)
        return None
    except MemoryError as exc:  # the estimate missed (a limit it cannot see): one line, not a traceback (M19)
        err = ConfigError("ensemble.chunk_size", f"out of memory ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else 'allocation failed'}); lower "
                          "ensemble.chunk_size, record.replicates or ensemble.replicates")
        print(f"triad: error: {err}" + (f" (job {Path(out_dir).resolve()})" if multirun else ""), file=sys.stderr)
        if Path(out_dir).is_dir():
            record_failure(out_dir, err, user_error=True)
        if not multirun:
            sys.exit(2)
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
