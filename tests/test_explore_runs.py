"""The three exploration experiments end to end, at tiny budgets, as the CLI composes them."""
from __future__ import annotations

import json

import pytest
import yaml
from omegaconf import OmegaConf

from conftest import compose_cfg
from sim.config.build import build_settings
from sim.config.validate import validate
from sim.errors import ConfigError
from sim.runs.job import run

TINY = {
    "sensitivity": ["end=2022-11-30", "explore.horizon_months=2", "explore.sobol.n=4", "explore.morris.trajectories=2",
                    "explore.replicates_per_sample=3", "explore.outputs=[p_rung_3,tension_end]",
                    "explore.focus=p_rung_3.IRN-ISR"],
    "discovery": ["end=2022-11-30", "explore.horizon_months=2", "explore.samples=24", "explore.replicates_per_sample=4",
                  "explore.target.output=p_rung_3", "explore.threshold=0.5", "explore.engine=triad"],
    "calibrate": ["end=2022-12-31", "explore.cut=2022-12", "explore.replicates_per_sample=4",
                  "explore.walkers=6", "explore.steps=3", "explore.burn=1"],
}


@pytest.mark.parametrize("name", list(TINY))
def test_experiment_writes_its_outputs(name, tmp_path):
    cfg = compose_cfg([f"experiment={name}", *TINY[name]])
    summ = run(cfg, tmp_path)
    files = {p.name for p in tmp_path.iterdir()}
    assert {"summary.json", "manifest.json", "config.yaml", "samples.parquet", "report.html"} <= files
    ex = summ["exploration"]
    assert ex["method"] == name and ex["answer"] and ex["question"]
    assert 1 <= len(summ["headline"]) <= 4 and "validation" in summ  # calibrate adds the likelihood-movement line (issue 22)
    for f in ex["figures"]:
        assert (tmp_path / f["png"]).stat().st_size > 0 and (tmp_path / f["svg"]).exists() and f["caption"]
    assert json.loads((tmp_path / "summary.json").read_text())["exploration"]["method"] == name
    man = tmp_path / "manifest.json"
    assert all(man.stat().st_mtime_ns >= (tmp_path / f).stat().st_mtime_ns for f in files)  # written last
    html = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in html or not ex["figures"]
    from sim.report.page import CSS

    assert f"<title>triad exploration: {name}</title>" in html and CSS in html  # the run report's page
    assert html.count("<figure id='fig-") == len(ex["figures"])
    if name == "calibrate":
        text = (tmp_path / "calibrated.yaml").read_text()
        assert text.startswith("# @package _global_")
        plain = validate(OmegaConf.merge(compose_cfg(), yaml.safe_load(text)))
        build_settings(plain)  # the calibrated config is a valid config
        for path, v in ex["parameters"].items():
            node = plain
            for k in path.split("."):
                node = node[k]
            assert node == pytest.approx(v, rel=1e-5)


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_sensitivity_results_are_reproducible(tmp_path):
    cfg = compose_cfg(["experiment=sensitivity", *TINY["sensitivity"], "explore.morris.trajectories=0"])
    a = run(cfg, tmp_path / "a")["exploration"]
    b = run(cfg, tmp_path / "b")["exploration"]
    assert a["sobol"] == b["sobol"] and a["variance_split"] == b["variance_split"]


@pytest.mark.parametrize("override, key", [
    ("+explore.bogus=1", "explore.bogus"),
    ("explore.parameters={decisions.memory.half_life_days:[60,10]}", "explore.parameters.decisions.memory.half_life_days"),
    ("explore.sobol.n=6", "explore.sobol.n"),
    ("explore.replicates_per_sample=1", "explore.replicates_per_sample"),
    ("explore.horizon_months=30", "explore.horizon_months"),
])
def test_config_errors_name_the_key(override, key, tmp_path):
    cfg = compose_cfg(["experiment=sensitivity", *TINY["sensitivity"], override])
    with pytest.raises(ConfigError) as e:
        run(cfg, tmp_path)
    assert e.value.key == key
