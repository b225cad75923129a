"""The worker groups of ``make test`` (tests/xdist_groups.py): the rule, and that it holds."""
from __future__ import annotations

import os

import pytest

from xdist_groups import group_of


def test_a_files_tests_share_one_group_and_spread_files_do_not():
    assert group_of("tests/test_cli.py::test_a") == group_of("tests/test_cli.py::test_b[x-1]") == "tests/test_cli.py"
    assert group_of("tests/test_bad_input.py::test_bad_input[a]") == "tests/test_bad_input.py::test_bad_input[a]"
    assert group_of("tests/test_bad_input.py::test_bad_input[a]") != group_of("tests/test_bad_input.py::test_bad_input[b]")


def test_a_named_group_joins_tests_across_files():
    g = {group_of("tests/test_bad_input.py::test_bad_input[yaml_error_experiment@experiments_dir]"),
         group_of("tests/test_bad_input.py::test_bad_input_real_process[an experiment that does not parse@experiments_dir]"),
         group_of("tests/test_catalog.py::test_list_experiments"), group_of("tests/test_wheel.py::test_x")}
    assert g == {"experiments_dir"}


def _shared_dir(tmp_path_factory):
    # every xdist worker's basetemp (popen-gwN) sits in one session directory
    return tmp_path_factory.getbasetemp().parent


def test_grouped_tests_run_on_one_worker_first(tmp_path_factory):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        pytest.skip("not under pytest-xdist")
    (_shared_dir(tmp_path_factory) / "xdist-groups-first").write_text(worker)


def test_grouped_tests_run_on_one_worker_second(tmp_path_factory):
    """Runs after the test above on the same worker; under xdist 3.8's own loadgroup with
    pytest 9.2 it ran on either worker (the marks were ignored), which this would catch in
    one run of two."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        pytest.skip("not under pytest-xdist")
    first = _shared_dir(tmp_path_factory) / "xdist-groups-first"
    assert first.is_file() and first.read_text() == worker
