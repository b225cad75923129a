"""Bad input to `triad import` (the issue-20 rows of tests/bad_input_cases.py), run in-process:
exit 2, one line naming the file (and the line where there is one), nothing written; and
--skip-bad, which imports the good rows and counts the skipped ones by reason."""
from __future__ import annotations

import json

import pytest

from bad_input_cases import CASES, ICEWS_OK, icews_row
from conftest import ROOT
from sim.events.cli import main as import_main

IMPORT_CASES = [c for c in CASES if c[0].startswith("import_")]


@pytest.mark.parametrize("case", IMPORT_CASES, ids=[c[0] for c in IMPORT_CASES])
def test_refused_in_one_line_and_nothing_written(tmp_path, capsys, monkeypatch, case):
    _cid, _what, args, files, needle = case
    monkeypatch.chdir(ROOT)  # as the catalogue runs them (relative --out paths)
    for name, text in files.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args[1:]]
    assert import_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("triad: error: ") and err.count("\n") == 1 and needle in err, err
    assert not (tmp_path / "out").exists() and not (ROOT / "sim" / "imported").exists()


def test_skip_bad_imports_the_rest_and_counts_each_reason(tmp_path):
    bad = (icews_row("3").rsplit("\t", 1)[0] + "\n"  # 19 columns
           + icews_row("4", day="2021-13-01") + icews_row("5", code="999"))
    data = (ICEWS_OK + bad).encode("utf-8") + icews_row("6").replace("Example", "Exampl\xe9").encode("latin-1")
    (tmp_path / "w.tab").write_bytes(data)
    out = tmp_path / "out"
    assert import_main(["icews", str(tmp_path / "w.tab"), "--out", str(out), "--skip-bad"]) == 0
    s = json.loads((out / "import.json").read_text("utf-8"))
    d = s["dropped"]
    assert (d["bad_row"], d["not_utf8"], d["bad_date"], d["unknown_code"]) == (1, 1, 1, 1)
    assert s["kept"] == 2 and s["rows_read"] == 6 == s["kept"] + sum(d.values())
