"""Spec §6: the same seed gives the same bytes; replicate r depends only on (seed, r)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import compose_cfg, deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine.settings import Scenario
from sim.io.tables import stats_frame
from sim.runs.ensemble import run_ensemble
from sim.runs.job import run

SHORT = ["end=2023-06-30", "report.enabled=false"]


def test_same_seed_same_bytes(tmp_path):
    cfg = compose_cfg([*SHORT, "ensemble.replicates=120", "record.replicates=20"])
    a, b = tmp_path / "a", tmp_path / "b"
    run(cfg, a)
    run(cfg, b)
    for name in ("stats.parquet", "incidence.parquet", "summary.json", "trajectories.parquet", "actions.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = tmp_path / "c"
    run(compose_cfg([*SHORT, "ensemble.replicates=120", "record.replicates=20", "ensemble.seed=1"]), c)
    assert (a / "stats.parquet").read_bytes() != (c / "stats.parquet").read_bytes()


def _first_replicates(tmp_path, name, overrides):
    out = tmp_path / name
    run(compose_cfg([*SHORT, "record.replicates=50", *overrides]), out)
    traj = pd.read_parquet(out / "trajectories.parquet")
    acts = pd.read_parquet(out / "actions.parquet")
    traj = traj[traj.replicate < 50].reset_index(drop=True)
    acts = acts[acts.replicate < 50].reset_index(drop=True)
    return traj, acts


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_replicates_do_not_depend_on_count_or_chunking(tmp_path):
    ref_t, ref_a = _first_replicates(tmp_path, "r50", ["ensemble.replicates=50"])
    assert len(ref_a) > 0 and ref_t.replicate.nunique() == 50
    for name, ov in {
        "r500": ["ensemble.replicates=500"],
        "r500_chunks_of_7": ["ensemble.replicates=500", "ensemble.chunk_size=7"],
        "r1100_chunks_of_333": ["ensemble.replicates=1100", "ensemble.chunk_size=333"],
        "split_job_0_of_4": ["ensemble.replicates=500", "ensemble.chunks=4", "ensemble.chunk=0"],
    }.items():
        t, a = _first_replicates(tmp_path, name, ov)
        pd.testing.assert_frame_equal(t, ref_t, check_exact=True, obj=name)
        pd.testing.assert_frame_equal(a, ref_a, check_exact=True, obj=name)


def test_chunked_statistics_merge_exactly():
    cfg = plain_cfg([*SHORT, "ensemble.replicates=300", "record.replicates=0"])
    frames = []
    for size in (300, 64, 1000):
        s = build_settings(deep_update(cfg, {"ensemble": {"chunk_size": size}}))
        res = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"]
        frames.append(stats_frame("baseline", res.stats, s.dates))
        assert res.stats.n == 300
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
    pd.testing.assert_frame_equal(frames[0], frames[2], check_exact=True)


def test_split_jobs_merge_to_the_single_run():
    """Four jobs of one ensemble merge (integer counts) into exactly the one-process result."""
    cfg = plain_cfg([*SHORT, "ensemble.replicates=200", "record.replicates=0"])
    whole_s = build_settings(cfg)
    whole = run_ensemble(whole_s, [Scenario("baseline", whole_s.events)])[0]["baseline"].stats
    merged = None
    for c in range(4):
        s = build_settings(deep_update(cfg, {"ensemble": {"chunks": 4, "chunk": c}}))
        part = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    assert np.array_equal(merged.hist, whole.hist)
    assert np.array_equal(merged.sums, whole.sums)
    assert np.array_equal(merged.reached, whole.reached)
    pd.testing.assert_frame_equal(stats_frame("b", merged, whole_s.dates), stats_frame("b", whole, whole_s.dates),
                                  check_exact=True)


def test_reordering_actors_permutes_results():
    """Random numbers are keyed by actor codes, so config order does not matter."""
    cfg = plain_cfg([*SHORT, "ensemble.replicates=64", "record.replicates=0"])
    order = ["IRN", "ISR", "AZE"]
    flipped = dict(cfg)
    flipped["actors"] = {a: cfg["actors"][a] for a in order}
    frames = []
    for c in (cfg, flipped):
        s = build_settings(c)
        st = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
        frames.append(stats_frame("b", st, s.dates).sort_values(["variable", "source", "target", "date"])
                      .reset_index(drop=True))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_two_workers_give_the_one_process_result(tmp_path):
    """Chunks simulated in two processes merge into exactly the sequential result."""
    base = [*SHORT, "ensemble.replicates=300", "ensemble.chunk_size=100", "record.replicates=120",
            "experiment=no_embassy_attack"]
    one, two = tmp_path / "one", tmp_path / "two"
    run(compose_cfg(base), one)
    run(compose_cfg([*base, "ensemble.workers=2"]), two)
    for name in ("stats.parquet", "incidence.parquet", "effects.parquet", "routes.parquet", "summary.json",
                 "trajectories.parquet", "actions.parquet"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
