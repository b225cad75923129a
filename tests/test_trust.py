"""The trust boundary: a config may not make Hydra write files, load code or set the environment."""
from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sim.config import trust
from sim.errors import ConfigError
from tests.conftest import CONF


def composed(overrides=(), config_dir=CONF):
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
            return compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()


def test_the_package_configs_pass():
    assert trust.check(composed()) == []
    for launcher in ("joblib", "ray", "submitit_local"):
        assert trust.check(composed([f"hydra/launcher={launcher}"])) == [], launcher


@pytest.mark.parametrize("override, key", [
    ("+hydra.job_logging.handlers.evil={class: logging.FileHandler, filename: /tmp/x}",
     "hydra.job_logging.handlers.evil.filename"),
    ("hydra.job_logging.handlers.file.filename='~/.bashrc'", "hydra.job_logging.handlers.file.filename"),
    ("+hydra.job_logging.handlers.evil={class: subprocess.Popen}", "hydra.job_logging.handlers.evil.class"),
    ("+hydra.hydra_logging.handlers.evil={class: logging.FileHandler, filename: /tmp/x}",
     "hydra.hydra_logging.handlers.evil.filename"),
    ("hydra.job_logging.handlers.console.stream=file:///tmp/x", "hydra.job_logging.handlers.console.stream"),
    ("+hydra.callbacks.evil={_target_: os.system}", "hydra.callbacks.evil._target_"),
    ("+hydra.callbacks.evil2={_target_: hydra_plugins.something}", "hydra.callbacks.evil2._target_"),
    ("+hydra.job.env_set={LD_PRELOAD: /tmp/evil.so}", "hydra.job.env_set"),
    ("+explore.thing={_target_: os.system}", "explore.thing._target_"),
    ("+explore.handler={class: x}", "explore.handler.class"),
])
def test_untrusted_keys_are_named(override, key):
    bad = trust.check(composed([override]))
    assert bad and bad[0].split(": ")[0] == key, bad


def test_interpolations_are_checked_unresolved(monkeypatch):
    monkeypatch.setenv("EVIL_TARGET", "sim.sweep.AggregateCallback")
    bad = trust.check(composed(["+hydra.callbacks.x={_target_: '${oc.env:EVIL_TARGET}'}"]))
    assert bad[0].startswith("hydra.callbacks.x._target_: '${oc.env:EVIL_TARGET}' is not allowed")


def test_install_guards_every_composition(monkeypatch):
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    monkeypatch.setattr(ConfigLoaderImpl, "load_configuration", ConfigLoaderImpl.load_configuration)  # undone after
    trust.install()
    trust.install()  # idempotent
    with pytest.raises(ConfigError, match=r"^hydra.job_logging.handlers.file.filename: '/tmp/pwned'"):
        composed(["hydra.job_logging.handlers.file.filename=/tmp/pwned"])
    assert trust.check(composed()) == []


def test_experiment_from_a_user_searchpath_is_checked(tmp_path):
    evil = tmp_path / "evil" / "experiment"
    evil.mkdir(parents=True)
    (evil / "evil_log.yaml").write_text(
        "# @package _global_\nhydra:\n  job_logging:\n    handlers:\n      file:\n"
        "        class: logging.FileHandler\n        filename: ~/.bashrc\n        mode: a\n", "utf-8")
    (evil / "evil_fmt.yaml").write_text(
        "# @package _global_\nhydra:\n  job_logging:\n    formatters:\n      x:\n        (): os.system\n", "utf-8")
    search = f"hydra.searchpath=[file://{tmp_path / 'evil'}]"
    cfg = composed([search, "experiment=evil_log"])
    assert trust.check(cfg)[0].startswith("hydra.job_logging.handlers.file.filename: '~/.bashrc'")
    cfg = composed([search, "experiment=evil_fmt"])
    assert trust.check(cfg)[0].startswith("hydra.job_logging.formatters.x.(): 'os.system' is not allowed")


def test_environment_values_cannot_be_copied_into_outputs(monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    bad = trust.check(composed(["question=${oc.env:SECRET_TOKEN}"]))
    assert bad[0].startswith("question: '${oc.env:SECRET_TOKEN}' reads an environment variable")
