"""Console entry points: ``triad`` (the Hydra app, also ``python -m sim``), ``triad-report``
and ``triad-aggregate``. Thin: each parses its arguments and calls a plain function."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Sequence

from sim import __version__
from sim.config.locate import conf_dir, register_experiments
from sim.errors import ConfigError, TriadError

CONF_DIR = str(conf_dir())
_RUN_DIR: list[str] = []  # the job's output directory, for the line printed on Ctrl-C


def _main() -> None:
    """The Hydra app; Hydra is imported here, so ``triad --version`` and ``triad list``
    start without it."""
    import hydra

    hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")(_task)()


def _task(cfg) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim.io.log import captured
    from sim.runs.job import main_task

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    _RUN_DIR[:] = [hc.runtime.output_dir]
    # third-party warnings and log lines go to the run's triad.log, not the terminal
    with captured(hc.runtime.output_dir):
        # in a multirun a failing job is recorded and the sweep goes on (see runs.job.main_task);
        # its printed block starts with the job's overrides
        main_task(cfg, hc.runtime.output_dir, multirun=multirun, overrides=list(hc.overrides.task),
                  job=hc.job.num if multirun else None)


def _refuse(exc: ConfigError | str) -> None:
    from sim.io.printable import printable_line

    print(f"triad: error: {printable_line(str(exc))}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    """``triad [OVERRIDES…]``: run (or ``-m``: sweep) the composed config. Ctrl-C prints one
    line saying what the output directory holds, and exits 130."""
    try:
        _entry()
    except KeyboardInterrupt:
        from sim.config.usage import interrupted

        print(interrupted(_RUN_DIR[0] if _RUN_DIR else None), file=sys.stderr)
        sys.exit(130)


def _usage_problem(args: list[str]) -> str | None:
    """A word that is not a flag nor key=value (``triad help``, ``--replicates 100``)."""
    from sim.config.usage import check_words

    if check_words(args) is None:
        return None
    try:  # the config's keys, to suggest the one meant
        from sim.config.precheck import _defaults_tree

        register_experiments()
        tree = _defaults_tree()
    except Exception:  # noqa: BLE001 - a suggestion is optional; the line is printed anyway
        tree = None
    return check_words(args, tree)


def _entry() -> None:
    args = sys.argv[1:]
    if args[:1] in (["--version"], ["-V"]):
        print(f"triad {__version__}")
        return
    if args[:1] == ["list"]:
        from sim.catalog import main as list_main

        sys.exit(list_main(args[1:]))
    if args[:1] == ["import"]:  # issue 20: event data in (sim/events/cli.py), no Hydra
        from sim.events.cli import main as import_main

        sys.exit(import_main(args[1:]))
    problem = _usage_problem(args)
    if problem:
        print(f"triad: error: {problem}", file=sys.stderr)
        sys.exit(2)
    # every config Hydra composes from here on is checked, whatever the flags; and the
    # user's own config folders are read with the bounded YAML reader before Hydra reads them
    from sim.config import door, trust  # omegaconf: not needed by --version and list

    trust.install(on_violation=_refuse, check_config=lambda cfg: door.check("cli", config=cfg))
    try:
        door.check("cli", overrides=args)  # argv: flags, group choices, the user's config folders
    except ConfigError as exc:
        _refuse(exc)
    if not os.environ.get("TRIAD_NO_PRECHECK"):
        from sim.config.precheck import precheck

        problem = precheck(args)
        if problem:
            _refuse(problem)
        from sim.config.precheck import planned
        from sim.io.lock import hold

        try:  # the directory is ours before Hydra writes into it (a second command is refused)
            for out, key in dict.fromkeys(planned):
                hold(out, key)
        except ConfigError as exc:
            _refuse(exc)
    register_experiments()
    from sim.io.lock import release_all

    try:
        _main()
    except SystemExit as stop:
        # Hydra turns a launcher's exception (a joblib worker killed by SIGKILL) into exit 1;
        # the exception is the SystemExit's context. The jobs that finished keep their results.
        if stop.code not in (0, None):
            from sim.sweep import callback

            callback.salvage(stop.__context__)
        raise
    finally:
        release_all()


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
        from sim.config import door

        sweep = not (d / "stats.parquet").exists() and (d / "multirun.yaml").exists()
        door.check("report", directory=d, sweep=sweep)  # no links where the report goes (H14)
        if sweep:
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
    from sim.io.manifest import run_files, verify
    from sim.io.rundir import read_manifest
    from sim.report import ReportError, build_report

    if not d.is_dir():
        raise ReportError(f"run directory not found: {d}")
    man = read_manifest(d)
    if man is None:
        raise ReportError(f"{d}: no readable manifest.json, so not a complete run (killed, still running, or not "
                          "a triad run directory); rerun triad into it")
    problems = [p for p in verify(d, man) if not p.startswith(("report.html", "figures/"))]
    listed = man.get("files") if isinstance(man.get("files"), dict) else {}
    problems += [f"{rel}: not in the manifest" for rel in run_files(d)
                 if rel not in listed and not _report_file(rel)]  # a foreign file is never adopted (H10)
    if problems:
        (d / "report.html").unlink(missing_ok=True)  # a view of data that are no longer there
        raise ReportError(f"{d} is not the run its manifest describes ({'; '.join(problems[:3])}); its report "
                          "was removed; rerun triad into it")
    _building(d)
    path = build_report(d)
    from sim.io.atomic import write_json
    from sim.io.manifest import MANIFEST

    files = {rel: meta for rel, meta in run_files(d).items() if rel in listed or _report_file(rel)}
    write_json(d / MANIFEST, {**man, "files": files})
    return path


def _report_file(rel: str) -> bool:
    return rel == "report.html" or rel.startswith("figures/")


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
        from sim.config import door

        door.check("aggregate", directory=d, sweep=True)
        agg = aggregate(d, report=not args.no_report)
    except (OutputError, ConfigError) as exc:
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


def console() -> None:
    """The ``triad`` executable (and ``python -m sim``): ``main()``, then the process ends
    without tearing its modules down. Once the outputs are written and closed, the
    interpreter's teardown of numba, pandas, pyarrow and matplotlib only costs time (0.4 s
    of a 6 s ``make run``, issue 19): the exit handlers still run (logging flushes and
    closes the run's log, joblib, Ray and temporary files clean up), then the standard
    streams are flushed and the process exits with the command's status. With a thread
    still running, the interpreter's own shutdown (which waits for it) is kept."""
    import threading

    from sim.inprocess import exit_code

    try:
        main()
        code = 0
    except SystemExit as stop:
        code = exit_code(stop)
    if threading.active_count() > 1:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
