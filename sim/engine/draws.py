"""Standard normals drawn by compiled code straight into the day's array.

numba's ``Generator.standard_normal`` is numpy's own algorithm (the ziggurat of
``random_standard_normal``, the same tables and tail) on the same bit generator: it gives
the numbers numpy gives, in the same order, and leaves the generator in the same state
(tests/test_rng.py compares them over millions of draws). Compiled, it draws a normal in
less than half the time numpy's loop takes (``make bench`` measures both; the normals were
the day loop's largest cost, issue 19), and the numbers go to their place in the chunk's
array with no intermediate block array to copy.
"""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def normals_into(g, out, block, first, last, pos):
    """Draw ``out.shape[0] × block`` standard normals from ``g`` in C order (the numbers
    ``g.standard_normal((rows, block))`` gives) and keep columns ``first .. last-1`` of each
    row in ``out[:, pos : pos + last - first]``; the others are drawn and dropped."""
    for i in range(out.shape[0]):
        for _ in range(first):
            g.standard_normal()
        for c in range(first, last):
            out[i, pos + c - first] = g.standard_normal()
        for _ in range(last, block):
            g.standard_normal()
