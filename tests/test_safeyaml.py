"""Bounded reading of user files: hostile files end in one clear error, fast and small."""
from __future__ import annotations

import os
import resource
import time

import pytest

from sim.config.safeyaml import MAX_ALIASES, InputFileError, load, load_file, read_text


def alias_bomb(levels: int, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, levels + 1):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_plain_yaml_with_a_few_aliases_loads():
    assert load("a: &x [1, 2]\nb: *x\n", "k") == {"a": [1, 2], "b": [1, 2]}


def test_alias_bomb_is_refused_quickly_with_the_key():
    text = alias_bomb(9)  # 9^10 leaves if expanded; a few hundred bytes
    assert len(text) < 600
    t0 = time.perf_counter()
    sizes = [10]  # a0: a sequence of 9 scalars
    for _ in range(9):
        sizes.append(1 + 9 * sizes[-1])
    expanded = 1 + sum(1 + s for s in sizes)  # the mapping, its keys and values
    with pytest.raises(InputFileError, match=rf"^events.file: expands to {expanded} YAML nodes"):
        load(text, "events.file")
    assert time.perf_counter() - t0 < 1.0


def test_many_aliases_are_refused_by_count():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(InputFileError, match=rf"^k: line 2: more than {MAX_ALIASES} YAML aliases"):
        load(text, "k")


def test_expanded_size_counts_nodes_as_written_out():
    from sim.config.safeyaml import compose, expanded_size

    assert expanded_size(compose("[1, 2, 3]", "k")) == 4
    assert expanded_size(compose("a: &x [1, 2]\nb: *x\n", "k")) == 1 + 2 * (1 + 3)


def test_deep_nesting_is_refused():
    with pytest.raises(InputFileError, match="nested deeper than 50 levels"):
        load("[" * 200 + "]" * 200, "k")


def test_binary_utf16_nul_fifo_and_large_files(tmp_path):
    (tmp_path / "bin").write_bytes(bytes(range(256)))
    (tmp_path / "u16").write_text("- id: x\n", encoding="utf-16")
    (tmp_path / "nul").write_bytes(b"- id: x\x00\n")
    (tmp_path / "big").write_bytes(b"#" * 2_000_001)
    os.mkfifo(tmp_path / "fifo")
    cases = {"bin": "not UTF-8", "u16": "not UTF-8", "nul": "NUL byte", "big": "the limit is 1000000 bytes",
             "fifo": "not a regular file", "missing": "cannot read"}
    for name, msg in cases.items():
        t0 = time.perf_counter()
        with pytest.raises(InputFileError, match=f"^events.file: .*{msg}"):
            read_text(tmp_path / name, "events.file")
        assert time.perf_counter() - t0 < 1.0, name  # the FIFO does not block


def test_dev_zero_is_refused_without_reading_it():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputFileError, match="not a regular file"):
        read_text("/dev/zero", "events.file")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_syntax_error_names_key_line_and_column(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("- id: a\n  date: [\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^events.file: .*e.yaml line \d+, column \d+: YAML syntax error"):
        load_file(p, "events.file")
