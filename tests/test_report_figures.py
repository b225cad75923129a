"""The report's figures as a reviewer reads them, its options (format, paper) and its page
layout: values read back from the matplotlib artists and the HTML, not "it ran"."""
from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from sim.config.report import report_options
from sim.errors import ConfigError
from sim.report import build_report, style
from sim.report.figures import fans, incidence, paired
from sim.report.figures.events import EVENT_FS, _text_width_pt, number_events
from sim.report.figures.incidence import spread_labels
from sim.runs.headline import headline_lines, validation_line
from test_report import DYADS, _effects_frame, write_synthetic_run

EVENTS = number_events([
    {"id": "a", "date": "2022-09-05", "precision": "day", "window": ["2022-09-05", "2022-09-05"],
     "source": "IRN", "target": "AZE", "rung": 3, "summary": "Exercises on the border"},
    {"id": "b", "date": "2022-09-01", "precision": "month", "window": ["2022-09-01", "2022-09-30"],
     "source": "AZE", "target": "ISR", "rung": 0, "summary": "Embassy decision " + "long " * 40},
    {"id": "c", "date": "2030-01-01", "precision": "day", "window": ["2030-01-01", "2030-01-01"],
     "source": "ISR", "target": "IRN", "rung": 1, "summary": "After the horizon"},
])


