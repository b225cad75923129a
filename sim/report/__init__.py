"""Plotted reports of triad runs.

``build_report(run_dir)`` (``sim.report.run``) reads a run directory's outputs and writes
``figures/NAME.{png,svg,pdf}`` and one self-contained ``report.html``; ``triad-report DIR``
is its console entry.

Layout: ``run`` the run report (loading, figure list, captions, writing), ``html`` and
``html_cf`` its sections, ``page`` the HTML page every report is (run, exploration, sweep),
``markup`` the small HTML builders, ``figures/`` one module per kind of figure, ``explore``
the exploration report, ``backtest`` the backtest report, ``style`` the palette and
matplotlib style.

This package imports nothing on its own: ``from sim.report import style`` loads the palette
and matplotlib, not every figure module (the names of ``sim.report.run`` are loaded on
first use).
"""
from __future__ import annotations

__all__ = ["build_report", "ReportError"]
_RUN = ("build_report", "ReportError", "load_run", "_figure_specs", "report_settings", "paired_figure_names")


def __getattr__(name: str):
    if name in _RUN:
        from sim.report import run

        return getattr(run, name)
    raise AttributeError(f"module 'sim.report' has no attribute {name!r}")
