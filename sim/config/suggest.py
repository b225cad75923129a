"""Did-you-mean messages for misspelled keys, actor codes, config groups and options."""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping


def _close(word: str, choices: Iterable[str]) -> list[str]:
    choices = list(choices)
    lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=3, cutoff=0.6)
    return [lower[h] for h in hits]


def _listing(choices: Iterable[str], limit: int = 30) -> str:
    choices = sorted(str(c) for c in choices)
    more = f" … ({len(choices) - limit} more)" if len(choices) > limit else ""
    return ", ".join(choices[:limit]) + more


def unknown_key(key: str, tree: Mapping[str, Any]) -> str | None:
    """For a dotted ``key`` that is not in ``tree`` (the composed default config): one line
    naming the first unknown part, the closest valid names and all valid names at that level.
    None when the whole key exists."""
    node: Any = tree
    parts = key.split(".")
    for n, part in enumerate(parts):
        where = ".".join(parts[:n])
        if not isinstance(node, Mapping):
            return f"{key}: {where or 'the config'} is a value, not a group of keys"
        if part not in node:
            valid = [str(k) for k in node]
            near = _close(part, valid)
            hint = f"did you mean {' or '.join(repr('.'.join([*parts[:n], c])) for c in near)}? " if near else ""
            return f"{key}: unknown key {part!r} in {where or 'the config'}; {hint}valid keys: {_listing(valid)}"
        node = node[part]
    return None


def unknown_option(group: str, option: str, options: Iterable[str]) -> str:
    """One line for ``group=option`` when the option does not exist."""
    options = [o for o in options if not o.startswith("_")]  # internal files are not options
    near = _close(option, options)
    hint = f"did you mean {' or '.join(repr(f'{group}={c}') for c in near)}? " if near else ""
    return f"{group}: unknown option {option!r}; {hint}options: {_listing(options)}"
