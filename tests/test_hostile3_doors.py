"""Every entry point goes through the same validation function, ``sim.config.door.check``
(docs/security.md): each door is called with a recorder that refuses, and must stop there
with that refusal, before it composes, simulates, reads or writes anything else."""
from __future__ import annotations

import pytest

from sim.config import door
from sim.errors import ConfigError
from tests.hostile3 import cli


class Recorded(ConfigError):
    pass


@pytest.fixture
def recorder(monkeypatch):
    seen: list[tuple[str, tuple[str, ...]]] = []

    def check(name, **kw):
        seen.append((name, tuple(sorted(k for k, v in kw.items() if v is not None and v is not False))))
        raise Recorded("door", f"{name} recorded")

    monkeypatch.setattr(door, "check", check)
    return seen


def test_cli_goes_through_the_door(recorder, capsys, monkeypatch, tmp_path):
    code, err = cli(["ensemble.replicates=2", f"hydra.run.dir={tmp_path / 'r'}"], capsys, monkeypatch)
    assert code == 2 and err == "triad: error: door: cli recorded\n"
    assert recorder == [("cli", ("overrides",))] and not (tmp_path / "r").exists()


def test_api_goes_through_the_door(recorder):
    import sim

    with pytest.raises(Recorded):
        sim.run(replicates=2)
    with pytest.raises(Recorded):
        sim.run(config={"question": "q"}, replicates=2)  # a whole config: checked as composed
    assert recorder == [("api", ("overrides",)), ("api", ("config",))]


def test_api_save_goes_through_the_door(recorder, monkeypatch, tmp_path):
    from sim.api.result import Result

    r = Result.__new__(Result)
    with pytest.raises(Recorded):
        r.save(tmp_path / "out")
    assert recorder == [("api", ("directory",))] and not (tmp_path / "out").exists()


def test_explorer_goes_through_the_door(recorder):
    from sim.ui import compute
    from sim.ui.scenario import Scenario

    with pytest.raises(Recorded):
        compute.simulate(Scenario(replicates=2))
    assert recorder == [("explorer", ("config",))]


def test_report_and_aggregate_go_through_the_door(recorder, tmp_path, capsys):
    from sim.cli import aggregate_main, report_main

    (tmp_path / "job" / ".hydra").mkdir(parents=True)
    (tmp_path / "job" / ".hydra" / "overrides.yaml").write_text("- ensemble.seed=1\n")
    assert report_main([str(tmp_path)]) == 2
    assert aggregate_main([str(tmp_path)]) == 2
    assert recorder == [("report", ("directory",)), ("aggregate", ("directory", "sweep"))]
    assert capsys.readouterr().err.count("recorded") == 2


def test_the_doors_are_the_documented_ones():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text("utf-8")
    for name in door.DOORS:
        assert f"`{name}`" in text, name


def test_exploration_save_goes_through_the_door(recorder, tmp_path):
    from sim.api.exploration import Exploration

    e = Exploration.__new__(Exploration)
    with pytest.raises(Recorded):
        e.save(tmp_path / "out")
    assert recorder == [("api", ("directory",))] and not (tmp_path / "out").exists()
    recorder.clear()
    from sim.io.places import PACKAGE

    with pytest.raises(ConfigError, match="conf/ folder"):  # before the door: the forbidden folders
        e.save(PACKAGE.parent / "nonexistent" / ".." / "conf")
