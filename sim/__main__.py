"""``python -m sim``: the same as the ``triad`` command."""
from sim.cli import console

if __name__ == "__main__":
    console()
