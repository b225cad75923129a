"""The two ways a sweep is aggregated: the Hydra callback at the end of a multirun, and
``triad-aggregate SWEEP_DIR`` by hand."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from sim.io.atomic import OutputError
from sim.sweep.aggregate import aggregate
from sim.sweep.jobs import job_dirs


def main(argv: Sequence[str] | None = None) -> int:
    """``triad-aggregate SWEEP_DIR``: exit 0 when every job is complete, 1 when some failed
    or are incomplete (the aggregate is still written), 2 on a usage error."""
    ap = argparse.ArgumentParser(prog="triad-aggregate", description="Aggregate a triad multirun directory.")
    ap.add_argument("sweep_dir", metavar="SWEEP_DIR")
    ap.add_argument("--no-report", action="store_true", help="write sweep.parquet only, no figures")
    args = ap.parse_args(argv)
    d = Path(args.sweep_dir)
    if not d.is_dir():
        print(f"triad-aggregate: error: {str(d)!r} is not a directory", file=sys.stderr)
        return 2
    if not job_dirs(d) and not (d / "multirun.yaml").exists():
        print(f"triad-aggregate: error: {str(d)!r} holds no job of a multirun (no */.hydra/overrides.yaml)",
              file=sys.stderr)
        return 2
    try:
        agg = aggregate(d, report=not args.no_report)
    except OutputError as exc:
        print(f"triad-aggregate: error: {exc}", file=sys.stderr)
        return 2
    for line in agg.lines():
        print(line)
    return 1 if agg.failed or agg.incomplete else 0


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
