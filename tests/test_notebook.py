"""docs/tutorial.ipynb runs (nbclient, the venv's python3 kernel) and computes what the API
computes; it is stored without outputs and writes no file."""
from __future__ import annotations

import json
import os

import nbformat
import pytest

import sim
from conftest import ROOT

NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 8
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient import NotebookClient

    cwd = tmp_path_factory.mktemp("nb")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT)  # the kernel imports this checkout's sim
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return nb, cwd


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.mark.slow
def test_notebook_runs_and_writes_nothing(executed):
    nb, cwd = executed
    assert list(cwd.iterdir()) == []
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [c for c in nb.cells if c.cell_type == "code"
              and any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert len(images) >= 2  # the report's paired-difference figure and the custom paper figure


@pytest.mark.slow
def test_notebook_numbers_are_the_api_numbers(executed):
    nb, _ = executed
    cell = next(c for c in nb.cells if "check" in c.get("metadata", {}).get("tags", []))
    check = json.loads(_text(cell).strip().splitlines()[-1])
    cf = sim.compare("no_embassy_attack", overrides=["end=2023-12-31"], replicates=200, seed=1)
    assert check["p_rung_4_AZE-IRN"] == cf.p_rung(4).loc["AZE-IRN", "p"]
    eff = cf.summary["counterfactuals"]["no_embassy_attack"]["effects"]["AZE-IRN"]["p_rung_at_least"]["2023-12-31"]
    assert check["effect_rung_4_AZE-IRN"] == eff["4"]["diff"] < 0  # the attack raised P(rung 4)
    answer = next(c for c in nb.cells if "cf = sim.compare" in c.source)
    assert _text(answer).splitlines()[0] == cf.answer
    sweep = check["sweep_p_rung_5_IRN-ISR"]
    assert len(sweep) == 3 and all(0 <= p <= 1 for p in sweep)
    assert check["discovery_samples"] == 48 and 0 < check["discovery_cases"] < 48
