"""Every text of every report figure lies inside the figure: the fan charts' legends were
cut on the left and right of the PNG, routes.png on both sides (issue 19). Checked with
the renderer's window extents after the layout the PNG is drawn with."""
from __future__ import annotations

import os

import pytest
from matplotlib.text import Text

import sim
from sim.report import run as R
from sim.report import style
from sim.report.figures.base import fitted_legend, freeze_layout


def _drawn_texts(fig) -> list[Text]:
    """The texts the renderer draws: figure texts, legends, and per axes its title, labels,
    annotations and tick labels (those only where the axis is drawn)."""
    out = list(fig.texts)
    for leg in fig.legends:
        out += [leg.get_title(), *leg.get_texts()]
    for ax in fig.get_axes():
        out += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.axison:  # the tick labels drawn: those of ticks inside the view limits (Axis.draw's
            # own selection; get_yticklabels also lists a tick the locator put beyond the limits)
            drawn = [lab for axis in (ax.xaxis, ax.yaxis) for tick in axis._update_ticks()
                     for lab in (tick.label1, tick.label2) if lab.get_visible()]
            out += [ax.xaxis.label, ax.yaxis.label, *drawn]
        leg = ax.get_legend()
        if leg is not None:
            out += [leg.get_title(), *leg.get_texts()]
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def _outside(fig) -> list[str]:
    renderer = fig._get_renderer()
    w, h = fig.bbox.width, fig.bbox.height
    bad = []
    for t in _drawn_texts(fig):
        bb = t.get_window_extent(renderer)
        if bb.x0 < -1 or bb.x1 > w + 1 or bb.y0 < -1 or bb.y1 > h + 1:
            bad.append(f"{t.get_text()[:40]!r} at {[round(v) for v in bb.extents]} in {round(w)}x{round(h)}")
    for leg in fig.legends:
        bb = leg.get_window_extent(renderer)
        if bb.x0 < -1 or bb.x1 > w + 1:
            bad.append(f"legend at {[round(v) for v in bb.extents]} in {round(w)}x{round(h)}")
    return bad


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    r = sim.compare("no_embassy_attack", overrides=["end=2024-05-31", "record.replicates=0"], replicates=40)
    return r.save(tmp_path_factory.mktemp("layout") / "run", report=False)


@pytest.mark.parametrize("paper", ["screen", pytest.param("a4", marks=pytest.mark.slow)])  # a4: over 4 s
def test_every_text_of_every_figure_lies_inside_it(run_dir, paper):
    run = R.load_run(run_dir)
    specs = R._figure_specs(run)
    names = [n for n, _, _ in specs]
    assert {"fan_tension", "fan_cooperation", "fan_net_relation", "routes", "paired_difference"} <= set(names)
    with style.style_context(paper):
        for name, build, _ in specs:
            fig = freeze_layout(build())
            assert _outside(fig) == [], name


def test_a_legend_wider_than_its_figure_loses_columns_then_wraps():
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(3, 5), layout="constrained")
    fig.subplots()
    handles = [Line2D([], [], label=f"a rather long legend label number {i}") for i in range(4)]
    leg = fitted_legend(fig, handles, ncols=4, loc="outside lower center",
                        title="a title much longer than the three inches of this small figure, to be wrapped")
    assert len(fig.legends) == 1 and leg._ncols == 1
    assert "\n" in leg.get_title().get_text()
    freeze_layout(fig)
    assert _outside(fig) == []


@pytest.mark.slow  # over 4 s: make test runs it, make test-fast leaves it out
def test_figures_drawn_in_forked_processes_are_the_serial_bytes(run_dir, tmp_path):
    """Each build in a fresh single-threaded process: a pytest-xdist worker carries execnet's
    thread, where the report rightly refuses to fork and would draw serially both times."""
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    made = {}
    for workers in ("1", "2"):
        d = tmp_path / f"w{workers}"
        shutil.copytree(run_dir, d)
        code = ("import sys; from sim.report import run as R; from sim.report import build_report; "
                "print(R.figure_workers(7)); build_report(sys.argv[1])")
        proc = subprocess.run([sys.executable, "-c", code, str(d)], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "TRIAD_REPORT_WORKERS": workers})
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.split()[0] == workers  # 2: really forked (a single-threaded process)
        made[workers] = {p.name: p.read_bytes() for p in sorted((d / "figures").iterdir())}
        made[workers]["report.html"] = (d / "report.html").read_bytes()
    assert len(made["1"]) >= 9 and made["1"] == made["2"]  # 8 figures (PNG, the default) and the page
