"""``python -m sim.sweep DIR``: the same as ``triad-aggregate DIR``."""
import sys

from sim.cli import aggregate_main

sys.exit(aggregate_main())
