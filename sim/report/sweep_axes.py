"""What the sweep figures put on their axes: the rows they plot, the swept keys as
readable labels (never a raw config key alone), and which keys make a line and which a
category (a line needs at least three numeric values; two points joined by a line would
suggest a trend the sweep never sampled)."""
from __future__ import annotations

import textwrap

import pandas as pd

from sim import params

MIN_LINE_POINTS = 3
ACTORS = ("ISR", "AZE", "IRN")  # the codes params.lookup resolves keyed entries with, plus the key's own
CATEGORICAL_KEYS = {"ensemble.seed", "ensemble.chunk", "ensemble.chunks"}
NAMES = {  # config groups and keys that are not model parameters
    "counterfactual": "counterfactual scenario",
    "experiment": "experiment",
    "events": "event timeline",
    "decisions": "decision rule",
    "ensemble.seed": "random seed",
    "ensemble.replicates": "replicates",
    "end": "end of the horizon",
    "start": "start of the horizon",
}


def plotted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a plot shows: each complete job's main scenario, split ensembles as merged."""
    if frame.empty:
        return frame
    ok = frame["status"].eq("complete") & frame["primary"].fillna(False).astype(bool)
    whole = frame["kind"].eq("merged") | frame["chunks"].fillna(1).le(1)
    return frame[ok & whole].copy()


def swept_keys(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(line, categorical) override columns that take more than one value: numeric keys
    with at least ``MIN_LINE_POINTS`` values make lines, every other swept key categories."""
    num, cat = [], []
    for c in frame.attrs.get("override_columns", []):
        if c == "ensemble.chunk" or c not in frame:
            continue
        n = frame[c].nunique(dropna=False)
        if n > 1:
            line = (pd.api.types.is_numeric_dtype(frame[c]) and n >= MIN_LINE_POINTS
                    and c.removeprefix("override.") not in CATEGORICAL_KEYS)
            (num if line else cat).append(c)
    return num, cat


def readable(key: str, width: int = 34) -> str:
    """A swept key as an axis label: its meaning and unit from the parameter table, the
    actor or rung it is for, and the key itself last (small print for the curious)."""
    raw = key.removeprefix("override.")
    # any actor the key names (dynamics.reaction.USA, dynamics.grievance.HZB_ISR): a sweep of
    # the region labels its axes as one of the triangle does
    codes = {c for part in raw.split(".") for c in part.split("_") if len(c) == 3 and c.isalpha() and c.isupper()}
    hit = params.lookup(raw, ACTORS + tuple(sorted(codes - set(ACTORS))))
    if hit is not None:
        row, which = hit
        meaning = row.meaning.split(";")[0].split(" (")[0]
        who = f" — {which}" if which else ""
        unit = f" [{row.unit}]" if row.unit else ""
        text = f"{meaning}{who}{unit}"
    elif raw in NAMES:
        return NAMES[raw]
    else:
        text = raw.rsplit(".", 1)[-1].replace("_", " ")
    return "\n".join(textwrap.wrap(text, width)) + f"\n({raw})"


def value_label(key: str, value) -> str:
    """One value of a swept key as a tick label."""
    raw = key.removeprefix("override.")
    if raw == "counterfactual" and str(value) == "none":
        return "none (factual)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def row_labels(rows: pd.DataFrame, keys: list[str]) -> list[str]:
    """What tells a row's job apart: its swept values, else its job number."""
    if keys:
        return [", ".join(value_label(k, v) for k, v in zip(keys, t)) for t in rows[keys].itertuples(index=False)]
    return [f"job {j}" if not pd.isna(j) else str(d) for j, d in zip(rows["job"], rows["job_dir"])]


def facets(df: pd.DataFrame, keys: list[str]) -> list[tuple[str, pd.DataFrame]]:
    """The frame split by the values of ``keys`` (one facet when there are none)."""
    if not keys:
        return [("", df)]
    out = []
    for vals, sub in df.groupby(keys, dropna=False, sort=True):
        vals = vals if isinstance(vals, tuple) else (vals,)
        out.append((", ".join(f"{NAMES.get(k, k)} = {value_label(k, v)}" for k, v in zip(keys, vals)), sub))
    return out
