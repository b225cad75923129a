"""``triad`` / ``python -m sim``: the Hydra app. A thin shell around ``app.main_task``."""
from __future__ import annotations

from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from .app import main_task

# The repository's conf/ (the package is installed editable, next to it).
CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def _main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    # in a multirun a failing job is recorded and the sweep goes on (see app.main_task)
    main_task(cfg, hc.runtime.output_dir, multirun=hc.mode == RunMode.MULTIRUN)


def main() -> None:
    _main()


if __name__ == "__main__":
    main()
