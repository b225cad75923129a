"""Hostile trial 3 (issue 23), medium cases: hangs, tracebacks, misleading messages and
partial output that looked complete. Each refused case: one line, exit 2, nothing written."""
from __future__ import annotations

import fcntl
import os
import time

import numpy as np
import pytest

from sim.errors import ConfigError, TriadError
from tests.conftest import plain_cfg
from tests.hostile3 import cli

FAST = ["ensemble.replicates=2", "report.enabled=false"]


def test_M8_terminal_escapes_shown_escaped(monkeypatch, capsys):
    from sim.io.printable import printable_line
    from sim.runs import console

    assert printable_line("cf\x1b[31mred \u202e x\ty") == "cf\\x1b[31mred \\u202e x\ty"
    assert printable_line("two\nlines") == "two\\nlines"
    monkeypatch.setattr(console, "result_lines", lambda *a, **k: ["answer (cf\x1b[31mred): What \x1b[5mblink"])
    console.print_result({}, ".")
    out = capsys.readouterr().out
    assert "\x1b" not in out and out == "answer (cf\\x1b[31mred): What \\x1b[5mblink\n"


def test_L3_refusal_does_not_echo_control_characters(capsys, monkeypatch):
    code, err = cli(["counterfactual.name=x\x1b[2J", *FAST], capsys, monkeypatch)
    assert code == 2 and "\x1b" not in err and err.count("\n") == 1


def test_M9_duplicate_key_in_events_file(tmp_path):
    from sim.config.events import load_event_file

    src = (plain_cfg()["events"])  # the shipped timeline's first event, with its date written twice
    assert src is not None
    p = tmp_path / "ev.yaml"
    p.write_text("- id: a\n  date: '2023-02-01'\n  source: AZE\n  target: IRN\n  cameo: '042'\n"
                 "  date: '2099-02-01'\n")
    with pytest.raises(TriadError, match=r"^events.file: .*ev.yaml line 6: duplicate key 'date'"):
        load_event_file(p, ("AZE", "IRN", "ISR"))


def test_M10_shift_past_horizon_is_said(caplog):
    from sim.config.spec import build_spec
    from sim.runs.plan import _after_end_note, moved_out, plan_run

    plain = plain_cfg(["ensemble.replicates=2", "counterfactual.name=late"])
    plain["counterfactual"]["ops"] = [{"shift": {"event": "tehran_embassy_attack", "days": 1000}}]
    spec = build_spec(plain)
    with caplog.at_level("WARNING"):
        plan = plan_run(spec)
    from sim.engine.events import dependents

    a = plan.applied["late"]
    gone = moved_out(a, spec.settings)  # the event, and the events anchored to it, which follow it
    assert gone[0] == "tehran_embassy_attack"
    assert set(gone) == {"tehran_embassy_attack", *dependents(list(spec.settings.events), "tehran_embassy_attack")}
    assert _after_end_note(a, spec.settings).startswith("tehran_embassy_attack, ")
    assert "now fall after the horizon's end" in _after_end_note(a, spec.settings)
    assert "same as removing it" in caplog.text
    plain["counterfactual"]["ops"] = [{"shift": {"event": "tehran_embassy_attack", "days": 10}}]
    spec = build_spec(plain)
    assert moved_out(plan_run(spec).applied["late"], spec.settings) == []


def _locked_by_someone(run):
    """Another writer's lock on ``run`` (a second open file: flock conflicts as between processes)."""
    run.mkdir(parents=True, exist_ok=True)
    fd = os.open(run / ".triad.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242", 0)
    return fd


@pytest.mark.parametrize("race", [False, True])
def test_M12_second_run_into_a_running_dir_touches_nothing(race, tmp_path, capsys, monkeypatch):
    run = tmp_path / "lk2"
    fd = _locked_by_someone(run)
    try:
        if race:  # B's pre-check ran before A took the lock: B's own lock, taken before Hydra, refuses it
            import sim.io.lock as lock

            monkeypatch.setattr(lock, "held_by_other", lambda out: None)
        code, err = cli([*FAST, "ensemble.seed=5", f"hydra.run.dir={run}"], capsys, monkeypatch)
    finally:
        os.close(fd)
    assert code == 2 and "is being written by another triad run (pid 4242)" in err
    assert sorted(os.listdir(run)) == [".triad.lock"]  # no .hydra/, no error.json, no log


def test_M11_second_sweep_into_a_running_sweep_touches_nothing(tmp_path, capsys, monkeypatch):
    sweep = tmp_path / "sw3"
    fd = _locked_by_someone(sweep)
    try:
        code, err = cli(["-m", "ensemble.seed=9", *FAST, f"hydra.sweep.dir={sweep}"], capsys, monkeypatch)
    finally:
        os.close(fd)
    assert code == 2 and "is being written by another triad run (pid 4242)" in err
    assert sorted(os.listdir(sweep)) == [".triad.lock"]


def test_M11_locked_job_records_no_failure(tmp_path, capsys):
    from sim.runs.job import main_task
    from tests.conftest import compose_cfg

    job = tmp_path / "0"
    fd = _locked_by_someone(job)
    try:
        assert main_task(compose_cfg(FAST), job, multirun=True) is None
    finally:
        os.close(fd)
    assert sorted(os.listdir(job)) == [".triad.lock"]  # the other run's directory: no error.json written
    assert "being written by another triad run" in capsys.readouterr().err


