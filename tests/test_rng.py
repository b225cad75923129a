"""The day's normals are drawn by compiled code (sim/engine/draws.py): they must be the
numbers numpy's own ``Generator.standard_normal`` gives, in the same places, with the
generators left in the same state, for every replicate range a chunk can have."""
from __future__ import annotations

import numpy as np
import pytest

from sim.engine.draws import normals_into
from sim.engine.rng import BLOCK, Stream, block_generator


def _numpy_normals(seed: int, name: str, lo: int, hi: int, shape: tuple[int, ...], days: int) -> list[np.ndarray]:
    """The reference: numpy draws whole blocks, the range's columns are kept."""
    first, last = lo // BLOCK, (hi - 1) // BLOCK
    gens = [block_generator(seed, name, b) for b in range(first, last + 1)]
    out = []
    for _ in range(days):
        full = np.concatenate([g.standard_normal(shape + (BLOCK,)) for g in gens], axis=-1)
        out.append(full[..., lo - first * BLOCK: hi - first * BLOCK])
    return out


@pytest.mark.parametrize("lo, hi", [(0, BLOCK), (0, 1000), (5, 17), (1000, 3100), (BLOCK - 1, BLOCK + 1),
                                    (2 * BLOCK, 4 * BLOCK)])
def test_compiled_normals_are_numpys(lo, hi):
    s = Stream(11, "noise", lo, hi)
    ref = _numpy_normals(11, "noise", lo, hi, (2, 6), days=3)
    for day in range(3):
        got = s.normal((2, 6))
        assert got.shape == (2, 6, hi - lo) and got.flags.c_contiguous
        assert np.array_equal(got, ref[day])  # bit for bit, day after day (the states stay in step)


def test_many_draws_tails_included():
    """Four million draws: about 1 100 beyond the ziggurat's last layer (|x| > 3.44, the
    tail's own branch), each one a chance for a differing exponential or logarithm."""
    a, b = np.random.Generator(np.random.PCG64(3)), np.random.Generator(np.random.PCG64(3))
    want = a.standard_normal((1000, 4096))
    got = np.empty((1000, 4096))
    normals_into(b, got, 4096, 0, 4096, 0)
    assert np.array_equal(got, want) and (np.abs(want) > 3.44).sum() > 500
    assert a.random() == b.random()  # the same state afterwards


def test_dropped_columns_are_still_drawn():
    a, b = np.random.Generator(np.random.PCG64(9)), np.random.Generator(np.random.PCG64(9))
    want = a.standard_normal((3, 64))[:, 10:20]
    got = np.zeros((3, 10))
    normals_into(b, got, 64, 10, 20, 0)
    assert np.array_equal(got, want) and a.standard_normal() == b.standard_normal()
