"""The step API (sim.model): a small ensemble stepped by hand is the ensemble run, day by
day, and its Mesa agents show the state the docs describe."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sim

R = 6
OVERRIDES = ["end=2023-02-28", "ensemble.seed=11", f"record.replicates={R}", "counterfactual=no_embassy_attack"]
ATTACK = dt.date(2023, 1, 27)  # tehran_embassy_attack, IRN -> AZE, CAMEO 180 (rung 4), attribution 0.5


@pytest.fixture(scope="module")
def run():
    return sim.run(overrides=OVERRIDES, replicates=40)  # more replicates than stepped: the first R are the same


@pytest.mark.parametrize("scenario", ["baseline", "no_embassy_attack"])
def test_stepping_by_hand_is_the_ensemble_run(run, scenario):
    traj = run.trajectories
    traj = traj[traj["scenario"] == scenario]
    acts = run.actions
    acts = acts[(acts["scenario"] == scenario) & (acts["origin"] == "endogenous") & (acts["rung"] > 0)]
    m = sim.model(overrides=OVERRIDES, replicates=R, scenario=scenario)
    assert (m.day, m.date, m.replicates) == (0, None, R)
    n_acts = 0
    while not m.done:
        m.step()
        want = traj[traj["date"] == pd.Timestamp(m.date)].reset_index(drop=True)
        pd.testing.assert_frame_equal(m.state(), want, check_exact=True)
        # agent.rung is the day's hostile act toward each actor: exactly the endogenous acts recorded
        got = {(a.code, m.actors[j], r, int(a.rung[j, r])) for a in m.agents
               for j, r in zip(*np.nonzero(a.rung))}
        today = acts[acts["date"] == pd.Timestamp(m.date)]
        assert got == set(zip(today["source"], today["target"], today["replicate"], today["rung"])), m.date
        n_acts += len(got)
    assert m.day == m.settings.n_days and m.date == dt.date(2023, 2, 28)
    assert n_acts > 0
    with pytest.raises(RuntimeError, match="horizon ends"):
        m.step()


def test_agents_show_the_documented_state(run):
    m = sim.model(overrides=OVERRIDES, replicates=R)
    assert [a.code for a in m.agents] == list(m.actors) == ["ISR", "AZE", "IRN"]
    aze, irn = m.agent("AZE"), m.agent("IRN")
    i_irn = m.actors.index("IRN")
    m.run((ATTACK - m.settings.start).days)  # up to the day before the attack
    assert m.date == ATTACK - dt.timedelta(days=1)
    before_mem, before_p = aze.memory.copy(), aze.provocation.copy()
    m.step()
    assert m.date == ATTACK
    acts = run.actions
    hit = acts[(acts["scenario"] == "baseline") & (acts["event_id"] == "tehran_embassy_attack")
               & (acts["replicate"] < R)]
    attributed = sorted(hit["replicate"])
    assert 0 < len(attributed) < R  # attribution 0.5: some replicates take it as Iran's act
    assert (hit["rung"] == 4).all() and (hit["date"] == pd.Timestamp(ATTACK)).all()
    # AZE's memory of rung-4 acts received from IRN jumps in those replicates, and only there
    jump = aze.memory[i_irn, 3] - before_mem[i_irn, 3]
    assert (jump[attributed] > 0.5).all()
    others = [r for r in range(R) if r not in attributed]
    assert (jump[others] <= 0).all()
    assert (aze.provocation[i_irn, attributed] > before_p[i_irn, attributed]).all()
    # the arrays are the model's state, read-only; hostility is the trajectories' row
    assert aze.hostility.shape == (3, R) and np.all(aze.hostility[m.actors.index("AZE")] == 0)
    state = m.state()
    row = state[(state["source"] == "AZE") & (state["target"] == "IRN")]
    np.testing.assert_array_equal(aze.hostility[i_irn], row["hostility"].to_numpy())
    np.testing.assert_array_equal(irn.cooperation[m.actors.index("AZE")],
                                  state[(state["source"] == "IRN") & (state["target"] == "AZE")]["cooperation"])
    with pytest.raises(ValueError):
        aze.hostility[0, 0] = 1.0
    t = m.tension()
    assert set(t.index) == {"AZE-ISR", "IRN-ISR", "AZE-IRN"} and list(t.columns) == list(range(R))
    np.testing.assert_array_equal(t.loc["AZE-IRN"], 0.5 * (aze.hostility[i_irn] + irn.hostility[m.actors.index("AZE")]))
    hr = m.highest_rung()
    assert (hr.loc["AZE-IRN", attributed] >= 4).all()


def test_unknown_scenario_and_actor():
    from sim.errors import ConfigError

    with pytest.raises(ConfigError, match="scenarios: baseline"):
        sim.model(overrides=["end=2022-09-30"], replicates=1, scenario="nope")
    with pytest.raises(KeyError, match="actors: ISR, AZE, IRN"):
        sim.model(overrides=["end=2022-09-30"], replicates=1).agent("ARM")
