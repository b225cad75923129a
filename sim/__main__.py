"""``triad`` / ``python -m sim``: the Hydra app. A thin shell around ``app.main_task``."""
from __future__ import annotations

from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from .app import main_task

# The repository's conf/ (the package is installed editable, next to it).
CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def _main(cfg: DictConfig) -> None:
    main_task(cfg, HydraConfig.get().runtime.output_dir)


def main() -> None:
    _main()


if __name__ == "__main__":
    main()
