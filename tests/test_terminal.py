"""What the terminal shows during and after a run: a progress bar counted in replicate-days
that advances while chunks run (in this process and in workers), a log line per chunk when
standard error is not a terminal, third-party warnings and log lines kept in triad.log, and
one format for every per-dyad result line."""
from __future__ import annotations

import io
import logging
import re
import warnings

import pytest

from conftest import plain_cfg
from sim.config.build import build_settings
from sim.engine.settings import Scenario
from sim.io.log import LOG_NAME, captured
from sim.runs import progress as P
from sim.runs.console import result_lines
from sim.runs.ensemble import run_ensemble
from sim.runs.headline import validation_line


class FakeTTY(io.StringIO):
    """A terminal that does not report its size (like a pty without a window)."""

    def isatty(self) -> bool:
        return True


def _settings(replicates: int, chunk: int, end: str = "2022-10-30"):
    return build_settings(plain_cfg([f"ensemble.replicates={replicates}", f"ensemble.chunk_size={chunk}", f"end={end}",
                                     "record.replicates=0"]))


def _frames(text: str) -> list[tuple[int, int]]:
    """(done, total) of every redraw of the bar."""
    return [(int(a), int(b)) for a, b in re.findall(r"\| (\d+)/(\d+) \[", text)]


def test_bar_ticks_sum_to_replicates_times_days_and_advance_within_chunks():
    s = _settings(12, 6)  # 2 chunks x 60 days
    total = 12 * s.n_days
    tty = FakeTTY()
    p = P.Progress(total, 2, stream=tty, mininterval=0)
    run_ensemble(s, [Scenario("baseline", s.events)], progress=p)
    assert p.done == total and p.chunks_done == 2
    assert p.advances == 2 * s.n_days  # one tick per simulated day of each chunk
    frames = _frames(tty.getvalue())
    assert frames and all(t == total for _, t in frames)
    done = [d for d, _ in frames]
    assert done == sorted(done) and done[-1] == total
    assert len(set(done)) > 2 * 10  # drawn many times within each chunk, not once per chunk
    assert tty.getvalue().count("\r") > 20  # a bar redrawn in place (80 columns: the pty gave none)


def test_workers_report_progress_while_they_run(monkeypatch):
    s = _settings(40, 10, end="2022-12-31")  # 4 chunks on 2 workers
    total = 40 * s.n_days
    monkeypatch.setattr(P, "FLUSH_S", 0.0)  # travels to the workers inside each DayTicker
    seen = []
    p = P.Progress(total, 4, stream=FakeTTY(), mininterval=0)
    orig = p.chunk_done
    p.chunk_done = lambda a, b: (seen.append((p.done, a, b)), orig(a, b))
    run_ensemble(s, [Scenario("baseline", s.events)], workers=2, progress=p)
    assert p.done == total and p.chunks_done == 4
    assert p.advances > 4 * 10  # the bar moved within chunks, not once per finished chunk
    # when a chunk says it is done, its replicate-days are already counted
    assert [d >= 10 * s.n_days * (i + 1) for i, (d, _, _) in enumerate(seen)] == [True] * 4
    assert sorted((a, b) for _, a, b in seen) == [(0, 10), (10, 20), (20, 30), (30, 40)]


def test_without_a_terminal_each_chunk_is_a_log_line(caplog):
    s = _settings(12, 4)
    caplog.set_level(logging.INFO, logger="sim.runs.ensemble")
    p = P.Progress(12 * s.n_days, 3, stream=io.StringIO())
    assert p.bar is None
    run_ensemble(s, [Scenario("baseline", s.events)], progress=p)
    lines = [r.getMessage() for r in caplog.records if r.name == "sim.runs.ensemble"]
    assert [ln.split(" (")[0] for ln in lines] == ["chunk 1/3 done", "chunk 2/3 done", "chunk 3/3 done"]
    assert "replicates 0-3" in lines[0] and "s left" in lines[0] and "s left" not in lines[-1]


def test_quiet_runs_show_nothing(caplog):
    s = _settings(8, 4)
    tty = FakeTTY()
    caplog.set_level(logging.INFO)
    run_ensemble(s, [Scenario("baseline", s.events)], progress=P.Progress(8 * s.n_days, 2, stream=tty, quiet=True))
    assert tty.getvalue() == "" and not [r for r in caplog.records if "chunk" in r.getMessage()]


# -- third-party output -----------------------------------------------------------------

