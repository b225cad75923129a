"""``triad`` / ``python -m sim``: the Hydra app. A thin shell around ``app.main_task``."""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import hydra
import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.config.locate import conf_dir, register_experiments
from sim.runs.job import main_task

CONF_DIR = str(conf_dir())


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def _main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    # in a multirun a failing job is recorded and the sweep goes on (see app.main_task)
    main_task(cfg, hc.runtime.output_dir, multirun=hc.mode == RunMode.MULTIRUN)


# What a `_target_` in the composed config may name: Hydra's own plugins and our callback.
# Anything else (an experiment setting `_target_: os.system`, say) is refused before Hydra
# instantiates it.
SWEEP_FUNCTION = re.compile(r"^\s*(range|choice|glob|interval|shuffle|sort|tag)\(")
ALLOWED_TARGETS = ("hydra._internal.", "hydra_plugins.", "sim.sweep.AggregateCallback")


def forbidden_targets(node, path: str = "") -> list[str]:
    """Dotted paths of `_target_` values outside ALLOWED_TARGETS."""
    from omegaconf import DictConfig, ListConfig

    bad = []
    if isinstance(node, DictConfig):
        for key in node.keys():
            value = node._get_node(key)
            sub = f"{path}.{key}" if path else str(key)
            if key == "_target_":
                target = str(node[key])
                if not target.startswith(ALLOWED_TARGETS):
                    bad.append(f"{sub}: {target!r} is not allowed; allowed: {', '.join(ALLOWED_TARGETS)}")
            else:
                bad += forbidden_targets(value, sub)
    elif isinstance(node, ListConfig):
        for k in range(len(node)):
            bad += forbidden_targets(node._get_node(k), f"{path}[{k}]")
    return bad


def precheck(overrides: list[str], try_output: bool = True) -> str | None:
    """Compose a single run's config as Hydra will, and try its output directory, so a
    typo, a missing experiment, a YAML error or an unwritable directory is one clear line
    (exit 2) instead of Hydra's exit 1 or a traceback. None when all is well."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    broken = register_experiments()
    chosen = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0].lstrip("+") == "experiment"]
    if chosen and chosen[-1] in broken:
        return broken[chosen[-1]]
    try:
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            cfg = compose(config_name="config", overrides=overrides, return_hydra_config=True)
        bad = forbidden_targets(cfg)
        if bad:
            return bad[0]
        run_dir = Path(str(cfg.hydra.run.dir))
    except (HydraException, OmegaConfBaseException, ValueError, yaml.YAMLError) as exc:
        text = str(exc).split("Config search path:")[0]
        return " ".join(ln.strip() for ln in text.splitlines() if ln.strip()) or type(exc).__name__
    finally:
        GlobalHydra.instance().clear()
    if not try_output:
        return None
    # try the nearest existing ancestor (creating nothing that stays behind)
    parent = run_dir.absolute()
    while not parent.exists():
        parent = parent.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".triad-write-test-", dir=parent))
    except OSError as exc:
        return f"hydra.run.dir: cannot create the output directory {str(run_dir)!r} in {str(parent)!r}: {exc.strerror}"
    return None


def main() -> None:
    args = sys.argv[1:]
    single = not any(a in ("-m", "--multirun") for a in args)
    flags = any(a.startswith("-") and a not in ("-m", "--multirun") for a in args)  # --help, --cfg …: Hydra's
    if not flags and not os.environ.get("TRIAD_NO_PRECHECK"):
        # a sweep is checked on the first value of each comma list; keys swept by a
        # function (range, choice, glob, interval…) are left to Hydra
        first = []
        for a in args:
            if a in ("-m", "--multirun"):
                continue
            if not single and "=" in a:
                key, value = a.split("=", 1)
                if SWEEP_FUNCTION.match(value):
                    continue
                a = f"{key}={value.split(',')[0]}"
            first.append(a)
        problem = precheck(first, try_output=single)
        if problem:
            print(f"triad: error: {problem}", file=sys.stderr)
            sys.exit(2)
    register_experiments()
    _main()


if __name__ == "__main__":
    main()
