"""The run directory, and its only writer: atomic writes (``atomic``), the typed long
tables (``tables``), provenance and the manifest (``manifest``), the exact accumulators
of split ensembles (``accumulators``), and the whole directory (``rundir``)."""
