"""Newcomer frictions of issue 19, each fixed behaviour asserted: the answer sentence's
rung from config, and the friendlier command line (more in test_cli_frictions)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, plain_cfg
from sim.config.spec import build_spec
from sim.errors import ConfigError
from sim.runs.effects import answer

LADDER = ["none", "verbal conflict", "diplomatic sanctions", "show of force", "covert or proxy violence",
          "limited military strike", "war"]


def _eff(diffs: dict[int, float]) -> dict:
    ps = {str(k): {"baseline": 0.5, "counterfactual": 0.5 + d, "diff": d, "lo": d - 0.01, "hi": d + 0.01}
          for k, d in diffs.items()}
    t = {"baseline": 0.4, "counterfactual": 0.3, "diff": -0.1, "lo": -0.12, "hi": -0.08}
    return {"AZE-IRN": {"p_rung_at_least": {"2024-05-31": ps}, "tension": {"2024-05-31": t}}}


DIFFS = {1: 0.0, 2: -0.02, 3: -0.05, 4: -0.30, 5: -0.10, 6: 0.0}


def test_the_answer_speaks_of_the_configured_rung_and_names_a_larger_change():
    s = answer("cf", None, _eff(DIFFS), "AZE-IRN", 100, None, LADDER, rung=3)
    assert "reaches at least rung 3, show of force, by 2024-05-31) is 0.450 against 0.500" in s
    assert ": -0.050 [95% CI -0.060, -0.040]" in s
    assert "The largest change is at rung 4 (covert or proxy violence): -0.300 [-0.310, -0.290]." in s
    # the rung that changes most is the one asked for: no extra clause
    s4 = answer("cf", None, _eff(DIFFS), "AZE-IRN", 100, None, LADDER, rung=4)
    assert "at least rung 4," in s4 and "largest change" not in s4


def test_auto_picks_the_rung_that_changes_most():
    s = answer("cf", None, _eff(DIFFS), "AZE-IRN", 100, None, LADDER, rung=None)
    assert "at least rung 4, covert or proxy violence" in s and "largest change" not in s


def test_answer_rung_is_read_and_checked_from_config():
    assert build_spec(plain_cfg(["experiment=no_embassy_attack"])).counterfactual.answer_rung == 3
    assert build_spec(plain_cfg(["experiment=no_embassy_attack", "counterfactual.answer_rung=auto"])
                      ).counterfactual.answer_rung is None
    assert build_spec(plain_cfg(["experiment=no_embassy_attack", "counterfactual.answer_rung=5"])
                      ).counterfactual.answer_rung == 5
    for bad in ("7", "0", "high", "true"):
        with pytest.raises(ConfigError, match=r"counterfactual\.answer_rung: .* allowed: 1\.\.6 or auto"):
            build_spec(plain_cfg(["experiment=no_embassy_attack", f"counterfactual.answer_rung={bad}"]))


def _triad(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


@pytest.mark.parametrize("args, line", [
    (["help"], "triad: error: 'help' is not a command: 'triad --help' lists the options"),
    (["--replicates", "100"], "triad: error: unknown option '--replicates': triad takes key=value overrides; "
                              "did you mean ensemble.replicates=100 or record.replicates=100?"),
    (["ensemble.seed"], "triad: error: 'ensemble.seed' is not an override: write key=value; did you mean "
                        "ensemble.seed=VALUE?"),
    (["decisions.rule.IRN=reciprocal"], "triad: error: decisions.rule.IRN: unknown key 'IRN' in decisions.rule; "
                                        "valid keys: default; to add a key the default config does not have, "
                                        "write +decisions.rule.IRN=reciprocal"),
])
def test_command_line_slips_get_one_line_that_says_what_to_type(args, line, tmp_path):
    proc = _triad(*args, f"hydra.run.dir={tmp_path / 'out'}")
    assert proc.returncode == 2
    assert proc.stderr.startswith(line) and proc.stderr.count("\n") == 1, proc.stderr
    assert "usage:" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_usage_check_leaves_valid_command_lines_alone():
    from sim.config.usage import check_words

    for argv in (["ensemble.seed=1"], ["-m", "ensemble.seed=1,2"], ["--cfg", "job"], ["-cn", "config", "a=1"],
                 ["--info"], ["--info", "plugins"], ["~record.scenarios"], ["+x.y=1"], ["--multirun"]):
        assert check_words(argv) is None, argv


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "ensemble.replicates=200000", f"hydra.run.dir={out}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 240
    while not (out / ".hydra").is_dir() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(1.0)  # into the run
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last in (f"triad: interrupted; nothing written at {out}",
                    f"triad: interrupted; partial outputs at {out} (no manifest.json, so incomplete: rerun the same "
                    "command to complete it)"), err[-2000:]
    assert not (out / "manifest.json").exists()


def test_a_missing_launcher_names_the_extra_that_installs_it():
    from sim.config.precheck import _explain

    exc = Exception("In 'hydra/config': Could not find 'hydra/launcher/joblib'\n"
                    "Available options in 'hydra/launcher':\n\tbasic\nConfig search path: ...")
    assert _explain(exc, ["hydra/launcher=joblib"]) == (
        "hydra/launcher: unknown option 'joblib'; options: basic; the joblib launcher is not installed: "
        "pip install -e '.[joblib]' in the checkout ('make test' installs every extra)")
    exc = Exception("Could not find 'hydra/launcher/submitit_slurm'\nAvailable options in 'hydra/launcher':\n"
                    "\tbasic joblib")
    assert "pip install -e '.[submitit]'" in _explain(exc, [])
    exc = Exception("Could not find 'events/nope'\nAvailable options in 'events':\n\tdefault")
    assert "pip install" not in _explain(exc, [])


def test_the_readme_calibrate_example_has_a_valid_burn_in():
    import re

    from sim.explore.posterior_run import burn_steps

    readme = (ROOT / "README.md").read_text("utf-8")
    line = next(ln for ln in readme.splitlines() if re.match(r"\.venv/bin/triad experiment=calibrate explore\.", ln))
    ex = plain_cfg(line.split()[1:])["explore"]
    assert ex["steps"] == 10 and burn_steps(ex, ex["steps"]) == 3  # a third of the steps
    default = plain_cfg(["experiment=calibrate"])["explore"]
    assert burn_steps(default, default["steps"]) == 50  # 150 // 3: the documented default
    with pytest.raises(ConfigError, match=r"explore\.burn: 10 is out of range; allowed: \[0, 9\]"):
        burn_steps({"burn": 10}, 10)


def test_the_bar_shows_on_a_pty_that_reports_no_size():
    """``script -qc 'triad …' /dev/null`` runs triad on a pseudo-terminal of 0 × 0 that is its
    controlling terminal: tqdm counted -1 rows there and drew nothing; the bar is drawn."""
    import pty

    code = ("import os, sys; from sim.runs.progress import Progress; "
            "assert os.get_terminal_size(2) == os.terminal_size((0, 0)); "
            "p = Progress(1000, 1, mininterval=0); [p.advance(100) for _ in range(10)]; p.close()")
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the new pty, as under script(1)
        os.execve(sys.executable, [sys.executable, "-c", code], {**os.environ, "PYTHONPATH": str(ROOT)})
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child has exited and closed the pty
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text[-1000:]
    frames = re.findall(r"ensemble: +(\d+)%\|", text)
    assert frames[:2] == ["0", "10"] and "100" in frames, text[:500]


def test_event_dates_are_the_windows_they_are_drawn_in():
    import datetime as dt

    from sim.io.rundir import events_table
    from sim.report.figures.events import event_date_text, number_events
    from sim.runs.dates import window_text

    D = dt.date
    assert window_text(D(2023, 1, 27), D(2023, 1, 27)) == "27 Jan 2023"
    assert window_text(D(2023, 1, 27), D(2023, 1, 30)) == "27–30 Jan 2023 (drawn)"
    assert window_text(D(2023, 3, 2), D(2023, 5, 30)) == "2 Mar – 30 May 2023 (drawn)"
    assert window_text(D(2022, 12, 1), D(2023, 1, 31)) == "1 Dec 2022 – 31 Jan 2023 (drawn)"
    settings = build_spec(plain_cfg()).settings
    rows = {e["id"]: e for e in events_table(settings)}
    # anchored to the 27 Jan attack: its nominal date is 2023-01-01, its window four days
    sus = rows["azerbaijan_suspends_tehran_embassy"]
    assert sus["date"] == "2023-01-01" and sus["when"] == "27–30 Jan 2023 (drawn)"
    assert rows["tehran_embassy_attack"]["when"] == "27 Jan 2023"
    numbered = number_events(list(rows.values()))
    starts = [e["window"][0] for e in numbered]
    assert starts == sorted(starts)  # the key is in date order
    assert [e["n"] for e in numbered] == list(range(1, len(numbered) + 1))
    assert event_date_text(sus) == "27–30 Jan 2023 (drawn)"
    # an events.json written before `when` existed: the words from its window
    assert event_date_text({k: v for k, v in sus.items() if k != "when"}) == "27–30 Jan 2023 (drawn)"


def test_the_explorer_unticks_events_removed_with_their_anchor():
    from sim.ui.scenario import EventChoice, Scenario

    timeline = build_spec(plain_cfg()).settings.events
    sc = Scenario(events={"tehran_embassy_attack": EventChoice(keep=False)})
    gone = sc.removed_with_anchor(timeline)
    anchored = {e.id for e in timeline if e.anchor == "tehran_embassy_attack"}
    assert anchored and anchored <= set(gone) and set(gone.values()) == {"tehran_embassy_attack"}
    assert "tehran_embassy_attack" not in gone and "herzog_visit_baku" not in gone
    assert Scenario().removed_with_anchor(timeline) == {}
