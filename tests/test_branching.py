"""The retaliation cascade's branching ratio (docs/design/escalation.md §2.4): the spectral
radius of the pair's mean-offspring matrix, checked when a config is loaded."""
from __future__ import annotations

import math

import pytest

from conftest import plain_cfg
from sim.config.branching import branching_ratios, offspring_matrix, pair_matrix, spectral_radius
from sim.config.build import build_settings
from sim.errors import ConfigError

SPREAD = (0.2, 0.6, 0.2)


def _rho_45(n4: float, n5: float) -> float:
    """Closed form with only rungs 4 and 5 excited: a rung-4 act is answered at 3/4/5 with
    0.2/0.6/0.2, a rung-5 act at 4/5 with 0.25/0.75 (rung 6 is never a reply); rung 3 feeds
    nothing back, so ρ is that of [[0.6 n4, 0.25 n5], [0.2 n4, 0.75 n5]]."""
    tr, det = 0.6 * n4 + 0.75 * n5, 0.6 * n4 * 0.75 * n5 - 0.25 * n5 * 0.2 * n4
    return (tr + math.sqrt(tr * tr - 4 * det)) / 2


@pytest.mark.parametrize("n4,n5", [(1.0, 1.0), (0.4, 0.6), (0.0, 1.2), (1.5, 0.0), (0.9, 1.3)])
def test_spectral_radius_matches_the_closed_form(n4, n5):
    N = offspring_matrix([0, 0, 0, n4, n5, 0], SPREAD)
    assert N.sum(axis=0) == pytest.approx([0, 0, 0, n4, n5, 0])  # a column sums to its excitation
    assert spectral_radius(N) == pytest.approx(_rho_45(n4, n5), abs=1e-12)
    # deterrence moves replies between the two sides, never the pair's ratio (g_ij g_ji = 1)
    for gap in (0.0, 0.2, 0.7):
        g = math.exp(1.3 * gap)
        assert spectral_radius(pair_matrix(N, g, 1 / g)) == pytest.approx(_rho_45(n4, n5), abs=1e-9)
    # an actor that keeps no memory answers nothing: no cascade
    assert spectral_radius(pair_matrix(N, 1.0, 1.0, j_replies=False)) == 0.0


def test_one_excitation_above_one_can_still_die_out():
    # n5 = 1.2 alone: a rung-5 act's replies fall on 4 (0.25) and 5 (0.75): ρ = 0.9 < 1
    assert _rho_45(0.0, 1.2) == pytest.approx(0.9)
    s = build_settings(plain_cfg([f"decisions.memory.excitation.{k}=0" for k in (1, 2, 3, 4)]
                                 + ["decisions.memory.excitation.5=1.2", "decisions.memory.cross_target=0"]))
    assert list(branching_ratios(s.params, s.actors).values()) == [pytest.approx(0.9)] * 3


def test_cross_target_network_ratio():
    """Issue 21: with cross_target 0 the network's ratio is the pairs' (replies stay in the
    pair); it grows with the channel, and a channel that would not die out is refused."""
    from sim.config.branching import network_ratio
    s = build_settings(plain_cfg(["decisions.memory.cross_target=0"]))
    assert network_ratio(s.params, s.actors) == pytest.approx(max(branching_ratios(s.params, s.actors).values()))
    lo = build_settings(plain_cfg(["decisions.memory.cross_target=0.1"]))
    hi = build_settings(plain_cfg(["decisions.memory.cross_target=0.5"]))
    assert network_ratio(s.params, s.actors) < network_ratio(lo.params, lo.actors) < network_ratio(hi.params, hi.actors)
    with pytest.raises(ConfigError, match="^decisions.memory.cross_target: branching ratio"):
        build_settings(plain_cfg(["decisions.memory.cross_target=1", "decisions.memory.excitation.5=1.2"]))


def test_default_ratio_is_the_designs():
    s = build_settings(plain_cfg())
    rho = branching_ratios(s.params, s.actors)
    assert set(rho) == {"AZE-IRN", "AZE-ISR", "IRN-ISR"}
    # design §2.4: 0.556 for every pair; issue 21 scaled every excitation by 0.477 (ρ is linear in it)
    assert all(r == pytest.approx(0.556 * 0.477, abs=1e-3) for r in rho.values())


def test_a_cascade_that_would_not_die_out_is_refused_naming_the_key():
    over = [f"decisions.memory.excitation.{k}=0" for k in (1, 2, 3)] + [
        "decisions.memory.excitation.4=1.3", "decisions.memory.excitation.5=1.3"]
    expected = _rho_45(1.3, 1.3)
    assert expected > 1
    with pytest.raises(ConfigError) as err:
        build_settings(plain_cfg(over))
    msg = str(err.value)
    assert msg.startswith("decisions.memory.excitation: branching ratio ") and "\n" not in msg
    assert f"{expected:.3f} >= 1" in msg
    # the same excitation is fine for a run whose rules keep no memory
    ok = build_settings(plain_cfg([*over, "decisions=ordered_logit"]))
    assert branching_ratios(ok.params, ok.actors) == {d: 0.0 for d in ("AZE-IRN", "AZE-ISR", "IRN-ISR")}
