"""The sweep table and report carry the effect on every rung (any act and endogenous) and on
tension and net relation, and the report is self-contained with links to the job reports."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.report.sweep_axes import readable, swept_keys, value_label
from sim.sweep.table import METRICS, RUNGS
from test_sweep import table, triad_multirun

pytestmark = pytest.mark.slow  # a sweep of counterfactual runs: make test runs it, make test-fast leaves it out

EFFECTS = [c for c in METRICS if c.startswith("cf_diff_")]


@pytest.fixture(scope="module")
def cf_sweep(tmp_path_factory):
    d = tmp_path_factory.mktemp("cfsweep") / "sweep"
    # basic launcher, small ensemble, short run that includes the embassy attack (2023-01-27)
    proc = triad_multirun(d, "counterfactual=none,no_embassy_attack", "ensemble.replicates=60", "report.enabled=true",
                          "record.replicates=0")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return d


def test_every_rung_and_the_state_have_effect_columns():
    for k in RUNGS:
        for o in ("", "_endogenous"):
            assert {f"cf_diff_p_rung_{k}{o}{b}" for b in ("", "_lo", "_hi")} <= set(METRICS)
            assert {f"p_rung_{k}{o}{b}" for b in ("", "_lo", "_hi")} <= set(METRICS)
    assert {f"cf_diff_{v}_end{b}" for v in ("tension", "net_relation") for b in ("", "_lo", "_hi")} <= set(METRICS)


def test_embassy_attack_effect_at_rung_4_and_exactly_zero_without_a_counterfactual(cf_sweep):
    df = table(cf_sweep)
    prim = df[df.primary]
    none = prim[prim.counterfactual == "none"]
    cf = prim[prim.counterfactual == "no_embassy_attack"]
    assert len(none) == len(cf) == 3 and set(cf.scenario) == {"no_embassy_attack"}
    # the factual job is its own reference: every effect exactly 0, intervals included
    assert (none[EFFECTS].to_numpy() == 0.0).all()
    aze_irn = cf[cf.dyad == "AZE-IRN"].iloc[0]
    # removing the scripted rung-4 act lowers P(AZE-IRN at least rung 4) clearly (any act) ...
    assert aze_irn.cf_diff_p_rung_4 < -0.2 and aze_irn.cf_diff_p_rung_4_hi < 0
    assert aze_irn.cf_diff_p_rung_4 == pytest.approx(aze_irn.p_rung_4 - df[
        (df.counterfactual == "no_embassy_attack") & (df.scenario == "baseline") & (df.dyad == "AZE-IRN")].p_rung_4.iloc[0])
    # ... by at least as much as by the model's own acts, and lowers AZE-IRN tension at the end
    assert aze_irn.cf_diff_p_rung_4 <= aze_irn.cf_diff_p_rung_4_endogenous <= 0
    assert aze_irn.cf_diff_tension_end < 0 and aze_irn.cf_diff_tension_end_hi < 0
    for c in EFFECTS:
        if not c.endswith(("_lo", "_hi")):
            assert (cf[f"{c}_lo"] <= cf[c]).all() and (cf[c] <= cf[f"{c}_hi"]).all(), c
    # the effects are the job's own paired effects (summary.json), at the end
    import json

    summ = json.loads((cf_sweep / aze_irn.job_dir / "summary.json").read_text())
    eff = summ["counterfactuals"]["no_embassy_attack"]["effects"]["AZE-IRN"]
    at_end = eff["p_rung_at_least"][summ["end"]]
    assert aze_irn.cf_diff_p_rung_4 == at_end["4"]["diff"]
    assert aze_irn.cf_diff_p_rung_4_endogenous == at_end["endogenous"]["4"]["diff"]
    assert aze_irn.cf_diff_tension_end == eff["tension"][summ["end"]]["diff"]


def test_sweep_report_is_self_contained_with_links_to_job_reports(cf_sweep):
    html = (cf_sweep / "sweep_report.html").read_text("utf-8")
    srcs = re.findall(r"src=[\"']([^\"']*)", html)
    assert len(srcs) == 3 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "<link" not in html and "http" not in html  # nothing loaded from elsewhere
    for job in ("0", "1"):
        assert (cf_sweep / job / "report.html").exists()
        assert f"href='{job}/report.html'" in html
    # readable labels: the figures' axis names the key by meaning, the table gives the effects by rung
    assert "counterfactual scenario" in html and "none (factual)" in html
    assert "effect on P(≥4)" in html


def test_axes_readable_labels_and_categories():
    frame = pd.DataFrame({"dynamics.reaction.IRN": [0.01, 0.02, 0.04], "ensemble.seed": [1, 2, 3],
                          "decisions.memory.excitation.5": [0.2, 0.4, 0.4], "counterfactual": ["none", "a", "b"]})
    frame.attrs["override_columns"] = list(frame.columns)
    line, cat = swept_keys(frame)
    # three numeric values make a line; two values, seeds and names are categories
    assert line == ["dynamics.reaction.IRN"]
    assert cat == ["ensemble.seed", "decisions.memory.excitation.5", "counterfactual"]
    label = readable("dynamics.reaction.IRN")
    assert label.splitlines()[0].startswith("Richardson k") and "IRN" in label and "[1/day]" in label
    assert readable("counterfactual") == "counterfactual scenario"
    assert value_label("counterfactual", "none") == "none (factual)" and value_label("x", np.float64(0.5)) == "0.5"
