"""Console entry points: ``triad`` (the Hydra app, also ``python -m sim``), ``triad-report``
and ``triad-aggregate``. Thin: each parses its arguments and calls a plain function."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim import __version__
from sim.config import trust
from sim.config.locate import conf_dir, register_experiments
from sim.errors import ConfigError, TriadError

CONF_DIR = str(conf_dir())


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def _main(cfg: DictConfig) -> None:
    from sim.io.log import captured
    from sim.runs.job import main_task

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    # third-party warnings and log lines go to the run's triad.log, not the terminal
    with captured(hc.runtime.output_dir):
        # in a multirun a failing job is recorded and the sweep goes on (see runs.job.main_task);
        # its printed block starts with the job's overrides
        main_task(cfg, hc.runtime.output_dir, multirun=multirun, overrides=list(hc.overrides.task),
                  job=hc.job.num if multirun else None)


def _refuse(exc: ConfigError) -> None:
    print(f"triad: error: {exc}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    """``triad [OVERRIDES…]``: run (or ``-m``: sweep) the composed config."""
    args = sys.argv[1:]
    if args[:1] in (["--version"], ["-V"]):
        print(f"triad {__version__}")
        return
    if args[:1] == ["list"]:
        from sim.catalog import main as list_main

        sys.exit(list_main(args[1:]))
    # every config Hydra composes from here on is checked, whatever the flags; and the
    # user's own config folders are read with the bounded YAML reader before Hydra reads them
    trust.install(on_violation=_refuse)
    from sim.config.precheck import scan_user_configs

    problem = scan_user_configs(args)
    if problem:
        print(f"triad: error: {problem}", file=sys.stderr)
        sys.exit(2)
    if not os.environ.get("TRIAD_NO_PRECHECK"):
        from sim.config.precheck import precheck

        problem = precheck(args)
        if problem:
            print(f"triad: error: {problem}", file=sys.stderr)
            sys.exit(2)
    register_experiments()
    try:
        _main()
    except SystemExit as stop:
        # Hydra turns a launcher's exception (a joblib worker killed by SIGKILL) into exit 1;
        # the exception is the SystemExit's context. The jobs that finished keep their results.
        if stop.code not in (0, None):
            from sim.sweep import callback

            callback.salvage(stop.__context__)
        raise


def report_main(argv: Sequence[str] | None = None) -> int:
    """``triad-report DIR``: 0 on success, 2 on bad input (one-line error). DIR is a run
    directory, or a sweep directory (each job's report and the sweep report)."""
    parser = argparse.ArgumentParser(prog="triad-report", description="Build report.html for a triad run directory.")
    parser.add_argument("run_dir", help="run directory written by `triad`, or a sweep directory of `triad -m`")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on unexpected errors")
    args = parser.parse_args(argv)
    from sim.report import build_report

    d = Path(args.run_dir)
    try:
        if not (d / "stats.parquet").exists() and (d / "multirun.yaml").exists():
            from sim.sweep import aggregate, job_dirs

            _building(d)
            for job in job_dirs(d):
                if (job / "manifest.json").exists() and (job / "stats.parquet").exists():
                    build_report(job)
            agg = aggregate(d)
            path = agg.report or agg.table
        else:
            path = _rebuild_run_report(d)
    except TriadError as exc:
        print(f"triad-report: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except Exception as exc:  # noqa: BLE001 - CLI boundary: one line unless --debug
        if args.debug:
            raise
        print(f"triad-report: error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return 1
    print(path)
    return 0


def _building(d: Path) -> None:
    print(f"building report … ({d})", file=sys.stderr, flush=True)  # 5-30 s of figures, after the checks


def _rebuild_run_report(d: Path) -> Path:
    """A run directory's report, from data files its manifest vouches for; the manifest
    then lists the report too (a run made with ``report.enabled=false`` gains one)."""
    from sim.io.manifest import verify
    from sim.io.rundir import read_manifest
    from sim.report import ReportError, build_report

    if not d.is_dir():
        raise ReportError(f"run directory not found: {d}")
    man = read_manifest(d)
    if man is None:
        raise ReportError(f"{d}: no readable manifest.json, so not a complete run (killed, still running, or not "
                          "a triad run directory); rerun triad into it")
    problems = [p for p in verify(d, man) if not p.startswith(("report.html", "figures/"))]
    if problems:
        (d / "report.html").unlink(missing_ok=True)  # a view of data that are no longer there
        raise ReportError(f"{d} is not the run its manifest describes ({'; '.join(problems[:3])}); its report "
                          "was removed; rerun triad into it")
    _building(d)
    path = build_report(d)
    from sim.io.atomic import write_json
    from sim.io.manifest import MANIFEST, run_files

    write_json(d / MANIFEST, {**man, "files": run_files(d)})
    return path


def aggregate_main(argv: Sequence[str] | None = None) -> int:
    """``triad-aggregate SWEEP_DIR``: exit 0 when every job is complete, 1 when some failed
    or are incomplete (the aggregate is still written), 2 on a usage error."""
    ap = argparse.ArgumentParser(prog="triad-aggregate", description="Aggregate a triad multirun directory.")
    ap.add_argument("sweep_dir", metavar="SWEEP_DIR")
    ap.add_argument("--no-report", action="store_true", help="write sweep.parquet only, no figures")
    args = ap.parse_args(argv)
    from sim.io.atomic import OutputError
    from sim.sweep import aggregate, job_dirs

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
    return 0 if agg.ok else 1


def run_cli(argv: Sequence[str], prog: str = "triad") -> int:
    """``triad ARGV…`` in this process: the exit status the command would have (0, 1, 2),
    its output on this process's stdout/stderr. ``sys.argv``, logging, Hydra's singletons
    and the config guard are restored afterwards (sim.inprocess), so commands can follow
    one another; the tests run the bad-input catalogue this way."""
    from sim.inprocess import exit_code, isolated

    with isolated(argv, prog):
        try:
            main()
        except SystemExit as stop:
            return exit_code(stop)
    return 0


if __name__ == "__main__":
    main()
