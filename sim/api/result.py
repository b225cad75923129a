"""``Result``: one simulated run held in memory — its tables as DataFrames, its summary,
its figures — written to disk only by ``save``, through the same writer as ``triad``."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runs.orchestrate import Computed

TABLES = ("stats", "incidence", "effects", "routes", "trajectories", "actions")


class Result:
    """A run of ``sim.run`` or ``sim.compare``.

    The tables (``stats``, ``incidence``, ``effects``, ``routes``, ``trajectories``,
    ``actions``) are the DataFrames ``pd.read_parquet`` gives for the files ``triad`` writes
    (docs/outputs.md): same rows, same order, same values, with the ``date`` column as pandas
    datetimes (``datetime64[ns]``) instead of ``datetime.date`` objects. Dyads are in one
    order everywhere: sorted (``AZE-IRN``, ``AZE-ISR``, ``IRN-ISR``). ``effects`` is None
    without a counterfactual.
    """

    def __init__(self, computed: Computed, call: str = ""):
        self._c, self._call = computed, call
        self._plain, self._spec, self._sim = computed.plain, computed.spec, computed.payload
        self.config_yaml = computed.config_yaml
        self._tables: dict[str, Any] | None = None
        self._frames: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        s = self._spec.settings
        cfs = ", ".join(self.answers) or "none"
        return (f"<triad Result: {s.replicates} replicates, {s.start} .. {s.end}, seed {s.seed}, "
                f"counterfactuals: {cfs}>")

    # -- what the run says ------------------------------------------------------------------
    @property
    def config(self) -> dict:
        """The validated config (a copy); ``sim.run(config=result.config)`` reruns it."""
        return copy.deepcopy(self._plain)

    @property
    def summary(self) -> dict:
        """The content of ``summary.json`` (a copy)."""
        return json.loads(json.dumps(self._sim.summary))

    @property
    def question(self) -> str:
        return self._sim.summary["question"]

    @property
    def headline(self) -> list[str]:
        """The headline lines ``triad`` prints, labelled by scenario (``sim/runs/headline.py``)."""
        from sim.runs.headline import headline_lines

        return headline_lines(self._sim.summary)

    @property
    def answers(self) -> dict[str, str]:
        """Counterfactual (or attribution) name -> its answer sentence."""
        s = self._sim.summary
        out = {n: c["answer"] for n, c in (s.get("counterfactuals") or {}).items()}
        if "attribution" in s:
            out[s["attribution"]["name"]] = s["attribution"]["answer"]
        return out

    @property
    def answer(self) -> str | None:
        """The answer sentence of the run's counterfactual (None without one)."""
        return next(iter(self.answers.values()), None)

    @property
    def scenarios(self) -> list[str]:
        return list(self._sim.scenarios)

    @property
    def events(self) -> list[dict]:
        """The timeline as ``events.json`` holds it."""
        from sim.io.rundir import events_table

        return json.loads(json.dumps(events_table(self._spec.settings)))

    def p_rung(self, rung: int, scenario: str = "baseline", origin: str = "any") -> pd.DataFrame:
        """P(dyad reached at least ``rung`` by the end) per dyad (sorted: AZE-IRN, AZE-ISR,
        IRN-ISR, the order of the tables, the report and the explorer) with its 95 % Wilson
        interval, from the summary; ``origin="endogenous"``: by the model's own acts only."""
        from sim.errors import ConfigError

        if origin not in ("any", "endogenous"):
            raise ConfigError("origin", f"{origin!r} is not an origin; allowed: any, endogenous")
        scenarios = self._sim.summary["scenarios"]
        if scenario not in scenarios:
            raise ConfigError("scenario", f"{scenario!r} is not a scenario of this run; allowed: "
                              f"{', '.join(scenarios)}")
        if isinstance(rung, bool) or not isinstance(rung, (int, np.integer)) or not 1 <= rung <= 6:
            raise ConfigError("rung", f"{rung!r} is not a rung of the ladder; allowed: 1..6")
        scen = scenarios[scenario]
        rows = []
        for dyad, rec in scen.items():
            p = rec["p_rung_at_least"]
            v = p[str(rung)] if origin == "any" else p["endogenous"][str(rung)]
            rows.append({"dyad": dyad, "p": v["p"], "lo": v["lo"], "hi": v["hi"]})
        return pd.DataFrame(rows).set_index("dyad").sort_index()

    # -- tables -----------------------------------------------------------------------------
    def arrow(self, name: str):
        """The Arrow table ``NAME.parquet`` would hold (None: the run writes no such file)."""
        if self._tables is None:
            from sim.io.rundir import run_tables

            d = self._sim.data
            self._tables = run_tables(self._spec.settings, **{k: d[k] for k in
                                                              ("stats", "routes", "effects", "trajectories",
                                                               "actions")})
        return self._tables.get(name)

    def table(self, name: str) -> pd.DataFrame | None:
        if name not in TABLES:
            raise KeyError(f"{name!r}; tables: {', '.join(TABLES)}")
        if name not in self._frames:
            t = self.arrow(name)
            if t is None:
                return None
            self._frames[name] = frame(t)
        return self._frames[name].copy()

    stats = property(lambda self: self.table("stats"), doc="stats.parquet: daily mean and quantiles")
    incidence = property(lambda self: self.table("incidence"), doc="incidence.parquet: P(reached rung k) by date")
    effects = property(lambda self: self.table("effects"), doc="effects.parquet: paired differences (or None)")
    routes = property(lambda self: self.table("routes"), doc="routes.parquet: escalation routes")
    trajectories = property(lambda self: self.table("trajectories"), doc="trajectories.parquet: recorded states")
    actions = property(lambda self: self.table("actions"), doc="actions.parquet: acts of the recorded replicates")

    def behaviorspace(self) -> pd.DataFrame:
        """The recorded replicates as a BehaviorSpace table (``behaviorspace.csv`` without its
        six preamble lines; ``record.behaviorspace=true`` writes the file)."""
        from sim.io.exports import behaviorspace_table

        return behaviorspace_table(self.arrow("trajectories"), self.arrow("actions"), self._spec.settings)

    # -- figures ----------------------------------------------------------------------------
    def _report_inputs(self) -> dict:
        """What ``sim.report.load_run`` reads from a run directory, from memory."""
        from sim.report import style
        from sim.report.figures.events import number_events
        from sim.report.run import report_columns

        def norm(df: pd.DataFrame | None) -> pd.DataFrame | None:
            return None if df is None else report_columns(df.copy())

        stats, incid = norm(self.stats), norm(self.incidence)
        return {"stats": stats, "incidence": incid, "summary": self.summary, "events": number_events(self.events),
                "config_text": self.config_yaml,
                "scenarios": style.order_scenarios(set(stats["scenario"]) | set(incid["scenario"])),
                "routes": norm(self.routes), "effects": norm(self.effects)}

    def _specs(self) -> list:
        from sim.report import _figure_specs

        return _figure_specs(self._report_inputs())

    @property
    def figure_names(self) -> list[str]:
        """The figures the report of this run shows (``fan_tension``, ``incidence``…)."""
        return [name for name, _, _ in self._specs()]

    def figure(self, name: str):
        """The report's figure ``name`` as a matplotlib Figure (not shown, not saved)."""
        from sim.report import style

        specs = {n: build for n, build, _ in self._specs()}
        if name not in specs:
            raise KeyError(f"{name!r}; figures of this run: {', '.join(specs)}")
        with style.style_context():
            return specs[name]()

    def caption(self, name: str) -> str:
        """The report's caption of figure ``name`` (HTML)."""
        return {n: c for n, _, c in self._specs()}[name]

    def plot_tension(self):
        return self.figure("fan_tension")

    def plot_net_relation(self):
        return self.figure("fan_net_relation")

    def plot_incidence(self):
        return self.figure("incidence")

    def plot_paired_difference(self):
        """The paired counterfactual − baseline differences (first counterfactual)."""
        return self.figure(next(n for n in self.figure_names if n.startswith("paired_difference")))

    # -- files ------------------------------------------------------------------------------
    def save(self, directory: str | Path, report: bool = True) -> Path:
        """Write the run directory ``triad`` writes for this config (data files, report when
        ``report.enabled``, ``manifest.json`` last) into ``directory``; return its path.
        ``report=False``: no figures nor report.html (seconds saved; ``triad-report DIR``
        builds them later). A directory that already holds this complete run is left as it is."""
        from sim.runs.orchestrate import api_dir, save

        api_dir(directory)  # the door's checks before anything of the run is touched
        return save(self._c, directory, report=report, extra={"api_call": self._call}).out


def frame(table) -> pd.DataFrame:
    """An Arrow table of a run file as pandas, its calendar days (``date32``) as pandas
    datetimes (``datetime64[ns]``), so ``df.date.dt.month`` and date arithmetic work; the
    values are those of ``pd.read_parquet`` on the file."""
    import pyarrow as pa

    df = table.to_pandas()
    for field in table.schema:
        if pa.types.is_date(field.type):
            df[field.name] = pd.to_datetime(df[field.name]).astype("datetime64[ns]")
    return df
