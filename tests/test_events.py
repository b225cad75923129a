"""The article timeline: verbatim quotes, known CAMEO codes, keyed date draws."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import ARTICLE, CONF, ROOT
from sim.config.events import load_event_file, parse_events
from sim.engine import cameo
from sim.engine.events import realise
from sim.errors import EventError

PACKAGED_ARTICLE = ROOT / "sim" / "data" / "article.txt"
TIMELINE = yaml.safe_load((CONF / "events" / "article.yaml").read_text("utf-8"))["timeline"]
ACTORS = ("ISR", "AZE", "IRN")


def article_text() -> str:
    return (ARTICLE if ARTICLE.exists() else PACKAGED_ARTICLE).read_text("utf-8")


ARTICLE_SHA256 = "edcec3338434e9ed943b42e97cb71a402db2cd013e95b9abe02ed11550d1284d"


def test_packaged_article_is_the_source():
    """The shipped copy is byte for byte the source (its hash when shared/ is not beside us)."""
    assert hashlib.sha256(PACKAGED_ARTICLE.read_bytes()).hexdigest() == ARTICLE_SHA256
    if ARTICLE.exists():
        assert PACKAGED_ARTICLE.read_bytes() == ARTICLE.read_bytes()


@pytest.mark.parametrize("ev", TIMELINE, ids=[e["id"] for e in TIMELINE])
def test_quote_is_verbatim_in_article(ev):
    assert len(ev["quote"]) > 20
    assert ev["quote"] in article_text()


@pytest.mark.parametrize("ev", TIMELINE, ids=[e["id"] for e in TIMELINE])
def test_cameo_code_in_table(ev):
    assert str(ev["cameo"]) in cameo.table()


def test_timeline_covers_the_article():
    """The acts the issue lists are all there, between the right actors."""
    events = {e.id: e for e in parse_events(TIMELINE, ACTORS)}
    assert len(events) == len(TIMELINE) >= 15
    need = {
        "iran_border_exercises": ("IRN", "AZE"), "tehran_embassy_attack": ("IRN", "AZE"),
        "tel_aviv_embassy_opening": ("AZE", "ISR"), "unified_front_statement": ("ISR", "IRN"),
        "iran_demands_explanations": ("IRN", "AZE"), "azerbaijan_expels_iranian_diplomats": ("AZE", "IRN"),
        "iran_reciprocal_expulsion": ("IRN", "AZE"), "azerbaijan_arrests_iranian_recruits": ("AZE", "IRN"),
        "herzog_visit_baku": ("ISR", "AZE"), "health_cooperation_plan": ("AZE", "ISR"),
    }
    for eid, (s, t) in need.items():
        assert (events[eid].source, events[eid].target) == (s, t)
    assert events["tehran_embassy_attack"].date == dt.date(2023, 1, 27)
    assert events["tehran_embassy_attack"].attribution < 1
    assert events["herzog_visit_baku"].date == dt.date(2023, 5, 30)
    assert events["tel_aviv_embassy_opening"].precision == "month"


def test_cameo_weights_come_from_the_gdelt_column():
    assert cameo.lookup("190").goldstein == -10.0
    assert cameo.lookup("174").goldstein == -5.0
    assert cameo.lookup("016").goldstein == -2.0  # GDELT column, not Phoenix's +3.4
    with pytest.raises(KeyError):
        cameo.lookup("0110")  # only the Phoenix column has it


def _days(events, seed=3, lo=0, hi=64, n_days=639):
    r = realise(events, dt.date(2022, 9, 1), n_days, seed, lo, hi)
    return {e.id: r.day[k] for k, e in enumerate(events)}, r


def test_realised_days_fall_in_windows_and_follow_anchors():
    events = parse_events(TIMELINE, ACTORS)
    days, r = _days(events, hi=500)
    start = dt.date(2022, 9, 1)
    for ev in events:
        lo, hi = ev.window()
        a, b = max((lo - start).days, 0), (hi - start).days
        d = days[ev.id]
        assert np.all((d >= a) & (d <= b)), ev.id
    assert np.array_equal(days["unified_front_statement"], days["tel_aviv_embassy_opening"])
    assert np.all(days["iran_reciprocal_expulsion"] >= days["azerbaijan_expels_iranian_diplomats"])
    assert np.all(days["iran_border_exercises"] >= days["iran_accuses_israeli_presence"])
    # month precision spreads over the month; the attack is attributed about half the time
    assert len(np.unique(days["tel_aviv_embassy_opening"])) > 20
    k = [e.id for e in events].index("tehran_embassy_attack")
    assert 0.4 < r.attributed[k].mean() < 0.6


def test_event_draws_are_keyed_by_id():
    """Removing one event leaves every other event's draws where they were."""
    events = parse_events(TIMELINE, ACTORS)
    full, rf = _days(events)
    drop = "iran_border_exercises"
    fewer, rr = _days([e for e in events if e.id != drop])
    for eid, d in fewer.items():
        assert np.array_equal(d, full[eid])
    ids = [e.id for e in events]
    ids2 = [i for i in ids if i != drop]
    assert np.array_equal(rr.attributed, rf.attributed[[ids.index(i) for i in ids2]])


def test_event_draws_are_chunk_invariant():
    events = parse_events(TIMELINE, ACTORS)
    whole, _ = _days(events, lo=0, hi=3000)
    part, _ = _days(events, lo=1020, hi=2050)
    for eid in whole:
        assert np.array_equal(whole[eid][1020:2050], part[eid])


@pytest.mark.parametrize("patch, needle", [
    ({"source": "XYZ"}, "'XYZ' is not a configured actor; allowed: ISR, AZE, IRN"),
    ({"target": "ISR", "source": "ISR"}, "source and target are both 'ISR'"),
    ({"cameo": "999"}, "cameo: '999' is not in the CAMEO table"),
    ({"date": "2023-02-30"}, "is not a date"),
    ({"precision": "week"}, "precision: 'week'; allowed: day, month, year"),
    ({"attribution": 1.5}, "attribution: 1.5 is outside [0, 1]"),
    ({"goldstein": -11}, "goldstein: -11.0 is outside [-10, 10]"),
    ({"id": "Bad Id"}, "is not snake_case"),
    ({"colour": "red"}, "unknown field(s) ['colour']"),
    ({"anchor": "nope"}, "anchor: 'nope' is not an event id"),
])
def test_bad_event_messages_name_the_field(patch, needle):
    ev = {"id": "x", "date": "2023-01-01", "source": "AZE", "target": "IRN", "cameo": "111", **patch}
    with pytest.raises(EventError) as exc:
        parse_events([ev], ACTORS)
    assert needle in str(exc.value)


def test_duplicate_ids_and_yaml_errors(tmp_path: Path):
    ev = {"id": "x", "date": "2023-01-01", "source": "AZE", "target": "IRN", "cameo": "111"}
    with pytest.raises(EventError, match="duplicate event id .x."):
        parse_events([ev, ev], ACTORS)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  date: [2023\n", "utf-8")
    with pytest.raises(EventError, match=r"bad.yaml line \d+, column \d+: YAML syntax error"):
        load_event_file(bad, ACTORS)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    assert load_event_file(empty, ACTORS) == []
