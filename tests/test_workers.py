"""``ensemble.workers``: ``auto`` (every core) by default, a whole number 1..64 otherwise;
the chunk plan gives every worker a chunk on long jobs; the numbers never change (issue 19)."""
from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import compose_cfg, plain_cfg
from sim.config.build import build_settings
from sim.engine.rng import BLOCK
from sim.engine.settings import Scenario
from sim.errors import ConfigError
from sim.runs import chunking
from sim.runs.chunking import PARALLEL_MIN_REPLICATE_DAYS, plan_chunks
from sim.runs.ensemble import run_ensemble
from sim.runs.job import run


def _cores() -> int:
    return min(len(os.sched_getaffinity(0)), 64)


def test_default_is_auto_every_core():
    assert build_settings(plain_cfg([])).workers == _cores()
    assert build_settings(plain_cfg(["ensemble.workers=auto"])).workers == _cores()
    assert build_settings(plain_cfg(["ensemble.workers=3"])).workers == 3


@pytest.mark.parametrize("value", ["0", "65", "many", "1.5", "true", "-2"])
def test_bad_workers_name_the_key_and_the_allowed_values(value):
    with pytest.raises(ConfigError, match=r"^ensemble.workers: .* is not allowed; allowed: auto \(every core\) "
                                          r"or a whole number in \[1, 64\]$"):
        build_settings(plain_cfg([f"ensemble.workers={value}"]))


def test_chunk_plan():
    days = 639
    big = PARALLEL_MIN_REPLICATE_DAYS // days + 1
    # a long job in one chunk: one chunk per worker, whole random-number blocks but the last
    parts = plan_chunks(0, big, 10**6, 2, days)
    assert len(parts) == 2 and parts[0] == (0, parts[1][0]) and parts[1][1] == big
    assert parts[0][1] % BLOCK == 0
    # enough chunks already, a short job, or one worker: the configured chunks
    assert plan_chunks(0, 100_000, 10_000, 2, days) == [(a, a + 10_000) for a in range(0, 100_000, 10_000)]
    assert plan_chunks(0, 1000, 10_000, 2, days) == [(0, 1000)]
    assert plan_chunks(0, big, 10**6, 1, days) == [(0, big)]
    # a job's share (ensemble.chunk) keeps its own range
    parts = plan_chunks(50_000, 50_000 + big, 10**6, 4, days)
    assert parts[0][0] == 50_000 and parts[-1][1] == 50_000 + big and len(parts) == 4
    assert all(b == c for (_, b), (c, _) in zip(parts, parts[1:]))


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_auto_gives_the_one_worker_bytes(tmp_path):
    """The default (auto: every core) and one worker write the same files, byte for byte."""
    base = ["end=2023-03-31", "report.enabled=false", "ensemble.replicates=300", "ensemble.chunk_size=100",
            "record.replicates=120", "experiment=no_embassy_attack"]
    one, auto = tmp_path / "one", tmp_path / "auto"
    run(compose_cfg([*base, "ensemble.workers=1"]), one)
    run(compose_cfg(base), auto)
    for name in ("stats.parquet", "incidence.parquet", "effects.parquet", "routes.parquet", "summary.json",
                 "trajectories.parquet", "actions.parquet"):
        assert (one / name).read_bytes() == (auto / name).read_bytes(), name


def test_a_job_cut_for_the_workers_gives_the_same_numbers(monkeypatch):
    """One configured chunk cut into two worker chunks (threshold lowered so a small job
    qualifies): the merged statistics equal the single chunk's exactly."""
    monkeypatch.setattr(chunking, "PARALLEL_MIN_REPLICATE_DAYS", 1)
    s = build_settings(plain_cfg(["ensemble.replicates=2100", "ensemble.chunk_size=10000", "end=2022-11-30",
                                  "record.replicates=0"]))
    assert len(plan_chunks(0, 2100, 10_000, 2, s.n_days)) == 2
    one = run_ensemble(s, [Scenario("b", s.events)], workers=1, quiet=True)[0]["b"]
    two = run_ensemble(s, [Scenario("b", s.events)], workers=2, quiet=True)[0]["b"]
    for attr in ("hist", "sums", "reached", "reached_endo"):
        assert np.array_equal(getattr(one.stats, attr), getattr(two.stats, attr)), attr
    assert one.stats.n == two.stats.n == 2100


def test_memory_estimate_counts_the_chunks_held_at_once():
    """Engine state is charged once per chunk in memory at the same time: one for a
    one-chunk job whatever the workers, one per worker when there are enough chunks."""
    from dataclasses import replace

    from sim.runs.ensemble import memory_estimate
    s = build_settings(plain_cfg(["ensemble.replicates=1000", "ensemble.chunk_size=1000"]))
    state = lambda x: memory_estimate(x, 1, 0, 0)["engine state"]  # noqa: E731
    assert state(replace(s, workers=4)) == state(replace(s, workers=1))
    many = replace(s, chunk_size=100)
    assert state(replace(many, workers=4)) == 4 * state(replace(many, workers=1))
