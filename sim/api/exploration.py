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

    def __init__(self, plain: dict, settings, method: str, res: dict):
        self._plain, self._settings, self.method, self._res = plain, settings, method, res

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

    def save(self, directory: str | Path) -> Path:
        """Write the run directory ``triad`` writes for this config (no re-simulation)."""
        from sim.config import door
        from sim.errors import ConfigError
        from sim.explore.runner import run_exploration
        from sim.io.places import forbidden_output_dir

        if not isinstance(directory, (str, Path)) or str(directory).strip() == "":
            raise ConfigError("directory", f"{directory!r} is not a directory path")
        out = Path(directory).expanduser()
        forbidden = forbidden_output_dir(out)
        if forbidden:  # the same rules as Result.save
            raise ConfigError("directory", forbidden)
        door.check("api", directory=out)
        run_exploration(self._plain, self._settings, out, computed=copy.deepcopy(self._res))
        return out


def explore(plain: dict, settings) -> Exploration:
    """Check ``explore.*`` as ``run_exploration`` does, then compute in memory."""
    from sim.errors import ConfigError
    from sim.explore.options import check_keys
    from sim.explore.runner import RUNNERS
    from sim.runs.ensemble import check_memory

    ex = dict(plain["explore"])
    method = ex.get("method")
    check_keys(ex, method)
    check_memory(settings, 0, 1, 0)
    if settings.chunks > 1:
        raise ConfigError("ensemble.chunks", "exploration runs its samples in one job; use ensemble.chunks=1")
    return Exploration(plain, settings, method, RUNNERS[method](plain, settings, ex))
