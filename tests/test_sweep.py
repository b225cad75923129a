"""Sweeps (`triad -m …`): the aggregate under every launcher, failures, resume, split ensembles.

Each sweep is a real multirun in a subprocess, with tiny ensembles so the whole module runs
in about a minute. The launchers come with the test extra; none of these tests is skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import CONF, ROOT
from sim.io.manifest import verify

pytestmark = pytest.mark.slow  # Hydra sweeps through the real launchers: make test runs it, make test-fast leaves it out

TINY = ["ensemble.replicates=20", "record.replicates=2", "end=2023-03-31", "report.enabled=false"]
IRN = "dynamics.reaction.IRN"
THREE = [f"{IRN}=0.01,0.02,0.04"]
VOLATILE = ["job_dir", "wall_seconds"]  # paths and times legitimately differ between sweeps


def triad_multirun(sweep_dir: Path, *args: str, env: dict | None = None, timeout: int = 600):
    cmd = [sys.executable, "-m", "sim", "-m", f"hydra.sweep.dir={sweep_dir}", *TINY, *args]
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, "HYDRA_FULL_ERROR": "0", **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def numbers(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=VOLATILE).reset_index(drop=True)


def table(sweep_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(sweep_dir / "sweep.parquet")


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    d = tmp_path_factory.mktemp("joblib") / "sweep"
    t0 = time.perf_counter()
    proc = triad_multirun(d, "hydra/launcher=joblib", "hydra.launcher.n_jobs=3", *THREE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"joblib sweep: {time.perf_counter() - t0:.1f} s")
    return d, proc


def test_joblib_sweep_writes_one_table_and_a_report(joblib_sweep):
    d, proc = joblib_sweep
    df = table(d)
    assert len(df) == 3 * 3  # 3 jobs x 1 scenario x 3 dyads
    assert (df.status == "complete").all() and (df.kind == "job").all()
    assert sorted(df.job.unique().tolist()) == [0, 1, 2]
    assert sorted(df[IRN].unique().tolist()) == [0.01, 0.02, 0.04]
    assert set(df.dyad) == {"AZE-IRN", "AZE-ISR", "IRN-ISR"} and set(df.scenario) == {"baseline"}
    for k in range(1, 7):
        assert (df[f"p_rung_{k}_lo"] <= df[f"p_rung_{k}"]).all() and (df[f"p_rung_{k}"] <= df[f"p_rung_{k}_hi"]).all()
    assert (df.tension_end_q05 <= df.tension_end_q50).all() and (df.tension_end_q50 <= df.tension_end_q95).all()
    # the numbers are the jobs' own summaries
    for _, r in df.iterrows():
        s = json.loads((d / r.job_dir / "summary.json").read_text())["scenarios"][r.scenario][r.dyad]
        assert r.p_rung_3 == s["p_rung_at_least"]["3"]["p"] and r.tension_end_q50 == s["tension_end"]["q50"]
    assert (d / "sweep_report.html").exists()
    for name in ("sweep_p_rung.png", "sweep_state.png"):  # no counterfactual: no effect figure
        assert (d / "sweep_figures" / name).stat().st_size > 1000
    assert not (d / "sweep_figures" / "sweep_effect_p_rung.png").exists()
    assert "sweep: 3 job(s): 3 complete, 0 failed, 0 incomplete" in proc.stdout


def _ray_processes(marker: str) -> list[int]:
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) != os.getpid():
            try:
                if marker in (p / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids


def _stop(pids: list[int]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        time.sleep(1.0)


@pytest.mark.slow
def test_ray_sweep_gives_the_same_table(joblib_sweep, tmp_path):
    ray_tmp = tempfile.mkdtemp(prefix="triadray", dir="/tmp")  # short: Ray's socket paths are length-limited
    env = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    d = tmp_path / "sweep"
    try:
        proc = triad_multirun(d, "hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2",
                              "+hydra.launcher.ray.init.include_dashboard=false",
                              f"+hydra.launcher.ray.init._temp_dir={ray_tmp}", *THREE, env=env)
    finally:
        # the driver shuts its local Ray down on exit; stop anything of this test's Ray that lingers
        deadline = time.time() + 15
        while _ray_processes(ray_tmp) and time.time() < deadline:
            time.sleep(0.5)
        _stop(_ray_processes(ray_tmp))
        left = _ray_processes(ray_tmp)
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert not left, f"Ray processes still running: {left}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    pd.testing.assert_frame_equal(numbers(table(d)), numbers(table(joblib_sweep[0])), check_exact=True)


@pytest.mark.slow
def test_submitit_local_sweep_gives_the_same_table(joblib_sweep, tmp_path):
    d = tmp_path / "sweep"
    proc = triad_multirun(d, "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10", *THREE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pd.testing.assert_frame_equal(numbers(table(d)), numbers(table(joblib_sweep[0])), check_exact=True)
    assert (d / ".submitit").is_dir()


def test_a_sweep_with_one_bad_value_is_refused_before_any_job(tmp_path):
    d = tmp_path / "sweep"
    proc = triad_multirun(d, f"{IRN}=0.01,-1,0.04")
    assert proc.returncode == 2 and not d.exists()
    assert f"{IRN}: -1.0 is out of range" in proc.stderr and f"(sweep job {IRN}=-1" in proc.stderr


def test_a_failing_job_is_listed_and_the_others_aggregate(joblib_sweep, tmp_path):
    d = tmp_path / "sweep"
    # a job that fails at run time (the pre-check, which would refuse the sweep, is off)
    proc = triad_multirun(d, "hydra/launcher=joblib", "hydra.launcher.n_jobs=3", f"{IRN}=0.01,-1,0.04",
                          env={"TRIAD_NO_PRECHECK": "1"})
    assert proc.returncode == 1  # the sweep reports the failure, after aggregating
    assert "Traceback" not in proc.stderr
    assert f"job 1 failed: {d / '1'}: {IRN}=-1: {IRN}: -1.0 is out of range" in proc.stderr
    assert "sweep: 3 job(s): 2 complete, 1 failed, 0 incomplete" in proc.stdout
    df = table(d)
    failed = df[df.status == "failed"]
    assert failed.job.tolist() == [1] and failed[IRN].tolist() == [-1.0]
    assert "dynamics.reaction.IRN" in failed.error.iloc[0] and failed.scenario.isna().all()
    assert not (d / "1" / "manifest.json").exists() and (d / "1" / "error.json").exists()
    assert (d / "sweep_report.html").read_text().count("failed") >= 1
    # the jobs that ran are exactly the same jobs of the clean sweep
    ok = numbers(df[df.status == "complete"])
    ref = numbers(table(joblib_sweep[0]))
    ref = ref[ref[IRN] != 0.02].reset_index(drop=True)
    cols = [c for c in ref.columns if c not in ("job", IRN)]
    pd.testing.assert_frame_equal(ok[cols], ref[cols], check_exact=True)


def test_an_unexpected_error_in_a_multirun_job_is_recorded_not_raised(tmp_path, monkeypatch):
    from sim.runs import job as app

    def boom(cfg, out_dir):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app, "run", boom)
    (tmp_path / "manifest.json").write_text("{}")
    assert app.main_task({}, tmp_path, multirun=True) is None
    err = json.loads((tmp_path / "error.json").read_text())
    assert err["error"] == "RuntimeError: disk on fire" and "Traceback" in err["traceback"]
    assert not (tmp_path / "manifest.json").exists()
    with pytest.raises(RuntimeError):  # a single run keeps Python's own report
        app.main_task({}, tmp_path / "single", multirun=False)


def test_resume_reruns_only_the_job_whose_outputs_are_gone(joblib_sweep, tmp_path):
    import sim.sweep as sweep

    d = tmp_path / "sweep"
    shutil.copytree(joblib_sweep[0], d)
    before = {n: (d / str(n) / "manifest.json").read_bytes() for n in (0, 2)}
    shutil.rmtree(d / "1")
    (d / "sweep.parquet").unlink()
    # by hand, the aggregate names the missing job and is not fatal
    agg = sweep.aggregate(d, report=False)
    assert [(j.num, j.status) for j in agg.jobs] == [(0, "complete"), (1, "incomplete"), (2, "complete")]
    assert "never started" in agg.jobs[1].error
    from sim.cli import aggregate_main

    assert aggregate_main([str(d), "--no-report"]) == 1
    # rerun the same sweep into the same directory (basic launcher: one job after another)
    proc = triad_multirun(d, *THREE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("skipped: this directory already holds") == 2
    assert proc.stderr.count("simulating 20 replicates") == 1
    for n, text in before.items():
        assert (d / str(n) / "manifest.json").read_bytes() == text  # untouched
    assert (d / "1" / "manifest.json").exists()
    pd.testing.assert_frame_equal(numbers(table(d)), numbers(table(joblib_sweep[0])), check_exact=True)


def test_aggregate_by_hand_matches_the_callback(joblib_sweep, tmp_path):
    d = tmp_path / "sweep"
    shutil.copytree(joblib_sweep[0], d)
    (d / "sweep.parquet").unlink()
    proc = subprocess.run([sys.executable, "-m", "sim.sweep", str(d)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(numbers(table(d)), numbers(table(joblib_sweep[0])), check_exact=True)
    missing = subprocess.run([sys.executable, "-m", "sim.sweep", str(tmp_path / "nope")], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0 and "triad-aggregate: error:" in missing.stderr


def test_damaged_job_files_are_listed_not_raised(joblib_sweep, tmp_path):
    from sim.cli import aggregate_main

    d = tmp_path / "sweep"
    shutil.copytree(joblib_sweep[0], d)
    (d / "0" / "manifest.json").write_text("[1, 2, 3]")  # valid JSON, not an object
    (d / "1" / "error.json").write_text('"boom"')
    (d / "multirun.yaml").write_bytes(b"\xff\xfe not utf-8")
    with open(d / "2" / "stats.parquet", "r+b") as fh:  # truncated after the run
        fh.truncate(10)
    assert aggregate_main([str(d), "--no-report"]) == 1
    df = table(d)
    by_job = df.groupby("job").first()
    assert by_job.loc[0, "status"] == "incomplete" and "not a JSON object" in by_job.loc[0, "error"]
    assert by_job.loc[1, "status"] == "failed" and "not a JSON object" in by_job.loc[1, "error"]
    assert by_job.loc[2, "status"] == "incomplete" and "stats.parquet: changed since the run" in by_job.loc[2, "error"]


@pytest.mark.slow  # a split sweep and the one-process run: 173 s of 524 s for this file (measured under load)
def test_split_ensemble_merges_to_the_one_process_result(tmp_path, monkeypatch):
    common = ["counterfactual=no_embassy_attack"]
    d = tmp_path / "sweep"
    proc = triad_multirun(d, "hydra/launcher=joblib", "hydra.launcher.n_jobs=4", *common, "ensemble.chunks=4",
                          "ensemble.chunk=0,1,2,3")
    assert proc.returncode == 0, proc.stderr[-3000:]
    single = tmp_path / "single"
    one = subprocess.run([sys.executable, "-m", "sim", f"hydra.run.dir={single}", *TINY, *common], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stderr
    merged = list((d / "merged").iterdir())
    assert len(merged) == 1
    m = merged[0]
    for name in ("stats", "incidence", "effects", "routes", "trajectories", "actions"):
        pd.testing.assert_frame_equal(pd.read_parquet(m / f"{name}.parquet"), pd.read_parquet(single / f"{name}.parquet"),
                                      check_exact=True, obj=name)
    ms, ss = (json.loads((p / "summary.json").read_text()) for p in (m, single))
    assert ms["scenarios"] == ss["scenarios"]
    assert ms["counterfactuals"] == ss["counterfactuals"]  # paired effects, intervals, answer
    assert ms["validation"] == ss["validation"] and ms["events_outside_horizon"] == ss["events_outside_horizon"]
    # the merged manifest vouches for every file (the report follows report.enabled, off here)
    assert verify(m) == [] and not (m / "report.html").exists()
    # the merged config is the one-process config: same hash
    mm, sm = (json.loads((p / "manifest.json").read_text()) for p in (m, single))
    assert mm["config_hash"] == sm["config_hash"] and mm["replicates"] == 20 and len(mm["members"]) == 4
    df = table(d)
    assert sorted(df[df.kind == "job"].chunk.unique().tolist()) == [0, 1, 2, 3]
    rows = df[df.kind == "merged"]
    assert len(rows) == 2 * 3 and (rows.replicates == 20).all()
    r = rows[(rows.scenario == "baseline") & (rows.dyad == "IRN-ISR")].iloc[0]
    assert r.p_rung_3 == ss["scenarios"]["baseline"]["IRN-ISR"]["p_rung_at_least"]["3"]["p"]
    # a merge that fails is listed and the exit is 1 (it was 0)
    import sim.sweep.merge as merge
    from sim.cli import aggregate_main

    shutil.rmtree(m)

    def boom(g, out):
        raise ValueError("chunks disagree")

    monkeypatch.setattr(merge, "merge_group", boom)
    assert aggregate_main([str(d), "--no-report"]) == 1
    monkeypatch.undo()
    # a chunk whose accumulators were damaged after the run
    job = next(p for p in d.iterdir() if (p / "accumulators.npz").exists())
    (job / "accumulators.npz").write_bytes(b"not an npz file")
    # the manifest vouches for the old bytes: the job is then incomplete, and no merge is tried
    assert aggregate_main([str(d), "--no-report"]) == 1


def test_the_shipped_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            cfg = compose(config_name="config", overrides=["hydra/launcher=slurm", "hydra.launcher.partition=cpu"],
                          return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()
    la = cfg.hydra.launcher
    assert la._target_.endswith("SlurmLauncher") and la.partition == "cpu"
    assert la.cpus_per_task == 1 and la.timeout_min > 0 and la.mem_gb > 0
    assert cfg.hydra.callbacks.aggregate._target_ == "sim.sweep.AggregateCallback"


@pytest.mark.slow  # a sweep with every job's report, then all rebuilt
def test_triad_report_rebuilds_a_sweep_directory(tmp_path):
    """`triad-report SWEEP_DIR` writes each finished job's report and the sweep report."""
    import subprocess
    import sys as _sys

    from sim.cli import report_main

    d = tmp_path / "sw"
    proc = subprocess.run([_sys.executable, "-m", "sim", "-m", "ensemble.replicates=5,6", "end=2022-10-15",
                           "report.enabled=false", "record.replicates=2", f"hydra.sweep.dir={d}"],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert not (d / "0" / "report.html").exists()
    assert report_main([str(d)]) == 0
    assert (d / "0" / "report.html").exists() and (d / "1" / "report.html").exists()
    assert (d / "sweep_report.html").exists()
