"""Where Hydra finds triad's configs, in a source checkout and in an installed wheel.

One source of truth: the checkout's top-level ``conf/`` (the primary config and its groups)
and ``experiments/`` (the ``experiment`` group). A wheel carries the same files as
``sim/conf/`` and ``sim/experiments/`` (pyproject's ``package-dir`` mapping), so an installed
``triad`` runs anywhere. ``experiments/`` is not under ``conf/``, and a Hydra search path
can add roots but not rename a group, so its files are put in Hydra's ConfigStore as the
``experiment`` group, each under the package its ``# @package`` header names; Hydra's
launchers carry the ConfigStore into their worker processes.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # sim/
GROUP = "experiment"


def _checkout() -> Path | None:
    """The source checkout holding this package (an editable install or PYTHONPATH), if any."""
    root = PACKAGE.parent
    if (root / "conf" / "config.yaml").is_file() and (root / "experiments").is_dir():
        return root
    return None


def conf_dir() -> Path:
    """The primary config directory (``config.yaml`` and the config groups)."""
    root = _checkout()
    return root / "conf" if root else PACKAGE / "conf"


def experiments_dir() -> Path:
    """The directory of the named experiments (``experiment=NAME`` is ``NAME.yaml`` there)."""
    root = _checkout()
    return root / "experiments" if root else PACKAGE / "experiments"


def register_experiments(directory: Path | None = None) -> dict[str, str]:
    """Store every ``NAME.yaml`` of ``directory`` (default: ``experiments_dir()``) as
    ``experiment=NAME`` in Hydra's ConfigStore, parsed as Hydra parses a config file.

    Call before composing. A file that does not parse is left out, so it breaks only the runs
    that select it; the returned ``{NAME: message}`` says why, naming the file."""
    from hydra.core.config_store import ConfigStore
    from hydra.plugins.config_source import ConfigSource
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from sim.config import safeyaml
    from sim.errors import TriadError

    store = ConfigStore.instance()
    errors: dict[str, str] = {}
    for path in sorted((directory or experiments_dir()).glob("*.yaml")):
        try:
            # bounded: a regular UTF-8 file under the size cap, YAML within the alias budget
            text = safeyaml.read_text(path, f"experiment={path.stem}")
            header = ConfigSource._get_header_dict(text[:512])
            node = OmegaConf.create(safeyaml.load(text, f"experiment={path.stem}") or {})
        except TriadError as exc:
            errors[path.stem] = str(exc)
            continue
        except (OSError, ValueError, YAMLError, OmegaConfBaseException) as exc:  # ValueError: a bad header
            errors[path.stem] = f"{path}: " + " ".join(str(exc).split())
            continue
        store.store(group=GROUP, name=path.stem, node=node, package=header.get("package"))
    return errors
