"""Calibration diagnostics of the backtest's forecasts: reliability of the sign probability
and the PIT histogram of the value (both from backtest.parquet's rows)."""
from __future__ import annotations

import numpy as np
import pandas as pd

RELIABILITY_BINS = np.linspace(0.0, 1.0, 11)
PIT_BINS = 10


def reliability(df: pd.DataFrame, forecaster: str) -> list[dict]:
    """Per bin of P(value > 0): forecasts in it, their mean probability and the observed
    frequency of a positive value (empty bins left out)."""
    p = df[f"{forecaster}_p_positive"].to_numpy(dtype=float)
    hit = (df["observed"].to_numpy(dtype=float) > 0).astype(float)
    k = np.clip(np.digitize(p, RELIABILITY_BINS[1:-1]), 0, len(RELIABILITY_BINS) - 2)
    out = []
    for b in range(len(RELIABILITY_BINS) - 1):
        sel = k == b
        if sel.any():
            out.append({"bin": [float(RELIABILITY_BINS[b]), float(RELIABILITY_BINS[b + 1])], "n": int(sel.sum()),
                        "forecast": float(p[sel].mean()), "observed": float(hit[sel].mean())})
    return out


def pit_histogram(df: pd.DataFrame) -> dict:
    """Counts of the model's PIT values in ``PIT_BINS`` equal bins, pooled and per dyad; a
    calibrated forecast gives a flat histogram (U-shaped: too narrow; hump: too wide)."""
    edges = np.linspace(0.0, 1.0, PIT_BINS + 1)

    def counts(x):
        return np.histogram(np.clip(x, 0.0, 1.0), bins=edges)[0].astype(int).tolist()

    return {"edges": edges.tolist(), "all": counts(df["model_pit"].to_numpy(dtype=float)),
            "dyads": {d: counts(g["model_pit"].to_numpy(dtype=float)) for d, g in df.groupby("dyad", sort=True)}}


def coverage(df: pd.DataFrame) -> dict:
    """Share of observations inside the model's central 50 % and 90 % predictive intervals."""
    y = df["observed"].to_numpy(dtype=float)
    return {"50": float(np.mean((df["q25"] <= y) & (y <= df["q75"]))) if len(y) else None,
            "90": float(np.mean((df["q05"] <= y) & (y <= df["q95"]))) if len(y) else None}
