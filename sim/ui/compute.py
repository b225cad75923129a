"""The explorer's simulation: a ``Scenario`` through the path the command line uses
(``build_spec`` → ``sim.runs.orchestrate.precheck`` → ``sim.runs.simulate.run_plan``), in
this process, and read out as the numbers and daily quantiles the app shows. Nothing is written.

The read-outs are the run's own functions (``summary.scenario_summary``, the
``counterfactual_summary`` of ``sim/runs/plan.py``), applied to views of the streamed
statistics that hold only what is shown: the last day for the headline, the tension and
net-relation series for the fans. Inverting every day of every series takes about a
second; the views take milliseconds and give the same numbers.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from sim.config.spec import RunSpec, build_spec
from sim.errors import TriadError
from sim.ui.scenario import Scenario, to_plain

QS = (0.05, 0.25, 0.5, 0.75, 0.95)
VARIABLES = ("tension", "net_relation")
FAN_POINTS = 220  # days drawn in a fan (every k-th day of a long horizon)

_lock = threading.Lock()  # one ensemble at a time: the engine's chunk arrays are large
# server-side bounds (M6): a page, or anything that speaks its protocol, may ask for more
MAX_REPLICATES = 1000  # the replicates slider's maximum
MAX_SECONDS = 120.0  # estimated run time of one request
_base: dict[str, Any] = {}


def base_config(overrides: tuple[str, ...] | None = None) -> tuple[dict, RunSpec]:
    """The default config as the command line composes it (validated), and its spec;
    composed once per process (Hydra's global state is cleared again). ``overrides``:
    those of ``triad-explore`` (``--actors``) unless given."""
    if overrides is None:
        from sim.ui import options

        overrides = options.overrides()
    with _lock:
        if overrides not in _base:
            from hydra import compose, initialize_config_dir
            from hydra.core.global_hydra import GlobalHydra

            from sim.config.locate import conf_dir, register_experiments
            from sim.config.validate import validate

            register_experiments()
            GlobalHydra.instance().clear()
            try:
                with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
                    plain = validate(compose(config_name="config", overrides=list(overrides)))
            finally:
                GlobalHydra.instance().clear()
            _base[overrides] = (plain, build_spec(plain))
        return _base[overrides]


@dataclass(frozen=True)
class Outcome:
    """What the app shows for one scenario."""

    dates: np.ndarray  # (days,) datetime64[D]
    dyads: tuple[str, ...]
    fans: Mapping[str, Mapping[str, np.ndarray]]  # scenario -> variable -> (days, dyads, len(QS))
    diff: Mapping[str, np.ndarray] | None  # variable -> (days, dyads, len(QS)), counterfactual − baseline
    scenarios: Mapping[str, dict]  # scenario -> summary.scenario_summary (P(rung ≥ k), end tension)
    counterfactual: dict | None  # plan.counterfactual_summary's block (effects, answer)
    cf_name: str | None
    end: str
    replicates: int
    seed: int
    seconds: float


def _view(stats, days: slice | None = None, series: list[int] | None = None):
    """A shallow copy of ``DailyStats`` restricted to some days and series (read-outs only)."""
    v = copy.copy(stats)
    if days is not None:
        v.hist = stats.hist[days]
    if series is not None:
        v.hist = v.hist[:, series]
        v._left, v._width = stats._left[series], stats._width[series]  # what quantiles() reads per series
    return v


def _fan(stats, dyads: tuple[str, ...], days: slice) -> dict[str, np.ndarray]:
    """Quantiles of tension and net relation per dyad on ``days``: (days, dyads, len(QS))."""
    s = stats.series
    idx = {(v, f"{a}-{b}"): i for i, (a, b, v) in enumerate(zip(s.source, s.target, s.variable))}
    cols = [idx[(v, d)] for v in VARIABLES for d in dyads]
    q = _view(stats, days=days, series=cols).quantiles(QS)
    n = len(dyads)
    return {v: q[:, k * n:(k + 1) * n] for k, v in enumerate(VARIABLES)}


def simulate(sc: Scenario, base: Mapping[str, Any] | None = None) -> Outcome:
    """Run the scenario's factual and counterfactual ensembles (paired) and read them out.
    A config the checks refuse raises ``TriadError`` with the command line's one-line message."""
    from sim.config import door
    from sim.errors import ConfigError
    from sim.runs import summary
    from sim.runs.orchestrate import precheck
    from sim.runs.plan import counterfactual_summary
    from sim.runs.simulate import check_duration, run_plan
    from sim.runs.stats import dyad_names

    t0 = time.perf_counter()
    reps = sc.replicates
    if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= MAX_REPLICATES:
        raise ConfigError("ensemble.replicates", f"{reps!r} is out of range; allowed: 1..{MAX_REPLICATES} in the "
                          "explorer (run larger ensembles with triad)")
    if base is None:
        base = base_config()[0]
    timeline = build_spec(base).settings.events
    plain = to_plain(base, sc, timeline)
    door.check("explorer", config=plain)
    spec = build_spec(plain)
    settings = spec.settings
    plan, _ = precheck(plain, spec)  # the plan and the memory check of the command line
    check_duration(settings, plan, MAX_SECONDS / 3600)
    with _lock:  # one worker: the explorer's ensembles are small and the server answers others meanwhile
        results, paired = run_plan(settings, plan, workers=1, quiet=True, all_stats=True)
    dyads = tuple(sorted(dyad_names(settings.actors)))  # the order of the API's tables and the report
    n = settings.n_days
    days = slice(0, n, -(-n // FAN_POINTS))  # a fan of a few hundred days is drawn the same
    fans, scen = {}, {}
    for name, r in results.items():
        fans[name] = _fan(r.stats, dyads, days)
        scen[name] = summary.scenario_summary(_view(r.stats, days=slice(-1, None)), settings.actors)
    cf_name = plan.pairs[0].scenario.name if plan.pairs else None
    diff, cf = None, None
    if cf_name is not None:
        diff = _fan(paired[cf_name].daily, dyads, days)
        cf = counterfactual_summary(plan, paired, spec)["counterfactuals"][cf_name]
    return Outcome(settings.dates[days], dyads, fans, diff, scen, cf, cf_name, settings.end.isoformat(),
                   settings.replicates, settings.seed, time.perf_counter() - t0)


def select(out: Outcome, dyads) -> Outcome:
    """The outcome restricted to the chosen dyads (the explorer's dyad selector), in
    ``out.dyads`` order; unknown names are ignored, none chosen keeps all."""
    keep = [k for k, d in enumerate(out.dyads) if d in set(dyads or ())]
    if not keep or len(keep) == len(out.dyads):
        return out
    cut = lambda f: {v: a[:, keep] for v, a in f.items()}  # noqa: E731
    return dataclasses.replace(out, dyads=tuple(out.dyads[k] for k in keep),
                               fans={n: cut(f) for n, f in out.fans.items()},
                               diff=None if out.diff is None else cut(out.diff))


def warm_up() -> None:
    """Compile the day loop and compose the config before the first visitor asks."""
    try:
        plain, _ = base_config()
        start = dt.date.fromisoformat(str(plain["start"]))
        tiny = {**plain, "end": (start + dt.timedelta(days=30)).isoformat()}
        simulate(Scenario(replicates=2), tiny)
    except TriadError:  # pragma: no cover - the default config is checked by the tests
        pass
