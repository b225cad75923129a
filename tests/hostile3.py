"""Helpers of the hostile-trial-3 tests (issue 23): the ``triad`` command in this process,
and small composed configs."""
from __future__ import annotations

import sys

from tests.test_trust import composed  # noqa: F401 - re-exported for the test files


def cli(argv, capsys, monkeypatch) -> tuple[int, str]:
    """Run ``triad ARGV`` in this process: (exit code, stderr). Only for commands the
    checks refuse before a job runs (they exit before Hydra starts)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    from sim import cli as cli_mod

    with monkeypatch.context() as m:  # the CLI's trust hook is undone on return
        m.setattr(ConfigLoaderImpl, "load_configuration", ConfigLoaderImpl.load_configuration)
        m.setattr(sys, "argv", ["triad", *argv])
        capsys.readouterr()
        try:
            cli_mod.main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, capsys.readouterr().err
