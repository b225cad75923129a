"""Tests for sim.report: a synthetic run directory is built in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report import build_report, main

ACTORS = ("AZE", "IRN", "ISR")
DYADS = ("AZE-IRN", "AZE-ISR", "IRN-ISR")
QS = {"q05": 0.05, "q25": 0.25, "q50": 0.50, "q75": 0.75, "q95": 0.95}
XSS_QUOTE = "He said <script>alert(1)</script> & co were behind it."


def _quantile_rows(values: np.ndarray, dates, scenario, source, target, variable) -> pd.DataFrame:
    """Per-date mean and quantiles of a (replicates × days) array."""
    out = {"scenario": scenario, "date": dates, "source": source, "target": target, "variable": variable,
           "mean": values.mean(axis=0)}
    for name, q in QS.items():
        out[name] = np.quantile(values, q, axis=0)
    return pd.DataFrame(out)


def _simulate(rng, n_rep, n_days, level, drift):
    """Bounded random walks in [0, 1] (replicates × days)."""
    steps = rng.normal(drift, 0.02, size=(n_rep, n_days))
    return np.clip(level + np.cumsum(steps, axis=1), 0.0, 1.0)


def write_synthetic_run(root: Path, *, days: int = 60, scenarios=("baseline",), n_rep: int = 30,
                        start: str = "2022-09-01", validation: bool = True, seed: int = 7) -> Path:
    """Write a plausible run directory (all files the engine produces)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    base_host = {"AZE-IRN": 0.45, "AZE-ISR": 0.08, "IRN-ISR": 0.7}
    stats, incid, summ = [], [], {}
    for si, scen in enumerate(scenarios):
        summ[scen] = {}
        for dyad in DYADS:
            a, b = dyad.split("-")
            shift = 0.08 * si * (1 if dyad != "AZE-ISR" else -1)
            host = {p: _simulate(rng, n_rep, days, base_host[dyad] + shift, 0.0004) for p in ((a, b), (b, a))}
            coop = {p: _simulate(rng, n_rep, days, 0.9 - base_host[dyad], -0.0002) for p in ((a, b), (b, a))}
            for (s, t) in host:
                stats.append(_quantile_rows(host[(s, t)], dates, scen, s, t, "hostility"))
                stats.append(_quantile_rows(coop[(s, t)], dates, scen, s, t, "cooperation"))
            tension = (host[(a, b)] + host[(b, a)]) / 2
            net = np.clip((coop[(a, b)] + coop[(b, a)] - host[(a, b)] - host[(b, a)]) / 2, -1, 1)
            stats.append(_quantile_rows(tension, dates, scen, a, b, "tension"))
            stats.append(_quantile_rows(net, dates, scen, a, b, "net_relation"))
            summ[scen][dyad] = {"p_rung_at_least": {}, "tension_end": {
                "q05": float(np.quantile(tension[:, -1], 0.05)), "q50": float(np.median(tension[:, -1])),
                "q95": float(np.quantile(tension[:, -1], 0.95))}}
            for rung in range(1, 7):
                hazard = base_host[dyad] * 0.02 / rung ** 1.6
                reached = np.cumsum(rng.random((n_rep, days)) < hazard, axis=1) > 0
                p = reached.mean(axis=0)
                incid.append(pd.DataFrame({"scenario": scen, "date": dates, "dyad": dyad, "rung": rung, "p": p}))
                pe = float(p[-1])
                summ[scen][dyad]["p_rung_at_least"][str(rung)] = {
                    "p": pe, "lo": max(pe - 0.08, 0.0), "hi": min(pe + 0.08, 1.0)}
    pd.concat(stats, ignore_index=True).to_parquet(root / "stats.parquet")
    pd.concat(incid, ignore_index=True).to_parquet(root / "incidence.parquet")

    end = dates[-1].strftime("%Y-%m-%d")
    summary = {"question": "Does the Azerbaijani embassy in Tel Aviv raise Iran–Israel tension?",
               "start": start, "end": end, "replicates": n_rep, "seed": seed,
               "headline": ["P(war) stays below 5% in every dyad.", "Tension <rises> & falls."],
               "scenarios": summ}
    if validation:
        months = pd.period_range("2022-09", "2023-05", freq="M").strftime("%Y-%m")
        summary["validation"] = {"window": ["2022-09", "2023-05"], "overall_sign_agreement": 0.81, "dyads": {
            d: {"sign_agreement": 0.8, "spearman": 0.4, "months": [
                {"month": m, "model": float(v), "gdelt": float(g), "agree": bool(np.sign(v) == np.sign(g))}
                for m, v, g in zip(months, rng.normal(0.1, 0.2, len(months)), rng.normal(5, 30, len(months)))]}
            for d in DYADS}}
        summary["counterfactuals"] = {"no_embassy": {"changed": ["E3"], "note": "drop <E3>"}}
    (root / "summary.json").write_text(json.dumps(summary, indent=1))

    events = [
        {"id": "E1", "date": "2022-09-12", "window": ["2022-09-12", "2022-09-12"], "precision": "day",
         "source": "ISR", "target": "IRN", "cameo": "111", "goldstein": -2.0, "rung": 1, "attribution": 0.9,
         "mutual": False, "summary": "Israeli minister criticises Iran", "quote": XSS_QUOTE},
        {"id": "E2", "date": "2022-09-14", "window": ["2022-09-14", "2022-09-14"], "precision": "day",
         "source": "IRN", "target": "ISR", "cameo": "138", "goldstein": -7.0, "rung": 4, "attribution": 0.5,
         "mutual": False, "summary": "Alleged plot", "quote": "A long quote " * 20},
        {"id": "E3", "date": "2022-10-01", "window": ["2022-10-01", "2022-10-31"], "precision": "month",
         "source": "AZE", "target": "ISR", "cameo": "042", "goldstein": 1.9, "rung": 0, "attribution": 1.0,
         "mutual": True, "summary": "Embassy decision", "quote": "\"Historic\" step"},
        {"id": "E4", "date": "2022-09-13", "window": ["2022-09-13", "2022-09-13"], "precision": "day",
         "source": "ISR", "target": "IRN", "cameo": "112", "goldstein": -2.0, "rung": 1, "attribution": 0.8,
         "mutual": False, "summary": "Accusation", "quote": "x"},
    ]
    (root / "events.json").write_text(json.dumps(events, indent=1))
    manifest = {"package": "triad 0.1.0", "git_commit": "abc123", "command": "triad run <x>",
                "config_hash": "deadbeef", "seed": seed, "replicates": n_rep,
                "versions": {"python": "3.11", "numpy": np.__version__},
                "start_time": "2024-01-01T00:00:00", "end_time": "2024-01-01T00:01:00", "wall_seconds": 60.0}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (root / "config.yaml").write_text("seed: 7\nreplicates: 30\nnote: '<b>bold</b> & stuff'\n")
    return root


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = write_synthetic_run(tmp_path_factory.mktemp("run") / "run", scenarios=("baseline", "no_embassy"))
    build_report(root)
    return root


