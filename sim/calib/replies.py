"""Reply statistics with the episode's own baseline (the ICEWS README's caveat: after an
ISR→IRN rung-5 day an IRN→ISR rung ≥ 4 act follows within 30 days 66 % of the time, but the
share in the 30 days *before* the trigger is 70 %).

For every trigger day t (a day with a trigger act, whose windows [t − w, t − 1] and
[t + 1, t + w] lie inside the period): ``after`` = share of triggers with a response act in
the w days after, ``before`` = the same in the w days before, ``base`` = share of all days of
the period (windows inside it) with a response in the next w days, ``excess`` = after − before
(the reply signal net of the episode). The same function reads the data (one series) and the
model (one column per replicate: triggers pooled over replicates), so the definitions match.
"""
from __future__ import annotations

import numpy as np


def _windows(x: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """For each day t: any x in [t+1, t+w] (after) and in [t−w, t−1] (before); (days, R)."""
    n = x.shape[0]
    c = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(x, axis=0)])  # c[t] = Σ x[:t]
    t = np.arange(n)
    hi_a, lo_a = np.minimum(t + w + 1, n), np.minimum(t + 1, n)
    lo_b = np.maximum(t - w, 0)
    return (c[hi_a] - c[lo_a]) > 0, (c[t] - c[lo_b]) > 0


def reply_stats(trigger: np.ndarray, response: np.ndarray, w: int = 30) -> dict:
    """``trigger``, ``response``: (days,) or (days, R) bool series of one period."""
    trig = np.asarray(trigger, dtype=bool)
    resp = np.asarray(response, dtype=bool)
    if trig.ndim == 1:
        trig, resp = trig[:, None], resp[:, None]
    after, before = _windows(resp.astype(np.int64), w)
    n = trig.shape[0]
    inside = (np.arange(n) >= w) & (np.arange(n) < n - w)
    t = trig & inside[:, None]
    k = int(t.sum())
    share = (lambda m: float(m[t].mean()) if k else None)
    base = float(after[inside].mean()) if inside.any() else None
    out = {"window_days": w, "triggers": k, "after": share(after), "before": share(before), "base": base}
    out["excess"] = None if k == 0 else out["after"] - out["before"]
    return out