def _incidence_frame(days: int = 40) -> pd.DataFrame:
    """any >= endogenous, both non-decreasing; rung k reached less often than k-1."""
    dates = pd.date_range("2022-09-01", periods=days)
    rows = []
    for scen in ("baseline", "cf"):
        for dyad in DYADS:
            for k in range(1, 7):
                endo = np.linspace(0, 0.5 / k, days)
                for origin, p in (("any", np.minimum(endo + (0.5 if k <= 3 else 0.0), 1.0)), ("endogenous", endo)):
                    rows.append(pd.DataFrame({"scenario": scen, "date": dates, "dyad": dyad, "rung": k,
                                              "origin": origin, "p": p}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def incid_fig():
    with style.style_context():
        return incidence.incidence(_incidence_frame(), {}, EVENTS)


def _panels(fig):
    return [ax for ax in fig.get_axes() if ax.get_ylabel()]


# --------------------------------------------------------------------------
# Incidence
# --------------------------------------------------------------------------

def test_rung_colours_are_distinct_and_colour_blind_safe_set():
    cols = [mcolors.to_hex(style.rung_color(k)) for k in range(1, 7)]
    assert len(set(cols)) == 6
    assert not set(cols) & {c.lower() for c in style.dyad_colors(DYADS).values()}  # never a dyad colour
    rgb = np.array([mcolors.to_rgb(c) for c in cols])
    dist = np.sqrt(((rgb[:, None] - rgb[None]) ** 2).sum(-1))
    assert dist[np.triu_indices(6, 1)].min() > 0.15  # not shades of one colour


def test_incidence_one_colour_per_rung_thick_any_thin_endogenous(incid_fig):
    for ax in _panels(incid_fig):
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2]
        assert len(lines) == 6 * 2 * 2  # rungs x origins x scenarios
        by_width = {}
        for ln in lines:
            by_width.setdefault(ln.get_linewidth(), set()).add(mcolors.to_hex(ln.get_color()))
        assert sorted(by_width) == [incidence.LW_ENDO, incidence.LW_ANY]
        for cols in by_width.values():
            assert cols == {mcolors.to_hex(style.rung_color(k)) for k in range(1, 7)}


def test_incidence_direct_labels_at_line_ends_do_not_overlap(incid_fig):
    incid_fig.draw_without_rendering()  # annotations are placed when drawn
    for ax in _panels(incid_fig):
        labels = [t for t in ax.texts if t.get_text().startswith("≥")]
        assert [t.get_text() for t in sorted(labels, key=lambda t: t.get_text())] == \
            [f"≥{k} {style.RUNG_NAMES[k]}" for k in range(1, 7)]
        for t in labels:  # in its rung's colour
            k = int(t.get_text()[1])
            assert mcolors.to_hex(t.get_color()) == mcolors.to_hex(style.rung_color(k))
        boxes = sorted((Text.get_window_extent(t) for t in labels), key=lambda b: b.y0)  # text only, no leader
        assert all(b.y0 >= a.y1 - 0.5 for a, b in zip(boxes, boxes[1:]))  # stacked, never overlapping


def test_incidence_marks_the_numbered_events_of_each_dyad(incid_fig):
    panels = {ax.get_ylabel(): ax for ax in _panels(incid_fig)}
    boxed = {k: sorted(t.get_text() for t in ax.texts if t.get_bbox_patch() is not None and t.get_text().isdigit())
             for k, ax in panels.items()}
    assert boxed == {"AZE–IRN": ["2"], "AZE–ISR": ["1"], "IRN–ISR": []}  # event 3 lies after the horizon
    fig_text = [t.get_text() for ax in incid_fig.get_axes() for t in ax.texts]
    assert "5 Sep 2022 IRN→AZE Exercises on the border" in fig_text  # the key, numbered as the markers
    assert not any("After the horizon" in t for t in fig_text)


@pytest.mark.parametrize("ys, gap", [([1, 1, 1, 0.7, 0.1, 0.0], 0.1), ([0, 0, 0, 0, 0, 0], 0.12),
                                     ([0.5, 0.52, 0.49], 0.05), ([0.3], 0.2)])
def test_spread_labels_keeps_the_gap_inside_the_bounds(ys, gap):
    out = spread_labels(ys, gap, 0.0, 1.0)
    s = sorted(out)
    assert all(b - a >= gap - 1e-12 for a, b in zip(s, s[1:]))
    assert min(out) >= -1e-12 and max(out) <= 1 + 1e-12
    assert [i for i, _ in sorted(enumerate(out), key=lambda t: t[1])] == \
        [i for i, _ in sorted(enumerate(ys), key=lambda t: (t[1], t[0]))]  # order kept


# --------------------------------------------------------------------------
# Fans and paired differences
# --------------------------------------------------------------------------

def _stats(days: int = 30) -> pd.DataFrame:
    """Cooperation of IRN and ISR towards each other ~0, everything else mid-range."""
    dates = pd.date_range("2022-09-01", periods=days)
    rows = []
    for a, b in (("AZE", "IRN"), ("IRN", "AZE"), ("AZE", "ISR"), ("ISR", "AZE"), ("IRN", "ISR"), ("ISR", "IRN")):
        level = 0.01 if {a, b} == {"IRN", "ISR"} else 0.5
        for var in ("cooperation", "tension"):
            qs = {q: level + d for q, d in (("q05", -0.005), ("q25", -0.002), ("q50", 0), ("q75", 0.002),
                                           ("q95", 0.005))}
            rows.append(pd.DataFrame({"scenario": "baseline", "date": dates, "source": a, "target": b,
                                      "variable": var, "mean": level, **qs}))
    return pd.concat(rows, ignore_index=True)


def test_fan_event_key_inside_and_window_swatch_unlike_the_bands():
    with style.style_context():
        fig = fans.fan_tension(_stats(), EVENTS)
    texts = [t.get_text() for ax in fig.get_axes() for t in ax.texts]
    assert any(t.startswith("Event key") for t in texts)
    key_lines = [t for t in texts if re.match(r"\d{1,2}[ –]", t)]  # the drawn window of the date (issue 19)
    assert key_lines[1] == "5 Sep 2022 IRN→AZE Exercises on the border"
    long = key_lines[0]  # cut to fit its column (half the width), with an ellipsis
    assert long.startswith("1–30 Sep 2022 (drawn) AZE→ISR Embassy decision long") and long.endswith("…")
    assert len(long) < 120
    assert _text_width_pt(long, EVENT_FS) <= fig.get_figwidth() * 72 / 2
    handles = fig.legends[0].legend_handles
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    window = handles[labels.index("event date window (date known to the month/year)")]
    bands = [h for h, lab in zip(handles, labels) if "band" in lab]
    assert window.get_hatch() and all(not b.get_hatch() for b in bands)


def test_near_zero_cooperation_panels_are_annotated_not_drawn():
    with style.style_context():
        fig = fans.fan_cooperation(_stats(), [])
    titled = {ax.get_title(loc="left"): ax for ax in fig.get_axes()}
    for name in ("IRN → ISR", "ISR → IRN"):
        ax = titled[name]
        assert not ax.collections and not ax.lines  # no empty line on the axis
        assert any("stays near 0: q95 ≤ 0.01" in t.get_text() for t in ax.texts)
    assert titled["AZE → IRN"].collections  # the others are drawn


def test_paired_difference_columns_share_the_y_scale():
    dates = pd.date_range("2022-09-01", periods=60)
    df = _effects_frame(dates, "cf", 20, np.random.default_rng(0))
    df.loc[df["dyad"] == "AZE-IRN", ["q05", "q25", "q50", "q75", "q95", "mean"]] *= 30  # one big effect
    with style.style_context():
        fig = paired.paired_difference(df, "cf", dates[20].strftime("%Y-%m-%d"))
    axes = np.array(fig.get_axes()).reshape(len(DYADS), 2)
    for j in range(2):
        lims = {tuple(np.round(ax.get_ylim(), 9)) for ax in axes[:, j]}
        assert len(lims) == 1
        lo, hi = lims.pop()
        assert lo == -hi  # symmetric about 0


# --------------------------------------------------------------------------
# Options: report.format and report.paper
# --------------------------------------------------------------------------

@pytest.mark.parametrize("block, expected", [
    (None, (("png",), "screen")), ({"format": ["png", "svg"]}, (("png", "svg"), "screen")), ({"format": "pdf"}, (("pdf",), "screen")),
    ({"format": ["PNG", "pdf", "png"], "paper": "Letter"}, (("png", "pdf"), "letter")),
])
def test_report_options(block, expected):
    assert report_options(block) == expected


@pytest.mark.parametrize("block, message", [
    ({"format": ["png", "jpg"]}, "report.format[1]: 'jpg' is not an option; did you mean 'png'? allowed: png, svg, pdf"),
    ({"format": []}, "report.format: []: give one or more of png, svg, pdf, e.g. [png, pdf]"),
    ({"paper": "a5"}, "report.paper: 'a5' is not an option; did you mean 'a4'? allowed: a4, letter, screen"),
])
def test_report_options_errors_name_the_key_and_the_choices(block, message):
    with pytest.raises(ConfigError) as err:
        report_options(block)
    assert str(err.value) == message


@pytest.fixture(scope="module")
def pdf_run(tmp_path_factory) -> Path:
    root = write_synthetic_run(tmp_path_factory.mktemp("pdf") / "run", days=30, scenarios=("baseline", "cf"),
                               counterfactual_outputs=True, validation=False)
    cfg = (root / "config.yaml").read_text()
    (root / "config.yaml").write_text(cfg + "report:\n  enabled: true\n  format: [pdf, png]\n  paper: a4\n")
    build_report(root)
    return root


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_pdf_format_is_vector_and_reproducible(pdf_run):
    figs = pdf_run / "figures"
    pdfs = sorted(figs.glob("*.pdf"))
    assert {p.stem for p in pdfs} == {p.stem for p in figs.glob("*.png")} and not list(figs.glob("*.svg"))
    first = {p.name: p.read_bytes() for p in figs.iterdir()}
    for blob in (first[p.name] for p in pdfs):
        assert blob.startswith(b"%PDF-") and b"CreationDate" not in blob and b"/Subtype /Image" not in blob
    html = (pdf_run / "report.html").read_bytes()
    build_report(pdf_run)
    assert {p.name: p.read_bytes() for p in figs.iterdir()} == first
    assert (pdf_run / "report.html").read_bytes() == html


def test_paper_sets_the_figure_width(pdf_run):
    import struct

    def png_width(p: Path) -> int:
        return struct.unpack(">I", p.read_bytes()[16:20])[0]

    assert png_width(pdf_run / "figures" / "fan_tension.png") == round(style.PAPER_WIDTHS["a4"] * 200)
    assert png_width(pdf_run / "figures" / "incidence.png") == round(style.PAPER_WIDTHS["a4"] * 200)


def test_formats_no_longer_asked_for_are_removed(pdf_run):
    cfg = (pdf_run / "config.yaml").read_text().replace("format: [pdf, png]", "format: [png]")
    (pdf_run / "config.yaml").write_text(cfg)
    build_report(pdf_run)
    assert not list((pdf_run / "figures").glob("*.pdf")) and list((pdf_run / "figures").glob("*.png"))


# --------------------------------------------------------------------------
# Page layout and scenario labels
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cf_html(tmp_path_factory) -> tuple[str, dict]:
    root = write_synthetic_run(tmp_path_factory.mktemp("cf") / "run", days=30, scenarios=("baseline", "no_embassy"),
                               counterfactual_outputs=True)
    build_report(root)
    return (root / "report.html").read_text(encoding="utf-8"), json.loads((root / "summary.json").read_text())


def test_contents_links_every_section_and_figure(cf_html):
    html, _ = cf_html
    nav = html[html.index("<nav class='toc'"):html.index("</nav>")]
    hrefs = re.findall(r"href='#([^']+)'", nav)
    ids = set(re.findall(r" id='([^']+)'", html))
    assert hrefs and set(hrefs) <= ids
    assert set(re.findall(r"<h2 id='([^']+)'>", html)) <= set(hrefs)
    assert set(re.findall(r"<figure id='([^']+)'>", html)) <= set(hrefs)


def test_every_table_scrolls_in_its_own_box_and_config_is_folded(cf_html):
    html, _ = cf_html
    body = html[html.index("<nav class='toc'"):]  # after the header's facts table
    assert body.count("<table>") == body.count("<div class='wide'><table>")
    assert re.search(r"<details><summary>config.yaml as the run resolved it \(\d+ lines; click to show\)</summary>"
                     r"<pre>seed: 7", html)
    assert "div.wide{max-width:100%;overflow-x:auto" in html


def test_headline_says_baseline_and_counterfactual(cf_html):
    html, summ = cf_html
    sec = html[html.index("<h2 id='headline'>"):html.index("<h2 id='counterfactuals'>")]
    assert "<strong>baseline (factual)</strong>" in sec
    assert "<td>baseline (factual)</td>" in sec and "<td>counterfactual no_embassy</td>" in sec
    assert "<h3 id='cf-no_embassy'>Counterfactual no_embassy vs baseline (factual)</h3>" in html


def test_headline_lines_one_format_for_every_scenario(cf_html):
    _, summ = cf_html
    summ = dict(summ, headline=["P(reach rung 3, show of force, by 2022-09-30): AZE-IRN 0.50 [0.40, 0.60]",
                                "Tension on 2022-09-30, median (90% band): AZE-IRN 0.33 (0.21–0.45)"])
    lines = headline_lines(summ)
    assert len(lines) == 4
    assert lines[0].startswith("P(reach rung 3, show of force, by 2022-09-30), baseline (factual): AZE-IRN 0.50")
    assert lines[1].startswith("P(reach rung 3, show of force, by 2022-09-30), counterfactual no_embassy: AZE-IRN ")
    assert lines[3].startswith("Tension on 2022-09-30, median (90% band), counterfactual no_embassy: AZE-IRN ")
    p = summ["scenarios"]["no_embassy"]["AZE-IRN"]["p_rung_at_least"]["3"]["p"]
    assert f"AZE-IRN {p:.2f} [" in lines[1]  # the counterfactual's own numbers
    # a factual-only run: lines are labelled "baseline", nothing else
    solo = {k: v for k, v in summ.items() if k != "counterfactuals"}
    assert [ln.split(": ")[0] for ln in headline_lines(solo)] == [
        "P(reach rung 3, show of force, by 2022-09-30), baseline", "Tension on 2022-09-30, median (90% band), baseline"]


def test_validation_line_in_the_headline_format():
    summ = {"scenarios": {"baseline": {}}, "validation": {"window": ["2022-09", "2023-05"], "overall_sign_agreement": 0.93,
            "dyads": {"IRN-ISR": {"sign_agreement": 1.0}, "AZE-IRN": {"sign_agreement": 0.777778}}}}
    assert validation_line(summ) == ("GDELT sign agreement of monthly net relation 2022-09..2023-05 (in-sample fit), "
                                     "baseline: AZE-IRN 0.78; IRN-ISR 1.00; all dyads 0.93")