def test_report_exists(run_dir):
    assert (run_dir / "report.html").is_file()


def test_every_figure_embedded(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    pngs = sorted((run_dir / "figures").glob("*.png"))
    assert len(pngs) == 6
    assert html.count("data:image/png;base64,") == len(pngs)
    assert html.count("<figcaption>") == len(pngs)


def test_png_and_svg_per_figure(run_dir):
    figs = run_dir / "figures"
    stems_png = {p.stem for p in figs.glob("*.png")}
    stems_svg = {p.stem for p in figs.glob("*.svg")}
    assert stems_png == stems_svg
    assert {"fan_tension", "fan_cooperation", "fan_net_relation", "incidence", "network", "gdelt"} == stems_png


def test_data_text_is_escaped(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; stuff" in html  # config.yaml
    assert "Tension &lt;rises&gt; &amp; falls." in html  # headline


def test_no_external_resources(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for needle in ("<link", "<script", "src=\"http", "@import", "url("):
        assert needle not in html


def test_rebuild_is_byte_identical(run_dir):
    first = (run_dir / "report.html").read_bytes()
    svgs = {p.name: p.read_bytes() for p in (run_dir / "figures").glob("*.svg")}
    build_report(run_dir)
    assert (run_dir / "report.html").read_bytes() == first
    assert {p.name: p.read_bytes() for p in (run_dir / "figures").glob("*.svg")} == svgs


def test_single_scenario_no_validation_no_events(tmp_path):
    root = write_synthetic_run(tmp_path / "run", days=20, validation=False)
    (root / "events.json").write_text("[]")
    path = build_report(root)
    html = path.read_text(encoding="utf-8")
    assert not (root / "figures" / "gdelt.png").exists()
    assert html.count("data:image/png;base64,") == len(list((root / "figures").glob("*.png"))) == 5


def test_main_missing_dir_returns_2(tmp_path, capsys):
    bad = tmp_path / "does-not-exist"
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "does-not-exist" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_main_dir_without_stats_returns_2(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "stats.parquet" in err and len(err.strip().splitlines()) == 1


def test_main_success_prints_path(tmp_path, capsys):
    root = write_synthetic_run(tmp_path / "run", days=15, validation=False)
    assert main([str(root)]) == 0
    assert capsys.readouterr().out.strip() == str(root / "report.html")
