"""The user's own config folders (``-cd DIR``, ``hydra.searchpath``), read with the bounded
YAML reader before Hydra parses them (used by ``sim.config.door`` and the pre-check)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sim.errors import TriadError


def parse_args(argv: Sequence[str]):
    """Hydra's own argument parser, so flags mean what they will mean to Hydra."""
    from hydra._internal.utils import get_args_parser

    return get_args_parser().parse_args(list(argv))


MAX_USER_FILES = 1000


def user_config_dirs(argv: Sequence[str]) -> list[Path]:
    """Folders of config files the user adds (``-cd DIR``, ``hydra.searchpath=[file://…]``)."""
    try:
        args = parse_args(argv)
    except SystemExit:
        return []
    dirs = [Path(args.config_dir)] if args.config_dir else []
    if args.config_path:
        dirs.append(Path(args.config_path))
    for o in args.overrides:
        key, _, value = o.partition("=")
        if key.lstrip("+~") == "hydra.searchpath":
            for item in value.strip("[]").split(","):
                item = item.strip().strip("'\"")
                if item.startswith("file://"):
                    dirs.append(Path(item[len("file://"):]))
                elif item and "://" not in item:  # Hydra reads a bare path as file:// (M1)
                    dirs.append(Path(item))
    return dirs


def scan_user_configs(argv: Sequence[str]) -> str | None:
    """Read every YAML file of the user's config folders with the bounded reader before Hydra
    parses them: a few hundred bytes of nested aliases must not hang the machine, whatever
    the flags. One line naming the file, or None."""
    from sim.config import safeyaml

    seen = 0
    for d in user_config_dirs(argv):
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*.yaml")) + sorted(d.rglob("*.yml")):
            seen += 1
            if seen > MAX_USER_FILES:
                return f"hydra.searchpath: more than {MAX_USER_FILES} YAML files under {d}"
            try:
                safeyaml.compose(safeyaml.read_text(p, str(p)), str(p))
            except TriadError as exc:
                return str(exc)
            except Exception:  # noqa: BLE001 - a syntax error is Hydra's to report, with its context
                continue
    return None


