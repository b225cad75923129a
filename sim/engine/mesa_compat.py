"""Mesa, imported without changing the process, and the differences between the Mesa lines
the package supports (3.3 on Python 3.11, 3.5 on 3.12 and 3.13).

- Mesa 3.3's ``mesa.batchrunner`` calls ``multiprocessing.set_start_method("spawn",
  force=True)`` when ``import mesa`` runs; a library must not choose its importer's start
  method, so the method is put back as it was (3.5 makes that call only inside
  ``batch_run``). tests/test_layout.py checks it for every module of ``sim``.
- Mesa 3.3 keeps every model that created an agent in the class-level ``Agent._ids``
  (mesa#3179); 3.5 numbers agents per model and has no such table.
- The seed goes in as ``rng=``: 3.5 deprecates ``seed=`` (a FutureWarning on every model);
  for an integer both lines seed ``model.random`` and ``model.rng`` the same way with either
  keyword. The engine draws from its own streams (sim.engine.rng), not from these.
"""
from __future__ import annotations

import multiprocessing

_before = multiprocessing.get_start_method(allow_none=True)
import mesa  # noqa: E402 - the start method is read first, to be put back

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)  # None: back to "not chosen"

MESA_VERSION = tuple(int(p) for p in mesa.__version__.split(".")[:2])


def forget_model(model: mesa.Model) -> None:
    """Drop Mesa 3.3's class-level reference to ``model`` so its arrays can be freed."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


__all__ = ["mesa", "MESA_VERSION", "forget_model"]
