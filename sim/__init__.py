"""triad: an agent-based simulation of the Israel–Azerbaijan–Iran triangle."""

__version__ = "0.1.0"
