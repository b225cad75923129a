"""Exploration results in EMA Workbench's shape: ``(experiments, outcomes)``, the pair
``ema_workbench.perform_experiments`` returns and its analysis functions take
(``prim.Prim``, ``prim.setup_prim``, ``feature_scoring.get_feature_scores_all``, ``cart``).

``experiments`` is a DataFrame with one column per sampled parameter (the uncertainties,
named by their config paths) and one row per sample; ``outcomes`` maps each result of a
sample to a 1-D numpy array in the same row order. No EMA import here: the pair is plain
pandas and numpy.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

# columns of samples.parquet that number or label rows, not results
BOOKKEEPING = ("sample", "evaluation", "design")


def ema_results(samples: pd.DataFrame, parameters: Sequence[str],
                design: str | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """``(experiments, outcomes)`` from an exploration's ``samples.parquet``.

    Args:
        samples: the table (discovery: ``p``, ``of_interest``; sensitivity: ``mean:OUT``
            and ``var:OUT`` per output; calibration: ``loss``, ``near_best``).
        parameters: the sampled parameter names (``summary.json``:
            ``exploration.problem.names``), in order.
        design: sensitivity only: keep the rows of one design (``sobol`` or ``morris``).

    Outcome names are the column names, with ``mean:`` dropped (``mean:p_rung_5_IRN-ISR``
    is the outcome ``p_rung_5_IRN-ISR``); boolean columns stay boolean.
    """
    df = samples
    if design is not None:
        if "design" not in df.columns:
            raise ValueError("design= applies to sensitivity samples (a 'design' column)")
        df = df[df["design"] == design]
    df = df.reset_index(drop=True)
    missing = [p for p in parameters if p not in df.columns]
    if missing:
        raise ValueError(f"parameters not in the samples: {missing}")
    experiments = df[list(parameters)].astype(float)
    outcomes = {}
    for col in df.columns:
        if col in parameters or col in BOOKKEEPING:
            continue
        outcomes[col.removeprefix("mean:")] = df[col].to_numpy()
    return experiments, outcomes
