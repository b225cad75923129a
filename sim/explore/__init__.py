"""Exploration: global sensitivity, scenario discovery and calibration (``explore.method``).

Small pure functions, SALib style::

    problem = problem_from_config({"decisions.hostility_weight": [4, 8], ...}, actors)
    X = sample(problem, "sobol" | "morris" | "lhs", n, seed)
    Y = evaluate(problem, X, settings, replicates_per_sample, outputs)  # (n, reps, outputs)
    analyze(problem, X, Y.mean(axis=1), "sobol")  and  noise_split(Y)

``run_exploration(plain, settings, out_dir)`` is what ``triad`` calls when
``explore.method`` is not ``none``.
"""
from __future__ import annotations

from sim.explore.evaluate import Output, evaluate, evaluate_monthly
from sim.explore.problem import problem_from_config, sample
from sim.explore.sensitivity import analyze, noise_split


def run_exploration(plain, settings, out_dir):
    from sim.explore.runner import run_exploration as _run

    return _run(plain, settings, out_dir)


__all__ = ["Output", "analyze", "evaluate", "evaluate_monthly", "noise_split", "problem_from_config",
           "run_exploration", "sample"]
