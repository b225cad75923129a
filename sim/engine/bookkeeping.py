"""The ladder's daily bookkeeping, compiled: strike streaks, war, highest rung and the
first day of each rung (phase 6 of the day, ``sim/engine/model.py``)."""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def ladder_day(dyad_rung, streak, max_rung, first_reach, war_days, day):
    """One ladder, in place, for day ``day``: a dyad-day at rung ≥ 5 extends the strike
    streak (else it resets); a streak of ``war_days`` makes the day rung 6 (war); the
    highest rung so far rises to the day's, and each rung k it passes for the first time
    gets ``first_reach[k] = day``. Shapes: (D, R) (``first_reach``: (7, D, R))."""
    D, R = dyad_rung.shape
    for d in range(D):
        for r in range(R):
            x = dyad_rung[d, r]
            s = streak[d, r] + 1 if x >= 5 else 0
            streak[d, r] = s
            if s >= war_days:
                x = 6
                dyad_rung[d, r] = 6
            if x > max_rung[d, r]:
                max_rung[d, r] = x
                for k in range(1, x + 1):
                    if first_reach[k, d, r] < 0:
                        first_reach[k, d, r] = day
