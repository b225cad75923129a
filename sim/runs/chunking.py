"""How a job's replicates are cut into chunks, and how many run side by side.

Chunking never changes a number: each replicate's numbers depend only on its id
(``sim/engine/rng.py``), so any cut merges into the same result.
"""
from __future__ import annotations

import math

from sim.engine.rng import BLOCK

# replicate-days a job needs before it is cut finer to give every worker a chunk: a worker
# process costs a few seconds to start (imports, kernels from the cache), about what one
# core simulates in 10^7 replicate-days
PARALLEL_MIN_REPLICATE_DAYS = 20_000_000


def chunks(lo: int, hi: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, hi)) for a in range(lo, hi, size)]


def chunk_size(lo: int, hi: int, size: int, workers: int, n_days: int) -> int:
    """``size`` (``ensemble.chunk_size``), or smaller when the job would have fewer chunks
    than workers and is long enough to repay starting them: one chunk per worker, a whole
    number of random-number blocks (a chunk draws whole blocks)."""
    n = hi - lo
    if workers > 1 and math.ceil(n / size) < workers and n * n_days >= PARALLEL_MIN_REPLICATE_DAYS:
        return min(size, BLOCK * math.ceil(n / workers / BLOCK))
    return size


def plan_chunks(lo: int, hi: int, size: int, workers: int, n_days: int) -> list[tuple[int, int]]:
    """The chunks of replicates ``lo .. hi-1`` (see ``chunk_size``)."""
    return chunks(lo, hi, chunk_size(lo, hi, size, workers, n_days))