def test_M14_interval_sweep_with_basic_sweeper(tmp_path, capsys, monkeypatch):
    code, err = cli(["-m", "dynamics.noise.hostility=interval(0,5)", *FAST, f"hydra.sweep.dir={tmp_path / 's'}"],
                    capsys, monkeypatch)
    assert code == 2 and err.startswith("triad: error: dynamics.noise.hostility: interval(0,5): Hydra's basic "
                                        "sweeper cannot sweep an interval")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("value", ["[" * 2000 + "]" * 2000, "{a: " * 300 + "1" + "}" * 300])
def test_M17_deeply_nested_override(value, capsys, monkeypatch):
    code, err = cli([f"+counterfactual.x={value}", *FAST], capsys, monkeypatch)
    assert code == 2 and "nested more than 50 levels deep" in err and err.count("\n") == 1


def test_M18_million_job_sweep_refused_at_once(tmp_path, capsys, monkeypatch):
    t0 = time.perf_counter()
    code, err = cli(["-m", "ensemble.seed=range(0,1000)", "dynamics.noise.hostility=range(0,1,0.001)", *FAST,
                     f"hydra.sweep.dir={tmp_path / 'big'}"], capsys, monkeypatch)
    assert code == 2 and "this sweep has more than 10000 jobs" in err
    assert time.perf_counter() - t0 < 30 and not (tmp_path / "big").exists()  # bound: seconds, not an hour


def test_M19_address_space_limit_counted(monkeypatch):
    import resource

    from sim.runs.budget import memory_budget

    free, _ = memory_budget()
    monkeypatch.setattr(resource, "getrlimit", lambda which: (3 * 2**30, resource.RLIM_INFINITY))
    limited, what = memory_budget()
    assert limited < min(free, 0.8 * 3 * 2**30) and "ulimit -v" in what


def test_M19_memory_error_is_one_line(tmp_path, capsys, monkeypatch):
    import sim.runs.job as job
    from tests.conftest import compose_cfg

    def boom(cfg, out):
        raise MemoryError("Unable to allocate 88.0 MiB for an array")

    monkeypatch.setattr(job, "run", boom)
    (tmp_path / "r").mkdir()
    with pytest.raises(SystemExit) as stop:
        job.main_task(compose_cfg(FAST), tmp_path / "r")
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "out of memory (MemoryError: Unable to allocate" in err
    assert "Traceback" not in err and not (tmp_path / "r" / "manifest.json").exists()


def test_M20_huge_multirun_yaml_not_enumerated(tmp_path, capsys):
    from sim.cli import aggregate_main
    from sim.sweep.jobs import expected_jobs

    (tmp_path / "multirun.yaml").write_text(
        "hydra:\n  sweeper:\n    _target_: hydra._internal.core_plugins.basic_sweeper.BasicSweeper\n"
        "  overrides:\n    task:\n    - ensemble.seed=range(0,3000000)\n    - ensemble.replicates=1,2\n")
    t0 = time.perf_counter()
    assert expected_jobs(tmp_path) is None
    assert aggregate_main([str(tmp_path), "--no-report"]) in (0, 1)
    assert time.perf_counter() - t0 < 30
    capsys.readouterr()


def test_M25_exploration_design_bounded(monkeypatch):
    from sim.config.build import build_settings
    from sim.explore.options import MAX_POINTS, check_design

    plain = plain_cfg()
    settings = build_settings(plain)
    with pytest.raises(ConfigError, match=rf"^explore.samples: 2000000 design points; at most {MAX_POINTS}"):
        check_design(plain, settings, 2_000_000, 8, "explore.samples")
    import sim.runs.estimate as est

    real = est.estimate

    def slow(*a, **k):  # the probes, then a machine a million times slower
        e = real(*a, **k)
        return est.Estimate(e.seconds, e.per_day, e.per_replicate_day * 1e6, e.replicates, e.days, e.chunks, e.workers)

    monkeypatch.setattr(est, "estimate", slow)
    with pytest.raises(ConfigError, match=r"^explore.sobol.n: this exploration would take about .* over the limit"):
        check_design(plain, settings, 100_000, 8, "explore.sobol.n")
    check_design(plain, settings, 8, 2, "explore.samples")  # small designs are not probed


def test_M30_observations_beyond_any_plausible_value():
    from sim.forecast.options import parse_observations

    rows = "\n".join(f"2022-{m:02d},1e300,1,2" for m in range(1, 7))
    with pytest.raises(ConfigError, match=r"^backtest.observations: x.csv: AZE-IRN in 2022-01 is 1e\+300; allowed: "
                                          r"values within ±1e\+07"):
        parse_observations("month,AZE-IRN,AZE-ISR,IRN-ISR\n" + rows, "x.csv", ["AZE-IRN", "AZE-ISR", "IRN-ISR"])
    ok = parse_observations("month,AZE-IRN,AZE-ISR,IRN-ISR\n" + rows.replace("1e300", "263.2"), "x.csv",
                            ["AZE-IRN", "AZE-ISR", "IRN-ISR"])
    assert np.allclose(ok["AZE-IRN"], 263.2)
