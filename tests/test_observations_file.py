"""The observations file v1 (sim/events/observations.py): counting from an events frame,
the writer/reader round trip, and one-line errors naming file and line."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.events import observations as obs


def _events():
    # three records ISR->IRN on two days in Jan 2021 (rungs 5, 5, 1), one IRN->ISR in Mar 2021
    return pd.DataFrame({
        "date": pd.to_datetime(["2021-01-03", "2021-01-03", "2021-01-09", "2021-03-01"]),
        "source": ["ISR", "ISR", "ISR", "IRN"], "target": ["IRN", "IRN", "IRN", "ISR"],
        "rung": [5, 5, 1, 0], "quad": ["material_conflict", "material_conflict", "verbal_conflict", "verbal_coop"],
        "goldstein": [-10.0, -10.0, -2.0, 1.0],
    })


def test_count_days_records_and_zeros_for_every_dyad_month():
    df = obs.count(_events(), ["ISR", "IRN", "AZE"])
    assert list(df.columns) == obs.columns("month")
    assert len(df) == 3 * 6  # Jan..Mar 2021 x 6 directed dyads, zeros included
    row = df[(df.month == "2021-01") & (df.source == "ISR") & (df.target == "IRN")].iloc[0]
    assert (row.days_rung5, row.records_rung5, row.days_rung1, row.records_rung1) == (1, 2, 1, 1)
    assert (row.days_material_conflict, row.records_material_conflict, row.records) == (1, 2, 3)
    assert row.goldstein_sum == -22.0
    feb = df[df.month == "2021-02"]
    assert (feb[obs.INTS].to_numpy() == 0).all() and (feb.goldstein_sum == 0).all()
    mar = df[(df.month == "2021-03") & (df.source == "IRN") & (df.target == "ISR")].iloc[0]
    assert (mar.days_rung0, mar.days_verbal_coop, mar.goldstein_sum) == (1, 1, 1.0)


def test_weights_multiply_records_and_goldstein_not_days():
    ev = _events().assign(weight=[3, 1, 2, 5])
    row = obs.count(ev, ["ISR", "IRN"]).query("month == '2021-01' and source == 'ISR'").iloc[0]
    assert (row.days_rung5, row.records_rung5, row.records) == (1, 4, 6)
    assert row.goldstein_sum == -3 * 10 - 10 - 2 * 2


def test_daily_rows_cover_every_day():
    df = obs.count(_events(), ["ISR", "IRN"], daily=True)
    assert df.columns[0] == "date" and len(df) == 2 * (29 + 28 + 1)  # from the first event, 2021-01-03
    assert df.loc[(df.date == "2021-01-03") & (df.source == "ISR"), "records_rung5"].item() == 2


def test_round_trip_keeps_values_and_options(tmp_path):
    df = obs.count(_events(), ["ISR", "IRN", "AZE"])
    p = tmp_path / "observations.csv"
    obs.write(df, p, {"dataset": "test", "unit": "month", "onset_days": 0})
    text = p.read_text("utf-8")
    assert text.startswith(obs.MAGIC + "\n# dataset: test\n")
    back = obs.read(p)
    assert back.attrs["options"] == {"dataset": "test", "unit": "month", "onset_days": "0"}
    pd.testing.assert_frame_equal(back.astype({"source": str, "target": str}).reset_index(drop=True),
                                  df.reset_index(drop=True), check_dtype=False)
    assert str(back["source"].dtype) == "category"


def _bad(tmp_path, edit):
    p = tmp_path / "o.csv"
    obs.write(obs.count(_events(), ["ISR", "IRN"]), p, {"dataset": "t"})
    lines = p.read_text("utf-8").splitlines()
    edit(lines)
    p.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(obs.ObservationsError) as exc:
        obs.read(p)
    return str(exc.value)


@pytest.mark.parametrize("edit, want", [
    (lambda ls: ls.__setitem__(0, "# something else"), "line 1: not an observations file"),
    (lambda ls: ls.__setitem__(2, ls[2].replace("month,", "mnth,")), "line 3: the header row"),
    (lambda ls: ls.__setitem__(3, ls[3].replace("2021-01", "2021-13")), "line 4: month '2021-13'"),
    (lambda ls: ls.__setitem__(4, ls[4].replace("IRN", "iran")), "line 5: "),
    (lambda ls: ls.__setitem__(5, ls[5].rsplit(",", 1)[0] + ",-1"), "line 6: records is '-1'"),
    (lambda ls: ls.__setitem__(6, ls[6] + ",7"), "line 7: 28 fields"),
    (lambda ls: ls.pop(4), "does not list every directed dyad"),
    (lambda ls: ls.__setitem__(4, ls[3]), "line 5: a second row"),
])
def test_bad_files_are_one_line_errors_naming_the_line(tmp_path, edit, want):
    msg = _bad(tmp_path, edit)
    assert want in msg and "o.csv" in msg and "\n" not in msg


def test_writer_refuses_a_bad_table_and_writes_nothing(tmp_path):
    df = obs.count(_events(), ["ISR", "IRN"])
    df.loc[0, "records"] = -1
    with pytest.raises(obs.ObservationsError):
        obs.write(df, tmp_path / "o.csv", {})
    assert list(tmp_path.iterdir()) == []


def test_backtest_reads_v1_as_the_unordered_dyad_goldstein_sum(tmp_path):
    from sim.forecast.options import load_observations

    ev = _events()
    extra = pd.DataFrame({"date": pd.to_datetime(["2020-06-01"]), "source": ["AZE"], "target": ["ISR"],
                          "rung": [0], "quad": ["material_coop"], "goldstein": [7.4]})
    ev = pd.concat([extra, ev], ignore_index=True)
    months = ["2020-06", "2020-07", "2021-01", "2021-02", "2021-03"]  # a gap: Aug 2020 .. Dec 2020
    p = tmp_path / "o.csv"
    obs.write(obs.count(ev, ["ISR", "IRN", "AZE"], periods=months), p, {"dataset": "t"})
    table, source = load_observations(p, ["AZE-IRN", "AZE-ISR", "IRN-ISR"])
    assert list(table.index) == ["2021-01", "2021-02", "2021-03"] and "last unbroken run" in source
    assert table.loc["2021-01", "IRN-ISR"] == -22.0 and table.loc["2021-03", "IRN-ISR"] == 1.0
    assert (table.loc[:, ["AZE-IRN", "AZE-ISR"]].to_numpy() == 0).all()


def test_backtest_refuses_v1_files_it_cannot_use(tmp_path):
    from sim.errors import ConfigError
    from sim.forecast.options import load_observations

    p = tmp_path / "o.csv"
    obs.write(obs.count(_events(), ["ISR", "IRN"]), p, {})
    with pytest.raises(ConfigError, match="no rows for dyad.s. AZE-IRN, AZE-ISR; import with --actors"):
        load_observations(p, ["AZE-IRN", "AZE-ISR", "IRN-ISR"])
    obs.write(obs.count(_events(), ["ISR", "IRN"], daily=True), p, {})
    with pytest.raises(ConfigError, match="is a daily file"):
        load_observations(p, ["IRN-ISR"])
    p.write_text(obs.MAGIC + "\nmonth,source\n", "utf-8")
    with pytest.raises(ConfigError, match=r"backtest.observations: .*o.csv line 2: the header row"):
        load_observations(p, ["IRN-ISR"])
