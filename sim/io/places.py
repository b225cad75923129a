"""Where a run may write: never into the package or the project's source folders."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # sim/, in a checkout or in site-packages
SOURCE_FOLDERS = ("sim", "conf", "experiments", "tests", "docs", "benchmarks", "scripts", ".git", ".ci")


def _checkout() -> Path | None:
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "conf").is_dir() else None


def _resolved(path: Path) -> Path:
    """``path`` made absolute with symlinks resolved as far as it exists, and ``..`` after
    that folded (``mkdir -p a/nonexistent/../conf`` makes ``a/conf``: H12, M16)."""
    p = path.expanduser().absolute()
    existing = p
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return Path(os.path.normpath(existing.resolve() / p.relative_to(existing)))


def forbidden_output_dir(path: str | Path) -> str | None:
    """Why ``path`` may not be an output directory, or None when it may."""
    p = _resolved(Path(path))
    protected = [(PACKAGE, "the installed triad package")]
    root = _checkout()
    if root is not None:
        if p == root.resolve():
            return f"{str(path)!r} is the project's root folder; write outputs below it (e.g. outputs/) or elsewhere"
        protected += [(root.resolve() / name, f"the project's {name}/ folder") for name in SOURCE_FOLDERS]
    for folder, what in protected:
        if p == folder or folder in p.parents:
            return f"{str(path)!r} is inside {what} ({folder}); choose an output directory elsewhere (e.g. outputs/)"
    return None
