"""Nothing looks complete when it is not: resume verification, kills at every stage, a sweep
whose worker dies, hostile files that must not be touched (issue 14)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from sim.io.manifest import verify

pytestmark = pytest.mark.slow  # runs killed and resumed, each a whole run: make test runs it, make test-fast leaves it out

SMALL = ["ensemble.replicates=300", "record.replicates=20", "end=2023-06-30"]
DATA = ("stats.parquet", "incidence.parquet", "routes.parquet", "trajectories.parquet", "actions.parquet",
        "summary.json", "events.json", "config.yaml")

DRIVER = textwrap.dedent('''
    """Run triad, killing the process (SIGKILL) at one stage of the run."""
    import os, signal, sys

    stage, args = sys.argv[1], sys.argv[2:]

    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)

    if stage == "simulation":
        import sim.runs.simulate as S
        S.run_ensemble = die
    elif stage == "data":
        import sim.io.rundir as R
        orig, n = R.write_parquet, [0]
        def write_parquet(path, table):
            n[0] += 1
            if n[0] == 3:  # stats and incidence written, the rest not
                die()
            return orig(path, table)
        R.write_parquet = write_parquet
    elif stage == "report":
        import sim.report.html as H
        H.render_report = die  # the figures are written, the page not
    elif stage == "manifest":
        import sim.io.rundir as R
        orig = R.write_json
        R.write_json = lambda path, obj: die() if path.name == "manifest.json" else orig(path, obj)
    from sim.cli import main
    sys.argv = ["triad", *args]
    main()
''')


def triad(*args, env=None, driver=None, stage=None):
    cmd = [sys.executable, "-m", "sim", *args] if driver is None else [sys.executable, str(driver), stage, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "run"
    proc = triad(f"hydra.run.dir={out}", *SMALL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_the_manifest_is_last_and_lists_every_file(clean):
    man = json.loads((clean / "manifest.json").read_text())
    files = man["files"]
    assert {*DATA, "report.html"} <= set(files)
    assert any(f.startswith("figures/") and f.endswith(".png") for f in files)
    assert verify(clean) == []
    newest = max((clean / f).stat().st_mtime_ns for f in files)
    assert (clean / "manifest.json").stat().st_mtime_ns >= newest


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["simulation", "data", "report", "manifest"])
def test_a_run_killed_at_any_stage_is_never_taken_as_complete(tmp_path, clean, stage):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, "utf-8")
    out = tmp_path / "run"
    killed = triad(f"hydra.run.dir={out}", *SMALL, driver=driver, stage=stage)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert not (out / "manifest.json").exists()
    # triad-report refuses it, and the rerun redoes it (no "skipped") to the clean run's bytes
    report = subprocess.run([sys.executable, "-c", "import sys; from sim.cli import report_main; "
                             f"sys.exit(report_main([{str(out)!r}]))"], cwd=ROOT, capture_output=True, text=True)
    assert report.returncode == 2 and "not a complete run" in report.stderr
    rerun = triad(f"hydra.run.dir={out}", *SMALL)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "skipped" not in rerun.stdout
    for name in (*DATA[:-1], "report.html"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert verify(out) == []


def test_resume_verifies_the_files_not_just_the_manifest(tmp_path, clean):
    out = tmp_path / "run"
    assert triad(f"hydra.run.dir={out}", *SMALL, "report.enabled=false").returncode == 0
    again = triad(f"hydra.run.dir={out}", *SMALL, "report.enabled=false")
    assert again.returncode == 0 and "skipped" in again.stdout
    with open(out / "stats.parquet", "r+b") as fh:
        fh.truncate(1000)
    (out / "trajectories.parquet").unlink()
    assert verify(out) == ["stats.parquet: changed since the run wrote it", "trajectories.parquet: missing"]
    redo = triad(f"hydra.run.dir={out}", *SMALL, "report.enabled=false")
    assert redo.returncode == 0 and "skipped" not in redo.stdout
    for name in DATA[:-1]:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_a_copy_of_another_configs_run_is_refused_and_left_whole(tmp_path, clean):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(clean, copy)
    before = {str(p): p.read_bytes() for p in copy.rglob("*") if p.is_file()}  # .hydra/ included
    proc = triad(f"hydra.run.dir={copy}", *SMALL, "ensemble.seed=9")
    assert proc.returncode == 2
    assert "holds the complete outputs of another config" in proc.stderr
    assert {str(p): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    assert verify(copy) == []


def test_hostile_logging_config_writes_nothing(tmp_path):
    target = tmp_path / "bashrc"
    target.write_text("# my shell\n")
    evil = tmp_path / "evil" / "experiment"
    evil.mkdir(parents=True)
    (evil / "pwn.yaml").write_text(textwrap.dedent(f"""\
        # @package _global_
        hydra:
          job_logging:
            handlers:
              file:
                class: logging.FileHandler
                filename: {target}
                mode: a
            formatters:
              simple:
                format: "echo PWNED # %(message)s"
        """), "utf-8")
    for flags in ([], ["--cfg", "job"], ["-cd", str(ROOT / "conf")], ["--info", "config"]):
        proc = triad(*flags, f"hydra.searchpath=[file://{tmp_path / 'evil'}]", "experiment=pwn",
                     f"hydra.run.dir={tmp_path / 'out'}", "ensemble.replicates=5")
        assert proc.returncode == 2, (flags, proc.returncode, proc.stderr[-1000:])
        assert proc.stderr.strip().splitlines()[-1].startswith("triad: error: hydra.job_logging.handlers.file")
        assert target.read_text() == "# my shell\n", flags
    assert not (tmp_path / "out").exists()


SITE = textwrap.dedent('''
    import os
    if os.environ.get("TRIAD_TEST_KILL_SEED"):
        import signal, time
        import sim.runs.job as J
        _run = J.run
        def run(cfg, out_dir):
            if int(cfg["ensemble"]["seed"]) == int(os.environ["TRIAD_TEST_KILL_SEED"]):
                time.sleep(8)  # the sibling job finishes first
                os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
            return _run(cfg, out_dir)
        J.run = run
''')


@pytest.mark.slow
def test_a_sweep_survives_a_worker_killed_by_sigkill(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITE, "utf-8")
    sweep = tmp_path / "sweep"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "ensemble.seed=1,2",
         "ensemble.replicates=50", "report.enabled=false", f"hydra.sweep.dir={sweep}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "TRIAD_TEST_KILL_SEED": "2"})
    assert proc.returncode == 1, proc.stderr[-3000:]
    jobs = {json.loads((d / "config.yaml").read_text().split("seed: ")[1].split()[0]) if (d / "config.yaml").exists()
            else None: d for d in sweep.iterdir() if (d / ".hydra").is_dir()}
    assert 1 in jobs and verify(jobs[1]) == []  # the sibling's work is kept
    failed = [d for d in sweep.iterdir() if (d / "error.json").exists()]
    assert len(failed) == 1
    err = json.loads((failed[0] / "error.json").read_text())
    assert "died before it finished" in err["error"] and "TerminatedWorkerError" in err["error"]
    assert "SIGKILL" in err["error"]
    assert (sweep / "sweep.parquet").exists()  # the aggregate is written
    assert "1 of 2 job(s) of the sweep did not complete" in proc.stderr


def test_control_and_bidi_characters_do_not_reach_the_report(tmp_path):
    out = tmp_path / "run"
    ev = tmp_path / "ev.yaml"  # YAML's escapes carry a NUL and a right-to-left override into the summary
    ev.write_text("- id: rumour\n  date: '2023-02-01'\n  source: IRN\n  target: AZE\n  cameo: '111'\n"
                  '  summary: "Rumour\\0 of \\u202eecnavda"\n', "utf-8")
    proc = triad(f"hydra.run.dir={out}", *SMALL, "question='Who wins? \u202eniw I'", f"events.file={ev}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    html = (out / "report.html").read_text("utf-8")
    assert "\u202e" not in html and "\x00" not in html
    assert "Who wins? \\u202eniw I" in html and "Rumour of \\u202eecnavda" in html  # shown, not obeyed
