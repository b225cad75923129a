"""``triad import FORMAT FILE... --out DIR``: event-data exports in, a timeline, an
observations table and a summary out (docs/data.md). Exit 0, or 2 with one line on bad input."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Sequence

from sim.errors import TriadError
from sim.events.formats import FORMATS

EPILOG = ("Writes DIR/events.yaml (use with events.file=DIR/events.yaml), DIR/observations.csv "
          "(backtest.observations=...) and DIR/import.json. Formats and mappings: docs/data.md.")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="triad import", description="Import coded event data.", epilog=EPILOG)
    p.add_argument("format", choices=list(FORMATS), help="the export's format")
    p.add_argument("files", nargs="+", metavar="FILE", help="input files (plain, .gz or .zip)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if needed)")
    p.add_argument("--actors", metavar="A,B,...", help="actor codes to keep (default: the default config's actors)")
    p.add_argument("--state-only", action="store_true", help="keep acts between state actors only")
    p.add_argument("--actor-table", metavar="CSV", help="extra name,code,tier rows for actor resolution")
    p.add_argument("--onset-days", type=int, default=0, metavar="W",
                   help="count a record only if its dyad had no record of the same rung in the previous W days")
    p.add_argument("--weight", choices=["none", "sources", "mentions"], default="none",
                   help="GDELT: weight records by NumSources or NumMentions")
    p.add_argument("--daily", action="store_true", help="observations per day instead of per month")
    p.add_argument("--fill-months", action="store_true",
                   help="cover every month from the first record to the last (default: months with a record)")
    p.add_argument("--min-rung", type=int, default=0, metavar="K", help="timeline: only events of rung >= K")
    p.add_argument("--max-events", type=int, default=None, metavar="N",
                   help="timeline: at most N events, highest rungs first (default 1000)")
    p.add_argument("--timeline-actors", metavar="A,B,...",
                   help="actors of the timeline (default: the default config's actors, the ones a run knows)")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="drop records before this day")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="drop records after this day")
    p.add_argument("--dataset", metavar="NAME", help="dataset label in the outputs (default: the format)")
    p.add_argument("--skip-bad", action="store_true",
                   help="skip bad rows (wrong width, not UTF-8, bad date, unknown code) and count them")
    return p


def _day(text: str | None, flag: str) -> dt.date | None:
    from sim.config.events import parse_date

    return None if text is None else parse_date(text, flag)


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from sim.events.actors import parse_codes
    from sim.events.counting import Options
    from sim.events.importer import MAX_TIMELINE, default_actors, import_files

    try:
        actors = tuple(parse_codes(args.actors, "--actors")) if args.actors else default_actors()
        tl = parse_codes(args.timeline_actors, "--timeline-actors") if args.timeline_actors else None
        for flag, v, hi in (("--onset-days", args.onset_days, 3650), ("--min-rung", args.min_rung, 6),
                            ("--max-events", args.max_events if args.max_events is not None else 1, 100_000)):
            if not 0 <= v <= hi or (flag == "--max-events" and v < 1):
                raise TriadError(f"{flag}: {v}; allowed: whole numbers {1 if flag == '--max-events' else 0} .. {hi}")
        first, last = _day(args.first, "--from"), _day(args.last, "--to")
        if first and last and first > last:
            raise TriadError(f"--from {first} is after --to {last}")
        opts = Options(actors, args.state_only, args.onset_days, args.weight, args.skip_bad, first, last)
        w = import_files(args.format, args.files, args.out, opts, dataset=args.dataset, daily=args.daily,
                         min_rung=args.min_rung, max_events=args.max_events or MAX_TIMELINE, timeline_actors=tl,
                         actor_table=args.actor_table, fill_months=args.fill_months)
    except TriadError as exc:
        print(f"triad: error: {exc}", file=sys.stderr)
        return 2
    s = w.summary
    gone = ", ".join(f"{k} {v}" for k, v in s["dropped"].items() if v)
    print(f"read {s['rows_read']} rows, kept {s['kept']} records ({gone or 'nothing dropped'}); "
          f"{w.timeline_events} timeline events; {w.seconds} s")
    for name in ("events.yaml", "observations.csv", "import.json"):
        print(w.out_dir / name)
    return 0
