"""One reader per event-data format; each turns a file's bytes into the raw frame of
``common`` (strings, one row per record, with file and line)."""
from __future__ import annotations

from sim.events.formats import acled, gdelt, icews, polecat, table

FORMATS = {"icews": icews, "gdelt": gdelt, "polecat": polecat, "acled": acled, "table": table}
