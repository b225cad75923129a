"""The run-time estimate: its arithmetic, and the refusal of runs over ensemble.max_hours."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sim.config.build import build_settings
from sim.engine.settings import Scenario
from sim.errors import ConfigError
from sim.runs import estimate as E
from tests.conftest import plain_cfg


@pytest.fixture(scope="module")
def settings():
    return build_settings(plain_cfg(["ensemble.replicates=1000"]))


def test_estimate_is_the_two_term_model(settings):
    s = replace(settings, replicates=10**12, chunk_size=10_000, workers=2)
    est = E.estimate(s, [Scenario("baseline", s.events)])
    assert est.per_replicate_day > 0 and est.per_day >= 0
    chunks = math.ceil(10**12 / 10_000)
    expected = (chunks * s.n_days * est.per_day + 10**12 * s.n_days * est.per_replicate_day) / 2
    assert est.seconds == pytest.approx(expected, rel=1e-12)
    assert (est.replicates, est.days, est.chunks, est.workers) == (10**12, s.n_days, chunks, 2)
    # a trillion replicate-days cannot run in two hours on any machine this code runs on
    assert est.hours > 2
    with pytest.raises(ConfigError, match=r"^ensemble.max_hours: this run would take about \d+ (days|years) "
                                          r"\(1000000000000 replicates x 639 days"):
        E.check_time(est, 2.0)


def test_a_split_job_is_estimated_on_its_own_replicates(settings):
    s = replace(settings, replicates=100_000, chunks=10, chunk=3)
    est = E.estimate(s, [Scenario("baseline", s.events)])
    assert est.replicates == 10_000


def test_durations_read_in_sensible_units():
    assert [E._duration(x) for x in (5, 600, 5 * 3600, 10 * 86400, 1e10)] == ["5 s", "10 min", "5.0 h", "10 days",
                                                                            "317 years"]
