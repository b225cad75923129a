"""The throughput and ``make run`` times quoted in README.md and docs/ODD.md are the ones in
benchmarks/results.json (written by ``make bench``), so they cannot go stale (issue 19)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import render  # noqa: E402


def test_docs_quote_the_bench_results():
    results = json.loads(render.RESULTS.read_text("utf-8"))
    for rel, body in render.blocks(results).items():
        text = (ROOT / rel).read_text("utf-8")
        assert render.current_block(text) == body, (
            f"{rel} quotes other numbers than benchmarks/results.json: run `python benchmarks/render.py`")


def test_results_hold_the_comparison_issue_19_asks_for():
    r = json.loads(render.RESULTS.read_text("utf-8"))
    assert r["pre_issue"]["commit"] and r["comparison"]
    for c in r["comparison"].values():
        assert c["current"] > 0 and c["pre_issue"] > 0
        assert abs(c["ratio"] - c["current"] / c["pre_issue"]) < 1e-12
        assert len(c["current_runs"]) == len(c["pre_issue_runs"]) == c["rounds"]
    assert {c["workers"] for c in r["comparison"].values()} >= {1}
    mg = r["marginal_per_core"]
    assert mg["to_replicates"] > mg["from_replicates"] and mg["current"] > 0 and mg["pre_issue"] > 0
    mr = r["make_run_warm"]
    assert abs(mr["speedup"] - mr["pre_issue_s"] / mr["current_s"]) < 1e-12
