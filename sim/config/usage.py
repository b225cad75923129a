"""One-line help for command lines Hydra would answer with a parser error or a usage
screen: a word without ``=`` (``triad help``), an unknown ``--flag`` (``triad --replicates
100``), a new key given without ``+``; and the line ``triad`` prints when interrupted."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

SEE = "'triad --help' lists the options, 'triad list' the experiments and counterfactuals"


def _keys(tree: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k, v in tree.items():
        key = f"{prefix}{k}"
        out += _keys(v, key + ".") if isinstance(v, Mapping) else [key]
    return out


def _named(word: str, tree: Mapping[str, Any] | None) -> list[str]:
    """Config keys whose last part is ``word`` (``replicates`` → ensemble.replicates, …)."""
    if not tree:
        return []
    word = word.replace("-", "_")
    return sorted(k for k in _keys(tree) if k.rsplit(".", 1)[-1] == word and not k.startswith("hydra."))


def _suggest(word: str, value: str | None, tree: Mapping[str, Any] | None) -> str:
    keys = _named(word, tree)
    if not keys:
        return "write overrides as key=value, e.g. ensemble.replicates=100"
    return "did you mean " + " or ".join(f"{k}={value if value is not None else 'VALUE'}" for k in keys[:3]) + "?"


def check_words(argv: Sequence[str], tree: Mapping[str, Any] | None = None) -> str | None:
    """The one line for the first word that is neither a Hydra flag (with its value) nor an
    override ``key=value``; None when every word is one of those."""
    from hydra._internal.utils import get_args_parser

    nargs = {s: a.nargs for a in get_args_parser()._actions for s in a.option_strings}
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            if flag in nargs:  # a flag of Hydra's: its value, when it takes one, is the next word
                nxt = argv[i + 1] if i + 1 < len(argv) else ""
                skip = "=" not in word and (nargs[flag] is None or (nargs[flag] == "?" and nxt and "=" not in nxt
                                                                     and not nxt.startswith("-")))
                continue
            value = word.split("=", 1)[1] if "=" in word else (
                argv[i + 1] if i + 1 < len(argv) and "=" not in argv[i + 1] and not argv[i + 1].startswith("-") else None)
            return f"unknown option {flag!r}: triad takes key=value overrides; {_suggest(flag.lstrip('-'), value, tree)} " \
                   f"({SEE})"
        if "=" not in word and not word.startswith("~"):
            if word in ("help", "h"):
                return f"{word!r} is not a command: {SEE}; a run is 'triad [key=value ...]'"
            return f"{word!r} is not an override: write key=value; {_suggest(word.rsplit('.', 1)[-1], None, tree)} ({SEE})"
    return None


# Hydra launchers and the triad extra (pyproject.toml) that installs each
LAUNCHER_EXTRAS = {"joblib": "joblib", "ray": "ray", "submitit_local": "submitit", "submitit_slurm": "submitit"}


def launcher_hint(group: str, option: str) -> str:
    """For ``hydra/launcher=NAME`` of a launcher not installed: the extra that installs it."""
    extra = LAUNCHER_EXTRAS.get(option) if group == "hydra/launcher" else None
    if extra is None:
        return ""
    return (f"; the {option} launcher is not installed: pip install -e '.[{extra}]' in the checkout "
            "('make test' installs every extra)")


def plus_hint(override: str, msg: str) -> str:
    """``msg`` (an unknown key) with a hint to add the key with ``+`` when only the last part
    is new and it is not a misspelling of a key that exists."""
    key = override.split("=", 1)[0]
    if key.startswith("+") or "did you mean" in msg or "." not in key:
        return msg
    parent, _, last = key.rpartition(".")
    if f"unknown key {last!r} in {parent};" not in msg:
        return msg
    return f"{msg}; to add a key the default config does not have, write +{override}"


def interrupted(out_dir: str | Path | None) -> str:
    """The line ``triad`` prints on Ctrl-C: what the output directory holds now."""
    if out_dir is None:
        return "triad: interrupted; nothing written"
    d = Path(out_dir)
    if (d / "manifest.json").is_file():
        return f"triad: interrupted; {d} still holds its earlier complete run (its manifest.json)"
    ours = [p.name for p in d.iterdir() if p.name not in (".hydra", "triad.log", ".triad.lock")] if d.is_dir() else []
    if not ours:
        return f"triad: interrupted; nothing written at {d}"
    return (f"triad: interrupted; partial outputs at {d} (no manifest.json, so incomplete: rerun the same "
            "command to complete it)")
