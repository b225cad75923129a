"""``python -m sim.ui``: the same as ``triad-explore``."""
from sim.ui.server import entry

if __name__ == "__main__":
    entry()
