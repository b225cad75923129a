"""Discoverability: `triad list …`, `triad --version`, a short `triad --help`."""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import yaml

from conftest import CONF, ROOT
from sim import __version__
from sim import params as table
from sim.cli import run_cli

# lists experiments/: never while a bad-input case has put one there (its xdist group,
# tests/xdist_groups.py)


def triad(*args, real=False):
    """``triad ARGS`` in this process (sim.cli.run_cli), or with ``real`` as ``python -m sim``."""
    if real:
        return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(list(args))
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def test_list_params_prints_every_row_of_the_parameter_table():
    proc = triad("list", "params", real=True)  # the real entry point once; the other commands in-process
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == [p.path for p in table.PARAMS]
    for p, ln in zip(table.PARAMS, lines):
        assert p.unit in ln and p.meaning in ln and f"[{p.lo:g}, {p.hi:g}]" in ln


def test_list_experiments_counterfactuals_and_events():
    names = sorted(p.stem for p in (ROOT / "experiments").glob("*.yaml"))
    assert [ln.split()[0] for ln in triad("list", "experiments").stdout.splitlines()] == names
    cfs = triad("list", "counterfactuals").stdout
    assert "_common" not in cfs and "no_embassy_attack                remove tehran_embassy_attack" in cfs
    timeline = yaml.safe_load((CONF / "events" / "article.yaml").read_text())["timeline"]
    events = triad("list", "events").stdout.splitlines()
    article = events[:events.index("")] if "" in events else events  # then each other shipped timeline (issue 24)
    assert [ln.split()[0] for ln in article] == [e["id"] for e in timeline]
    assert "events=region_2023_2024 (46 events, after events.base article):" in events
    assert "tehran_embassy_attack                2023-01-27" in "\n".join(events)


def test_a_misspelled_list_gets_a_suggestion():
    proc = triad("list", "param")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("triad: error: list: 'param' is not a list; did you mean 'triad list params'? "
                                   "lists: experiments, counterfactuals, params, events")


def test_version_and_short_help():
    assert triad("--version").stdout.strip() == f"triad {__version__}"
    help_text = triad("--help").stdout
    assert len(help_text.splitlines()) < 30 and "triad list" in help_text and "_common" not in help_text
