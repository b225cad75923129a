"""Did-you-mean suggestions name the closest valid names and list every valid one."""
from __future__ import annotations

from sim.config.suggest import unknown_key, unknown_option

TREE = {"dynamics": {"reaction": {"IRN": 0.01, "ISR": 0.02}, "restraint": {"IRN": 0.1}, "noise": {"hostility": 0.0}},
        "ensemble": {"replicates": 1000, "seed": 0}}


def test_misspelled_key_gets_a_suggestion_and_the_valid_keys():
    assert unknown_key("dynamics.reactoin.IRN", TREE) == (
        "dynamics.reactoin.IRN: unknown key 'reactoin' in dynamics; did you mean 'dynamics.reaction'? "
        "valid keys: noise, reaction, restraint")
    assert unknown_key("ensemble.replicatse", TREE).startswith(
        "ensemble.replicatse: unknown key 'replicatse' in ensemble; did you mean 'ensemble.replicates'?")


def test_misspelled_actor_code_gets_the_actor_codes():
    msg = unknown_key("dynamics.reaction.IRX", TREE)
    assert msg.startswith("dynamics.reaction.IRX: unknown key 'IRX' in dynamics.reaction; did you mean")
    assert msg.endswith("valid keys: IRN, ISR")


def test_nothing_close_lists_all_and_existing_keys_pass():
    assert unknown_key("zzz", TREE) == "zzz: unknown key 'zzz' in the config; valid keys: dynamics, ensemble"
    assert unknown_key("dynamics.reaction.IRN", TREE) is None
    assert unknown_key("ensemble.seed.x", TREE) == "ensemble.seed.x: ensemble.seed is a value, not a group of keys"


def test_unknown_option_hides_internal_files():
    msg = unknown_option("counterfactual", "no_embasy", ["_common", "none", "no_embassy_attack", "no_herzog_visit"])
    assert msg == ("counterfactual: unknown option 'no_embasy'; did you mean 'counterfactual=no_embassy_attack'? "
                   "options: no_embassy_attack, no_herzog_visit, none")
