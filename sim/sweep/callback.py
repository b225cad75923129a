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


class AggregateCallback(_callback_base()):  # type: ignore[misc]
    """Hydra callback (``hydra.callbacks`` in conf/config.yaml): aggregate at the end of a
    multirun. A sweep with failed jobs still aggregates, then exits 1."""

    def __init__(self, report: bool = True, fail_exit: bool = True) -> None:
        self.report, self.fail_exit = report, fail_exit

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            agg = aggregate(sweep_dir, report=self.report)
        except Exception as exc:
            print(f"triad: sweep aggregate failed: {type(exc).__name__}: {exc}; "
                  f"rerun it with: triad-aggregate {sweep_dir}", file=sys.stderr)
            return
        for line in agg.lines():
            print(line, file=sys.stderr if line.startswith("  job") else sys.stdout)
        sys.stdout.flush()
        if self.fail_exit and (agg.failed or agg.incomplete):
            print(f"triad: error: {len(agg.failed) + len(agg.incomplete)} of {len(agg.jobs)} job(s) of the sweep "
                  "did not complete (listed above; rerun the same command to redo only them)", file=sys.stderr)
            sys.exit(1)
