"""The report's figure cache (sim/report/figcache.py): a figure whose inputs did not change
is copied, byte for byte what drawing it gives; any change to an input draws it again; a
damaged entry is a miss; the cache stays under its size limit; off means off."""
from __future__ import annotations

import json
import shutil

import pytest

from sim.report import figcache
from sim.report import run as R
from test_report import write_synthetic_run

DRAW_ALL = R._draw_all


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return write_synthetic_run(tmp_path_factory.mktemp("fc") / "run", scenarios=("baseline",))


def _build(src, dest, monkeypatch, cache):
    """Build the report of a copy of ``src`` in ``dest``; returns (figure bytes, figures drawn)."""
    shutil.copytree(src, dest)
    monkeypatch.setenv("TRIAD_FIGURE_CACHE", str(cache))
    drawn = []

    def counting(specs, formats, paper):
        drawn.extend(name for name, _, _ in specs)
        return DRAW_ALL(specs, formats, paper)

    monkeypatch.setattr(R, "_draw_all", counting)
    R.build_report(dest)
    files = {p.name: p.read_bytes() for p in sorted((dest / "figures").iterdir())}
    files["report.html"] = (dest / "report.html").read_bytes()
    return files, drawn


def test_unchanged_inputs_copy_the_drawn_bytes(source, tmp_path, monkeypatch):
    plain, drawn = _build(source, tmp_path / "off", monkeypatch, "off")
    assert len(drawn) == 6 and not (tmp_path / "cache").exists()  # off: nothing stored
    first, drawn1 = _build(source, tmp_path / "a", monkeypatch, tmp_path / "cache")
    second, drawn2 = _build(source, tmp_path / "b", monkeypatch, tmp_path / "cache")
    assert sorted(drawn1) == sorted(drawn) and drawn2 == []  # the second build draws nothing
    assert first == plain and second == plain  # and its files are the drawn bytes
    assert len(list((tmp_path / "cache").glob("??/*.png"))) == 6


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_a_changed_input_draws_again(source, tmp_path, monkeypatch):
    _build(source, tmp_path / "a", monkeypatch, tmp_path / "cache")
    changed = tmp_path / "src"
    shutil.copytree(source, changed)
    events = json.loads((changed / "events.json").read_text())
    events[0]["summary"] = "a different summary"
    (changed / "events.json").write_text(json.dumps(events))
    _, drawn = _build(changed, tmp_path / "b", monkeypatch, tmp_path / "cache")
    assert len(drawn) == 6  # the key covers every input file: one changed file draws every figure


def test_matplotlib_settings_and_formats_are_part_of_the_key(source, monkeypatch):
    """A user's matplotlibrc can set what the report's style leaves alone (a font, say)."""
    import matplotlib

    before = figcache.inputs_digest(source, ("png",), "screen")
    assert figcache.inputs_digest(source, ("png",), "screen") == before
    assert figcache.inputs_digest(source, ("png", "svg"), "screen") != before
    assert figcache.inputs_digest(source, ("png",), "a4") != before
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["serif"])
    assert figcache.inputs_digest(source, ("png",), "screen") != before


@pytest.mark.slow  # over 4 s
def test_formats_are_part_of_the_key(source, tmp_path, monkeypatch):
    _build(source, tmp_path / "a", monkeypatch, tmp_path / "cache")
    svg = tmp_path / "src"
    shutil.copytree(source, svg)
    with (svg / "config.yaml").open("a") as fh:
        fh.write("report:\n  format: [png, svg]\n")
    files, drawn = _build(svg, tmp_path / "b", monkeypatch, tmp_path / "cache")
    assert len(drawn) == 6 and sum(name.endswith(".svg") for name in files) == 6


def test_a_damaged_entry_is_a_miss(source, tmp_path, monkeypatch):
    plain, _ = _build(source, tmp_path / "a", monkeypatch, tmp_path / "cache")
    for p in (tmp_path / "cache").glob("??/*.png"):
        p.write_bytes(b"")  # e.g. a disk that filled up
    again, drawn = _build(source, tmp_path / "b", monkeypatch, tmp_path / "cache")
    assert len(drawn) == 6 and again == plain


def test_trim_drops_the_least_recently_used(tmp_path):
    import os

    for k in range(10):
        p = tmp_path / f"{k:02d}" / f"{k}.png"
        p.parent.mkdir()
        p.write_bytes(b"x" * 1000)
        os.utime(p, (1_000_000 + k, 1_000_000 + k))
    figcache.trim(tmp_path, limit=3500)
    left = sorted(p.name for p in tmp_path.glob("??/*"))
    assert left == ["7.png", "8.png", "9.png"]  # 3000 bytes, the three most recent


def test_where_it_lives(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIAD_FIGURE_CACHE", "off")
    assert figcache.directory() is None
    monkeypatch.setenv("TRIAD_FIGURE_CACHE", str(tmp_path / "c"))
    assert figcache.directory() == tmp_path / "c"
    monkeypatch.delenv("TRIAD_FIGURE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert figcache.directory() == tmp_path / "x" / "triad" / "figures"
