"""``triad list experiments|counterfactuals|params|events``: what a user can choose, one line each."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Sequence

from sim.config import safeyaml
from sim.config.locate import conf_dir, experiments_dir
from sim.errors import TriadError


def _yaml(path: Path) -> dict:
    data = safeyaml.load(safeyaml.read_text(path, str(path)), str(path))
    return data if isinstance(data, dict) else {}


def _ops(ops: Sequence) -> str:
    parts = []
    for op in ops or ():
        if isinstance(op, dict) and len(op) == 1:
            (name, arg), = op.items()
            if name == "set" and isinstance(arg, dict):
                parts.append(f"set {arg.get('param')} = {arg.get('value')}"
                             + (f" from {arg['from']}" if arg.get("from") else ""))
            elif isinstance(arg, dict):
                what = arg.get("event") or arg.get("id") or ""
                more = ", ".join(f"{k} {v}" for k, v in arg.items() if k in ("factor", "days", "cascade", "date"))
                parts.append(f"{name} {what}" + (f" ({more})" if more else ""))
            else:
                parts.append(f"{name} {arg}")
    return "; ".join(parts) or "no ops"


def experiments() -> list[str]:
    rows = []
    for p in sorted(experiments_dir().glob("*.yaml")):
        data = _yaml(p)
        q = str(data.get("question", ""))
        if "${" in q:  # the question comes from the counterfactual it selects
            cf = next((str(d).split(":", 1)[1].strip() for d in data.get("defaults", [])
                       if isinstance(d, dict) is False and "counterfactual" in str(d)), None)
            cf = cf or next((v for d in data.get("defaults", []) if isinstance(d, dict)
                             for k, v in d.items() if "counterfactual" in k), None)
            q = str(_yaml(conf_dir() / "counterfactual" / f"{cf}.yaml").get("question", "")) if cf else q
        rows.append(f"{p.stem:32} {' '.join(q.split())}")
    return rows


def counterfactuals() -> list[str]:
    rows = []
    for p in sorted((conf_dir() / "counterfactual").glob("*.yaml")):
        if p.stem.startswith("_"):  # shared settings, not an option
            continue
        data = _yaml(p)
        what = "one counterfactual per event, each removing it" if data.get("leave_one_out") else _ops(data.get("ops"))
        rows.append(f"{p.stem:32} {what}")
    return rows


def params() -> list[str]:
    from sim import params as table

    rows = []
    for p in table.PARAMS:
        shape = {"actor": "per actor", "pair": "per pair SRC_TGT", "scalar": "", "rung": "per rung K"}.get(
            p.shape, f"per {p.shape}")
        rows.append(f"{p.path:40} {p.unit:14} [{p.lo:g}, {p.hi:g}]  default {table._default(p):18} "
                    f"{p.meaning}{f' ({shape})' if shape else ''}")
    return rows


def events() -> list[str]:
    """The article's timeline, then every other shipped timeline under its own heading."""
    rows = _events(_yaml(conf_dir() / "events" / "article.yaml"))
    for path in sorted((conf_dir() / "events").glob("*.yaml")):
        if path.stem not in ("article", "none"):
            data = _yaml(path)
            base = f", after events.base {data['base']}" if data.get("base") else ""
            rows += ["", f"events={path.stem} ({len(data.get('timeline') or [])} events{base}):", *_events(data)]
    return rows


def _events(data: dict) -> list[str]:
    rows = []
    for ev in data.get("timeline", []):
        when = f"{ev.get('date')}" + (f" ({ev['precision']})" if ev.get("precision", "day") != "day" else "")
        if ev.get("anchor"):
            when = f"after {ev['anchor']}"
        arrow = "<->" if ev.get("mutual") else "->"
        rows.append(f"{ev.get('id', ''):36} {when:34} {ev.get('source')}{arrow}{ev.get('target')} "
                    f"CAMEO {ev.get('cameo')}  {' '.join(str(ev.get('summary', '')).split())}")
    return rows


LISTS: dict[str, Callable[[], list[str]]] = {
    "experiments": experiments, "counterfactuals": counterfactuals, "params": params, "events": events,
}


def main(argv: Sequence[str]) -> int:
    """``triad list WHAT``: 0, or 2 with one line for an unknown WHAT."""
    if len(argv) > 1 and argv[0] in LISTS:  # the list is right, the rest is extra (L12)
        print(f"triad: error: list {argv[0]}: unexpected argument(s) {' '.join(argv[1:])!r}; usage: triad list "
              f"{argv[0]}", file=sys.stderr)
        return 2
    if len(argv) != 1 or argv[0] not in LISTS:
        import difflib

        what = argv[0] if argv else ""
        near = difflib.get_close_matches(what, list(LISTS), n=1)
        hint = f"did you mean 'triad list {near[0]}'? " if near else ""
        print(f"triad: error: list: {what!r} is not a list; {hint}lists: {', '.join(LISTS)}", file=sys.stderr)
        return 2
    try:
        for line in LISTS[argv[0]]():
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # `triad list params | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except TriadError as exc:
        print(f"triad: error: {exc}", file=sys.stderr)
        return 2
    return 0
