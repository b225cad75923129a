"""The observations file (``observations.csv``, format v1): counts of coded events per
month (or day) and directed dyad, with the counting choices in a commented header.

    # triad observations v1
    # dataset: icews
    # unit: month
    # ...                         (one ``# key: value`` line per counting choice)
    month,source,target,days_rung0,...,days_rung6,records_rung0,...,records_rung6,
    days_verbal_coop,...,records_material_conflict,goldstein_sum,records

Every directed dyad of the listed actors is present in every covered month, zeros written, so
an absent row never stands for zero. The file is untrusted input when read back: every row is
checked and a mistake is one line naming the file and line.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.config.safeyaml import read_text
from sim.errors import TriadError
from sim.events.codes import QUADS, RUNGS
from sim.io.atomic import atomic_write_bytes

MAGIC = "# triad observations v1"
MAX_BYTES = 256_000_000
COUNTS = ([f"days_rung{r}" for r in RUNGS] + [f"records_rung{r}" for r in RUNGS]
          + [f"days_{q}" for q in QUADS] + [f"records_{q}" for q in QUADS])
VALUES = [*COUNTS, "goldstein_sum", "records"]
INTS = [c for c in VALUES if c != "goldstein_sum"]
_ACTOR = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_PATTERN = {"month": r"^\d{4}-(0[1-9]|1[0-2])$", "date": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"}


class ObservationsError(TriadError):
    """An observations file that is not a valid v1 file."""


def columns(unit: str = "month") -> list[str]:
    return [unit, "source", "target", *VALUES]


def _check(df: pd.DataFrame, where: str, first_line: int) -> None:
    """Value checks on a frame of strings or numbers; ``first_line`` is the file line of row 0."""
    unit = df.columns[0]

    def fail(mask: np.ndarray, what: str) -> None:
        if mask.any():
            k = int(np.argmax(mask))
            raise ObservationsError(f"{where} line {first_line + k}: {what(k) if callable(what) else what}")

    per = df[unit].astype(str)
    fail(~per.str.match(_PATTERN[unit]).to_numpy(), lambda k: f"{unit} {per.iloc[k]!r} is not "
         f"{'YYYY-MM' if unit == 'month' else 'YYYY-MM-DD'}")
    if unit == "date":
        bad = pd.to_datetime(per, format="%Y-%m-%d", errors="coerce").isna().to_numpy()
        fail(bad, lambda k: f"date {per.iloc[k]!r} is not a calendar day")
    for role in ("source", "target"):
        col = df[role].astype(str)
        fail(~col.str.match(_ACTOR).to_numpy(), lambda k, c=col, r=role: f"{r} {c.iloc[k]!r} is not an actor code "
             "(2-8 capital letters or digits, starting with a letter)")
    fail((df["source"].astype(str) == df["target"].astype(str)).to_numpy(),
         lambda k: f"source and target are both {df['source'].iloc[k]!r}")
    for c in INTS:
        num = pd.to_numeric(df[c], errors="coerce")
        ok = num.notna() & (num >= 0) & (num == np.floor(num)) & (num < 2**53)
        fail(~ok.to_numpy(), lambda k, c=c: f"{c} is {df[c].iloc[k]!r}; allowed: whole numbers >= 0")
    g = pd.to_numeric(df["goldstein_sum"], errors="coerce").to_numpy(dtype=float)
    fail(~np.isfinite(g), lambda k: f"goldstein_sum is {df['goldstein_sum'].iloc[k]!r}, not a finite number")
    for r in RUNGS:  # a day with acts at a rung holds at least one record at that rung
        fail((pd.to_numeric(df[f"days_rung{r}"]) > pd.to_numeric(df[f"records_rung{r}"])).to_numpy(),
             f"days_rung{r} exceeds records_rung{r}")
    keys = df[[unit, "source", "target"]].astype(str)
    fail(keys.duplicated().to_numpy(), lambda k: f"a second row for {' '.join(keys.iloc[k])}")
    pairs = set(zip(keys["source"], keys["target"]))
    actors = sorted({a for p in pairs for a in p})
    want = len(actors) * (len(actors) - 1)
    per_unit = keys.groupby(unit, sort=False).size()
    short = per_unit[per_unit != want]
    if len(short) or len(pairs) != want:
        at = short.index[0] if len(short) else per_unit.index[0]
        raise ObservationsError(f"{where}: {unit} {at} does not list every directed dyad of {', '.join(actors)} "
                                f"({want} rows per {unit}, zeros written: absent is not zero)")


def parse_text(text: str, where: str) -> pd.DataFrame:
    """The observations frame from the text of a v1 file; ``df.attrs['options']`` holds the
    header's ``key: value`` pairs."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != MAGIC:
        raise ObservationsError(f"{where} line 1: not an observations file; the first line must be {MAGIC!r}")
    options: dict[str, str] = {}
    n = 1
    while n < len(lines) and lines[n].startswith("#"):
        key, sep, value = lines[n][1:].strip().partition(":")
        if not sep or not _KEY.match(key.strip()):
            raise ObservationsError(f"{where} line {n + 1}: a header line is '# key: value' (key in snake_case)")
        options[key.strip()] = value.strip()
        n += 1
    if n >= len(lines):
        raise ObservationsError(f"{where}: no header row after the comment lines")
    head = [c.strip() for c in lines[n].split(",")]
    unit = head[0] if head and head[0] in ("month", "date") else "month"
    if head != columns(unit):
        raise ObservationsError(f"{where} line {n + 1}: the header row must be {','.join(columns(unit)[:4])},... "
                                f"({len(columns(unit))} columns of format v1, with month or date first)")
    body = "\n".join(lines[n:])
    widths = [ln.count(",") + 1 for ln in lines[n + 1:]]
    bad = [k for k, w in enumerate(widths) if w != len(head)]
    if bad:
        raise ObservationsError(f"{where} line {n + 2 + bad[0]}: {widths[bad[0]]} fields; the header has {len(head)}")
    df = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    if df.empty:
        raise ObservationsError(f"{where}: no data rows")
    _check(df, where, n + 2)
    out = df[[unit, "source", "target"]].copy()
    out["source"] = out["source"].astype("category")
    out["target"] = out["target"].astype("category")
    for c in INTS:
        out[c] = pd.to_numeric(df[c]).astype(np.int64)
    out["goldstein_sum"] = pd.to_numeric(df["goldstein_sum"]).astype(float)
    out = out[columns(unit)]
    out.attrs["options"] = options
    return out


