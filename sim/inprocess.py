"""Run a command-line entry point inside this process and leave the process as it was.

The ``triad`` command is a Hydra app: it reads ``sys.argv``, configures logging from the
composed config, keeps Hydra's singletons (``GlobalHydra``, ``HydraConfig``), and installs
the config trust guard on Hydra's loader. A test that runs hundreds of commands in one
process (tests/test_bad_input.py) must not inherit any of that from the previous command,
so ``isolated()`` snapshots each of these before the command and restores it after.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from typing import Iterator, Sequence


def _logger_state() -> dict[str, tuple]:
    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    return {lg.name: (lg, list(lg.handlers), lg.level, lg.disabled, lg.propagate, list(lg.filters))
            for lg in loggers}


def _restore_loggers(saved: dict[str, tuple]) -> None:
    for lg in [*logging.Logger.manager.loggerDict.values(), logging.getLogger()]:
        if not isinstance(lg, logging.Logger):
            continue
        before = saved.get(lg.name)
        keep = before[1] if before else []
        for h in list(lg.handlers):
            if h not in keep:  # opened by the command (Hydra's job log in the run directory)
                lg.removeHandler(h)
                with contextlib.suppress(Exception):
                    h.close()
        if before is None:
            lg.handlers, lg.disabled = [], False
            continue
        _, handlers, level, disabled, propagate, filters = before
        lg.handlers, lg.level, lg.disabled, lg.propagate, lg.filters = list(handlers), level, disabled, propagate, \
            list(filters)


@contextlib.contextmanager
def isolated(argv: Sequence[str], prog: str) -> Iterator[None]:
    """Within the block ``sys.argv`` is ``[prog, *argv]``; on leaving it, the argument list,
    working directory, environment, logging configuration, warning filters, Hydra's
    singletons, its registered experiments and its config loader are what they were on entering."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.config_store import ConfigStore
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    from sim.config.locate import GROUP

    saved_argv, saved_cwd, saved_env = sys.argv, os.getcwd(), dict(os.environ)
    saved_loggers, saved_capture = _logger_state(), logging.getLogger("py.warnings").handlers
    saved_loader = ConfigLoaderImpl.__dict__["load_configuration"]
    saved_hydra_cfg = HydraConfig.instance().cfg
    store = ConfigStore.instance().repo
    saved_experiments = dict(store[GROUP]) if GROUP in store else None  # register_experiments adds to it
    was_capturing = getattr(logging, "_warnings_showwarning", None) is not None
    GlobalHydra.instance().clear()
    sys.argv = [prog, *argv]
    with warnings.catch_warnings():
        try:
            yield
        finally:
            sys.argv = saved_argv
            if os.getcwd() != saved_cwd:
                os.chdir(saved_cwd)
            if dict(os.environ) != saved_env:
                os.environ.clear()
                os.environ.update(saved_env)
            if not was_capturing:
                logging.captureWarnings(False)
            _restore_loggers(saved_loggers)
            logging.getLogger("py.warnings").handlers = saved_capture
            ConfigLoaderImpl.load_configuration = saved_loader  # type: ignore[method-assign]
            HydraConfig.instance().cfg = saved_hydra_cfg
            if saved_experiments is None:
                store.pop(GROUP, None)
            else:
                store[GROUP] = saved_experiments
            GlobalHydra.instance().clear()


def exit_code(stop: SystemExit) -> int:
    """The status a process would exit with for ``stop`` (``sys.exit("text")`` prints the
    text to stderr and exits 1, as the interpreter does)."""
    code = stop.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
