"""triad: an agent-based simulation of the Israel–Azerbaijan–Iran triangle.

The Python API (``sim.run``, ``sim.compare``, ``sim.model``; docs/api.md) lives in
``sim.api`` and is imported on first use: ``import sim`` itself loads nothing else and
changes nothing in the process.
"""

__version__ = "0.1.0"

_API = ("run", "compare", "model", "batch_run", "Result", "Exploration", "Backtest", "Model")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
