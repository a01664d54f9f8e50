"""The shipped configurations (`cau-hinh/`): each unit's children are the official lists on the
file's dates, and the files are exactly what the generator writes from those lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tqd_sheets import cau_hinh, units
from tqd_sheets.config import load_config
from tqd_sheets.periods import Period

FOLDER = Path(__file__).resolve().parents[1] / "cau-hinh"
LAST_OLD, FIRST_NEW = date(2025, 6, 30), date(2025, 7, 1)

# file → (unit, kind, parent, first day, last day) as levels.md states them
UNITS = {
    "tan-quy-dong-29917.toml": ("29917", "Phường", "867", None, LAST_OLD),
    "phuong-sa-dec-29905.toml": ("29905", "Phường", "82", FIRST_NEW, None),
    "thanh-pho-sa-dec-867.toml": ("867", "Thành phố", "87", None, LAST_OLD),
    "tinh-dong-thap-87.toml": ("87", "Tỉnh", "", None, LAST_OLD),
    "tinh-dong-thap-82.toml": ("82", "Tỉnh", "", FIRST_NEW, None),
}
# The 2020 children of Sa Đéc, as levels.md lists them (a check of the data, by hand once).
SA_DEC_2020 = ["29902", "29905", "29908", "29911", "29914", "29917", "29919", "29920", "29923"]


def test_every_shipped_file_is_listed():
    assert sorted(p.name for p in FOLDER.glob("*.toml")) == sorted(UNITS)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_the_unit_and_its_periods(name: str):
    ma, cap, parent, first, last = UNITS[name]
    me = load_config(FOLDER / name).don_vi
    assert (me.ma, me.cap, me.ma_cha, me.tu_ngay, me.den_ngay) == (ma, cap, parent, first, last)


@pytest.mark.parametrize("name", ["thanh-pho-sa-dec-867.toml", "tinh-dong-thap-87.toml"])
@pytest.mark.parametrize("day", [date(2020, 12, 31), LAST_OLD])
def test_children_before_the_reform_are_the_official_list(name: str, day: date):
    config = load_config(FOLDER / name).on(day)
    ma = UNITS[name][0]
    official = [(u.ma, u.full_name, u.cap) for u in units.children(ma, day)]
    assert [(k.ma, k.ten, k.cap) for k in config.khom] == official
    assert official


def test_sa_dec_has_the_nine_children_of_2020():
    config = load_config(FOLDER / "thanh-pho-sa-dec-867.toml").on(date(2020, 12, 31))
    assert list(config.khom_codes) == SA_DEC_2020


@pytest.mark.parametrize("day", [FIRST_NEW, date(2025, 12, 31)])
def test_the_new_province_lists_its_communes(day: date):
    config = load_config(FOLDER / "tinh-dong-thap-82.toml").on(day)
    official = [(u.ma, u.full_name, u.cap) for u in units.children("82", day)]
    assert [(k.ma, k.ten, k.cap) for k in config.khom] == official
    assert "29905" in config.khom_codes and len(official) == 102
    assert all(k.level.rank == 1 for k in config.khom)


def test_the_merged_ward_keeps_placeholders_and_says_so():
    text = (FOLDER / "phuong-sa-dec-29905.toml").read_text("utf-8")
    assert "TẠM ĐẶT" in text
    config = load_config(FOLDER / "phuong-sa-dec-29905.toml")
    assert {k.cap for k in config.khom} == {"Khóm", "Ấp"}


@pytest.mark.parametrize("shipped", cau_hinh.SHIPPED, ids=lambda s: s.file)
def test_shipped_files_are_what_the_generator_writes(shipped: cau_hinh.Shipped):
    assert (FOLDER / shipped.file).read_text("utf-8") == cau_hinh.text(shipped)


def test_a_ward_is_followed_by_its_successor_across_the_reform():
    old = load_config(FOLDER / "tan-quy-dong-29917.toml").don_vi
    new = load_config(FOLDER / "phuong-sa-dec-29905.toml").don_vi
    q2, q3 = Period.parse("2025Q2").end, Period.parse("2025Q3").end
    assert old.valid_on(q2) and not old.valid_on(q3)
    assert new.valid_on(q3) and not new.valid_on(q2)
    assert [s.ma_moi for s in units.thay_the(old.ma)] == [new.ma]
