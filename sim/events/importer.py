"""``triad import`` as functions: read files of one format, count, and write ``events.yaml``,
``observations.csv`` and ``import.json`` into one directory, all computed before anything is
written (a bad input writes nothing)."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from sim.config.safeyaml import load_file
from sim.events import observations, timeline
from sim.events.actors import ActorTable, load_table
from sim.events.counting import DEDUP, Options, Outcome, select
from sim.events.formats import FORMATS
from sim.events.formats.common import EventDataError, Skipped, read_files
from sim.io.atomic import atomic_write_bytes
from sim.io.places import forbidden_output_dir

MAX_TIMELINE = 1000  # events.file is capped at 1 MB (sim/config/safeyaml.py): about 4000 events


def default_actors() -> tuple[str, ...]:
    """The actors of the default config (conf/actors/default.yaml)."""
    from sim.config.locate import conf_dir

    return tuple(load_file(conf_dir() / "actors" / "default.yaml", "actors"))


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise EventDataError(f"format {fmt!r}; allowed: {', '.join(FORMATS)}")


def run(fmt: str, paths: Sequence[str | Path], opts: Options, table: ActorTable | None = None) -> Outcome:
    """Read and count: the kept events (one row per distinct record) and the bookkeeping."""
    check_format(fmt)
    if opts.weight != "none" and fmt != "gdelt":
        raise EventDataError(f"--weight {opts.weight}: only GDELT records carry source and mention counts")
    mod = FORMATS[fmt]
    skipped = Skipped()
    raw = mod.normalize(read_files(paths, mod.read_table, opts.skip_bad, skipped))
    return select(raw, mod.DATE_FORMAT, table or load_table(), opts, skipped)


def read(fmt: str, paths: str | Path | Sequence[str | Path], actors: Sequence[str] | None = None,
         state_only: bool = False, onset_days: int = 0, weight: str = "none", skip_bad: bool = False) -> pd.DataFrame:
    """The kept records of event-data file(s) as a typed frame: ``date`` (datetime64), ``source``
    and ``target`` (categorical actor codes), ``cameo``, ``rung``, ``quad`` (categorical),
    ``goldstein``, ``weight``, ``records``, entity names, event id and text; the bookkeeping
    (rows read, dropped by reason, covered months) is in ``df.attrs['import']``."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    opts = Options(tuple(actors or default_actors()), state_only, onset_days, weight, skip_bad)
    out = run(fmt, list(paths), opts)
    df = out.kept
    df.attrs["import"] = {"rows_read": out.rows_read, "kept": len(df), "dropped": out.dropped,
                          "months": out.periods, "days": out.days}
    return df


def _spans(months: list[str]) -> str:
    if not months:
        return ""
    per = [pd.Period(m, freq="M") for m in months]
    runs, start = [], per[0]
    for a, b in zip(per, per[1:] + [None]):
        if b is None or b != a + 1:
            runs.append(str(start) if start == a else f"{start}..{a}")
            start = b
    return ",".join(runs)


def _periods(out: Outcome, daily: bool, fill: bool) -> list[str]:
    """The covered periods: months with at least one dated record in the input (the input cannot
    tell a month without records from a month without data), or with ``fill`` every month from
    the first record to the last; per day, the days of those months between the two."""
    if fill and out.days is not None:
        out.periods = [str(p) for p in pd.period_range(out.days[0], out.days[1], freq="M")]
    if not daily:
        return out.periods
    if out.days is None:
        return []
    covered = set(out.periods)
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(out.days[0], out.days[1], freq="D")
            if d.strftime("%Y-%m") in covered]


@dataclass(frozen=True)
class Written:
    out_dir: Path
    kept: int
    timeline_events: int
    summary: dict  # import.json (no timings: the same input gives the same bytes)
    seconds: float


