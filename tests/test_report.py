"""Tests for sim.report: a synthetic run directory is built in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import report_main as main
from sim.report import build_report

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


XSS_SUMMARY = "Alleged plot <script>alert(2)</script> & more"
CF_QUESTION = "What if <E3> & co had not happened?"
ROUTES = {"AZE-IRN": [("0>3", 0.5), ("0>3>4", 0.3), ("0>1>3", 0.2)],
          "AZE-ISR": [("0", 1.0)],  # nothing happens
          "IRN-ISR": [("0>1>2", 0.4), ("0>1>2>3>4", 0.35), ("0>2", 0.15), ("0>1>4>6", 0.1)]}
# Leave-one-out ranking, sorted by |tension diff| as the engine writes it.
RANKING = [("E2", 0.05, 0.02), ("E3", -0.03, -0.1), ("E1", 0.01, 0.0), ("E4", -0.002, 0.01)]


def _route_records(shift: float) -> dict:
    """summary.json route fields per dyad (routes, transitions, transition_counts), n = 100."""
    out = {}
    for dyad, routes in ROUTES.items():
        counts = np.zeros((7, 7), dtype=int)
        recs = []
        for route, p in routes:
            p = p + (shift if route == "0>3" else -shift if route == "0>3>4" else 0.0)
            steps = [int(x) for x in route.split(">")]
            for a, b in zip(steps, steps[1:]):
                counts[a, b] += round(100 * p)
            recs.append({"route": route, "p": p, "lo": max(p - 0.1, 0), "hi": min(p + 0.1, 1), "steps": [
                {"rung": k, "q25": "2022-10-01", "median": "2022-10-15", "q75": "2022-11-01"} for k in steps[1:]]})
        tot = counts.sum(axis=1, keepdims=True)
        out[dyad] = {"routes": recs, "transition_counts": counts.tolist(),
                     "transitions": np.divide(counts, tot, out=np.zeros((7, 7)), where=tot > 0).tolist()}
    return out


def _effect(base: float, cf: float, half: float = 0.02) -> dict:
    d = cf - base
    return {"baseline": base, "counterfactual": cf, "diff": d, "lo": d - half, "hi": d + half,
            "unpaired_lo": d - 3 * half, "unpaired_hi": d + 3 * half, "replicates_for_half_width": 120}


def structured_counterfactual(end: str, first_change: str) -> dict:
    """summary["counterfactuals"][name] in the engine's format."""
    effects = {d: {"p_rung_at_least": {end: {str(k): _effect(0.5 / k, 0.4 / k) for k in range(1, 7)}},
                   "tension": {end: _effect(0.5, 0.45)}, "net_relation": {end: _effect(-0.2, -0.1)}}
               for d in DYADS}
    return {"question": CF_QUESTION, "ops": [{"remove": {"event": "E3", "cascade": True}}],
            "first_change": first_change, "changed_events": ["E3"], "focus": "AZE-ISR", "target_half_width": 0.01,
            "answer": CF_QUESTION + " Under 'no_embassy' P(rung >= 4) falls by <0.1> & more.",
            "effects": effects,
            "route_changes": {"AZE-IRN": [{"route": "0>3>4", "baseline": 0.3, "counterfactual": 0.2, "diff": -0.1,
                                           "lo": -0.15, "hi": -0.05}]}}


def attribution_record() -> dict:
    ranking = {d: [{"event": e, "horizon_date": "2023-09-01",
                    "tension": {"diff": t * (i + 1), "lo": t * (i + 1) - 0.004, "hi": t * (i + 1) + 0.004},
                    "p_rung_at_least_3": {"diff": p, "lo": p - 0.02, "hi": p + 0.02}}
                   for e, t, p in RANKING] for i, d in enumerate(DYADS)}
    return {"name": "attribution", "question": "Which events drove <each> dyad?", "rank_rung": 3,
            "answer": "Which events drove <each> dyad? E2 mattered most.", "ranking": ranking}


def _effects_frame(dates, scenario: str, first: int, rng) -> pd.DataFrame:
    """Daily paired differences, exactly 0 before day `first`."""
    rows = []
    for dyad in DYADS:
        for var, sign in (("tension", -1.0), ("net_relation", 1.0)):
            eff = np.where(np.arange(len(dates)) >= first, sign * 0.05, 0.0)
            spread = np.where(np.arange(len(dates)) >= first, 0.02, 0.0)
            df = pd.DataFrame({"scenario": scenario, "date": dates, "dyad": dyad, "variable": var,
                               "mean": eff + rng.normal(0, 0.001, len(dates)) * (spread > 0)})
            for name, z in (("q05", -1.64), ("q25", -0.67), ("q50", 0.0), ("q75", 0.67), ("q95", 1.64)):
                df[name] = eff + z * spread
            rows.append(df)
    return pd.concat(rows, ignore_index=True)


