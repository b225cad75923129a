"""The run directory: atomic writes, tables, accumulators and the manifest."""
