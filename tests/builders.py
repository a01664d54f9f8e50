"""Small, hand-specified khóm and ward workbooks for the end-to-end tests.

Every workbook is made the way an officer makes it: a generated blank, filled with
`tqd_sheets.fill.fill` (openpyxl, as if typed in Excel), then — for the other formats — re-saved
by LibreOffice with `tqd_sheets.office.convert`.

Each household, self-assessment value and unit is held twice: what it *means* (a boolean, an
integer) and, optionally, how the officer *typed* it (`X`, `có`, `1`, `" 7 "`…). The expected
indicators are computed here from the meanings alone, by the definitions in indicators.md, and
never with `tqd_sheets.indicators`, so a test compares two independent computations.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import html
import io
import math
import random
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tqd_sheets import office
from tqd_sheets.cli import main
from tqd_sheets.fill import fill

needs_soffice = pytest.mark.skipif(
    office.soffice() is None, reason="LibreOffice (soffice) chưa được cài"
)

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tqd.toml"
WARD = "29917"
WARD_NAME = "Phường Tân Quy Đông"
KHOM = ("K1", "K2", "K3", "K4")
KHOM_NAMES = {"K1": "Khóm 1", "K2": "Khóm 2", "K3": "Khóm 3", "K4": "Khóm 4"}
# Thresholds of the shipped tqd.toml (ND122_2018), restated here on purpose.
KHOM_GDVH_DAT_TL = 0.80
KHOM_DIEM = 80
PHUONG_KHOM_VMDT_TL = 0.80
PHUONG_GDVH_DAT_TL = 0.80

# The khóm file formats of the acceptance test.
FORMATS = ("xlsx", "xlsx-libreoffice", "xls", "ods")
EXT = {"xlsx": "xlsx", "xlsx-libreoffice": "xlsx", "xls": "xls", "ods": "ods"}

# How officers type a mark (inputs.md §Values).
YES_TYPED: tuple[object, ...] = ("x", "X", "có", "Có", "1", "✓", True, 1, " x ")
NO_TYPED: tuple[object, ...] = (None, "", "không", "0", False, 0)

# Headers of `Danh sách hộ`, as in inputs.md.
H_MA, H_CHU, H_TO, H_DC, H_NK = "Mã hộ", "Họ và tên chủ hộ", "Tổ", "Địa chỉ", "Số nhân khẩu"
H_NGHEO, H_DK, H_DAT = "Hộ nghèo/cận nghèo", "Đăng ký GĐVH", "Đạt GĐVH"
H_NAM, H_HT, H_TT = "Số năm liên tục đạt GĐVH", "Gia đình học tập", "Gia đình thể thao"
H_VP, H_GHI = "Vi phạm pháp luật", "Ghi chú"


def yes_no(value: bool) -> str | None:
    return "x" if value else None


# ── what a workbook holds ──────────────────────────────────────────────────────────────────


@dataclass
class Household:
    ma_ho: str
    chu_ho: str
    to: int
    nhan_khau: int
    dia_chi: str = ""
    ngheo: str | None = None  # "Nghèo" | "Cận nghèo" | None
    dk: bool = False
    dat: bool = False
    nam: int = 0
    ht: bool = False
    tt: bool = False
    vp: bool = False
    typed: dict[str, object] = field(default_factory=dict)  # header → value as typed

    def row(self) -> dict[str, object]:
        r: dict[str, object] = {
            H_MA: self.ma_ho,
            H_CHU: self.chu_ho,
            H_TO: self.to,
            H_DC: self.dia_chi or None,
            H_NK: self.nhan_khau,
            H_NGHEO: self.ngheo,
            H_DK: yes_no(self.dk),
            H_DAT: yes_no(self.dat),
            H_NAM: self.nam or None,
            H_HT: yes_no(self.ht),
            H_TT: yes_no(self.tt),
            H_VP: yes_no(self.vp),
        }
        r.update(self.typed)
        return r


SELF_MARKS = ("NGAY_HOI", "QUY_UOC", "CD_HOC_TAP", "ANTT")
SELF_NUMBERS = (
    "TT_BUOI",
    "TT_LUOT",
    "DIEM",
    "HOA_GIAI",
    "HOA_GIAI_THANH",
    "GUONG_TOT",
    "KINH_PHI",
    "XA_HOI_HOA",
)


@dataclass
class KhomBook:
    code: str
    households: list[Household]
    self_eval: dict[str, object]  # Khóm sheet code → meaning (bool for marks, numbers)
    typed: dict[str, object] = field(default_factory=dict)  # Khóm code → value as typed
    ngay_lap: object = date(2020, 12, 15)
    info: dict[str, object] = field(default_factory=dict)  # Thông tin label → value (extra)

    def labels(self) -> dict[str, object]:
        out: dict[str, object] = {
            "Người lập biểu": "Lê Thị Thu",
            "Trưởng Ban vận động khóm": "Trần Văn Bảy",
            "Ngày lập": self.ngay_lap,
        }
        out.update(self.info)
        return out

    def codes(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for code, value in self.self_eval.items():
            out[code] = yes_no(bool(value)) if code in SELF_MARKS else value
        out.update(self.typed)
        return out


@dataclass
class AgencyRow:
    ma_khom: str
    ho_ngheo: int
    ho_can_ngheo: int
    nguoi_vi_pham: int
    antt: bool
    lao_dong: int
    co_viec_lam: int
    y_te: bool = True
    nvqs: bool = True
    typed: dict[str, object] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        r: dict[str, object] = {
            "Mã khóm": self.ma_khom,
            "Hộ nghèo": self.ho_ngheo,
            "Hộ cận nghèo": self.ho_can_ngheo,
            "Số người vi phạm pháp luật": self.nguoi_vi_pham,
            "An toàn về ANTT": yes_no(self.antt),
            "Đạt tiêu chí y tế, dân số": yes_no(self.y_te),
            "Hoàn thành nghĩa vụ quân sự": yes_no(self.nvqs),
            "Người trong độ tuổi lao động": self.lao_dong,
            "Người có việc làm": self.co_viec_lam,
        }
        r.update(self.typed)
        return r


@dataclass
class Unit:
    ten: str
    loai: str
    dk: bool = False
    dat: bool = False
    ht: bool = False
    antt: bool = False
    typed: dict[str, object] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        r: dict[str, object] = {
            "Tên đơn vị": self.ten,
            "Loại đơn vị": self.loai,
            "Đăng ký đạt chuẩn văn hóa": yes_no(self.dk),
            "Đạt chuẩn văn hóa": yes_no(self.dat),
            "Đơn vị học tập": yes_no(self.ht),
            "An toàn về ANTT": yes_no(self.antt),
        }
        r.update(self.typed)
        return r


@dataclass
class WardBook:
    agency: list[AgencyRow]
    units: list[Unit]
    ngay_lap: object = date(2020, 12, 18)

    def agency_by(self) -> dict[str, AgencyRow]:
        return {a.ma_khom: a for a in self.agency}


# ── the data set of the acceptance test ────────────────────────────────────────────────────

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Mỹ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Lan", "Long", "Nam", "Phúc", "Tâm"]
STREETS = ["Nguyễn Sinh Sắc", "Trần Hưng Đạo", "Hùng Vương", "Lê Lợi", "Phạm Hữu Lầu"]


def ma_ho(khom_no: int, j: int) -> str:
    """`0001`…: every code keeps leading zeros (K1's `0012` among them)."""
    return f"{khom_no - 1:02d}{j:02d}"


def _typed_mark(rng: random.Random, value: bool) -> object:
    return rng.choice(YES_TYPED if value else NO_TYPED)


def random_households(
    rng: random.Random, khom_no: int, n: int, n_dat: int, *, n_poor: int = 1, n_near: int = 2
) -> list[Household]:
    """`n` households of which exactly `n_dat` are Đạt GĐVH, marks typed in every way."""
    idx = list(range(n))
    dat = set(rng.sample(idx, n_dat))
    others = [i for i in idx if i not in dat]
    dk = dat | set(rng.sample(others, len(others) // 2))
    vp = set(rng.sample(others, min(1, len(others))))
    rest = idx[:]
    rng.shuffle(rest)
    poor, near = set(rest[:n_poor]), set(rest[n_poor : n_poor + n_near])
    out = []
    for i in idx:
        is_dat = i in dat
        h = Household(
            ma_ho=ma_ho(khom_no, i + 1),
            chu_ho=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            to=1 + i * 3 // n + 3 * (khom_no - 1),
            dia_chi=f"{i + 1}/{rng.randint(1, 60)} {rng.choice(STREETS)}",
            nhan_khau=rng.randint(1, 8),
            ngheo="Nghèo" if i in poor else "Cận nghèo" if i in near else None,
            dk=i in dk,
            dat=is_dat,
            nam=rng.choice([1, 2, 3, 3, 4, 6, 9]) if is_dat else 0,
            ht=is_dat and rng.random() < 0.4,
            tt=is_dat and rng.random() < 0.3,
            vp=i in vp,
        )
        for header, attr in (
            (H_DK, "dk"),
            (H_DAT, "dat"),
            (H_HT, "ht"),
            (H_TT, "tt"),
            (H_VP, "vp"),
        ):
            h.typed[header] = _typed_mark(rng, getattr(h, attr))
        if rng.random() < 0.2:
            h.typed[H_NK] = f" {h.nhan_khau} "  # a number typed as text
        out.append(h)
    return out


def edge_households() -> list[Household]:
    """K4: ten households, every edge case the spec names; exactly 8 Đạt (80 %, the threshold)."""
    nfd = unicodedata.normalize("NFD", "Nghèo")
    return [
        Household(
            "0301",
            "Nguyễn Văn Một",
            10,
            1,
            "1 Lê Lợi",
            dk=True,
            dat=True,
            nam=3,
            ht=True,
            typed={H_DK: "X", H_DAT: "X", H_HT: "có"},
        ),
        Household(
            "0302",
            "Trần Thị Hai",
            10,
            4,
            "2 Lê Lợi",
            dk=True,
            dat=True,
            nam=4,
            typed={H_DK: "có", H_DAT: "Có", H_NAM: "4"},
        ),
        # `12` here and `0012` in K1 are two different households (text, not numbers).
        Household(
            "12",
            "Lê Văn Ba",
            10,
            30,
            "3 Lê Lợi",
            dk=True,
            dat=True,
            nam=2,
            typed={H_DK: True, H_DAT: True},
        ),
        # Đạt with no years typed: counted Đạt, not 3 năm (R09 is only a warning).
        Household(
            "0304",
            "Phạm Thị Bốn",
            11,
            2,
            "4 Lê Lợi",
            dk=True,
            dat=True,
            nam=0,
            typed={H_DK: 1, H_DAT: "1"},
        ),
        Household(
            "0305",
            "Võ Văn Năm",
            11,
            5,
            "5 Lê Lợi",
            ngheo="Cận nghèo",
            dk=True,
            dat=True,
            nam=10,
            tt=True,
            typed={H_DK: "✓", H_DAT: " x ", H_TT: True, H_NGHEO: "cận nghèo"},
        ),
        Household(
            "0306",
            "Phan Thị Sáu",
            11,
            7,
            "6 Lê Lợi",
            dk=True,
            dat=True,
            nam=50,
            typed={H_NK: " 7 "},
        ),
        Household(
            "0307",
            unicodedata.normalize("NFD", "Đặng Văn Bảy"),
            12,
            3,
            "7 Lê Lợi",
            ngheo="Nghèo",
            dk=True,
            dat=True,
            nam=5,
            typed={H_NGHEO: nfd},
        ),
        Household(
            "0308",
            "Bùi Thị Tám",
            12,
            6,
            "8 Lê Lợi",
            dk=True,
            dat=True,
            nam=3,
            ht=True,
            tt=True,
            typed={H_HT: "X", H_TT: "x", H_GHI: "+ chuyển đến tháng 5"},
        ),
        # Years but not Đạt this year: not 3 năm. Học tập without Đạt: counted (R10 warns).
        Household(
            "0309",
            "Đỗ Văn Chín",
            12,
            4,
            "9 Lê Lợi",
            ngheo="Nghèo",
            dk=True,
            dat=False,
            nam=5,
            ht=True,
            vp=True,
        ),
        # Every "no" spelled differently.
        Household(
            "0310",
            "Hồ Thị Mười",
            12,
            2,
            "10 Lê Lợi",
            ngheo="Cận nghèo",
            typed={
                H_DK: "không",
                H_DAT: False,
                H_NAM: "0",
                H_VP: "0",
                H_HT: 0,
                H_TT: "",
                H_NGHEO: " Cận nghèo ",
            },
        ),
    ]


def dataset(seed: int = 20201118) -> tuple[dict[str, KhomBook], WardBook]:
    """Four khóm and the ward: K1 Đạt, K2 too few Đạt, K3 not safe per Công an, K4 all edges."""
    rng = random.Random(seed)
    k1 = random_households(rng, 1, 40, 37, n_poor=2, n_near=3)
    k2 = random_households(rng, 2, 23, 15, n_poor=1, n_near=2)
    k3 = random_households(rng, 3, 7, 6, n_poor=0, n_near=1)
    k4 = edge_households()
    books = {
        "K1": KhomBook(
            "K1",
            k1,
            {
                "NGAY_HOI": True,
                "QUY_UOC": True,
                "CD_HOC_TAP": True,
                "ANTT": True,
                "TT_BUOI": 12,
                "TT_LUOT": 640,
                "DIEM": 92,
                "HOA_GIAI": 5,
                "HOA_GIAI_THANH": 4,
                "GUONG_TOT": 3,
                "KINH_PHI": 12_500_000,
                "XA_HOI_HOA": 4_000_000,
            },
            ngay_lap=date(2020, 12, 10),
        ),
        "K2": KhomBook(
            "K2",
            k2,
            {
                "NGAY_HOI": True,
                "QUY_UOC": True,
                "CD_HOC_TAP": False,
                "ANTT": True,
                "TT_BUOI": 7,
                "TT_LUOT": 315,
                "DIEM": 85.5,
                "HOA_GIAI": 3,
                "HOA_GIAI_THANH": 3,
                "GUONG_TOT": 2,
                "KINH_PHI": 8_000_000,
                "XA_HOI_HOA": 2_500_000,
            },
            typed={"NGAY_HOI": "có", "QUY_UOC": "X", "CD_HOC_TAP": "không"},
            ngay_lap=date(2020, 12, 12),
        ),
        "K3": KhomBook(
            "K3",
            k3,
            {
                "NGAY_HOI": True,
                "QUY_UOC": True,
                "CD_HOC_TAP": True,
                "ANTT": True,
                "TT_BUOI": 4,
                "TT_LUOT": 150,
                "DIEM": 88,
                "HOA_GIAI": 6,
                "HOA_GIAI_THANH": 1,
                "GUONG_TOT": 0,
                "KINH_PHI": 3_000_000,
                "XA_HOI_HOA": 0,
            },
            typed={"ANTT": True, "TT_BUOI": "4"},
            ngay_lap="5/12/2020",
        ),
        "K4": KhomBook(
            "K4",
            k4,
            {
                "NGAY_HOI": True,
                "QUY_UOC": True,
                "CD_HOC_TAP": False,
                "ANTT": True,
                "TT_BUOI": 0,
                "TT_LUOT": 0,
                "DIEM": 80,
                "HOA_GIAI": 0,
                "HOA_GIAI_THANH": 0,
                "GUONG_TOT": 1,
                "KINH_PHI": 1_500_000,
                "XA_HOI_HOA": 0,
            },
            typed={"NGAY_HOI": "X", "QUY_UOC": "có", "ANTT": 1, "KINH_PHI": "1.500.000"},
            ngay_lap=date(2020, 12, 20),
        ),
    }

    def agency(code: str, antt: bool, lao: int, vl: int, typed_antt: object = None) -> AgencyRow:
        hh = books[code].households
        return AgencyRow(
            code,
            ho_ngheo=sum(h.ngheo == "Nghèo" for h in hh),
            ho_can_ngheo=sum(h.ngheo == "Cận nghèo" for h in hh),
            nguoi_vi_pham=sum(h.vp for h in hh),
            antt=antt,
            lao_dong=lao,
            co_viec_lam=vl,
            typed={} if typed_antt is None else {"An toàn về ANTT": typed_antt},
        )

    ward = WardBook(
        agency=[
            agency("K1", True, 120, 110),
            agency("K2", True, 70, 61, typed_antt="X"),
            agency("K3", False, 0, 0),  # Công an: not safe; no labour figures → rate empty
            agency("K4", True, 25, 25, typed_antt=True),
        ],
        units=[
            Unit("UBND phường Tân Quy Đông", "Cơ quan hành chính", True, True, True, True),
            Unit(
                "Trạm Y tế phường",
                "Đơn vị sự nghiệp",
                True,
                True,
                False,
                True,
                typed={"Đạt chuẩn văn hóa": "có"},
            ),
            Unit("Trường Tiểu học Tân Quy Đông", "Trường học", True, True, True, True),
            Unit("Trường Mầm non Hoa Sen", "Trường học", True, False, True, False),
            Unit("Công ty TNHH Minh Phát", "Doanh nghiệp", False, False, False, True),
            Unit(
                "Doanh nghiệp tư nhân Thành Công",
                "Doanh nghiệp",
                True,
                True,
                False,
                True,
                typed={
                    "Đăng ký đạt chuẩn văn hóa": "X",
                    "Đạt chuẩn văn hóa": "X",
                    "An toàn về ANTT": True,
                },
            ),
            Unit("Chùa Phước Hưng", "Khác"),
        ],
    )
    return books, ward


# ── expected indicators, from the meanings alone ───────────────────────────────────────────

RATES = {
    "GDVH_DK_TL": ("GDVH_DK", "HO"),
    "GDVH_DAT_TL": ("GDVH_DAT", "HO"),
    "GDVH_DAT_DK_TL": ("GDVH_DAT", "GDVH_DK"),
    "GDVH_3NAM_TL": ("GDVH_3NAM", "HO"),
    "GDHT_TL": ("GDHT", "HO"),
    "GDTT_TL": ("GDTT", "HO"),
    "HO_NGHEO_TL": ("HO_NGHEO", "HO"),
    "HO_CAN_NGHEO_TL": ("HO_CAN_NGHEO", "HO"),
    "HOA_GIAI_TL": ("HOA_GIAI_THANH", "HOA_GIAI"),
    "VIEC_LAM_TL": ("VIEC_LAM", "LAO_DONG"),
    "KHOM_VMDT_TL": ("KHOM_VMDT", "KHOM"),
    "DV_DAT_TL": ("DV_DAT", "DV_DK"),
}
# indicators.md leaves open whether a khóm row carries this rate (its KHOM is 1): allowed,
# checked when present, not required.
OPTIONAL_FOR_KHOM = {"KHOM_VMDT_TL"}


@dataclass(frozen=True)
class Value:
    """One `Dữ liệu` row: gia_tri, and for a rate its numerator and denominator."""

    value: float | None
    num: float | None = None
    den: float | None = None


def _counts(book: KhomBook) -> dict[str, float]:
    hh = book.households
    s = book.self_eval
    return {
        "HO": len(hh),
        "NK": sum(h.nhan_khau for h in hh),
        "GDVH_DK": sum(h.dk for h in hh),
        "GDVH_DAT": sum(h.dat for h in hh),
        "GDVH_3NAM": sum(h.dat and h.nam >= 3 for h in hh),
        "GDHT": sum(h.ht for h in hh),
        "GDTT": sum(h.tt for h in hh),
        "HO_NGHEO": sum(h.ngheo == "Nghèo" for h in hh),
        "HO_CAN_NGHEO": sum(h.ngheo == "Cận nghèo" for h in hh),
        "HO_VI_PHAM": sum(h.vp for h in hh),
        **{
            c: s[c]
            for c in (
                "TT_BUOI",
                "TT_LUOT",
                "HOA_GIAI",
                "HOA_GIAI_THANH",
                "GUONG_TOT",
                "KINH_PHI",
                "XA_HOI_HOA",
            )
        },
    }


def _with_rates(counts: Mapping[str, float]) -> dict[str, Value]:
    out = {c: Value(float(v)) for c, v in counts.items()}
    for code, (num, den) in RATES.items():
        if num in counts and den in counts:
            n, d = float(counts[num]), float(counts[den])
            out[code] = Value(n / d if d else None, n, d)
    return out


# What the agencies report per khóm (`Số liệu ngành`): a ward total only when every included
# khóm has its row.
AGENCY_CODES = (
    "HO_NGHEO_LDTBXH",
    "HO_CAN_NGHEO_LDTBXH",
    "NGUOI_VI_PHAM",
    "LAO_DONG",
    "VIEC_LAM",
    "KHOM_YTE",
    "KHOM_QS",
)


def _agency_counts(ag: AgencyRow) -> dict[str, float]:
    return {
        "HO_NGHEO_LDTBXH": ag.ho_ngheo,
        "HO_CAN_NGHEO_LDTBXH": ag.ho_can_ngheo,
        "NGUOI_VI_PHAM": ag.nguoi_vi_pham,
        "LAO_DONG": ag.lao_dong,
        "VIEC_LAM": ag.co_viec_lam,
        "KHOM_YTE": int(ag.y_te),
        "KHOM_QS": int(ag.nvqs),
    }


# Loại đơn vị, as inputs.md lists them (every loại has its row, zeros included).
UNIT_TYPES = ("Cơ quan hành chính", "Đơn vị sự nghiệp", "Trường học", "Doanh nghiệp", "Khác")


def _unit_counts(units: Sequence[Unit]) -> dict[str, float]:
    return {
        "DV": len(units),
        "DV_DK": sum(u.dk for u in units),
        "DV_DAT": sum(u.dat for u in units),
        "DV_HT": sum(u.ht for u in units),
        "DV_ANTT": sum(u.antt for u in units),
    }


def expected_data(
    books: Mapping[str, KhomBook],
    ward: WardBook | None,
    included: Iterable[str],
    expected: int = len(KHOM),
) -> dict[tuple[str, str], Value]:
    """(ma_don_vi, ma_chi_tieu) → Value for every included khóm and for the ward, whose
    configuration lists `expected` khóm."""
    agency = ward.agency_by() if ward else {}
    out: dict[tuple[str, str], Value] = {}
    total: dict[str, float] = {}
    included = list(included)
    unsure = 0  # khóm meeting every criterion but Công an's, which no ward workbook gives
    for code in included:
        book = books[code]
        c = _counts(book)
        ag = agency.get(code)
        if ag is not None:
            c.update(_agency_counts(ag))
        police = ag.antt if ag is not None else None
        rate = c["GDVH_DAT"] / c["HO"] if c["HO"] else None
        s = book.self_eval
        vmdt = (
            police is True
            and rate is not None
            and rate >= KHOM_GDVH_DAT_TL
            and bool(s["NGAY_HOI"])
            and bool(s["QUY_UOC"])
            and float(s["DIEM"]) >= KHOM_DIEM  # type: ignore[arg-type]
        )
        unsure += int(
            police is None
            and rate is not None
            and rate >= KHOM_GDVH_DAT_TL
            and bool(s["NGAY_HOI"])
            and bool(s["QUY_UOC"])
            and float(s["DIEM"]) >= KHOM_DIEM  # type: ignore[arg-type]
        )
        c["KHOM"] = 1
        c["KHOM_VMDT"] = int(vmdt)
        c["KHOM_CDHT"] = int(bool(s["CD_HOC_TAP"]))
        c["KHOM_ANTT"] = int(police if police is not None else bool(s["ANTT"]))
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        out.update({(code, k): v for k, v in _with_rates(c).items()})
    for k in ("HO", "KHOM", "KHOM_VMDT"):
        total.setdefault(k, 0)
    for k in AGENCY_CODES:
        if not all(c in agency for c in included):
            total.pop(k, None)
    total["KHOM_TONG"] = expected
    if ward is not None:
        total.update(_unit_counts(ward.units))
        for loai in UNIT_TYPES:
            by_loai = _with_rates(_unit_counts([u for u in ward.units if u.loai == loai]))
            out.update({data_key(WARD, k, loai): v for k, v in by_loai.items()})
    w = _with_rates(total)
    # Phường VMĐT over every configured khóm: met, not met even if every missing or unsure
    # khóm passed (0), or not yet known (no row: a 0 would read as "not met").
    missing = expected - len(included)
    gdvh = w["GDVH_DAT_TL"].value if not missing else None  # unknown with a khóm missing
    dat_n = total["KHOM_VMDT"]
    best = dat_n + unsure + missing
    gdvh_fails = not missing and (gdvh is None or gdvh < PHUONG_GDVH_DAT_TL)
    if gdvh_fails or best / expected < PHUONG_KHOM_VMDT_TL:
        w["PHUONG_VMDT"] = Value(0.0)
    elif not missing and dat_n / expected >= PHUONG_KHOM_VMDT_TL:
        w["PHUONG_VMDT"] = Value(1.0)
    out.update({(WARD, k): v for k, v in w.items()})
    return out


# ── reading the outputs ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Row:
    ky: str
    ten: str
    tu_so: float | None
    mau_so: float | None
    gia_tri: float | None
    cap: str = ""
    cha: str = ""


def data_key(unit: str, code: str, phan_loai: str = "") -> tuple[str, str]:
    """How the tests key a `Dữ liệu` row: (unit, code) for a total, (unit, `code/loại`) for a
    row broken down by loại đơn vị."""
    return (unit, f"{code}/{phan_loai}" if phan_loai else code)


# levels.md's `Dữ liệu` columns, restated here.
DATA_HEADER = (
    "ky",
    "ma_don_vi",
    "ten_don_vi",
    "cap",
    "ma_don_vi_cha",
    "ma_chi_tieu",
    "phan_loai",
    "tu_so",
    "mau_so",
    "gia_tri",
)


def _num(v: object) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return float(v)  # type: ignore[arg-type]


def _key(ky: object) -> str:
    return str(int(ky)) if isinstance(ky, float) and ky.is_integer() else str(ky)


def read_csv_data(path: Path) -> dict[tuple[str, str], Row]:
    text = path.read_bytes().decode("utf-8-sig")
    out = {}
    for rec in csv.DictReader(io.StringIO(text)):
        out[data_key(rec["ma_don_vi"], rec["ma_chi_tieu"], rec["phan_loai"])] = Row(
            rec["ky"],
            rec["ten_don_vi"],
            _num(rec["tu_so"]),
            _num(rec["mau_so"]),
            _num(rec["gia_tri"]),
            rec["cap"],
            rec["ma_don_vi_cha"],
        )
    return out


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_sheet_data(path: Path, sheet: str = "Dữ liệu") -> dict[tuple[str, str], Row]:
    rows = sheet_rows(path, sheet)
    head = [str(h).strip() for h in rows[0]]
    col = {h: head.index(h) for h in DATA_HEADER}
    out = {}
    for r in rows[1:]:
        if not str(r[col["ma_don_vi"]]).strip():
            continue
        key = data_key(
            str(r[col["ma_don_vi"]]), str(r[col["ma_chi_tieu"]]), str(r[col["phan_loai"]])
        )
        out[key] = Row(
            _key(r[col["ky"]]),
            str(r[col["ten_don_vi"]]),
            _num(r[col["tu_so"]]),
            _num(r[col["mau_so"]]),
            _num(r[col["gia_tri"]]),
            str(r[col["cap"]]),
            str(r[col["ma_don_vi_cha"]]),
        )
    return out


def data_mismatches(
    actual: Mapping[tuple[str, str], Row], expected: Mapping[tuple[str, str], Value]
) -> list[str]:
    """Every difference, readable; [] when the outputs hold exactly the expected values."""
    problems = []
    for key, want in sorted(expected.items()):
        got = actual.get(key)
        if got is None:
            if not (key[0] != WARD and key[1] in OPTIONAL_FOR_KHOM):
                problems.append(f"{key}: missing (expected {want.value})")
            continue
        if want.value is None:
            if got.gia_tri is not None:
                problems.append(f"{key}: gia_tri {got.gia_tri!r}, expected empty")
        elif got.gia_tri is None:
            problems.append(f"{key}: gia_tri empty, expected {want.value!r}")
        elif want.num is None:  # a count: exact
            if got.gia_tri != want.value:
                problems.append(f"{key}: gia_tri {got.gia_tri!r}, expected {want.value!r}")
        elif not math.isclose(got.gia_tri, want.value, rel_tol=1e-12, abs_tol=0):
            problems.append(f"{key}: gia_tri {got.gia_tri!r}, expected {want.value!r}")
        if want.num is not None and (got.tu_so != want.num or got.mau_so != want.den):
            problems.append(
                f"{key}: tu_so/mau_so {got.tu_so!r}/{got.mau_so!r}, expected "
                f"{want.num!r}/{want.den!r}"
            )
    for key in sorted(set(actual) - set(expected)):
        problems.append(f"{key}: unexpected row {actual[key]}")
    return problems


def report_findings(path: Path, sheet: str = "Chi tiết") -> list[dict[str, str]]:
    """The finding rows of KiemTra's `Chi tiết`: code, place (`'Sheet'!A1`), file, severity.

    Found by content rather than by column position: a rule code cell, a place cell (or a
    sheet cell beside an A1 cell), a file-name cell, a severity cell.
    """
    import re

    code_re = re.compile(r"^[FHRKPI]\d{2}$")
    place_re = re.compile(r"^'[^']+'!\$?[A-Z]{1,3}\$?\d+$")
    a1_re = re.compile(r"^[A-Z]{1,3}\d+$")
    file_re = re.compile(r".+\.(xlsx|xlsm|xls|ods|pdf|docx|txt)$", re.IGNORECASE)
    rows = sheet_rows(path, sheet)
    sheet_names = {"Thông tin", "Danh sách hộ", "Khóm", "Số liệu ngành", "Đơn vị", "Chỉ tiêu"}
    out = []
    for r in rows:
        cells = [str(v).strip() if v is not None else "" for v in r]
        codes = [c for c in cells if code_re.match(c)]
        if not codes:
            continue
        place = next((c for c in cells if place_re.match(c)), "")
        if not place:
            sh = next((c for c in cells if c in sheet_names), "")
            a1 = next((c for c in cells if a1_re.match(c) and not code_re.match(c)), "")
            if sh and a1:
                place = f"'{sh}'!{a1}"
        out.append(
            {
                "code": codes[0],
                "place": place,
                "file": next((c for c in cells if file_re.match(c)), ""),
                "severity": next((c for c in cells if c in ("Lỗi", "Cảnh báo", "Ghi chú")), ""),
                "text": " | ".join(cells),
            }
        )
    return out


def sheet_text(path: Path, sheet: str) -> str:
    return "\n".join(
        " | ".join(str(v) for v in r if v not in (None, "")) for r in sheet_rows(path, sheet)
    )


# ── writing workbooks ──────────────────────────────────────────────────────────────────────


def blank_khom(blanks: Path, code: str, period: str = "2020") -> Path:
    return blanks / f"BieuKhom_{code}_{period}.xlsx"


def blank_ward(blanks: Path, period: str = "2020") -> Path:
    return blanks / f"BieuPhuong_{WARD}_{period}.xlsx"


def write_khom(book: KhomBook, blanks: Path, out: Path, period: str = "2020") -> Path:
    return fill(
        blank_khom(blanks, book.code, period),
        out,
        labels=book.labels(),
        tables={"Danh sách hộ": [h.row() for h in book.households]},
        codes={"Khóm": book.codes()},
    )


def write_ward(ward: WardBook, blanks: Path, out: Path, period: str = "2020") -> Path:
    return fill(
        blank_ward(blanks, period),
        out,
        labels={"Người lập biểu": "Nguyễn Thị Mỹ Hạnh", "Ngày lập": ward.ngay_lap},
        tables={
            "Số liệu ngành": [a.row() for a in ward.agency],
            "Đơn vị": [u.row() for u in ward.units],
        },
    )


def to_format(xlsx: Path, fmt: str, dest: Path, work: Path) -> Path:
    """`xlsx` as an officer would send it in `fmt`, at `dest` (whose suffix is set here)."""
    return to_formats([(xlsx, dest)], fmt, work)[0]


def to_formats(jobs: Sequence[tuple[Path, Path]], fmt: str, work: Path) -> list[Path]:
    """Each `(xlsx, dest)` as an officer would send it in `fmt`, at `dest` (suffix set here).

    One LibreOffice process converts the whole batch (its start-up dominates a conversion).
    LibreOffice writes `<stem>.<ext>` into its out dir, so it converts copies in a private dir
    and the results are moved: a file is never converted onto itself.
    """
    dests = [dest.with_suffix("." + EXT[fmt]) for _, dest in jobs]
    for dest in dests:
        dest.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        for (xlsx, _), dest in zip(jobs, dests, strict=True):
            shutil.copy(xlsx, dest)
        return dests
    lo_dir = work / f"lo-{fmt}-{jobs[0][0].stem}"
    if lo_dir.exists():
        shutil.rmtree(lo_dir)
    lo_dir.mkdir(parents=True)
    sources = []
    for i, (xlsx, _) in enumerate(jobs):
        src = lo_dir / f"src{i}_{xlsx.name}"  # a copy: LibreOffice never sees the original
        shutil.copy(xlsx, src)
        sources.append(src)
    made = office.convert_many(
        sources, "xlsx" if fmt == "xlsx-libreoffice" else fmt, lo_dir / "out"
    )
    for m, dest in zip(made, dests, strict=True):
        shutil.move(m, dest)
    return dests


def build_inbox(
    inbox: Path,
    work: Path,
    blanks: Path,
    books: Mapping[str, KhomBook],
    ward: WardBook | None,
    fmt: str = "xlsx",
    ward_fmt: str = "xlsx",
) -> dict[str, Path]:
    """One workbook per khóm (`K1_2020.<ext>`) and the ward's (`Phuong_2020.<ext>`)."""
    inbox.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    jobs: dict[str, list[tuple[str, Path, Path]]] = {}
    for code, book in books.items():
        filled = write_khom(book, blanks, work / f"{code}_2020.xlsx")
        jobs.setdefault(fmt, []).append((code, filled, inbox / f"{code}_2020"))
    if ward is not None:
        filled = write_ward(ward, blanks, work / "Phuong_2020.xlsx")
        jobs.setdefault(ward_fmt, []).append(("phuong", filled, inbox / "Phuong_2020"))
    paths = {}
    for f, group in jobs.items():
        made = to_formats([(src, dest) for _, src, dest in group], f, work)
        paths.update({key: m for (key, _, _), m in zip(group, made, strict=True)})
    return paths


def with_households(book: KhomBook, households: Sequence[Household], **changes) -> KhomBook:
    return replace(book, households=list(households), **changes)


# ── a register with errors ─────────────────────────────────────────────────────────────────


def error_book(book: KhomBook) -> tuple[KhomBook, dict[str, list[tuple[str, int]]]]:
    """`book` with five kinds of error; code → [(header, household index)] where each is."""
    hh = copy.deepcopy(book.households)
    h = hh[1]  # Đạt without Đăng ký → R07
    h.dk, h.dat, h.vp, h.nam = False, True, False, 2
    h.typed.update({H_DK: None, H_DAT: "x", H_VP: None})
    hh[3].typed[H_NK] = "12 người"  # R03
    hh[4].typed[H_TT] = "y"  # R04
    hh[9].ma_ho = hh[6].ma_ho  # R05, both rows
    hh[9].typed.pop(H_MA, None)
    hh[7].typed[H_CHU] = None  # R02: Mã hộ filled, no chủ hộ
    where = {
        "R07": [(H_DK, 1)],
        "R03": [(H_NK, 3)],
        "R04": [(H_TT, 4)],
        "R05": [(H_MA, 6), (H_MA, 9)],
        "R02": [(H_CHU, 7)],
    }
    return replace(book, households=hh), where


# ── where things are in the generated template ─────────────────────────────────────────────


def column_letter(index0: int) -> str:
    s, n = "", index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


@dataclass(frozen=True)
class Layout:
    header_row: int  # 1-based
    columns: dict[str, str]  # header → letter

    def cell(self, header: str, household_index: int) -> str:
        """`'Danh sách hộ'!H7` for household `household_index` (0-based) written by fill."""
        return f"'Danh sách hộ'!{self.columns[header]}{self.header_row + 1 + household_index}"


def register_layout(path: Path) -> Layout:
    rows = sheet_rows(path, "Danh sách hộ")
    for r, row in enumerate(rows[:15]):
        if any(isinstance(v, str) and v.strip() == H_MA for v in row):
            cols = {
                str(v).strip(): column_letter(c)
                for c, v in enumerate(row)
                if isinstance(v, str) and v.strip()
            }
            return Layout(r + 1, cols)
    raise AssertionError(f"no header row with {H_MA!r} in {path}")


# ── running the command line ───────────────────────────────────────────────────────────────


@dataclass
class CliRun:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(*argv: object) -> CliRun:
    """`tqd-sheets ARGV` in-process; argparse's exits become return codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
    return CliRun(rc, out.getvalue(), err.getvalue())


def snapshot(folder: Path) -> dict[str, str]:
    """name → sha256 of every file under `folder` (recursively)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def consolidate(inbox: Path, outbox: Path, *extra: object, config: Path = CONFIG) -> CliRun:
    """`tqd-sheets consolidate`, asserting what must hold after every run: the inbox is
    byte-for-byte untouched with no new files, and no traceback reached the officer."""
    before = snapshot(inbox)
    run = run_cli("--config", config, "consolidate", "--inbox", inbox, "--outbox", outbox, *extra)
    assert snapshot(inbox) == before, "the inbox was modified by the run"
    assert "Traceback" not in run.text, run.text
    return run


# ── reading what LibreOffice printed ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path, page: int) -> list[Word]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        Word(html.unescape(t), float(a), float(b), float(c), float(d))
        for a, b, c, d, t in re.findall(pattern, out)
    ]
