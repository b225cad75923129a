"""Kept events as a spec §3 timeline (``events.yaml``) that ``events.file=`` reads as it is.

One event per (day, source actor, target actor, CAMEO code): the entities of a dyad-day are
one act for the model. Each carries ``provenance`` (dataset, the first record's event id and
the number of raw records behind it) instead of the article ``quote``: imported events come
from a dataset, not from the article, so the quote rule (tests/test_events.py, the article
timeline only) does not apply to them. Only events between ``actors`` (the model's actors)
go in; ``min_rung`` and ``max_events`` (highest rungs first, then earliest) trim it.
"""
from __future__ import annotations

import json
import re
from typing import Sequence

import pandas as pd

from sim.engine import cameo

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(s: str, limit: int = 200) -> str:
    return _UNSAFE.sub(" ", s).strip()[:limit]


def build(kept: pd.DataFrame, dataset: str, actors: Sequence[str], min_rung: int = 0,
          max_events: int | None = None) -> tuple[list[dict], dict[str, int]]:
    """The timeline entries and what was left out (by reason, in events after collapsing)."""
    ev = kept[kept["source"].isin(actors) & kept["target"].isin(actors)]
    left = {"other_actors": int(len(kept) - len(ev))}
    key = ["date", "source", "target", "cameo"]
    grouped = ev.groupby(key, sort=True, observed=True)
    acts = grouped.agg(rung=("rung", "first"), text=("text", "first"), event_id=("event_id", "first"),
                       records=("records", "sum"), entities=("source_name", "size")).reset_index()
    left["merged_entities"] = int(len(ev) - len(acts))
    low = acts["rung"] < min_rung
    left["below_min_rung"] = int(low.sum())
    acts = acts[~low]
    if max_events is not None and len(acts) > max_events:
        left["over_max_events"] = int(len(acts) - max_events)
        acts = acts.sort_values(["rung", "date"], ascending=[False, True], kind="stable").head(max_events)
        acts = acts.sort_values(key, kind="stable")
    else:
        left["over_max_events"] = 0
    tag = re.sub(r"[^a-z0-9]+", "_", dataset.lower()).strip("_") or "data"
    if not tag[0].isalpha():
        tag = "d_" + tag
    out = []
    for r in acts.itertuples(index=False):
        day = pd.Timestamp(r.date).date()
        summary = _one_line(r.text) or cameo.lookup(r.cameo).description
        out.append({
            "id": f"{tag}_{day:%Y%m%d}_{str(r.source).lower()}_{str(r.target).lower()}_{r.cameo}",
            "date": day.isoformat(), "precision": "day", "source": str(r.source), "target": str(r.target),
            "cameo": str(r.cameo), "summary": summary,
            "provenance": {"dataset": dataset, "event_id": _one_line(str(r.event_id), 80), "records": int(r.records)},
        })
    return out, left


def _scalar(v: object) -> str:
    # a JSON string is a YAML double-quoted scalar (control characters are already gone)
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else json.dumps(str(v), ensure_ascii=False)


def to_yaml(events: list[dict], header: Sequence[str]) -> str:
    """Block-style YAML, every string double-quoted; written directly, since PyYAML's
    emitter takes seconds for a thousand events (a test reads it back with yaml.safe_load)."""
    out = [f"# {_one_line(h, 400)}\n" for h in header]
    if not events:
        return "".join(out) + "[]\n"
    for ev in events:
        lead = "- "
        for k, v in ev.items():
            if isinstance(v, dict):
                out.append(f"{lead}{k}:\n" + "".join(f"    {kk}: {_scalar(vv)}\n" for kk, vv in v.items()))
            else:
                out.append(f"{lead}{k}: {_scalar(v)}\n")
            lead = "  "
    return "".join(out)


def write(kept: pd.DataFrame, path, dataset: str, actors: Sequence[str], min_rung: int = 0,
          max_events: int | None = None) -> int:
    """Write the timeline of ``kept`` (as ``sim.events.read`` returns it) to ``path``
    atomically; the number of events written."""
    from pathlib import Path

    from sim.io.atomic import atomic_write_bytes

    events, _ = build(kept, dataset, actors, min_rung, max_events)
    atomic_write_bytes(Path(path), to_yaml(events, [f"{len(events)} events from {dataset}"]).encode("utf-8"))
    return len(events)
