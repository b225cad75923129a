"""The ``backtest.*`` keys and the observations file, checked: every mistake is one line
naming the key (exit 2).

The observations are untrusted input: read through the bounded reader
(``sim.config.safeyaml.read_text``: a regular UTF-8 file of at most 1 MB), then checked for
the shape of the shipped ``sim/data/gdelt_dyads_monthly.csv``: a ``month`` column of
consecutive ``YYYY-MM`` months, one numeric column per dyad of the run (``A-B`` in either
order; other columns such as ``n_days`` are ignored) and no missing value. An observations
file of ``triad import`` (format v1, ``sim/events/observations.py``) is recognised by its first
line and read as the monthly Goldstein sum of each dyad (``observed_goldstein``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from typing import Any, Mapping

import numpy as np
import pandas as pd

from sim.config.safeyaml import read_text
from sim.engine.settings import Settings
from sim.errors import ConfigError, TriadError
from sim.events.observations import is_v1
from sim.events.observations import parse_text as parse_v1
from sim.forecast import targets
from sim.runs.validation import gdelt_monthly

KEYS = ("enabled", "observations", "origins", "horizons", "bootstrap", "seeds", "target")
MIN_TRAIN = 3  # observed months before an origin that the observation model needs
MAX_HORIZON = 24
MAX_SEEDS = 20  # each seed is a whole backtest
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class BacktestOptions:
    observations: pd.DataFrame  # index "YYYY-MM" (consecutive), one float column per dyad of the run
    source: str  # where the observations came from (for summary.json)
    origins: tuple[str, ...]  # "YYYY-MM", increasing
    horizons: tuple[int, ...]
    bootstrap: int
    seeds: tuple[int, ...] = (0,)  # each seed a whole backtest: the seed SD of every score
    target: str = "goldstein"  # a name of sim.forecast.targets.TARGETS


def enabled(plain: Mapping) -> bool:
    return bool((plain.get("backtest") or {}).get("enabled", False))


def _months(a: str, b: str) -> list[str]:
    return [str(p) for p in pd.period_range(a, b, freq="M")] if a <= b else []


def _span(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


MAX_ABS = 1e7  # the shipped monthly GDELT scores stay within a few hundred


def parse_observations(text: str, where: str, dyads: list[str], key: str = "backtest.observations") -> pd.DataFrame:
    """The observations frame from CSV text (``#`` comment lines allowed)."""
    try:
        df = pd.read_csv(StringIO(text), comment="#", dtype=str, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ConfigError(key, f"{where} is not a CSV table ({str(exc).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    rename = {c: "-".join(sorted(c.split("-"))) for c in df.columns if c.count("-") == 1}
    df = df.rename(columns=rename)
    want = ["month", *dyads]
    missing = [c for c in want if c not in df.columns]
    if missing or df.columns.duplicated().any():
        raise ConfigError(key, f"{where} lacks column(s) {', '.join(missing) or '(duplicated names)'}; needs month "
                          f"and one column per dyad: {', '.join(dyads)} (a pair in either order)")
    if df.empty:
        raise ConfigError(key, f"{where} has no rows")
    months = df["month"].fillna("").str.strip().tolist()
    bad = [m for m in months if not _MONTH.match(m)]
    if bad:
        raise ConfigError(key, f"{where}: month {bad[0]!r} is not a month YYYY-MM (one row per calendar month)")
    expect = _months(months[0], months[-1])
    if months != expect:
        i = next(k for k, (a, b) in enumerate(zip(months, expect + [""] * len(months))) if a != b)
        raise ConfigError(key, f"{where}: months must be consecutive and increasing, one row each; row {i + 1} is "
                          f"{months[i]!r} where {expect[i] if i < len(expect) else 'nothing'!r} belongs")
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    for d in dyads:
        vals = pd.to_numeric(df[d].str.strip(), errors="coerce").to_numpy(dtype=float)
        txt = df[d].fillna("").str.strip().to_numpy()
        junk = [(m, t) for m, v, t in zip(months, vals, txt) if np.isnan(v) and t not in ("", "nan", "NaN", "NA")]
        if junk:
            raise ConfigError(key, f"{where}: {d} in {junk[0][0]} is {junk[0][1]!r}, not a number")
        if not np.isfinite(vals[~np.isnan(vals)]).all():
            raise ConfigError(key, f"{where}: {d} has an infinite value")
        big = np.abs(np.nan_to_num(vals)) > MAX_ABS
        if big.any():  # finite but far beyond any count or score: squares overflow to NaN skills (M30)
            m = months[int(np.argmax(big))]
            raise ConfigError(key, f"{where}: {d} in {m} is {vals[big][0]:g}; allowed: values within ±{MAX_ABS:g} "
                              "(monthly scores or counts)")
        gaps = np.isnan(vals)
        if gaps.any():
            runs, k = [], 0
            while k < len(gaps):
                if gaps[k]:
                    j = k
                    while j + 1 < len(gaps) and gaps[j + 1]:
                        j += 1
                    runs.append(_span(months[k:j + 1]))
                    k = j
                k += 1
            raise ConfigError(key, f"{where}: {d} has missing values in {', '.join(runs)}; the observation model "
                              "needs every month (cut the file before the gap, or fill it)")
        out[d] = vals
    return out


def load_observations(path: Any, dyads: list[str]) -> tuple[pd.DataFrame, str]:
    if path is None:
        return gdelt_monthly()[dyads].astype(float), "shipped GDELT (sim/data/gdelt_dyads_monthly.csv)"
    text = read_text(str(path), "backtest.observations")
    if is_v1(text):
        return observed_goldstein(text, str(path), dyads)
    return parse_observations(text, repr(str(path)), dyads), str(path)


def observed_goldstein(text: str, where: str, dyads: list[str]) -> tuple[pd.DataFrame, str]:
    """An observations v1 file (``triad import``) as the backtest's monthly series: per
    unordered dyad A-B, goldstein_sum(A→B) + goldstein_sum(B→A). A file with gaps between
    covered months (event data with missing years) keeps its last unbroken run of months."""
    try:
        obs = parse_v1(text, where)
    except TriadError as exc:
        raise ConfigError("backtest.observations", str(exc)) from None
    if obs.columns[0] != "month":
        raise ConfigError("backtest.observations", f"{where} is a daily file; import without --daily for the backtest")
    pair = ["-".join(sorted(p)) for p in zip(obs["source"].astype(str), obs["target"].astype(str))]
    table = obs.assign(dyad=pair).pivot_table(index="month", columns="dyad", values="goldstein_sum", aggfunc="sum")
    missing = [d for d in dyads if d not in table.columns]
    if missing:
        raise ConfigError("backtest.observations", f"{where} has no rows for dyad(s) {', '.join(missing)}; import "
                          "with --actors naming every actor of the run")
    months = list(table.index)
    cut = max((k for k in range(1, len(months)) if pd.Period(months[k], freq="M") != pd.Period(months[k - 1],
               freq="M") + 1), default=0)
    note = f" (months {months[cut]}..{months[-1]}, the last unbroken run)" if cut else ""
    return table.iloc[cut:][dyads].astype(float), f"{where}{note}"


def _int_list(value: Any, key: str, lo: int, hi: int, what: str = "months") -> tuple[int, ...]:
    vals = list(value) if isinstance(value, (list, tuple)) else [value]
    if not vals:
        raise ConfigError(key, f"needs at least one value; allowed: whole numbers {lo} .. {hi}")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ConfigError(key, f"{v!r}; allowed: whole numbers of {what} {lo} .. {hi}")
    return tuple(sorted(set(vals)))


def check(plain: Mapping, settings: Settings) -> BacktestOptions:
    """Every ``backtest.*`` key and the observations, checked against the run's dyads and start."""
    bt = dict(plain.get("backtest") or {})
    for k in bt:
        if k not in KEYS:
            raise ConfigError(f"backtest.{k}", f"unknown key; allowed: {', '.join(KEYS)}")
    if (plain.get("explore") or {}).get("method", "none") != "none":
        raise ConfigError("explore.method", "an exploration cannot run with backtest.enabled=true; use explore=none")
    cf = plain.get("counterfactual") or {}
    if cf.get("name", "none") != "none" or cf.get("ops") or cf.get("leave_one_out"):
        raise ConfigError("counterfactual", "the backtest scores the factual timeline; use counterfactual=none")
    if settings.chunks > 1:
        raise ConfigError("ensemble.chunks", "the backtest runs in one job; use ensemble.chunks=1")
    tname = bt.get("target", "goldstein")
    if tname not in targets.TARGETS:
        raise ConfigError("backtest.target", f"{tname!r}; allowed: {', '.join(targets.TARGETS)}")
    target = targets.get(tname)
    dyads = target.series(settings.actors)
    obs, source = (target.load or load_observations)(bt.get("observations"), dyads)
    horizons = _int_list(bt.get("horizons", list(range(1, 13))), "backtest.horizons", 1, MAX_HORIZON)
    boot = bt.get("bootstrap", 2000)
    if isinstance(boot, bool) or not isinstance(boot, int) or not 100 <= boot <= 100_000:
        raise ConfigError("backtest.bootstrap", f"{boot!r}; allowed: whole numbers 100 .. 100000")
    raw_seeds = bt.get("seeds")
    seeds = (settings.seed,) if raw_seeds is None else _int_list(raw_seeds, "backtest.seeds", 0, 2 ** 31 - 1, "seeds")
    if len(seeds) > MAX_SEEDS:
        raise ConfigError("backtest.seeds", f"{len(seeds)} seeds; allowed: 1 .. {MAX_SEEDS}")
    first_sim = str(pd.Period(settings.start, freq="M"))
    end_month = str(pd.Period(settings.end, freq="M"))
    lo = max(str(pd.Period(settings.start, freq="M") + 1), str(pd.Period(obs.index[0], freq="M") + MIN_TRAIN))
    hi = min(str(pd.Period(obs.index[-1], freq="M") + 1), end_month)  # the month after the last observed: a true future
    allowed = _months(lo, hi)
    if not allowed:
        raise ConfigError("backtest.observations", f"{source} covers {_span(list(obs.index))}: no month to forecast "
                          f"from {lo} on (the month after start={settings.start}, with {MIN_TRAIN} observed months "
                          "before it); it must overlap the simulated months")
    raw = bt.get("origins")
    if raw is None:
        origins = allowed
    else:
        vals = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if not vals:
            raise ConfigError("backtest.origins", f"needs at least one month; allowed: {_span(allowed)}")
        origins = []
        for v in vals:
            m = str(v).strip()
            if not _MONTH.match(m):
                raise ConfigError("backtest.origins", f"{v!r} is not a month YYYY-MM; allowed: {_span(allowed)}")
            if m not in allowed:
                raise ConfigError("backtest.origins", f"{m} is outside the data; allowed: {_span(allowed)} (from the "
                                  f"month after the model's first month {first_sim} to the month after the last "
                                  f"observed month, at most end's month {end_month})")
            origins.append(m)
        origins = sorted(set(origins))
    reach = str(pd.Period(origins[-1], freq="M") + max(horizons) - 1)
    if reach > end_month:
        raise ConfigError("backtest.horizons", f"origin {origins[-1]} with horizon {max(horizons)} targets {reach}, "
                          f"after end={settings.end}; allowed: horizons up to "
                          f"{(pd.Period(end_month, freq='M') - pd.Period(origins[-1], freq='M')).n + 1} "
                          "for this origin, or a later end")
    return BacktestOptions(obs, source, tuple(origins), horizons, boot, seeds, tname)
