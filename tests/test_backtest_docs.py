"""docs/backtest.md quotes docs/results/backtest.json: its tables are exactly what
scripts/backtest_results.py renders from that file (regenerate both with the script)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("backtest_results", ROOT / "scripts" / "backtest_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_backtest_page_quotes_the_results_file():
    res = json.loads((ROOT / "docs" / "results" / "backtest.json").read_text("utf-8"))
    doc = (ROOT / "docs" / "backtest.md").read_text("utf-8")
    assert _script().render(res) in doc
    assert res["command"] == "triad experiment=backtest" and res["frozen"]["git_commit"]
    t = res["targets"]
    assert f"{t['total']}\ntargets per seed" in doc or f"{t['total']} targets" in doc.replace("\n", " ")
    assert f"{t['scored']} scored" in doc and f"{t['not_yet_observable']} not yet observable" in doc
