"""Quoted numbers cannot go stale: a number in README.md or docs/*.md wrapped in a marker
``<!--n FILE KEY FORMAT-->TEXT<!--/n-->`` must equal ``format(value, FORMAT)``, the value
at the dotted ``KEY`` of the JSON ``FILE`` (a path from the repository root) that the
command measuring it wrote (docs/numbers.md)."""
from __future__ import annotations

import json
import re
from functools import reduce
from pathlib import Path

from conftest import ROOT

MARK = re.compile(r"<!--n (?P<file>\S+\.json) (?P<key>\S+) (?P<fmt>\S*?)-->(?P<text>.*?)<!--/n-->", re.S)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)  # examples of the syntax in code blocks are not numbers
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def check(text: str, root: Path) -> tuple[int, list[str]]:
    """(markers found, problems): each marker's text against its source."""
    problems, n = [], 0
    for m in MARK.finditer(FENCE.sub("", text)):
        n += 1
        path = root / m["file"]
        if not path.is_file():
            problems.append(f"{m['file']}: no such results file")
            continue
        doc = json.loads(path.read_text("utf-8"))
        if "command" not in doc and "commands" not in doc:
            problems.append(f"{m['file']}: says no 'command' that wrote it")
        try:
            value = reduce(lambda d, k: d[int(k)] if isinstance(d, list) else d[k], m["key"].split("."), doc)
        except (KeyError, TypeError, ValueError, IndexError):
            problems.append(f"{m['file']}: no key {m['key']}")
            continue
        want = format(value, m["fmt"])
        if m["text"] != want:
            problems.append(f"{m['file']} {m['key']}: the text says {m['text']!r}, the file {want!r}")
    return n, problems


def test_every_quoted_number_equals_its_results_file():
    total = 0
    for doc in DOCS:
        n, problems = check(doc.read_text("utf-8"), ROOT)
        total += n
        assert problems == [], f"{doc.relative_to(ROOT)}: {problems}"
    assert total >= 5  # the README's run-time numbers are marked


def test_the_checker_catches_a_stale_number(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps({"command": "x", "values": {"t": 7.126, "n": 1200}}))
    ok = "warm <!--n r.json values.t .1f-->7.1<!--/n--> s, <!--n r.json values.n ,-->1,200<!--/n--> draws"
    assert check(ok, tmp_path) == (2, [])
    n, problems = check(ok.replace(">7.1<", ">6.9<"), tmp_path)
    assert n == 2 and problems == ["r.json values.t: the text says '6.9', the file '7.1'"]
    assert check("<!--n r.json values.x .1f-->1<!--/n-->", tmp_path)[1] == ["r.json: no key values.x"]
    assert check("```\n<!--n r.json values.t .1f-->6.9<!--/n-->\n```\n", tmp_path) == (0, [])  # an example
    (tmp_path / "l.json").write_text(json.dumps({"command": "x", "load": [13.61, 2]}))
    assert check("load <!--n l.json load.0 .0f-->14<!--/n-->", tmp_path) == (1, [])
    assert check("<!--n gone.json values.t .1f-->1<!--/n-->", tmp_path)[1] == ["gone.json: no such results file"]
    (tmp_path / "anon.json").write_text(json.dumps({"values": {"t": 1}}))
    assert check("<!--n anon.json values.t d-->1<!--/n-->", tmp_path)[1] == ["anon.json: says no 'command' that wrote it"]


def test_every_results_file_names_the_command_that_wrote_it():
    files = sorted((ROOT / "docs" / "results").glob("*.json"))
    assert files
    for f in files:
        doc = json.loads(f.read_text("utf-8"))
        assert (doc.get("command") or doc.get("commands")) and len(doc) > 1, f.name
