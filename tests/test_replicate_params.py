"""Per-replicate parameters: replicate r with value v_r is the constant run with v_r."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import deep_update, plain_cfg
from sim.config.build import build_settings
from sim.engine.model import TriadModel
from sim.engine.replicate_params import check, paths
from sim.engine.settings import Scenario
from sim.errors import ConfigError

R = 24


def run(settings, lo=0, hi=R):
    out = []
    TriadModel(settings, Scenario("baseline", settings.events), lo, hi,
               [lambda t, m: out.append(np.concatenate([m.S.ravel(), m.P.ravel(), m.max_rung.ravel()]))]).run()
    return np.array(out).reshape(len(out), -1)


def states(settings, lo=0, hi=R):
    out = []
    TriadModel(settings, Scenario("baseline", settings.events), lo, hi,
               [lambda t, m: out.append((m.S.copy(), m.P.copy(), m.max_rung.copy()))]).run()
    return out


@pytest.mark.parametrize("path, values", [
    ("dynamics.reaction.IRN", (0.012, 0.03)),
    ("dynamics.grievance.AZE_IRN", (0.00522, 0.02)),
    ("decisions.hostility_weight", (6.0, 8.0)),
    ("actors.ISR.capability", (0.85, 0.2)),
    ("dynamics.impulse.hostility", (0.15, 0.4)),
])
def test_each_replicate_is_its_constant_run(path, values):
    base_cfg = plain_cfg(["end=2023-06-30", f"ensemble.replicates={R}"])
    v = np.where(np.arange(R) % 2 == 0, values[0], values[1])
    mixed = replace(build_settings(base_cfg), replicate_values={path: v})
    got = states(mixed)
    for val, parity in ((values[0], 0), (values[1], 1)):
        node, *keys = path.split(".")
        patch = val
        for k in reversed(keys):
            patch = {k: patch}
        const = build_settings(deep_update(base_cfg, {node: patch}))
        ref = states(const)
        sel = np.arange(R) % 2 == parity
        # the per-replicate exact step sums in another order than the shared one's BLAS
        # product: equal to rounding, and every decision the same
        for (S1, P1, M1), (S2, P2, M2) in zip(got, ref):
            np.testing.assert_allclose(S1[..., sel], S2[..., sel], rtol=0, atol=1e-12)
            np.testing.assert_allclose(P1[..., sel], P2[..., sel], rtol=0, atol=1e-12)
            assert np.array_equal(M1[..., sel], M2[..., sel])


def test_constant_per_replicate_values_equal_constant_run():
    cfg = plain_cfg(["end=2023-04-30", f"ensemble.replicates={R}"])
    s = build_settings(cfg)
    const = {p: np.full(R, v) for p, v in {"dynamics.restraint.AZE": 0.025, "decisions.deterrence_weight": 2.0,
                                            "dynamics.noise.hostility": 0.01}.items()}
    a, b = run(s), run(replace(s, replicate_values=const))
    assert np.array_equal(a, b)


def test_per_replicate_values_are_chunk_invariant():
    cfg = plain_cfg(["end=2023-03-31", "ensemble.replicates=40"])
    v = np.linspace(0.005, 0.03, 40)
    s = replace(build_settings(cfg), replicate_values={"dynamics.reaction.AZE": v})
    whole = states(s, 0, 40)
    part = states(s, 13, 29)
    for (S1, *_), (S2, *_) in zip(whole, part):
        assert np.array_equal(S1[..., 13:29], S2)


def test_bad_paths_and_shapes():
    actors = ("ISR", "AZE", "IRN")
    assert "dynamics.grievance.IRN_AZE" in paths(actors)
    with pytest.raises(ConfigError, match="ladder.thresholds: cannot vary by replicate"):
        check({"ladder.thresholds": np.zeros(5)}, actors, 5)
    with pytest.raises(ConfigError, match=r"needs one value per replicate \(5\)"):
        check({"dynamics.reaction.IRN": np.zeros(4)}, actors, 5)