def read(path: str | Path) -> pd.DataFrame:
    """A validated observations file (bounded read: a regular UTF-8 file under 256 MB)."""
    text = read_text(path, "observations", MAX_BYTES)
    return parse_text(text, str(path))


def is_v1(text: str) -> bool:
    return text.lstrip("\ufeff").split("\n", 1)[0].strip() == MAGIC


def to_text(df: pd.DataFrame, options: Mapping[str, object]) -> str:
    unit = "date" if "date" in df.columns else "month"
    want = columns(unit)
    missing = [c for c in want if c not in df.columns]
    if missing:
        raise ObservationsError(f"observations: the table lacks column(s) {', '.join(missing)}")
    body = df[want].copy()
    body[unit] = body[unit].astype(str)
    _check(body, "observations (to write)", 1)
    for k, v in options.items():
        if not _KEY.match(str(k)) or "\n" in str(v) or "\r" in str(v):
            raise ObservationsError(f"observations: header option {k!r} must be snake_case with a one-line value")
    head = [MAGIC] + [f"# {k}: {v}" for k, v in options.items()]
    for c in INTS:
        body[c] = body[c].astype(np.int64)
    body["goldstein_sum"] = body["goldstein_sum"].astype(float).round(6)
    return "\n".join(head) + "\n" + body.to_csv(index=False, lineterminator="\n")


def write(df: pd.DataFrame, path: str | Path, options: Mapping[str, object]) -> None:
    """Write ``df`` (checked as the reader checks it) with ``options`` as the header, atomically."""
    atomic_write_bytes(Path(path), to_text(df, options).encode("utf-8"))


def count(events: pd.DataFrame, actors: Sequence[str], periods: Sequence[str] | None = None,
          daily: bool = False) -> pd.DataFrame:
    """The observations table of ``events`` (one row per record: ``date``, ``source``,
    ``target``, ``rung``, ``quad``, ``goldstein``, optional ``weight``, default 1).

    Records = the sum of weights; dyad-days = the number of distinct days with at least one
    record (per rung, per quad class). Rows: every directed dyad of ``actors`` × every period
    in ``periods`` (``YYYY-MM``, or ``YYYY-MM-DD`` when ``daily``; default: every period from
    the first to the last event), zeros where nothing happened."""
    unit = "date" if daily else "month"
    actors = list(actors)
    ev = events[events["source"].isin(actors) & events["target"].isin(actors)]
    dates = pd.to_datetime(ev["date"])
    per = dates.dt.strftime("%Y-%m-%d") if daily else dates.dt.strftime("%Y-%m")
    if periods is None:
        if ev.empty:
            raise ObservationsError("observations: no events to count and no periods given")
        freq = "D" if daily else "M"
        periods = [str(p) for p in pd.period_range(dates.min(), dates.max(), freq=freq)]
    periods = list(periods)
    weight = ev["weight"].to_numpy() if "weight" in ev.columns else np.ones(len(ev), dtype=np.int64)
    base = pd.DataFrame({unit: per.to_numpy(), "source": ev["source"].astype(str).to_numpy(),
                         "target": ev["target"].astype(str).to_numpy(), "day": dates.dt.normalize().to_numpy(),
                         "rung": ev["rung"].to_numpy(), "quad": ev["quad"].astype(str).to_numpy(), "w": weight,
                         "g": ev["goldstein"].to_numpy(dtype=float) * weight})
    key = [unit, "source", "target"]
    index = pd.MultiIndex.from_tuples([(p, a, b) for p in periods for a in actors for b in actors if a != b],
                                      names=key)
    parts = []
    for col, labels, prefix in (("rung", list(RUNGS), "rung"), ("quad", list(QUADS), "")):
        rec = base.groupby([*key, col])["w"].sum().unstack(col)
        days = base.drop_duplicates([*key, col, "day"]).groupby([*key, col]).size().unstack(col)
        for name, tab in (("days", days), ("records", rec)):
            tab = tab.reindex(columns=labels, fill_value=0).reindex(index, fill_value=0).fillna(0)
            tab.columns = [f"{name}_{prefix}{c}" for c in labels]
            parts.append(tab)
    tot = base.groupby(key).agg(goldstein_sum=("g", "sum"), records=("w", "sum")).reindex(index, fill_value=0)
    out = pd.concat(parts + [tot.fillna(0)], axis=1).reset_index()
    out = out[columns(unit)]
    for c in INTS:
        out[c] = out[c].astype(np.int64)
    out["goldstein_sum"] = out["goldstein_sum"].astype(float)
    return out
