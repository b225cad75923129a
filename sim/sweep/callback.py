"""The Hydra callback that aggregates a sweep at the end of a multirun (the same as
``triad-aggregate SWEEP_DIR`` by hand, in ``sim/cli.py``)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sim.sweep.aggregate import aggregate


def _callback_base():
    try:
        from hydra.experimental.callback import Callback
        return Callback
    except ImportError:  # pragma: no cover
        return object


# The sweep directory of the multirun under way in this process (set by the callback), so
# that a sweep whose launcher dies (a worker killed by the OOM killer) is still aggregated.
CURRENT_SWEEP: Path | None = None


def salvage(cause: BaseException | None) -> None:
    """After a multirun ended by an exception (a joblib worker killed by a signal, say): mark
    every job that started but left neither a manifest nor error.json as failed, naming the
    cause, then aggregate what the other jobs wrote. Their results are kept."""
    sweep_dir = CURRENT_SWEEP
    if sweep_dir is None or not sweep_dir.is_dir():
        return
    from sim.sweep.jobs import ERROR_FILE, job_dirs, record_failure

    # one line, with the launcher's whole account (loky names the signal at its end)
    told = " ".join(str(cause).split()) if cause is not None else ""
    why = RuntimeError(f"the job's process died before it finished ({type(cause).__name__}: {told})"
                       if cause is not None else "the job's process died before it finished")
    for job in job_dirs(sweep_dir):
        if not (job / "manifest.json").exists() and not (job / ERROR_FILE).exists():
            record_failure(job, why, user_error=True)
    report_sweep(sweep_dir)


class AggregateCallback(_callback_base()):  # type: ignore[misc]
    """Hydra callback (``hydra.callbacks`` in conf/config.yaml): aggregate at the end of a
    multirun. A sweep with failed jobs still aggregates, then exits 1."""

    def __init__(self, report: bool = True, fail_exit: bool = True) -> None:
        self.report, self.fail_exit = report, fail_exit

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        global CURRENT_SWEEP
        CURRENT_SWEEP = Path(str(config.hydra.sweep.dir))

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        global CURRENT_SWEEP
        CURRENT_SWEEP = None
        report_sweep(Path(str(config.hydra.sweep.dir)), self.report, self.fail_exit)


def report_sweep(sweep_dir: Path, report: bool = True, fail_exit: bool = True) -> None:
    """Aggregate the sweep and print its lines; exit 1 when a job did not complete."""
    try:
        agg = aggregate(sweep_dir, report=report)
    except Exception as exc:
        print(f"triad: sweep aggregate failed: {type(exc).__name__}: {exc}; "
              f"rerun it with: triad-aggregate {sweep_dir}", file=sys.stderr)
        return
    for line in agg.lines():
        print(line, file=sys.stderr if line.startswith("  job") else sys.stdout)
    sys.stdout.flush()
    if fail_exit and not agg.ok:
        if agg.failed or agg.incomplete:
            print(f"triad: error: {len(agg.failed) + len(agg.incomplete)} of {len(agg.jobs)} job(s) of the sweep "
                  "did not complete (listed above; rerun the same command to redo only them)", file=sys.stderr)
        if agg.merge_failed:
            print(f"triad: error: {len(agg.merge_failed)} split ensemble(s) could not be merged (listed above)",
                  file=sys.stderr)
        sys.exit(1)
