"""The history store and its pure queries, each at its boundaries."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from tqd_sheets import history, history_checks
from tqd_sheets.periods import Period
from tqd_sheets.results import DATA_COLUMNS

P = Period.parse


def test_the_same_period_one_year_earlier():
    assert history.year_before(P("2020Q2")) == P("2019Q2")
    assert history.year_before(P("2020")) == P("2019")
    assert history.year_before(P("2020S1")) == P("2019S1")


def _own(unit: str, rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    out = []
    for code, (tu, mau) in rows.items():
        value = tu / mau if mau == mau and mau else tu
        out.append(("2024Q4", unit, unit, "Phường", "867", code, "", tu, mau, value))
    return pd.DataFrame(out, columns=DATA_COLUMNS)


def test_old_units_merge_by_summing_parts_never_averaging_rates():
    nan = math.nan
    a = _own("A", {"HO": (10, nan), "GDVH_DAT": (8, nan), "GDVH_DAT_TL": (8, 10)})
    b = _own("B", {"HO": (5, nan), "GDVH_DAT": (1, nan), "GDVH_DAT_TL": (1, 5)})
    a = pd.concat([a, _own("A", {"PHUONG_VMDT": (1, nan), "LAO_DONG": (7, nan)})])
    b = pd.concat([b, _own("B", {"PHUONG_VMDT": (1, nan)})])
    m = history.merge_units([a, b]).set_index("ma_chi_tieu")
    assert m.loc["HO", "gia_tri"] == 15 and m.loc["GDVH_DAT", "gia_tri"] == 9
    assert (m.loc["GDVH_DAT_TL", "tu_so"], m.loc["GDVH_DAT_TL", "mau_so"]) == (9, 15)
    assert m.loc["GDVH_DAT_TL", "gia_tri"] == 9 / 15  # not (0.8 + 0.2) / 2
    # B has no agency figure: no sum over A alone; an old unit's title is not the new one's.
    assert "LAO_DONG" not in m.index and "PHUONG_VMDT" not in m.index


def test_changes_are_exactly_the_figures_that_differ():
    nan = math.nan
    old = _own("W", {"HO": (10, nan), "GDVH_DAT_TL": (8, 10), "HOA_GIAI_TL": (0, 0)})
    same = history.changes(old, old.copy(), "t")
    assert same.empty and list(same.columns) == history.CHANGE_COLUMNS
    new = _own("W", {"HO": (11, nan), "GDVH_DAT_TL": (8, 11), "HOA_GIAI_TL": (0, 0)})
    new = pd.concat([new, _own("K9", {"HO": (3, nan)})], ignore_index=True)
    ch = history.changes(old, new, "2021-01-05T08:00:00+07:00")
    got = {(r.ma_don_vi, r.ma_chi_tieu): (r.cu, r.moi) for r in ch.itertuples()}
    assert set(got) == {("W", "HO"), ("W", "GDVH_DAT_TL"), ("K9", "HO")}  # NaN = NaN: same
    assert got["W", "HO"] == (10, 11) and got["W", "GDVH_DAT_TL"] == (0.8, 8 / 11)
    assert math.isnan(got["K9", "HO"][0]) and got["K9", "HO"][1] == 3
    assert set(ch.lan_truoc) == {"2021-01-05T08:00:00+07:00"}


# ── Số năm liên tục against earlier years ──────────────────────────────────────────────────


def _current(claims: dict[str, tuple[bool, float]]) -> pd.DataFrame:
    rows = [
        {
            "ma_khom": "K1",
            "ma_ho": ma,
            "chu_ho": ma,
            "dat_gdvh": dat,
            "nam_lien_tuc": nam,
            "tep": "K1.xlsx",
            "dong": 4 + i,
            "o_ma": f"B{4 + i}",
            "o_nam": f"J{4 + i}",
        }
        for i, (ma, (dat, nam)) in enumerate(claims.items())
    ]
    return pd.DataFrame(rows)


def _year(dat: dict[str, bool]) -> pd.DataFrame:
    return pd.DataFrame({"ma_ho": list(dat), "dat_gdvh": list(dat.values()), "ma_khom": "K1"})


def test_claims_are_judged_exactly_at_the_years_held():
    by_year = {
        2019: _year({"a": True, "b": True, "c": True, "d": True, "e": True, "f": False}),
        2018: _year({"a": True, "b": True, "c": True, "d": True, "e": True}),
        2016: _year({"d": False}),
    }
    current = _current(
        {
            "a": (True, 3),  # 2018, 2019 Đạt + this year: exactly 3 → agrees
            "b": (True, 2),  # history shows at least 3 → L02
            "c": (True, 4),  # 2017 not held: 4 may be right → nothing
            "d": (True, 5),  # 2016 held Not Đạt → L02 naming 2016
            "e": (True, math.nan),  # empty: history gives 3 → L03
            "f": (True, 1),  # Not Đạt in 2019, claims 1 → agrees
            "g": (False, 4),  # not Đạt this year: R09's business
        }
    )
    found = history_checks.streaks(current, by_year, 2020)
    assert [(f.code, f.cell, f.value) for f in found] == [
        ("L02", "J5", "2"),
        ("L02", "J7", "5"),
        ("L03", "J8", ""),
    ]
    assert "2018, 2019" in found[0].message and "ít nhất 3" in found[0].message
    assert "năm 2016" in found[1].message
    assert "2018, 2019" in found[2].message and "là 3 năm" in found[2].message


def test_lost_and_moved_households():
    current = _current({"a": (True, 1), "m": (False, 0)})
    current.loc[1, "ma_khom"] = "K1"
    last = pd.DataFrame(
        {
            "ky": ["2019", "2019", "2019"],
            "ma_khom": ["K1", "K1", "K2"],
            "ma_ho": ["a", "gone", "m"],
            "chu_ho": ["A", "Gone", "M"],
            "to": [1, 2, 3],
        }
    )
    found = history_checks.lost_and_moved(
        current, last, {"K1": "K1.xlsx"}, {"K1": "Khóm 1", "K2": "Khóm 2"}
    )
    assert [(f.code, f.file, f.place, f.value) for f in found] == [
        ("L04", "K1.xlsx", "'Danh sách hộ'", "gone"),
        ("L05", "K1.xlsx", "'Danh sách hộ'!B5", "m"),
    ]


# ── the file ───────────────────────────────────────────────────────────────────────────────


def test_a_record_is_one_transaction(tmp_path: Path):
    store = tmp_path / "s.sqlite"
    data = _own("W", {"HO": (10, math.nan)})
    broken = pd.DataFrame({"ma_khom": ["K1"]})  # no register columns: fails mid-write
    with pytest.raises(KeyError):
        history.record(store, history.RunRecord("2020", "W", "t", "v"), data, broken)
    assert history.load_runs(store).empty
    assert history.record(store, history.RunRecord("2020", "W", "t", "v"), data) == 1


def test_a_file_from_a_newer_version_or_another_program_is_refused(tmp_path: Path):
    newer, other = tmp_path / "newer.sqlite", tmp_path / "other.sqlite"
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    con.close()
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE x (a)")
    con.close()
    with pytest.raises(history.HistoryError, match="phiên bản mới hơn"):
        history.check_usable(newer)
    with pytest.raises(history.HistoryError, match="không phải tệp lịch sử"):
        history.load_runs(other)


def test_a_locked_file_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = tmp_path / "s.sqlite"
    history.check_usable(store)
    monkeypatch.setattr(history, "BUSY_SECONDS", 0.05)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(history.HistoryError, match="đang được một lần chạy khác"):
            history.check_usable(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_store_is_where_the_configuration_says(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(history.ENV_FOLDER, raising=False)
    cfg = tmp_path / "tqd.toml"
    assert history.store_path("29917", cfg) == tmp_path / "lich-su" / "29917.sqlite"
    assert history.store_path("29917", cfg, "du-lieu/ls.sqlite") == tmp_path / "du-lieu/ls.sqlite"
    monkeypatch.setenv(history.ENV_FOLDER, str(tmp_path / "khac"))
    assert history.store_path("29917", cfg) == tmp_path / "khac" / "29917.sqlite"


def test_a_quarter_compares_with_the_same_quarter_a_year_earlier(tmp_path: Path):
    from tqd_sheets import history_run

    store = tmp_path / "s.sqlite"

    def run(ky: str, when: str, ho: float) -> None:
        rows = _own("W", {"HO": (ho, math.nan)}).assign(ky=ky)
        history.record(store, history.RunRecord(ky, "W", when, "v"), rows)

    run("2019Q2", "2019-07-02T10:00:00+07:00", 11)  # a correction, written first…
    run("2019Q2", "2019-06-30T10:00:00+07:00", 10)  # …of this earlier run: time decides
    run("2019Q3", "2019-09-30T10:00:00+07:00", 12)
    run("2019", "2019-12-31T10:00:00+07:00", 13)
    run("2018Q2", "2018-06-30T10:00:00+07:00", 9)
    unit = history.Unit("W", "W", "Phường", "867")
    now = _own("W", {"HO": (14, math.nan)}).assign(ky="2020Q2")
    got = history_run.compare(unit, P("2020Q2"), now, store)
    assert got.previous_period == P("2019Q2") and got.previous is not None
    assert list(got.previous.rows.gia_tri) == [11] and got.previous.note == ""
    assert list(zip(got.trend.ky, got.trend.gia_tri, strict=True)) == [
        ("2018Q2", 9),
        ("2019Q2", 11),
        ("2020Q2", 14),
    ]
    assert got.changes is None
    run("2020Q2", "2020-06-30T10:00:00+07:00", 15)
    again = history_run.compare(unit, P("2020Q2"), now, store)
    assert [(r.cu, r.moi) for r in again.changes.itertuples()] == [(15, 14)]


def test_each_earlier_year_stands_by_its_yearly_register_else_its_latest():
    index = pd.DataFrame(
        [
            (1, "2018Q4", "K1", "t1"),
            (2, "2018", "K1", "t2"),  # the year's own register wins over its fourth quarter
            (3, "2019Q2", "K1", "t3"),
            (4, "2019Q3", "K1", "t4"),  # no yearly one: the latest quarter
            (5, "2019Q1", "K2", "t5"),
            (6, "2020Q1", "K1", "t6"),  # this year: not an earlier year
        ],
        columns=["lan_chay", "ky", "ma_khom", "thoi_gian"],
    )
    got = history.year_registers(index, P("2020Q2"))
    assert {y: sorted(zip(g.ma_khom, g.ky, strict=True)) for y, g in got.items()} == {
        2018: [("K1", "2018")],
        2019: [("K1", "2019Q3"), ("K2", "2019Q1")],
    }
    last = history.last_registers(index, P("2020Q2"))
    assert sorted(zip(last.ma_khom, last.ky, strict=True)) == [("K1", "2020Q1"), ("K2", "2019Q1")]
