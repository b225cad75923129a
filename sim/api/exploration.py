"""``Exploration``: a sensitivity, discovery or calibration run held in memory (what
``triad experiment=sensitivity|discovery|calibrate`` computes), written only by ``save``."""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd


class Exploration:
    """Result of ``sim.run`` for a config whose ``explore.method`` is not ``none``.

    ``samples`` is ``samples.parquet`` (one row per parameter sample), ``exploration`` the
    ``exploration`` block of ``summary.json`` (unrounded), ``answer`` and ``headline`` the
    text ``triad`` prints. ``to_ema()`` gives EMA Workbench's ``(experiments, outcomes)``.
    """

    def __init__(self, computed, call: str = ""):
        self._c, self._call = computed, call
        self._plain, self._settings = computed.plain, computed.spec.settings
        self.method, self._res = computed.plain["explore"]["method"], computed.payload

    def __repr__(self) -> str:
        return f"<triad Exploration {self.method}: {len(self._res['table'])} samples>"

    @property
    def config(self) -> dict:
        return copy.deepcopy(self._plain)

    @property
    def answer(self) -> str:
        return self._res["answer"]

    @property
    def headline(self) -> list[str]:
        return list(self._res["headline"])

    @property
    def exploration(self) -> dict:
        return {"method": self.method, "question": self._plain["question"], "answer": self.answer,
                **copy.deepcopy({k: v for k, v in self._res["result"].items()})}

    @property
    def parameters(self) -> list[str]:
        return list(self._res["result"]["problem"]["names"])

    @property
    def samples(self) -> pd.DataFrame:
        return self._res["table"].copy()

    def to_ema(self, design: str | None = None):
        """``(experiments, outcomes)`` for ``ema_workbench.analysis`` (``sim/explore/ema.py``)."""
        from sim.explore.ema import ema_results

        return ema_results(self._res["table"], self.parameters, design=design)

    @property
    def figure_names(self) -> list[str]:
        return [n for n, _, _ in self._res["figures"]]

    def figure(self, name: str):
        """The report's figure ``name`` as a matplotlib Figure."""
        from sim.report import style

        specs = {n: build for n, build, _ in self._res["figures"]}
        if name not in specs:
            raise KeyError(f"{name!r}; figures: {', '.join(specs) or 'none'}")
        with style.style_context():
            return specs[name]()

    def save(self, directory: str | Path, report: bool = True) -> Path:
        """Write the run directory ``triad`` writes for this config (no re-simulation);
        ``report=False``: no figures nor report.html."""
        from sim.runs.orchestrate import api_dir, save

        api_dir(directory)  # the door's checks before anything of the run is touched
        return save(self._c, directory, report=report).out
