"""``python -m sim.sweep DIR``: the same as ``triad-aggregate DIR``."""
import sys

from sim.sweep import main

sys.exit(main())
