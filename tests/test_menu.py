"""Issue 21: the ladder's mapping of CAMEO 17x and 20, and the status-aware act menu (a state
never breaks diplomatic relations it does not have)."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import plain_cfg
from sim.config.build import build_settings
from sim.engine import cameo
from sim.engine.model import TriadModel
from sim.engine.settings import Scenario
from sim.errors import ConfigError
from sim.runs.record import Recorder


@pytest.mark.parametrize("code, rung", [("170", 2), ("172", 2), ("173", 2), ("174", 2), ("171", 4), ("1712", 4),
                                        ("175", 4), ("180", 4), ("190", 5), ("200", 5), ("202", 5), ("2042", 5),
                                        ("201", 2), ("161", 2), ("138", 3)])
def test_violent_coercion_and_mass_violence_rungs(default_settings, code, rung):
    assert default_settings.ladder.rung_of(code) == rung


def test_no_code_maps_to_war(default_settings):
    """War (rung 6) is a state of the dyad (rung-5 days sustained), never a single coded act."""
    assert 6 not in default_settings.ladder.roots.values()


def _actions(overrides, replicates=256):
    s = build_settings(plain_cfg(["events=none", "end=2023-08-31", *overrides]))
    rec = Recorder(s, 0, replicates, trajectories=False)
    TriadModel(s, Scenario("baseline", s.events), 0, replicates, observers=[rec.observe]).run()
    return rec.actions("baseline")


def test_menu_never_breaks_relations_that_do_not_exist():
    """ISR and IRN have had no embassies since 1979: their rung-2 acts are sanctions (163),
    never 'reduce or break diplomatic relations' (161); AZE-IRN, with embassies, keeps 161."""
    a = _actions([])
    endo = a[a.origin == "endogenous"]
    isr_irn = endo[endo.source.isin(["ISR", "IRN"]) & endo.target.isin(["ISR", "IRN"])]
    assert (isr_irn.rung == 2).sum() > 0  # the check is not vacuous
    assert not (isr_irn.cameo == "161").any()
    assert set(isr_irn.cameo[isr_irn.rung == 2]) == {"163"}
    assert np.all(isr_irn.goldstein[isr_irn.rung == 2] == cameo.lookup("163").goldstein)
    aze_irn = endo[endo.source.isin(["AZE", "IRN"]) & endo.target.isin(["AZE", "IRN"]) & (endo.rung == 2)]
    assert len(aze_irn) > 0 and set(aze_irn.cameo) == {"161"}


def test_menu_follows_the_status_during_the_run():
    """An embassy opened by an event gives the dyad relations: 161 is possible from that day."""
    opened = ["dynamics.initial.status.ISR_IRN.embassy=open"]
    a = _actions(opened, replicates=128)
    endo = a[(a.origin == "endogenous") & (a.rung == 2) & a.source.isin(["ISR", "IRN"]) & a.target.isin(["ISR", "IRN"])]
    assert len(endo) > 0 and set(endo.cameo) == {"161"}


def test_menu_config_is_checked():
    with pytest.raises(ConfigError, match="ladder.acts_without_relations.2"):
        build_settings(plain_cfg(["ladder.acts_without_relations.2=051"]))
    with pytest.raises(ConfigError, match="ladder.acts_without_relations.9"):
        build_settings(plain_cfg(["+ladder.acts_without_relations.9=163"]))