@pytest.fixture
def console():
    """A console handler on the root logger, as Hydra's job logging installs one."""
    stream = io.StringIO()
    h = logging.StreamHandler(stream)
    root = logging.getLogger()
    old = root.level
    root.addHandler(h)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(h)
    root.setLevel(old)


def test_salib_warning_and_ema_log_lines_go_to_triad_log_not_the_terminal(tmp_path, console, capsys):
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    with captured(tmp_path) as path:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            sobol_sample.sample(problem, 6, calc_second_order=False)  # N not a power of 2: SALib warns
        logging.getLogger("EMA.ema_workbench.analysis.prim").info("box mean (0.3) does not meet threshold criteria")
        logging.getLogger("sim.runs.ensemble").info("chunk 1/1 done")
        logging.getLogger("sim.runs.ensemble").info("hidden under a bar", extra=P.QUIET_ON_CONSOLE)
    assert path == tmp_path / LOG_NAME
    log = path.read_text("utf-8")
    shown = console.getvalue() + capsys.readouterr().err
    assert "Sobol" in log and "py.warnings" in log  # the warning, through logging
    assert "does not meet threshold" in log and "hidden under a bar" in log and "chunk 1/1 done" in log
    assert "Sobol" not in shown and "threshold" not in shown and "hidden" not in shown
    assert "chunk 1/1 done" in shown  # triad's own lines still reach the terminal
    # afterwards nothing is filtered or captured any more
    logging.getLogger("EMA").warning("after the run")
    assert "after the run" in console.getvalue()
    assert "after the run" not in path.read_text("utf-8")


def test_errors_of_third_parties_still_reach_the_terminal(tmp_path, console):
    with captured(tmp_path):
        logging.getLogger("ray").error("worker died")
    assert "worker died" in console.getvalue()


# -- result lines -----------------------------------------------------------------------

SUMM = {
    "headline": ["P(reach rung 3, show of force, by 2024-05-31): AZE-IRN 1.00 [1.00, 1.00]; AZE-ISR 0.05 [0.04, 0.06]; "
                 "IRN-ISR 1.00 [1.00, 1.00]"],
    "scenarios": {"baseline": {"AZE-IRN": {}, "AZE-ISR": {}, "IRN-ISR": {}}},
    "validation": {"window": ["2022-09", "2023-05"], "overall_sign_agreement": 0.925926,
                   "dyads": {"AZE-ISR": {"sign_agreement": 1.0}, "IRN-ISR": {"sign_agreement": 1.0},
                             "AZE-IRN": {"sign_agreement": 0.777778}}},
}
LINE = re.compile(r"^[^:]+: ([A-Z]{3}-[A-Z]{3} [^;]+)(; [A-Z]{3}-[A-Z]{3} [^;]+)*(; all dyads [0-9.]+)?$")


def test_every_per_dyad_line_has_one_format_and_one_dyad_order(tmp_path):
    g = validation_line(SUMM)
    assert g == ("GDELT sign agreement of monthly net relation 2022-09..2023-05 (in-sample fit), baseline: "
                 "AZE-IRN 0.78; AZE-ISR 1.00; IRN-ISR 1.00; all dyads 0.93")
    lines = result_lines(SUMM, tmp_path)
    assert lines[0] == f"output: {tmp_path.resolve()}" and lines[-1] == g
    for line in lines[1:]:
        assert LINE.match(line), line
        assert re.findall(r"[A-Z]{3}-[A-Z]{3}", line) == ["AZE-IRN", "AZE-ISR", "IRN-ISR"]
    assert "{" not in g and '"' not in g  # no raw JSON


def test_a_sweep_job_names_its_overrides_first_and_its_report_last(tmp_path):
    (tmp_path / "report.html").write_text("<html></html>")
    lines = result_lines(SUMM, tmp_path, ["dynamics.reaction.IRN=0.02", "counterfactual=none"], job=3)
    assert lines[0] == f"output: {tmp_path.resolve()}  (job 3: dynamics.reaction.IRN=0.02 counterfactual=none)"
    assert lines[-1] == f"report: {tmp_path.resolve() / 'report.html'}"


def test_a_workers_warnings_travel_to_the_parent_log():
    import queue

    def chunk(x, tick):
        warnings.warn("a numba performance warning", UserWarning, stacklevel=1)
        return x * 2

    q = queue.Queue()
    assert P.in_worker(chunk, 21, tick=P.DayTicker(1, queue=q)) == 42
    kind, text = q.get_nowait()
    assert kind == "warning" and "UserWarning: a numba performance warning" in text
