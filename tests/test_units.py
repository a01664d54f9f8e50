"""Official units across the 2025 reform, read from the shipped lists.

Expected facts are restated from levels.md and the data's README (not read from the CSVs), so a
wrong or stale list fails here.
"""

from __future__ import annotations

from datetime import date

import pytest

from builders import ROOT
from tqd_sheets import units

SHARED = ROOT.parent / "shared" / "data" / "don-vi"
PACKAGED = ROOT / "src" / "tqd_sheets" / "data" / "don-vi"
END_2020 = date(2020, 12, 31)
Q2_2025_END, Q3_2025_END = date(2025, 6, 30), date(2025, 9, 30)


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not here")
@pytest.mark.parametrize("name", [units.BEFORE, units.AFTER, units.MERGES])
def test_packaged_lists_are_the_official_ones(name: str) -> None:
    assert (PACKAGED / name).read_bytes() == (SHARED / name).read_bytes()


def test_sa_dec_had_nine_children_in_2020() -> None:
    got = {u.ma: u.full_name for u in units.children("867", END_2020)}
    assert got == {
        "29902": "Phường 3",
        "29905": "Phường 1",
        "29908": "Phường 4",
        "29911": "Phường 2",
        "29914": "Xã Tân Khánh Đông",
        "29917": "Phường Tân Quy Đông",
        "29919": "Phường An Hoà",
        "29920": "Xã Tân Quy Tây",
        "29923": "Xã Tân Phú Đông",
    }


def test_the_district_level_ends_with_the_reform() -> None:
    assert units.unit("867", Q2_2025_END) is not None
    assert units.unit("867", Q3_2025_END) is None
    assert units.children("867", Q3_2025_END) == []


def test_province_codes_before_and_after() -> None:
    old, new = units.unit("87", Q2_2025_END), units.unit("82", Q3_2025_END)
    assert old is not None and old.full_name == "Tỉnh Đồng Tháp"
    assert new is not None and new.full_name == "Tỉnh Đồng Tháp"
    assert units.unit("87", Q3_2025_END) is None
    districts = units.children("87", Q2_2025_END)
    assert len(districts) == 12
    assert sorted(u.cap for u in districts).count("Thành phố") == 3
    communes = units.children("82", Q3_2025_END)
    assert len(communes) == 102
    assert sum(u.cap == "Phường" for u in communes) == 20


def test_one_code_names_two_units_over_time() -> None:
    before, after = units.unit("29905", Q2_2025_END), units.unit("29905", Q3_2025_END)
    assert before is not None and before.full_name == "Phường 1" and before.ma_cha == "867"
    assert after is not None and after.full_name == "Phường Sa Đéc" and after.ma_cha == "82"


def test_tan_quy_dong_is_replaced_by_phuong_sa_dec() -> None:
    (s,) = units.thay_the("29917")
    assert (s.ma_moi, s.ten_moi, s.hieu_luc, s.whole) == ("29905", "Sa Đéc", units.REFORM, True)
    formed = {p.ma_cu for p in units.predecessors("29905")}
    assert formed == {"29905", "29911", "29902", "29908", "29919", "29917", "29914", "29920"}
    (tpd,) = units.thay_the("29923")
    assert tpd.ma_moi == "30214"


@pytest.mark.parametrize("ma_cu", ["29995", "30079", "30157"])
def test_split_units_have_two_partial_successors(ma_cu: str) -> None:
    got = units.thay_the(ma_cu)
    assert len(got) == 2
    assert not any(s.whole for s in got)


def test_every_level_of_the_lists_has_its_words() -> None:
    caps = {u.cap for u in units.official_units()}
    assert caps <= set(units.LEVEL)
    assert units.LEVEL["Ấp"].ban == "Ban vận động ấp"


def test_title_names_are_declared_once_and_the_titles_read_them() -> None:
    """Every title of every regime takes its name from `units.TITLE_NAMES`, so words in texts
    (`{danh_hieu_cha}`) and the forms' title names cannot drift apart."""
    from tqd_sheets import titles

    for regime, declared in titles.REGIMES.items():
        for t in declared:
            assert {units.title_name(cap, regime) for cap in t.caps} == {t.name}, t.code


@pytest.mark.parametrize(
    ("con", "cha", "regime", "child_text", "parent_text"),
    [
        (
            "Khóm",
            "Phường",
            units.ND122,
            "khóm đạt chuẩn văn minh đô thị",
            "Phường đạt chuẩn văn minh đô thị",
        ),
        ("Ấp", "Xã", units.ND122, "ấp đạt chuẩn văn hóa", "Xã đạt chuẩn văn hóa nông thôn mới"),
        (
            "Khóm",
            "Phường",
            units.ND86,
            "khóm đạt chuẩn Tổ dân phố văn hóa",
            "Phường đạt chuẩn tiêu biểu",
        ),
    ],
)
def test_words_say_the_regimes_title_once(con, cha, regime, child_text, parent_text) -> None:
    """The texts `{con} đạt chuẩn {chuan_con}` and `{Cha} đạt chuẩn {chuan_cha}` in each regime
    (a xã once said "đạt chuẩn đạt chuẩn")."""
    w = units.words(units.LEVEL[con], units.LEVEL[cha], regime)
    assert "{con} đạt chuẩn {chuan_con}".format_map(w) == child_text
    assert "{Cha} đạt chuẩn {chuan_cha}".format_map(w) == parent_text
