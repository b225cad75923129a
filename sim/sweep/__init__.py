"""Sweeps: job table, split-ensemble merge, the Hydra callback."""
from sim.sweep.legacy import AggregateCallback, aggregate, job_dirs, main

__all__ = ["AggregateCallback", "aggregate", "job_dirs", "main"]
