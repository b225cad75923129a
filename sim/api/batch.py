"""``sim.batch_run``: a grid of config values × seeds, each an ensemble run of ``sim.run``,
gathered in one tidy DataFrame (the rows and columns of a sweep's ``sweep.parquet``)."""
from __future__ import annotations

import itertools
from typing import Any, Callable, Mapping, Sequence

import pandas as pd


def batch_run(experiment: str | None = None, grid: Mapping[str, Sequence[Any]] | None = None, *,
              seeds: Sequence[int] | None = None, replicates: int | None = None, overrides: Sequence[str] = (),
              values: Mapping[str, Any] | None = None,
              progress: Callable[[int, int, dict], None] | None = None,
              runner: Callable[..., Any] | None = None) -> pd.DataFrame:
    """Run every combination of ``grid`` (dotted key -> values) for every seed and return one
    DataFrame: a row per run × scenario × dyad, with a column per grid key, ``seed``,
    ``replicates``, ``run`` (0, 1, … in grid order, seeds innermost) and the metrics of
    ``sweep.parquet`` (docs/outputs.md): ``p_rung_K`` (with ``_lo``, ``_hi``, ``_endogenous``),
    ``tension_end_q05/q50/q95`` and, with a counterfactual, the paired ``cf_diff_*``.

    ::

        df = sim.batch_run(grid={"dynamics.reaction.IRN": [0.01, 0.02]}, seeds=[1, 2], replicates=200)
        df.groupby(["dynamics.reaction.IRN", "dyad"])["p_rung_3"].mean()

    Args:
        experiment, overrides, replicates, values: as for ``sim.run`` (``values`` applied to
            every run, ``grid`` values after them).
        grid: dotted config key -> the values to try (Python values: numbers, strings, lists).
        seeds: ``ensemble.seed`` of each run; None: the config's seed, once.
        progress: called after each run with (runs done, runs in all, that run's grid values).
        runner: the function that runs one config (``sim.run``; the public ``sim.batch_run``
            passes it in, so this module does not import the package that imports it).
    """
    from sim.api.result import Result
    from sim.sweep.table import metric_rows

    if runner is None:
        raise TypeError("batch_run needs runner=sim.run; call sim.batch_run")

    grid = {k: list(v) for k, v in (grid or {}).items()}
    for key, vals in grid.items():
        if not vals:
            raise ValueError(f"grid[{key!r}] is empty; give at least one value")
    combos = [dict(zip(grid, c)) for c in itertools.product(*grid.values())]
    seed_list: list[int | None] = list(seeds) if seeds is not None else [None]
    jobs = [(c, s) for c in combos for s in seed_list]
    frames = []
    for i, (combo, seed) in enumerate(jobs):
        r = runner(experiment, overrides, seed=seed, replicates=replicates, values={**(values or {}), **combo})
        if not isinstance(r, Result):
            raise ValueError("batch_run runs ensembles; this config is an exploration or a backtest (use sim.run)")
        rows = pd.DataFrame(metric_rows(r.summary))
        order = {s: k for k, s in enumerate(dict.fromkeys(rows["scenario"]))}  # baseline first, dyads sorted
        rows = rows.sort_values(["scenario", "dyad"], key=lambda c: c.map(order) if c.name == "scenario" else c,
                                kind="stable").reset_index(drop=True)
        head = {"run": i, **combo, "seed": r.summary["seed"], "replicates": r.summary["replicates"]}
        frames.append(pd.concat([pd.DataFrame([head] * len(rows)), rows], axis=1))
        if progress is not None:
            progress(i + 1, len(jobs), combo)
    return pd.concat(frames, ignore_index=True)
