"""``Backtest``: a rolling-origin backtest held in memory (what ``triad experiment=backtest``
computes), written to disk only by ``save``."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


class Backtest:
    """Result of ``sim.run`` for a config with ``backtest.enabled`` (``sim.run("backtest")``).

    ``table`` is ``backtest.parquet`` as ``pd.read_parquet`` gives it (one row per origin ×
    horizon × dyad; its date columns as ``datetime64[ns]``), ``summary`` the content of ``summary.json``, ``answer`` and ``headline``
    the text ``triad`` prints, ``skill`` the CRPS skill rows (``summary["backtest"]["skill"]``).
    """

    def __init__(self, computed, call: str = ""):
        self._c, self._call = computed, call
        self._table: pd.DataFrame | None = None

    def __repr__(self) -> str:
        b = self._c.payload[0]["backtest"]
        return f"<triad Backtest: {len(b['origins'])} origins × horizons {b['horizons']}, {b['rows']} rows>"

    @property
    def config(self) -> dict:
        return json.loads(json.dumps(self._c.plain))

    @property
    def summary(self) -> dict:
        return json.loads(json.dumps(self._c.payload[0]))

    @property
    def answer(self) -> str:
        return self._c.payload[0]["backtest"]["answer"]

    @property
    def headline(self) -> list[str]:
        return list(self._c.payload[0]["headline"])

    @property
    def table(self) -> pd.DataFrame:
        """The rows of ``backtest.parquet`` (the Arrow table the run writes, as pandas)."""
        if self._table is None:
            from sim.api.result import frame
            from sim.io import tables

            self._table = frame(tables.table("backtest", [self._c.payload[1]]))
        return self._table.copy()

    @property
    def skill(self) -> pd.DataFrame:
        return pd.DataFrame(self._c.payload[0]["backtest"]["skill"])

    def save(self, directory: str | Path, report: bool = True) -> Path:
        """Write the run directory ``triad`` writes for this config (no re-simulation);
        ``report=False``: no figures nor report.html."""
        from sim.runs.orchestrate import save

        return save(self._c, directory, report=report, extra={"api_call": self._call}).out
