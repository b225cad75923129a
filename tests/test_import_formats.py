"""The readers of the formats with no real file here, on synthetic fixtures built from the
published column lists (tests/event_fixtures.py), and the counting choices: duplicates,
weights, onsets, state-only, the drop reasons; every value checked by hand."""
from __future__ import annotations

import json
import zipfile

import pytest
import yaml

from conftest import CONF
from event_fixtures import acled_file, gdelt_row, polecat_file
from sim.events import observations
from sim.events.cli import main as import_main
from sim.events.codes import ROOTS, rung_of
from sim.events.formats.polecat import code_of

# five GDELT files' worth of rows, April 2021 (a day is 96 files; two files are enough here)
FILE_A = (gdelt_row(1, "2021-04-11", "ISRGOV", "ISR", "IRNGOV", "IRN", "190", sources=3, type1="GOV", type2="GOV")
          + gdelt_row(2, "2021-04-11", "ISRGOV", "ISR", "IRNGOV", "IRN", "190", sources=2, type1="GOV", type2="GOV")
          + gdelt_row(3, "2021-04-12", "IRNMIL", "IRN", "ISR", "ISR", "1384", sources=4, type1="MIL"))
FILE_B = (gdelt_row(4, "2021-04-14", "ISRMIL", "ISR", "IRN", "IRN", "190", sources=1, type1="MIL")
          + gdelt_row(5, "2021-04-14", "IND", "IND", "PAK", "PAK", "190")
          + gdelt_row(6, "2021-04-15", "ISR", "ISR", "ISRGOV", "ISR", "042")
          + gdelt_row(7, "2021-04-15", "USA", "USA", "IRN", "IRN", "111")
          + gdelt_row(8, "2021-04-16", "ISRREB", "ISR", "IRN", "IRN", "111", type1="REB"))


def _gdelt(tmp_path, *flags):
    (tmp_path / "a.export.CSV").write_text(FILE_A, "utf-8")
    with zipfile.ZipFile(tmp_path / "b.export.CSV.zip", "w") as zf:
        zf.writestr("b.export.CSV", FILE_B)
    out = tmp_path / "out"
    code = import_main(["gdelt", str(tmp_path / "a.export.CSV"), str(tmp_path / "b.export.CSV.zip"), "--out",
                        str(out), *flags])
    assert code == 0
    obs = observations.read(out / "observations.csv")
    row = lambda s, t: obs[(obs.month == "2021-04") & (obs.source == s) & (obs.target == t)].iloc[0]  # noqa: E731
    return json.loads((out / "import.json").read_text("utf-8")), row, out


def test_gdelt_duplicates_and_drop_reasons(tmp_path):
    summary, row, _ = _gdelt(tmp_path)
    assert summary["rows_read"] == 8 and summary["kept"] == 4
    d = summary["dropped"]
    assert (d["duplicate"], d["unknown_actor"], d["other_actor"], d["same_actor"]) == (1, 1, 1, 1)
    isr = row("ISR", "IRN")
    # 190 on 04-11 (two reports, one record) and 04-14; 111 by a rebel group on 04-16
    assert (isr.days_rung5, isr.records_rung5, isr.records_rung1, isr.records) == (2, 2, 1, 3)
    assert isr.goldstein_sum == -10 - 10 - 2
    assert (row("IRN", "ISR").days_rung3, row("IRN", "ISR").records_rung3) == (1, 1)  # 1384 -> rung 3 (138)


def test_gdelt_weight_by_sources_and_onsets(tmp_path):
    summary, row, _ = _gdelt(tmp_path, "--weight", "sources")
    assert row("ISR", "IRN").records_rung5 == 3 + 2 + 1 and row("ISR", "IRN").days_rung5 == 2
    assert row("ISR", "IRN").goldstein_sum == -10 * 6 - 2 * 1
    (tmp_path / "w").mkdir()
    summary, row, out = _gdelt(tmp_path / "w", "--onset-days", "5")
    # 04-14 follows the rung-5 day 04-11 within 5 days: not an onset; the rung-1 act is its own onset
    assert summary["dropped"]["not_onset"] == 1 and row("ISR", "IRN").days_rung5 == 1
    assert "# onset_days: 5" in (out / "observations.csv").read_text("utf-8")


