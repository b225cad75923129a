"""Sweeps (``triad -m``): the jobs of a multirun (``jobs``), the sweep table (``table``),
split-ensemble merges (``merge``), the aggregate of all three (``aggregate``), and the Hydra
callback that runs it at the end of a multirun (``callback``; by hand: ``triad-aggregate``).
The sweep's figures and page are in ``sim.report.sweep``."""
from sim.sweep.aggregate import aggregate
from sim.sweep.callback import AggregateCallback
from sim.sweep.jobs import job_dirs

__all__ = ["AggregateCallback", "aggregate", "job_dirs"]
