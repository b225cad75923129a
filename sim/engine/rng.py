"""Common random numbers, keyed by name and replicate block.

Replicate ``r`` belongs to block ``r // BLOCK``. Every named stream (``noise``,
``decide``, ``event:<id>``) has one generator per block, seeded from
``(seed, name, block)`` only. A chunk of replicates draws whole blocks and keeps its
columns, so replicate ``r``'s numbers never depend on how many replicates run, how they
are chunked, or which other streams exist. Streams advance in a fixed pattern (the same
shapes every day, whatever the state), which is what makes counterfactuals common-random.

``BLOCK`` is part of the reproducibility contract: changing it changes every number.
"""
from __future__ import annotations

import hashlib

import numpy as np

BLOCK = 1024


def name_words(name: str, n_words: int = 4) -> list[int]:
    """``n_words`` 32-bit words of the BLAKE2b digest of ``name`` (digest size 4·n_words):
    the part of a seed that says which stream. Streams use 4 words, the exploration
    samplers 2 (a shorter digest is a different hash, not a prefix: both are kept)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4 * n_words).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 4 * n_words, 4)]


def block_generator(seed: int, name: str, block: int) -> np.random.Generator:
    """The generator of stream ``name`` for replicate block ``block``."""
    ss = np.random.SeedSequence([int(seed), *name_words(name), int(block)])
    return np.random.Generator(np.random.PCG64(ss))


class Stream:
    """One named stream over the replicates ``lo .. hi-1``.

    Each call draws ``shape + (BLOCK,)`` from every block generator the range touches
    and returns the columns of the range, shaped ``shape + (hi - lo,)``.
    """

    def __init__(self, seed: int, name: str, lo: int, hi: int):
        if hi <= lo:
            raise ValueError("empty replicate range")
        self.name = name
        first, last = lo // BLOCK, (hi - 1) // BLOCK
        self._gens = [block_generator(seed, name, b) for b in range(first, last + 1)]
        self._offset = lo - first * BLOCK
        self._n = hi - lo

    def _take(self, parts: list[np.ndarray]) -> np.ndarray:
        """The range's columns of the blocks' draws, as one C-contiguous array (one copy):
        a strided view would make the compiled kernels that read it take their slow,
        non-vectorised path (issue 19: 10 % of the engine's time at R = 10 000)."""
        lo, n = self._offset, self._n
        if len(parts) == 1 and lo == 0 and n == BLOCK:
            return parts[0]
        out = np.empty(parts[0].shape[:-1] + (n,), dtype=parts[0].dtype)
        pos = 0
        for b, part in enumerate(parts):
            first, last = max(lo - b * BLOCK, 0), min(lo + n - b * BLOCK, BLOCK)
            if last > first:
                out[..., pos : pos + last - first] = part[..., first:last]
                pos += last - first
        return out

    def normal(self, shape: tuple[int, ...]) -> np.ndarray:
        """What ``_take([g.standard_normal(shape + (BLOCK,)) for g in gens])`` gives (the same
        numbers, the generators left in the same state), drawn by compiled code straight
        into the result (``sim.engine.draws``)."""
        from sim.engine.draws import normals_into

        out = np.empty(shape + (self._n,))
        rows = out.reshape(-1, self._n)
        pos = 0
        for b, g in enumerate(self._gens):
            first, last = max(self._offset - b * BLOCK, 0), min(self._offset + self._n - b * BLOCK, BLOCK)
            normals_into(g, rows, BLOCK, first, max(first, last), pos)
            pos += max(last - first, 0)
        return out

    def uniform(self, shape: tuple[int, ...]) -> np.ndarray:
        return self._take([g.random(shape + (BLOCK,)) for g in self._gens])