def test_gdelt_state_only_keeps_state_bodies(tmp_path):
    summary, row, _ = _gdelt(tmp_path, "--state-only")
    assert summary["dropped"]["non_state"] == 1 and row("ISR", "IRN").records_rung1 == 0


def test_polecat_types_map_through_the_published_table():
    assert code_of("ASSAULT", "heavy-weapons", "military") == "194"
    assert code_of("ASSAULT", "", "military") == "190"  # context decides between 180 and 190
    assert code_of("assault", "", "") == "180"
    assert code_of("THREATEN", "", "") == "130" and code_of("REQUEST", "", "") == "100"  # CAMEO 10 demand
    assert code_of("NOT_A_TYPE", "", "") == ""


def test_polecat_file(tmp_path):
    rows = [
        {"Event ID": "p1", "Event Date": "2023-01-27", "Event Type": "ASSAULT", "Event Mode": "", "Contexts":
         "military", "Actor Name": "Israel Defense Forces", "Actor Country": "ISR", "Primary Actor Sector":
         "Military", "Recipient Name": "Iran", "Recipient Country": "IRN"},
        {"Event ID": "p2", "Event Date": "2023-01-28", "Event Type": "ACCUSE", "Event Mode": "disapprove",
         "Actor Name": "Iran", "Actor Country": "IRN", "Recipient Name": "Azerbaijan", "Recipient Country": "AZE"},
    ]
    (tmp_path / "w.txt").write_text(polecat_file(rows), "utf-8")
    out = tmp_path / "out"
    assert import_main(["polecat", str(tmp_path / "w.txt"), "--out", str(out), "--state-only"]) == 0
    ev = yaml.safe_load((out / "events.yaml").read_text("utf-8"))
    assert [(e["source"], e["target"], e["cameo"]) for e in ev] == [("ISR", "IRN", "190"), ("IRN", "AZE", "110")]


def test_acled_file(tmp_path):
    rows = [
        {"event_id_cnty": "SYR1", "event_date": "27 January 2023", "event_type": "Explosions/Remote violence",
         "sub_event_type": "Air/drone strike", "actor1": "Military Forces of Israel (2022-)",
         "actor2": "Military Forces of Iran (1989-)", "iso": "760", "fatalities": "2"},
        {"event_id_cnty": "LBN1", "event_date": "2023-01-28", "event_type": "Battles", "sub_event_type":
         "Armed clash", "actor1": "Military Forces of Israel (2022-)", "actor2": "Hezbollah", "iso": "422",
         "fatalities": "0"},
        {"event_id_cnty": "IRN1", "event_date": "2023-01-29", "event_type": "Strategic developments",
         "sub_event_type": "Headquarters or base established", "actor1": "Military Forces of Iran (1989-)",
         "actor2": "", "iso": "364", "fatalities": "0"},
    ]
    (tmp_path / "a.csv").write_text(acled_file(rows), "utf-8")
    out = tmp_path / "out"
    assert import_main(["acled", str(tmp_path / "a.csv"), "--out", str(out), "--actors", "ISR,IRN,HZB",
                        "--timeline-actors", "ISR,IRN,HZB"]) == 0
    s = json.loads((out / "import.json").read_text("utf-8"))
    assert s["kept"] == 2 and s["dropped"]["no_code"] == 1
    ev = yaml.safe_load((out / "events.yaml").read_text("utf-8"))
    assert [(e["date"], e["source"], e["target"], e["cameo"]) for e in ev] == [
        ("2023-01-27", "ISR", "IRN", "195"), ("2023-01-28", "ISR", "HZB", "190")]


def test_rungs_are_the_default_ladders():
    ladder = yaml.safe_load((CONF / "ladder" / "default.yaml").read_text("utf-8"))
    assert {str(k): v for k, v in ladder["roots"].items()} == ROOTS
    # issue 21: root 20 is mass violence, rung 5 (not war); 171/175 violent coercion, rung 4
    assert [rung_of(c) for c in ("010", "111", "138", "1384", "150", "161", "180", "190", "195", "200", "171",
                                 "175", "174")] == [0, 1, 3, 3, 3, 2, 4, 5, 5, 5, 4, 4, 2]


