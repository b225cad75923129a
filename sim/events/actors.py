"""Who is who: names, sector forms ``Sector (Country)``, country names and codes to actor
codes, each with a tier (state or non-state).

Two tables, both package data with provenance: ``actor_countries.csv`` (country spellings
and codes per actor; the country fields of ICEWS, GDELT, POLECAT and the table format) and
``icews_actor_names.csv`` (1,563 ICEWS entity names with a tier). A user table
(``--actor-table FILE``: ``name,code,tier``) adds names or overrides them. Matching is exact
after case folding and trimming: an unmatched name is counted, never guessed.

Resolution of one side of an event: the country field decides the actor; an entity name
listed for a non-state actor (Hezbollah) that is selected takes precedence over its country.
The tier comes from the format (GDELT actor types, a table's tier column), else the entity
table, else the country itself (``Iran`` as an actor is the state); otherwise it is unknown,
which ``--state-only`` treats as non-state.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from sim.config.safeyaml import read_text
from sim.errors import TriadError

STATE_TIERS = {"country", "state_sector", "named_state", "state"}
NONSTATE_TIERS = {"org", "nonstate_sector", "nonstate"}
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


class ActorTableError(TriadError):
    """A user actor table that cannot be used."""


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("sim") / "data" / name).read_text("utf-8")
    return list(csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#")))


def _key(s: str) -> str:
    return " ".join(s.casefold().split())


@dataclass(frozen=True)
class ActorTable:
    countries: dict[str, str]  # folded country name or code -> actor code
    entities: dict[str, tuple[str, str]]  # folded entity name -> (actor code, "state" | "nonstate")
    country_actors: frozenset[str]  # codes that are states (a country field can name them)

    def known(self) -> list[str]:
        return sorted(set(self.countries.values()) | {c for c, _ in self.entities.values()})


@lru_cache(maxsize=1)
def _default() -> ActorTable:
    countries, states = {}, set()
    for r in _rows("actor_countries.csv"):
        for n in r["names"].split("|"):
            countries[_key(n)] = r["code"]
        if r["tier"] == "state":
            states.add(r["code"])
    entities = {}
    for r in _rows("icews_actor_names.csv"):
        entities[_key(r["entity_name"])] = (r["iso3"], "state" if r["tier"] in STATE_TIERS else "nonstate")
    for r in _rows("actor_countries.csv"):  # the non-state actors' own names
        if r["tier"] != "state":
            for n in r["names"].split("|"):
                entities.setdefault(_key(n), (r["code"], "nonstate"))
    return ActorTable(countries, entities, frozenset(states))


def load_table(path: str | Path | None = None) -> ActorTable:
    """The shipped table, with the rows of a user CSV (``name,code,tier``) added on top."""
    base = _default()
    if path is None:
        return base
    text = read_text(path, "--actor-table", 10_000_000)
    lines = text.splitlines()
    head = [h.strip() for h in (lines[0].split(",") if lines else [])]
    if head[:3] != ["name", "code", "tier"]:
        raise ActorTableError(f"{path} line 1: the header must be name,code,tier")
    countries, entities, states = dict(base.countries), dict(base.entities), set(base.country_actors)
    for n, row in enumerate(csv.reader(lines[1:]), start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 3:
            raise ActorTableError(f"{path} line {n}: {len(row)} fields; expected name,code,tier")
        name, code, tier = (x.strip() for x in row)
        if not _CODE.match(code):
            raise ActorTableError(f"{path} line {n}: code {code!r} is not an actor code (2-8 capitals or digits)")
        if tier not in ("country", "state", "nonstate"):
            raise ActorTableError(f"{path} line {n}: tier {tier!r}; allowed: country (a country's name or code), "
                                  "state (a state body), nonstate")
        if tier == "country":
            countries[_key(name)] = code
            states.add(code)
        else:
            entities[_key(name)] = (code, tier)
    return ActorTable(countries, entities, frozenset(states))


def parse_codes(text: str, what: str) -> list[str]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not _CODE.match(c)]
    if bad or len(codes) < 2 or len(set(codes)) != len(codes):
        raise ActorTableError(f"{what}: {text!r}; give two or more different actor codes, e.g. IRN,ISR,AZE")
    return codes


def _per_value(col: pd.Series, fn) -> np.ndarray:
    """``fn(folded value)`` for each row, computed once per distinct value (no loop over rows)."""
    cat = col.astype("category")
    vals = np.empty(len(cat.cat.categories) + 1, dtype=object)
    for k, v in enumerate(cat.cat.categories):
        vals[k] = fn(_key(str(v)))
    vals[-1] = fn("")  # code -1: a missing value
    return vals[cat.cat.codes.to_numpy()]


def resolve_side(name: pd.Series, country: pd.Series, tier_hint: pd.Series | np.ndarray, table: ActorTable,
                 selected: Sequence[str]) -> pd.DataFrame:
    """``actor`` (code or None), ``tier`` (state, nonstate or "") of each row."""
    sel = set(selected)
    by_country = _per_value(country, table.countries.get)
    # an entity listed for a selected non-state actor (Hezbollah) is that actor, whatever its country
    override = _per_value(name, lambda k: (lambda e: e[0] if e and e[0] in sel and e[0] not in table.country_actors
                                           else None)(table.entities.get(k)))
    actor = np.where(pd.isna(override), by_country, override)
    ent_tier = _per_value(name, lambda k: table.entities[k][1] if k in table.entities else
                          ("state" if k in table.countries else ""))
    hint = np.asarray(tier_hint, dtype=object)
    tier = np.where(hint != "", hint, ent_tier)
    return pd.DataFrame({"actor": actor, "tier": tier}, index=name.index)