def _write_cf_outputs(root: Path, summary: dict, scenarios, dates, rng) -> None:
    """routes.parquet, effects.parquet and the matching summary.json fields."""
    first = len(dates) // 3
    fc = dates[first].strftime("%Y-%m-%d")
    end = dates[-1].strftime("%Y-%m-%d")
    rows = []
    for si, scen in enumerate(scenarios):
        for dyad, rec in _route_records(0.1 * si).items():
            summary["scenarios"][scen][dyad].update(rec)
            rows += [{"scenario": scen, "dyad": dyad, "route": r["route"], "count": round(100 * r["p"]), "p": r["p"]}
                     for r in rec["routes"]]
    pd.DataFrame(rows).to_parquet(root / "routes.parquet")
    cfs = [s for s in scenarios if s != "baseline"]
    summary["counterfactuals"] = {s: structured_counterfactual(end, fc) for s in cfs}
    if cfs:
        pd.concat([_effects_frame(dates, s, first, rng) for s in cfs], ignore_index=True).to_parquet(
            root / "effects.parquet")
    summary["attribution"] = attribution_record()


def write_synthetic_run(root: Path, *, days: int = 60, scenarios=("baseline",), n_rep: int = 30,
                        start: str = "2022-09-01", validation: bool = True, seed: int = 7,
                        counterfactual_outputs: bool = False) -> Path:
    """Write a plausible run directory (all files the engine produces).

    With `counterfactual_outputs`, also routes, paired effects and the
    attribution ranking (as written by counterfactual experiments)."""
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
    if counterfactual_outputs:
        summary["replicates"] = 100  # the route counts above are per 100 replicates
        _write_cf_outputs(root, summary, scenarios, dates, rng)
    (root / "summary.json").write_text(json.dumps(summary, indent=1))

    events = [
        {"id": "E1", "date": "2022-09-12", "window": ["2022-09-12", "2022-09-12"], "precision": "day",
         "source": "ISR", "target": "IRN", "cameo": "111", "goldstein": -2.0, "rung": 1, "attribution": 0.9,
         "mutual": False, "summary": "Israeli minister criticises Iran", "quote": XSS_QUOTE},
        {"id": "E2", "date": "2022-09-14", "window": ["2022-09-14", "2022-09-14"], "precision": "day",
         "source": "IRN", "target": "ISR", "cameo": "138", "goldstein": -7.0, "rung": 4, "attribution": 0.5,
         "mutual": False, "summary": XSS_SUMMARY, "quote": "A long quote " * 20},
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
    with (root / "config.yaml").open("a") as fh:  # the vector format too (the default is PNG only)
        fh.write("report:\n  format: [png, svg]\n")
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



def test_page_is_one_self_contained_document():
    from sim.report.page import CSS, page

    html = page("Why <this> & that?", "<p>body</p>", css_extra="tr.failed{background:#fdd}")
    assert html.startswith("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>")
    assert "<title>Why &lt;this&gt; &amp; that?</title>" in html
    assert f"<style>{CSS}tr.failed{{background:#fdd}}</style></head><body>\n<p>body</p>\n</body></html>\n" in html
    assert html.count("<html") == 1 and html.endswith("</body></html>\n")


def test_run_report_uses_the_shared_page(run_dir):
    from sim.report.page import CSS

    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f"<style>{CSS}</style>" in html

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


def test_main_dir_without_manifest_returns_2(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no readable manifest.json, so not a complete run" in err and len(err.strip().splitlines()) == 1


def _with_manifest(root):
    import time

    from sim.io.rundir import finish

    finish(root, "synthetic: {}\n", 0, 30, "2026-01-01T00:00:00+00:00", time.perf_counter())
    return root


def test_main_success_prints_path_and_lists_the_report(tmp_path, capsys):
    root = _with_manifest(write_synthetic_run(tmp_path / "run", days=15, validation=False))
    assert "report.html" not in json.loads((root / "manifest.json").read_text())["files"]
    assert main([str(root)]) == 0
    assert capsys.readouterr().out.strip() == str(root / "report.html")
    files = json.loads((root / "manifest.json").read_text())["files"]
    assert "report.html" in files and "stats.parquet" in files


def test_main_refuses_data_that_changed_since_the_run(tmp_path, capsys):
    root = _with_manifest(write_synthetic_run(tmp_path / "run", days=15, validation=False))
    with open(root / "stats.parquet", "r+b") as fh:
        fh.truncate(100)
    assert main([str(root)]) == 2
    err = capsys.readouterr().err
    assert "stats.parquet: changed since the run wrote it" in err and len(err.strip().splitlines()) == 1
    assert not (root / "report.html").exists()


# --------------------------------------------------------------------------
# Routes, paired differences, attribution, counterfactual and attribution sections
# --------------------------------------------------------------------------

NEW_FIGURES = ("routes", "paired_difference", "attribution")


@pytest.fixture(scope="module")
def cf_run(tmp_path_factory) -> Path:
    root = write_synthetic_run(tmp_path_factory.mktemp("cf") / "run", scenarios=("baseline", "no_embassy"),
                               counterfactual_outputs=True)
    build_report(root)
    return root


def _html(root: Path) -> str:
    return (root / "report.html").read_text(encoding="utf-8")


def test_new_figures_written_and_embedded(cf_run):
    figs = cf_run / "figures"
    html = _html(cf_run)
    for name in NEW_FIGURES:
        assert (figs / f"{name}.png").stat().st_size > 5000, name
        assert not (figs / f"{name}.svg").exists(), name  # PNG only by default
        assert f"<figure id='fig-{name}'>" in html, name
    pngs = list(figs.glob("*.png"))
    assert len(pngs) == 9
    assert html.count("data:image/png;base64,") == html.count("<figcaption>") == len(pngs)


def test_new_figure_captions(cf_run):
    html = _html(cf_run)
    assert "share the random numbers" in html or "reuses the random numbers" in html
    assert "not the spread of two independent runs" in html
    assert "most frequent complete routes" in html
    assert "sorted by the absolute tension effect" in html


def test_tornado_order_matches_ranking():
    from sim.report.figures import attribution as A
    from sim.report.figures.events import number_events

    events = number_events([{"id": e, "date": f"2022-09-0{i + 1}", "summary": f"event {e}"}
                            for i, (e, _, _) in enumerate(RANKING)])
    att = attribution_record()
    fig = A.attribution(att, events)
    axes = fig.get_axes()
    assert len(axes) == 2 * len(DYADS)
    labels = A.event_labels(events)
    for i, dyad in enumerate(DYADS):
        ax = axes[2 * i]
        ticks = list(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))
        top_to_bottom = [txt for _, txt in sorted(ticks, key=lambda t: -t[0])]
        assert top_to_bottom == [labels[r["event"]] for r in att["ranking"][dyad]]
        # bar lengths follow the ranking too: |effect| decreasing from the top
        bars = sorted(ax.patches, key=lambda p: -p.get_y())
        widths = [abs(b.get_width()) for b in bars]
        assert widths == sorted(widths, reverse=True) and len(widths) == len(RANKING)


def test_tornado_labels_use_event_numbers_and_summaries():
    from sim.report.figures import attribution as A

    labels = A.event_labels([{"id": "x1", "n": 3, "summary": "A " * 60}, {"id": "x2", "n": 4}])
    assert labels["x1"].startswith("3. A A") and labels["x1"].endswith("…") and len(labels["x1"]) <= 53
    assert labels["x2"] == "4. x2"


def test_route_flows_from_counts_and_routes_agree():
    from sim.report.figures import routes as R

    rec = _route_records(0.0)["IRN-ISR"]
    by_counts = R.route_flows(rec, 100)
    by_routes = R.route_flows({"routes": rec["routes"]}, None)
    np.testing.assert_allclose(by_counts, by_routes, atol=1e-9)
    reach = R.reach_shares(by_counts)
    assert reach[0] == 1.0
    # P(at least rung k): the routes whose last rung is >= k (0>1>2 .4, 0>1>2>3>4 .35, 0>2 .15, 0>1>4>6 .1)
    np.testing.assert_allclose(reach[1:], [1.0, 1.0, 0.45, 0.45, 0.1, 0.1], atol=1e-9)


def test_routes_panel_per_dyad_and_scenario_quiet_dyad_grey(cf_run):
    from sim.report.figures import routes as R

    summary = json.loads((cf_run / "summary.json").read_text())
    inputs = R.routes_inputs(summary, None, ["baseline", "no_embassy"])
    assert set(inputs) == {(s, d) for s in ("baseline", "no_embassy") for d in DYADS}
    fig = R.routes(inputs, ["baseline", "no_embassy"])
    axes = fig.get_axes()
    assert len(axes) == 6
    titles = [ax.get_title(loc="left") for ax in axes]
    assert titles[0] == "AZE–IRN · baseline" and titles[1] == "AZE–IRN · no_embassy"
    quiet = axes[2]  # AZE-ISR, where no replicate escalates
    assert any("no escalation" in t.get_text() for t in quiet.texts)
    route_text = "\n".join(t.get_text() for t in axes[0].texts)
    assert "0→3  50% [40–60]" in route_text


def test_routes_from_parquet_only(tmp_path):
    from sim.report.figures import routes as R

    df = pd.DataFrame({"scenario": "baseline", "dyad": "AZE-IRN", "route": ["0>3", "0>3>4"],
                       "count": [6, 4], "p": [0.6, 0.4]})
    inputs = R.routes_inputs({}, df, ["baseline"])
    np.testing.assert_allclose(inputs[("baseline", "AZE-IRN")]["flows"][0, 3], 1.0)
    np.testing.assert_allclose(inputs[("baseline", "AZE-IRN")]["flows"][3, 4], 0.4)


def test_paired_difference_marks_first_change_and_zero():
    import matplotlib.dates as mdates

    from sim.report.figures import paired as P

    dates = pd.date_range("2022-09-01", periods=90)
    df = _effects_frame(dates, "cf", 60, np.random.default_rng(0))
    fig = P.paired_difference(df, "cf", dates[60].strftime("%Y-%m-%d"))
    axes = fig.get_axes()
    assert len(axes) == 2 * len(DYADS)
    fc = mdates.date2num(dates[60])
    for ax in axes:
        xs = {round(float(l.get_xdata()[0]), 6) for l in ax.lines if len(set(l.get_xdata())) == 1}
        ys = {float(l.get_ydata()[0]) for l in ax.lines if len(set(l.get_ydata())) == 1}
        assert round(fc, 6) in xs and 0.0 in ys
    assert axes[0].get_xlim()[0] == pytest.approx(fc - P.LEAD_DAYS)


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_several_counterfactuals_get_one_figure_each_and_stale_removed(tmp_path):
    root = write_synthetic_run(tmp_path / "run", days=30, scenarios=("baseline", "a cf", "b"),
                               counterfactual_outputs=True, validation=False)
    build_report(root)
    names = {p.stem for p in (root / "figures").glob("paired_difference*.png")}
    assert names == {"paired_difference_a_cf", "paired_difference_b"}
    html = _html(root)
    assert "href='#fig-paired_difference_a_cf'" in html and "href='#fig-paired_difference_b'" in html
    (root / "effects.parquet").unlink()
    build_report(root)
    assert not list((root / "figures").glob("paired_difference*"))


def test_counterfactual_section(cf_run):
    html = _html(cf_run)
    sec = html[html.index("<h2 id='counterfactuals'>"):html.index("<h2 id='attribution'>")]
    assert "What if &lt;E3&gt; &amp; co had not happened?" in sec
    # the answer is shown once, prominently, without repeating the question
    assert "<p class='answer'>Under &#x27;no_embassy&#x27; P(rung &gt;= 4) falls by &lt;0.1&gt; &amp; more.</p>" in sec
    assert "E3 (#" in sec  # changed events linked to timeline numbers
    assert "replicates for ±0.01" in sec and "unpaired 95% CI" in sec
    assert "≥4 covert or proxy violence" in sec
    assert "<strong>-0.025 [-0.045, -0.005]</strong>" in sec  # P(rung>=4) paired CI excludes 0: bold
    assert "[-0.085, +0.035]" in sec  # unpaired interval
    assert "0→3→4" in sec and "<h4>Route changes</h4>" in sec
    assert "net relation" in sec
    assert "<code>{&quot;note&quot;" not in html  # structured records are not dumped as JSON


def test_old_counterfactual_records_fall_back_to_dump(run_dir):
    html = _html(run_dir)
    sec = html[html.index("<h2 id='counterfactuals'>"):]
    assert "drop &lt;E3&gt;" in sec and "<p class='answer'>" not in html


def test_attribution_section_table_order_and_escaping(cf_run):
    html = _html(cf_run)
    sec = html[html.index("<h2 id='attribution'>"):html.index("<h2 id='figures'>")]
    assert "Which events drove &lt;each&gt; dyad?" in sec
    assert "<p class='answer'>E2 mattered most.</p>" in sec
    assert "Alleged plot &lt;script&gt;alert(2)&lt;/script&gt; &amp; more" in sec
    assert "<script>alert(2)" not in html
    for dyad in DYADS:
        table = sec[sec.index(f"<h3>{dyad}</h3>"):]
        positions = [table.index(f"<td>{e}</td>") for e, _, _ in RANKING]
        assert positions == sorted(positions)
    assert "Δ P(rung ≥ 3) [95% CI]" in sec


def test_answer_text_strips_repeated_question():
    from sim.report.html_cf import answer_text

    assert answer_text("Q?", "Q? Yes, 0.3.") == "Yes, 0.3."
    assert answer_text("Q?", "Other.") == "Other."
    assert answer_text(None, "A.") == "A."


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_cf_report_rebuild_is_byte_identical(cf_run):
    first = (cf_run / "report.html").read_bytes()
    build_report(cf_run)
    assert (cf_run / "report.html").read_bytes() == first
