"""Event data in: readers of coded event exports (ICEWS, GDELT, POLECAT, ACLED, a plain
table), actor resolution, counting, and the two writers (a spec §3 timeline and the
observations file). ``triad import`` is the command line over them (docs/data.md).

    df = sim.events.read("icews", "week.tab", actors=["IRN", "ISR", "AZE"])
    sim.events.write_observations(sim.events.observations.count(df, ["IRN", "ISR", "AZE"]), "obs.csv", {})
    sim.events.write_timeline(df, "events.yaml", "icews", ["ISR", "AZE", "IRN"], min_rung=3)
"""
from __future__ import annotations

from sim.events import observations
from sim.events.importer import read
from sim.events.observations import write as write_observations
from sim.events.timeline import write as write_timeline

__all__ = ["observations", "read", "write_observations", "write_timeline"]