@pytest.mark.parametrize("daily", [False, True])
def test_daily_and_monthly_rows_agree(tmp_path, daily):
    flags = ["--daily"] if daily else []
    _, _, out = _gdelt(tmp_path, *flags)
    obs = observations.read(out / "observations.csv")
    assert obs.columns[0] == ("date" if daily else "month")
    assert obs["records"].sum() == 4 and len(obs) == (6 if daily else 1) * 6  # 04-11..04-16, 6 directed dyads


@pytest.mark.parametrize("prov, msg", [
    ("[1, 2]", "provenance: a mapping with keys dataset, event_id, records"),
    ("{dataset: x, where: y}", "provenance: a mapping with keys"),
    ("{records: -1}", "provenance.records: -1; allowed: a whole number >= 0"),
])
def test_event_files_check_provenance(tmp_path, prov, msg):
    from sim.config.events import load_event_file
    from sim.errors import EventError

    p = tmp_path / "ev.yaml"
    p.write_text(f"- id: a\n  date: '2021-01-01'\n  source: ISR\n  target: IRN\n  cameo: '190'\n"
                 f"  provenance: {prov}\n", "utf-8")
    with pytest.raises(EventError, match=msg.replace("[", r"\[")):
        load_event_file(p, ["ISR", "IRN"])


def test_same_input_same_bytes(tmp_path):
    runs = []
    for k in range(2):
        (tmp_path / str(k)).mkdir()
        _, _, out = _gdelt(tmp_path / str(k), "--weight", "mentions", "--onset-days", "3")
        runs.append({n: (out / n).read_bytes() for n in ("events.yaml", "observations.csv")})
        runs[-1]["import.json"] = (out / "import.json").read_text("utf-8").replace(str(tmp_path / str(k)), "<tmp>")
    assert runs[0] == runs[1]


def _icews(tmp_path, rows, *flags):
    from bad_input_cases import ICEWS_HEAD

    (tmp_path / "w.tab").write_text(ICEWS_HEAD + "".join(rows), "utf-8")
    out = tmp_path / "out"
    code = import_main(["icews", str(tmp_path / "w.tab"), "--out", str(out), *flags])
    return code, out


def test_a_selected_nonstate_entity_outranks_its_country(tmp_path):
    from bad_input_cases import icews_row

    rows = [icews_row("1", src="Hezbollah", tgt="Israel").replace("\tHezbollah\t\tHezbollah\t", "\tHezbollah\t\t"
                                                                    "Lebanon\t"),
            icews_row("2", src="Lebanon", tgt="Israel")]
    code, out = _icews(tmp_path, rows, "--actors", "ISR,LBN,HZB", "--timeline-actors", "ISR,LBN,HZB")
    assert code == 0
    ev = yaml.safe_load((out / "events.yaml").read_text("utf-8"))
    assert sorted((e["source"], e["target"]) for e in ev) == [("HZB", "ISR"), ("LBN", "ISR")]
    # without HZB selected, Hezbollah is counted as its country
    (tmp_path / "x").mkdir()
    code, out = _icews(tmp_path / "x", rows, "--actors", "ISR,LBN")
    assert code == 0 and json.loads((out / "import.json").read_text("utf-8"))["kept"] == 2


def test_user_actor_table_adds_a_country(tmp_path, capsys):
    from bad_input_cases import icews_row

    rows = [icews_row("1", src="Iraq", tgt="Iran")]
    code, _ = _icews(tmp_path, rows, "--actors", "IRN,IRQ")
    assert code == 2 and "dropped: unknown_actor 1" in capsys.readouterr().err
    (tmp_path / "actors.csv").write_text("name,code,tier\nIraq,IRQ,country\n", "utf-8")
    (tmp_path / "y").mkdir()
    code, out = _icews(tmp_path / "y", rows, "--actors", "IRN,IRQ", "--actor-table", str(tmp_path / "actors.csv"))
    assert code == 0 and json.loads((out / "import.json").read_text("utf-8"))["kept"] == 1
    (tmp_path / "actors.csv").write_text("name,code,tier\nIraq,iraq,country\n", "utf-8")
    code, _ = _icews(tmp_path / "y", rows, "--actors", "IRN,IRQ", "--actor-table", str(tmp_path / "actors.csv"))
    assert code == 2 and "actors.csv line 2: code 'iraq' is not an actor code" in capsys.readouterr().err
