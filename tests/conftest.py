"""Shared helpers: compose the real configs (as the CLI does) and build settings."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sim.config.build import build_settings
from sim.config.locate import conf_dir, register_experiments
from sim.config.validate import validate

ROOT = Path(__file__).resolve().parent.parent
# no figure cache unless a test asks for one (tests/test_figure_cache.py): a test that draws a
# figure (or breaks its drawing on purpose) must draw it, and nothing goes to ~/.cache;
# set before any test starts a process, so every `triad` the tests run inherits it
os.environ["TRIAD_FIGURE_CACHE"] = "off"
CONF = conf_dir()
ARTICLE = ROOT.parent / "shared" / "source" / "article.txt"


def compose_cfg(overrides=()):
    register_experiments()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            return compose(config_name="config", overrides=list(overrides))
    finally:
        GlobalHydra.instance().clear()


def plain_cfg(overrides=()):
    return validate(compose_cfg(overrides))


def deep_update(d: dict, patch: dict) -> dict:
    out = copy.deepcopy(d)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not v.get("__replace__"):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = {kk: vv for kk, vv in v.items() if kk != "__replace__"} if isinstance(v, dict) else v
    return out


def two_actor_cfg(a, b, k, l, g, h, x0, y0, days=400, **extra):
    """A pure Richardson pair AAA/BBB: no noise, balance, damping, events or decisions."""
    base = plain_cfg(["events=none", "decisions.enabled=false"])
    R = {"__replace__": True}
    patch = {
        "start": "2020-01-01",
        "end": str(__import__("datetime").date(2020, 1, 1) + __import__("datetime").timedelta(days=days - 1)),
        "actors": {**R, "AAA": {"name": "A", "capability": 0.5}, "BBB": {"name": "B", "capability": 0.5}},
        "dynamics": {
            "reaction": {**R, "AAA": k, "BBB": l},
            "restraint": {**R, "AAA": a, "BBB": b},
            "balance": {**R, "default": 0.0},
            "cooperation_damping": {**R, "default": 0.0},
            "reciprocity": {**R, "default": 0.01},
            "decay": {**R, "default": 0.02},
            "hostility_drag": {**R, "default": 0.005},
            "grievance": {**R, "AAA_BBB": g, "BBB_AAA": h},
            "affinity": {**R, "default": 0.003},
            "initial": {"hostility": {**R, "AAA_BBB": x0, "BBB_AAA": y0},
                        "cooperation": {**R, "default": 0.2}, "status": {**R}},
            "noise": {"hostility": 0.0, "cooperation": 0.0},
        },
    }
    return deep_update(deep_update(base, patch), extra)


def with_armenia(cfg: dict, initial_hostility: float) -> dict:
    """``cfg`` with a fourth actor (ARM): AZE's per-actor rates, 0.002 grievance/affinity
    and the given initial hostility for the pairs it adds."""
    dy = cfg["dynamics"]
    patch = {"actors": {"ARM": {"name": "Armenia", "capability": 0.3}}, "dynamics": {}}
    for k in ("reaction", "restraint", "balance", "cooperation_damping", "reciprocity", "decay", "hostility_drag"):
        patch["dynamics"][k] = {"ARM": dy[k]["AZE"]}
    for k in ("grievance", "affinity"):
        patch["dynamics"][k] = {"default": 0.002}
    patch["dynamics"]["initial"] = {"hostility": {"default": initial_hostility}, "cooperation": {"default": 0.2}}
    return deep_update(cfg, patch)


@pytest.fixture(scope="session")
def default_plain():
    return plain_cfg()


@pytest.fixture(scope="session")
def default_settings(default_plain):
    return build_settings(default_plain)


# -- running under pytest-xdist (make test: -n auto --dist loadgroup) ------------------------
# Which tests share a worker: tests/xdist_groups.py (a file's tests together, bad-input cases
# one by one, the tests around experiments/ in one group).
@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist_groups import make_scheduler

    return make_scheduler(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("wheel") or item.get_closest_marker("calibration"):
            item.add_marker(pytest.mark.slow)
