"""Sweeps (``triad -m``): the jobs of a multirun (``jobs``), the sweep table (``table``),
split-ensemble merges (``merge``), the aggregate of all three (``aggregate``), and its two
entry points, the Hydra callback and ``triad-aggregate`` (``callback``). The sweep's
figures and page are in ``sim.report.sweep``."""
from sim.sweep.aggregate import aggregate
from sim.sweep.callback import AggregateCallback, main
from sim.sweep.jobs import job_dirs

__all__ = ["AggregateCallback", "aggregate", "job_dirs", "main"]
