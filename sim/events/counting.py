"""From a raw frame (one row per record of the files) to the kept events: checked dates and
codes, resolved actors, filters, duplicates collapsed, optional onset de-clustering. Every row
read is either kept or dropped for one named reason (the first that applies), so
``rows_read = kept + sum(dropped)``.

Duplicates: rows with the same day, source entity, CAMEO code and target entity are one
record (ICEWS and GDELT code one report many times). Onsets (``onset_days`` W > 0): a
record counts only if its directed dyad had no record of the same rung in the previous W days
(records on the onset day itself all count).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from sim.config.events import FIRST_DATE, LAST_DATE
from sim.engine import cameo
from sim.events.actors import ActorTable, resolve_side
from sim.events.codes import annotate
from sim.events.formats.common import EventDataError, Skipped

WEIGHTS = ("none", "sources", "mentions")
REASONS = ("bad_row", "not_utf8", "bad_date", "unknown_code", "no_code", "not_primary", "out_of_range",
           "unknown_actor", "other_actor", "same_actor", "non_state", "duplicate", "not_onset")
DEDUP = ("date", "source_name", "cameo", "target_name")


@dataclass(frozen=True)
class Options:
    actors: tuple[str, ...]
    state_only: bool = False
    onset_days: int = 0
    weight: str = "none"
    skip_bad: bool = False
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class Outcome:
    kept: pd.DataFrame
    dropped: dict[str, int]
    rows_read: int
    periods: list[str]  # covered months (YYYY-MM): months with at least one dated record in the input
    days: tuple[str, str] | None  # first and last dated record in the input (after --from/--to)
    unmatched: dict[str, int] = field(default_factory=dict)  # names that resolved to no actor, most frequent


def _first_bad(raw: pd.DataFrame, mask: np.ndarray) -> tuple[str, int]:
    k = int(np.argmax(mask))
    return str(raw["file"].iloc[k]), int(raw["line"].iloc[k])


def _dates(raw: pd.DataFrame, fmt: str, skip_bad: bool) -> tuple[pd.Series, np.ndarray]:
    dates = pd.to_datetime(raw["date_raw"], format=fmt, errors="coerce")
    lo, hi = pd.Timestamp(FIRST_DATE), pd.Timestamp(LAST_DATE)
    bad = (dates.isna() | (dates < lo) | (dates > hi)).to_numpy()
    if bad.any() and not skip_bad:
        f, line = _first_bad(raw, bad)
        val = raw["date_raw"].iloc[int(np.argmax(bad))]
        why = (f"is outside the supported calendar {FIRST_DATE} .. {LAST_DATE}" if pd.notna(dates.iloc[int(np.argmax(
            bad))]) else f"is not a date ({fmt.replace('%Y', 'YYYY').replace('%m', 'MM').replace('%d', 'DD')})")
        raise EventDataError(f"{f} line {line}: date {val!r} {why} (pass --skip-bad to skip such rows)")
    return dates, bad


def _codes(raw: pd.DataFrame, skip_bad: bool) -> tuple[np.ndarray, np.ndarray]:
    code = raw["code"].astype(str)
    no_code = (code == "-").to_numpy()
    unknown = ~code.isin(list(cameo.table())).to_numpy() & ~no_code
    if unknown.any() and not skip_bad:
        f, line = _first_bad(raw, unknown)
        raise EventDataError(f"{f} line {line}: CAMEO code {code.iloc[int(np.argmax(unknown))]!r} is not in the CAMEO "
                             "table (sim/data/cameo_goldstein.tsv, GDELT column) (pass --skip-bad to skip such rows)")
    return unknown, no_code


def _reasons(raw: pd.DataFrame, masks: Sequence[tuple[str, np.ndarray]]) -> tuple[np.ndarray, dict[str, int]]:
    """The first reason that applies to each row ("" = kept so far) and the counts."""
    reason = np.full(len(raw), "", dtype=object)
    counts: dict[str, int] = {}
    for name, m in masks:
        hit = m & (reason == "")
        counts[name] = int(hit.sum())
        reason[hit] = name
    return reason, counts


def _onsets(ev: pd.DataFrame, w: int) -> np.ndarray:
    """True for records on a day with no record of the same rung in the dyad in the previous w days."""
    days = ev[["source", "target", "rung", "date"]].drop_duplicates().sort_values(["source", "target", "rung", "date"])
    same = (days[["source", "target", "rung"]] == days[["source", "target", "rung"]].shift()).all(axis=1)
    gap = days["date"].diff().dt.days
    onset = ~same | (gap > w)
    keys = days[onset.to_numpy()].assign(_on=True)
    merged = ev[["source", "target", "rung", "date"]].merge(keys, how="left", on=["source", "target", "rung", "date"])
    return merged["_on"].fillna(False).to_numpy(dtype=bool)


def select(raw: pd.DataFrame, date_format: str, table: ActorTable, opts: Options, skipped: Skipped) -> Outcome:
    dates, bad_date = _dates(raw, date_format, opts.skip_bad)
    unknown_code, no_code = _codes(raw, opts.skip_bad)
    ok = ~bad_date
    in_range = np.ones(len(raw), dtype=bool)
    if opts.first is not None:
        in_range &= (dates >= pd.Timestamp(opts.first)).to_numpy()
    if opts.last is not None:
        in_range &= (dates <= pd.Timestamp(opts.last)).to_numpy()
    dated = dates[ok & in_range]
    periods = [str(m) for m in np.unique(dated.to_numpy().astype("datetime64[M]"))]
    days = (str(dated.min().date()), str(dated.max().date())) if len(dated) else None
    src = resolve_side(raw["src_name"], raw["src_country"], raw["src_tier"], table, opts.actors)
    tgt = resolve_side(raw["tgt_name"], raw["tgt_country"], raw["tgt_tier"], table, opts.actors)
    sel = list(opts.actors)
    s_act, t_act = src["actor"].to_numpy(), tgt["actor"].to_numpy()
    unknown = pd.isna(s_act) | pd.isna(t_act)
    other = ~pd.Series(s_act).isin(sel).to_numpy() | ~pd.Series(t_act).isin(sel).to_numpy()
    primary = raw["primary"].to_numpy(dtype=bool) if "primary" in raw else np.ones(len(raw), dtype=bool)
    state = (src["tier"] == "state").to_numpy() & (tgt["tier"] == "state").to_numpy()
    reason, counts = _reasons(raw, [
        ("bad_date", bad_date), ("unknown_code", unknown_code), ("no_code", no_code), ("not_primary", ~primary),
        ("out_of_range", ~in_range), ("unknown_actor", unknown), ("other_actor", other),
        ("same_actor", s_act == t_act), ("non_state", ~state if opts.state_only else np.zeros(len(raw), bool)),
    ])
    # the country field as given, or the name where there is none (ACLED's non-state actors)
    label = {side: raw[f"{side}_country"].where(raw[f"{side}_country"] != "", raw[f"{side}_name"])
             for side in ("src", "tgt")}
    unmatched = pd.concat([label["src"][pd.isna(s_act) & (reason == "unknown_actor")],
                           label["tgt"][pd.isna(t_act) & (reason == "unknown_actor")]])
    keep = reason == ""
    sub = raw[keep]  # from here on only the kept rows are converted
    weight = (pd.to_numeric(sub[opts.weight], errors="coerce").fillna(1).clip(lower=1).to_numpy(dtype=np.int64)
              if opts.weight != "none" else np.ones(len(sub), dtype=np.int64))
    n = len(sub)
    ev = pd.DataFrame({
        "date": dates[keep].to_numpy(), "source": s_act[keep].astype(str), "target": t_act[keep].astype(str),
        "source_name": sub["src_name"].to_numpy(), "target_name": sub["tgt_name"].to_numpy(),
        "cameo": sub["code"].astype(str).to_numpy(), "weight": weight,
        "records": sub["records"].to_numpy(dtype=np.int64) if "records" in sub else np.ones(n, np.int64),
        "event_id": sub["event_id"].astype(str).to_numpy(), "text": sub["text"].astype(str).to_numpy(),
        "file": sub["file"].to_numpy(), "line": sub["line"].to_numpy(),
    })
    grouped = ev.groupby(list(DEDUP), sort=False, observed=True)
    first = grouped.head(1).index
    agg = grouped[["weight", "records"]].transform("sum")
    # a record's weight: 1, or (GDELT) the sources or mentions of the reports it collapses
    ev = ev.assign(weight=agg["weight"] if opts.weight != "none" else 1,
                   records=agg["records"]).loc[first].reset_index(drop=True)
    counts["duplicate"] = n - len(ev)
    ev = pd.concat([ev, annotate(ev["cameo"])], axis=1)
    if opts.onset_days > 0 and len(ev):
        on = _onsets(ev, opts.onset_days)
        counts["not_onset"] = int((~on).sum())
        ev = ev[on].reset_index(drop=True)
    else:
        counts["not_onset"] = 0
    ev = ev.sort_values(["date", "source", "target", "cameo", "source_name", "target_name"], kind="stable")
    ev = ev.reset_index(drop=True)
    ev["source"] = pd.Categorical(ev["source"], categories=sel)
    ev["target"] = pd.Categorical(ev["target"], categories=sel)
    for k, v in skipped.counts.items():
        counts[k] = counts.get(k, 0) + v
    dropped = {r: counts.get(r, 0) for r in REASONS}
    return Outcome(ev, dropped, len(raw) + sum(skipped.counts.values()), periods, days,
                   unmatched.value_counts().head(20).to_dict())