def import_files(fmt: str, paths: Sequence[str | Path], out_dir: str | Path, opts: Options, *,
                 dataset: str | None = None, daily: bool = False, min_rung: int = 0,
                 max_events: int = MAX_TIMELINE, timeline_actors: Sequence[str] | None = None,
                 actor_table: str | Path | None = None, fill_months: bool = False) -> Written:
    """The whole command: everything computed in memory, then the three files written atomically."""
    t0 = time.perf_counter()
    why = forbidden_output_dir(out_dir)
    if why:
        raise EventDataError(f"--out: {why}")
    table = load_table(actor_table)
    out = run(fmt, paths, opts, table)
    names = [str(p) for p in paths]
    if out.kept.empty:
        gone = ", ".join(f"{k} {v}" for k, v in out.dropped.items() if v)
        raise EventDataError(f"{names[0] if len(names) == 1 else f'{len(names)} files ({names[0]} …)'}: no event "
                             f"kept between {','.join(opts.actors)} ({out.rows_read} rows read; dropped: {gone or 'none'})")
    dataset = dataset or fmt
    options = {
        "format": fmt, "dataset": dataset, "actors": ",".join(opts.actors), "state_only": opts.state_only,
        "onset_days": opts.onset_days, "weight": opts.weight, "skip_bad": opts.skip_bad,
        "from": str(opts.first or ""), "to": str(opts.last or ""), "actor_table": str(actor_table or "shipped"),
        "fill_months": fill_months, "daily": daily,
    }
    unit = "date" if daily else "month"
    obs = observations.count(out.kept, opts.actors, _periods(out, daily, fill_months), daily=daily)
    header = {
        "dataset": dataset, "format": fmt, "unit": "day" if daily else "month",
        "dedup": f"one record per distinct ({', '.join(DEDUP)}); records_* count records"
                 + (f" weighted by {opts.weight}" if opts.weight != "none" else ""),
        "days": "days_* count directed dyad-days with at least one record (at that rung / quad class)",
        "onset_days": opts.onset_days, "weight": opts.weight, "state_only": opts.state_only,
        "actors": ",".join(opts.actors), "date_range": f"{out.days[0]}..{out.days[1]}" if out.days else "",
        "months": _spans(out.periods) + (" (every month from the first record to the last)" if fill_months else
                                          " (months with at least one record in the input)"), "rungs": "CAMEO code -> rung by the default ladder (sim/events/codes.py)",
        "goldstein": "sum of GDELT Goldstein weights (sim/data/cameo_goldstein.tsv) of the records, times weights",
        "files": ";".join(Path(n).name for n in names)[:400],
    }
    tl_actors = list(timeline_actors or default_actors())
    events, left = timeline.build(out.kept, dataset, tl_actors, min_rung, max_events)
    yaml_text = timeline.to_yaml(events, [
        f"Imported by `triad import {fmt}` from {', '.join(Path(n).name for n in names)[:200]}",
        f"{len(events)} events between {','.join(tl_actors)}; rung >= {min_rung}; at most {max_events}",
        "one event per (day, source, target, CAMEO code); provenance = dataset, first event id, raw records",
        f"counted with: state_only={opts.state_only}, onset_days={opts.onset_days}, weight={opts.weight}, "
        f"skip_bad={opts.skip_bad}, from={opts.first or '-'}, to={opts.last or '-'} (all options: import.json)",
    ])
    summary = {
        "format": fmt, "files": names, "rows_read": out.rows_read, "kept": len(out.kept), "dropped": out.dropped,
        "unmatched_actor_names": out.unmatched,
        "date_range": {"first": out.days[0], "last": out.days[1]} if out.days else None,
        "months": _spans(out.periods), "options": options,
        "observations": {"unit": unit, "rows": len(obs), "dyads": len(opts.actors) * (len(opts.actors) - 1)},
        "timeline": {"actors": tl_actors, "events": len(events), "min_rung": min_rung, "max_events": max_events,
                     "left_out": left},
    }
    obs_text = observations.to_text(obs, header)
    d = Path(out_dir)
    if d.exists() and not d.is_dir():
        raise EventDataError(f"--out {d}: exists and is not a directory")
    atomic_write_bytes(d / "observations.csv", obs_text.encode("utf-8"))
    atomic_write_bytes(d / "events.yaml", yaml_text.encode("utf-8"))
    atomic_write_bytes(d / "import.json", (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return Written(d, len(out.kept), len(events), summary, round(time.perf_counter() - t0, 3))

