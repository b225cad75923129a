"""CAMEO codes to the escalation ladder's rungs and to the four quad classes.

The rung rule is the default ladder's (``conf/ladder/default.yaml``: the longest matching
prefix wins; a test keeps the two equal), written here so that importing event data does not
depend on a composed config. Goldstein weights come from the package's CAMEO table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine import cameo

RUNGS = tuple(range(7))
QUADS = ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict")
# the default ladder's prefixes (rung of a code = its longest prefix here, else 0)
# (issue 21: 171/175 violent coercion → 4, root 20 mass violence → 5 not war, 201 mass expulsion → 2)
ROOTS = {"10": 1, "11": 1, "12": 1, "13": 1, "138": 3, "14": 1, "15": 3, "16": 2, "17": 2,
         "171": 4, "175": 4, "18": 4, "19": 5, "20": 5, "201": 2}


def rung_of(code: str) -> int:
    for n in range(len(code), 0, -1):
        if code[:n] in ROOTS:
            return ROOTS[code[:n]]
    return 0


def quad_of(code: str) -> str:
    """CAMEO roots 01–04 verbal cooperation, 05–08 material cooperation, 09–13 verbal
    conflict, 14–20 material conflict."""
    root = int(code[:2])
    return QUADS[0 if root <= 4 else 1 if root <= 8 else 2 if root <= 13 else 3]


def known(code: str) -> bool:
    return code in cameo.table()


def annotate(codes: pd.Series) -> pd.DataFrame:
    """rung (int8), quad (category) and goldstein (float) of each code, computed once per
    distinct code and broadcast (the codes must all be known)."""
    cat = codes.astype("category")
    uniq = list(cat.cat.categories)
    rung = np.array([rung_of(c) for c in uniq], dtype=np.int8)
    quad = np.array([QUADS.index(quad_of(c)) for c in uniq], dtype=np.int8)
    gold = np.array([cameo.lookup(c).goldstein for c in uniq], dtype=float)
    idx = cat.cat.codes.to_numpy()
    return pd.DataFrame({
        "rung": rung[idx],
        "quad": pd.Categorical.from_codes(quad[idx], categories=list(QUADS)),
        "goldstein": gold[idx],
    }, index=codes.index)
