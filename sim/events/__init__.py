"""Event data in: readers of coded event exports (ICEWS, GDELT, POLECAT, ACLED, a plain
table), actor resolution, counting, and the two writers (a spec §3 timeline and the
observations file). ``triad import`` is the command line over them (docs/data.md)."""
from __future__ import annotations

from sim.events import observations

__all__ = ["observations"]
