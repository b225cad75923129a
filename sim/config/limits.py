"""Bounds shared by the pre-check and the readers of sweep directories."""
from __future__ import annotations

MAX_JOBS = 10_000  # jobs in one sweep (the pre-check refuses more; multirun.yaml asking for more is not enumerated)
