"""triad's Python API (docs/api.md): the runs of the ``triad`` command, in memory.

::

    import sim
    r = sim.run(replicates=500, seed=1)                 # the factual baseline
    r.stats, r.incidence, r.summary, r.headline         # DataFrames, dict, lines
    c = sim.compare("no_embassy_attack", replicates=500)  # factual vs counterfactual, paired
    c.answer, c.effects, c.plot_paired_difference()
    c.save("outputs/api/no_attack")                     # the directory `triad` writes
    m = sim.model(replicates=8); m.step(); m.agents     # a small ensemble, one day at a time

Configs are composed as ``triad`` composes them (``experiment`` and ``overrides`` are the
command line's), Hydra's global state is left as it was, and nothing is written to disk
unless ``save`` is called. Mistakes raise ``sim.errors.ConfigError`` with the line ``triad``
prints.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from sim.api import batch as _batch
from sim.api.backtest import Backtest
from sim.api.exploration import Exploration
from sim.api.model import Model
from sim.api.result import Result

__all__ = ["Backtest", "Exploration", "Model", "Result", "batch_run", "compare", "model", "run"]


def _values(seed: int | None, replicates: int | None, values: Mapping[str, Any] | None) -> dict:
    from sim.config.door import ArgumentError

    if values is not None and not isinstance(values, Mapping):
        raise ArgumentError("values", f"{type(values).__name__} is not a mapping of dotted keys to values, e.g. "
                          "{'ensemble.seed': 7}")
    out = dict(values or {})
    if seed is not None:
        out["ensemble.seed"] = seed
    if replicates is not None:
        out["ensemble.replicates"] = replicates
    return out


def _call(fn: str, **kw: Any) -> str:
    return f"sim.{fn}(" + ", ".join(f"{k}={v!r}" for k, v in kw.items() if v not in (None, (), [], {})) + ")"


def run(experiment: str | None = None, overrides: Sequence[str] = (), *, config: Mapping | None = None,
        seed: int | None = None, replicates: int | None = None,
        values: Mapping[str, Any] | None = None) -> Result | Exploration | Backtest:
    """Run what ``triad [experiment=NAME] OVERRIDES…`` runs, in memory.

    Args:
        experiment: a name of ``experiments/`` (``triad list experiments``); None: the default.
        overrides: command-line overrides, ``["dynamics.reaction.IRN=0.02", "end=2023-12-31"]``.
        config: a whole config instead (a ``Result.config``, or any mapping ``triad`` accepts).
        seed, replicates: ``ensemble.seed`` and ``ensemble.replicates``.
        values: dotted keys to Python values, applied last
            (``{"counterfactual.ops": [{"remove": {"event": "herzog_visit_baku"}}]}``).

    Returns:
        a ``Result`` (an ensemble, with or without counterfactual), an ``Exploration``
        when the config's ``explore.method`` is ``sensitivity``, ``discovery`` or ``calibrate``,
        a ``Backtest`` when ``backtest.enabled`` (``sim.run("backtest")``). Every kind is
        computed by ``sim.runs.orchestrate.compute``, the function the command runs.
    """
    from sim.api.config import resolve
    from sim.runs.orchestrate import compute

    plain = resolve(experiment, overrides, config=config, updates=_values(seed, replicates, values))
    computed = compute(plain)
    call = _call("run", experiment=experiment, overrides=list(overrides), seed=seed, replicates=replicates,
                 values=dict(values or {}), config="<mapping>" if config is not None else None)
    cls = {"ensemble": Result, "backtest": Backtest, "exploration": Exploration}[computed.kind]
    return cls(computed, call)


def compare(counterfactual: str | Sequence[Mapping], experiment: str | None = None, overrides: Sequence[str] = (),
            *, name: str = "counterfactual", question: str | None = None, seed: int | None = None,
            replicates: int | None = None, values: Mapping[str, Any] | None = None) -> Result:
    """The factual baseline and a counterfactual on the same replicates (paired).

    Args:
        counterfactual: a name of ``conf/counterfactual/`` (``triad list counterfactuals``),
            or a list of ops as in a counterfactual file
            (``[{"shift": {"event": "herzog_visit_baku", "days": 30}}]``), named ``name``.
        experiment, overrides, seed, replicates, values: as for ``run``.

    The result's ``answer`` is the counterfactual's answer sentence, ``effects`` the daily
    paired differences, ``summary["counterfactuals"][NAME]["effects"]`` the paired effects.
    """
    vals = dict(values or {})
    ov = list(overrides)
    if isinstance(counterfactual, str):
        ov.append(f"counterfactual={counterfactual}")
    else:
        vals.update({"counterfactual.name": name, "counterfactual.ops": [dict(op) for op in counterfactual]})
    if question is not None:
        vals["counterfactual.question"] = question
    out = run(experiment, ov, seed=seed, replicates=replicates, values=vals)
    if not isinstance(out, Result) or not out.answers:
        raise ValueError("this config runs no counterfactual; use sim.run")
    return out


def model(experiment: str | None = None, overrides: Sequence[str] = (), *, config: Mapping | None = None,
          seed: int | None = None, replicates: int = 8, scenario: str = "baseline",
          values: Mapping[str, Any] | None = None) -> Model:
    """A small ensemble of ``replicates`` replicates of one scenario (``baseline``, or the
    config's counterfactual by name), to advance by hand: ``m.step()`` is one day.

    Replicate r is the replicate r of ``sim.run`` with the same config and seed: after k
    steps ``m.state()`` equals the run's ``trajectories`` on day k.
    """
    from sim.api.config import resolve
    from sim.api.model import build
    from sim.config.spec import build_spec

    plain = resolve(experiment, overrides, config=config, updates=_values(seed, replicates, values))
    return build(build_spec(plain), scenario, replicates)


def batch_run(experiment: str | None = None, grid: Mapping[str, Sequence[Any]] | None = None,
              **kwargs: Any):
    return _batch.batch_run(experiment, grid, runner=run, **kwargs)


batch_run.__doc__ = _batch.batch_run.__doc__
