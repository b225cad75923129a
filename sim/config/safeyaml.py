"""Bounded reading of user files (events files, experiments, searchpath configs).

Config files come from users and strangers, so a file is read only if it is a regular
file (a FIFO would block, ``/dev/zero`` never ends), no larger than a cap, UTF-8 text
without NUL bytes; and YAML is composed with a budget of aliases and a depth limit, so a
few hundred bytes of nested aliases ("billion laughs") cannot hang or exhaust the machine.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import TriadError

MAX_BYTES = 1_000_000  # a timeline of thousands of events fits in well under this
MAX_ALIASES = 100
MAX_DEPTH = 50
MAX_NODES = 200_000  # nodes after expanding every alias: what a consumer of the data would walk


class InputFileError(TriadError):
    """A user file that is not a small regular UTF-8 text file, or not safe YAML."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"{key}: {message}")


def read_text(path: str | Path, key: str, max_bytes: int = MAX_BYTES) -> str:
    """The text of a regular file of at most ``max_bytes`` bytes of UTF-8 without NUL."""
    p = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO for reading must not wait for a writer
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputFileError(key, f"cannot read {str(p)!r}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError(key, f"{str(p)!r} is not a regular file")
        if st.st_size > max_bytes:
            raise InputFileError(key, f"{str(p)!r} is {st.st_size} bytes; the limit is {max_bytes} bytes")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputFileError(key, f"cannot read {str(p)!r}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew while we read it
        raise InputFileError(key, f"{str(p)!r} is over the limit of {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(key, f"{str(p)!r} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if "\x00" in text:
        raise InputFileError(key, f"{str(p)!r} contains a NUL byte; it is not a text file")
    return text


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a budget of aliases and a limit on nesting depth."""

    def __init__(self, stream: str, key: str, max_aliases: int, max_depth: int):
        super().__init__(stream)
        self._key, self._aliases, self._max_aliases = key, 0, max_aliases
        self._depth, self._max_depth = 0, max_depth

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self._max_aliases:
                mark = self.peek_event().start_mark
                raise InputFileError(self._key, f"line {mark.line + 1}: more than {self._max_aliases} YAML "
                                     "aliases (*name); write the values out")
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                mark = self.peek_event().start_mark
                raise InputFileError(self._key, f"line {mark.line + 1}: nested deeper than {self._max_depth} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def expanded_size(node: yaml.Node | None) -> int:
    """Number of nodes the tree has once every alias is written out (linear time: an alias
    is the same node object as its anchor, so sizes are memoised by identity)."""
    if node is None:
        return 0
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        kids = _children(n)
        if done:
            size[id(n)] = 1 + sum(size[id(k)] for k in kids)
        else:
            stack.append((n, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
    return size[id(node)]


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    if isinstance(n, yaml.MappingNode):
        return [x for kv in n.value for x in kv]
    return []


def compose(text: str, key: str, max_aliases: int = MAX_ALIASES, max_depth: int = MAX_DEPTH,
            max_nodes: int = MAX_NODES) -> yaml.Node | None:
    """The YAML node tree of ``text`` (for line numbers), within the budgets."""
    loader = _BoundedLoader(text, key, max_aliases, max_depth)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    n = expanded_size(node)
    if n > max_nodes:
        raise InputFileError(key, f"expands to {n} YAML nodes once its aliases are written out; "
                             f"the limit is {max_nodes}")
    return node


def load(text: str, key: str, max_aliases: int = MAX_ALIASES, max_depth: int = MAX_DEPTH,
         max_nodes: int = MAX_NODES) -> Any:
    """Safe-load ``text`` within the budgets; YAML syntax errors are raised as yaml.YAMLError."""
    return construct(compose(text, key, max_aliases, max_depth, max_nodes))


def duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    """The first key written twice in one mapping of the tree, with its line; or None."""
    stack = [node] if node is not None else []
    seen_nodes: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        return k.value, k.start_mark.line + 1
                    keys.add(k.value)
                stack += [k, v]
        elif isinstance(n, yaml.SequenceNode):
            stack += list(n.value)
    return None


def construct(node: yaml.Node | None) -> Any:
    """The Python data of a node tree made by ``compose`` (safe types only)."""
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    finally:
        constructor.dispose()


def load_file(path: str | Path, key: str, max_bytes: int = MAX_BYTES) -> Any:
    """``read_text`` then ``load``; a syntax error becomes one line naming the key, line and column."""
    text = read_text(path, key, max_bytes)
    try:
        return load(text, key)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputFileError(key, f"{path}{at}: YAML syntax error: {getattr(exc, 'problem', exc)}") from None
