"""Rules over combinations of values, as pure functions over parsed tables."""

import pandas as pd

from grids import col, household, khom_book
from tqd_sheets.parse import ROW, Parsed, Table, parse_workbook
from tqd_sheets.spec import Kind
from tqd_sheets.validate import cross_khom, cross_source, validate_workbook

CODES = ["K1", "K2", "K3", "K4"]


def parsed(rows, **kw):
    p = parse_workbook(khom_book(rows, **kw), CODES)
    assert p.findings == [], p.findings
    return p


def places(findings):
    return sorted((f.code, f.cell) for f in findings)


def test_r05_names_every_row_of_a_repeated_code():
    p = parsed([household("01"), household("02"), household("01", Tổ=3.0)])
    found = validate_workbook(p)
    ma = col("Mã hộ")
    assert places(found) == [("R05", f"{ma}4"), ("R05", f"{ma}6")]
    assert all("4, 6" in f.message for f in found)


def test_r07_r08_impossible_combinations():
    p = parsed(
        [
            household("01", **{"Đăng ký GĐVH": ""}),
            household("02", **{"Vi phạm pháp luật": "x"}),
            household("03"),
        ]
    )
    assert places(validate_workbook(p)) == [
        ("R07", f"{col('Đăng ký GĐVH')}4"),
        ("R08", f"{col('Đạt GĐVH')}5"),
    ]
    assert all(f.severity.value == "Lỗi" for f in validate_workbook(p))


def test_r09_r10_warnings():
    p = parsed(
        [
            household("01", **{"Đạt GĐVH": "", "Số năm liên tục đạt GĐVH": 3.0}),
            household("02", **{"Số năm liên tục đạt GĐVH": ""}),
            household(
                "03", **{"Đạt GĐVH": "", "Số năm liên tục đạt GĐVH": "", "Gia đình thể thao": "x"}
            ),
        ]
    )
    found = validate_workbook(p)
    years, tt = col("Số năm liên tục đạt GĐVH"), col("Gia đình thể thao")
    assert places(found) == [("R09", f"{years}4"), ("R09", f"{years}5"), ("R10", f"{tt}6")]
    assert {f.severity.value for f in found} == {"Cảnh báo"}


def test_r11_same_head_and_address_under_two_codes():
    p = parsed(
        [
            household("01", **{"Họ và tên chủ hộ": "Lê Văn A", "Địa chỉ": "5 Lê Lợi"}),
            household("02"),
            household("03", **{"Họ và tên chủ hộ": "lê văn a", "Địa chỉ": "5 lê lợi"}),
        ]
    )
    found = validate_workbook(p)
    assert places(found) == [("R11", f"{col('Mã hộ')}4"), ("R11", f"{col('Mã hộ')}6")]


def test_clean_register_has_no_findings():
    assert validate_workbook(parsed([household("01"), household("02")])) == []


def test_r06_same_code_in_two_khom_names_both_files():
    a = parsed([household("01"), household("77")], name="k1.xlsx")
    b = parsed([household("77"), household("02")], name="k2.xlsx", info={"Mã khóm": "K2"})
    found = cross_khom([a, b])
    assert sorted((f.file, f.cell) for f in found) == [("k1.xlsx", "B5"), ("k2.xlsx", "B4")]
    assert "k2.xlsx" in next(f for f in found if f.file == "k1.xlsx").message
    assert {f.code for f in found} == {"R06"}


def _ward(agency_rows=(), unit_rows=()):
    agency = pd.DataFrame(
        [
            {
                ROW: 4 + i,
                "ma_khom": None,
                "ho_ngheo": 0,
                "ho_can_ngheo": 0,
                "nguoi_vi_pham": 0,
                "antt": True,
                "y_te": True,
                "nvqs": True,
                "lao_dong": 10,
                "co_viec_lam": 9,
                **r,
            }
            for i, r in enumerate(agency_rows)
        ]
    )
    units = pd.DataFrame(
        [
            {
                ROW: 4 + i,
                "ten": None,
                "loai": "Khác",
                "dk_vh": True,
                "dat_vh": True,
                "don_vi_hoc_tap": False,
                "antt": True,
                **r,
            }
            for i, r in enumerate(unit_rows)
        ]
    )
    p = Parsed("phuong.xlsx", Kind.PHUONG)
    letters = dict(
        ma_khom="A", ho_ngheo="B", ho_can_ngheo="C", antt="E", lao_dong="H", co_viec_lam="I"
    )
    p.tables["Số liệu ngành"] = Table("Số liệu ngành", agency, letters)
    p.tables["Đơn vị"] = Table("Đơn vị", units, dict(ten="A", loai="B", dk_vh="C", dat_vh="D"))
    return p


def test_ward_rules_p01_p05_p07():
    w = _ward(
        agency_rows=[
            {"ma_khom": "K1"},
            {"ma_khom": "K1"},
            {"ma_khom": "K2", "lao_dong": 5, "co_viec_lam": 6},
        ],
        unit_rows=[{"ten": "Trường A"}, {"ten": "Trường A"}, {"ten": "Công ty B", "dk_vh": False}],
    )
    assert places(validate_workbook(w)) == [
        ("P01", "A4"),
        ("P01", "A5"),
        ("P05", "A4"),
        ("P05", "A5"),
        ("P05", "C6"),
        ("P07", "I6"),
    ]


def test_cross_source_p02_p03_p04():
    k1 = parsed([household("01", **{"Hộ nghèo/cận nghèo": "Nghèo"}), household("02")])
    w = _ward(agency_rows=[{"ma_khom": "K1", "ho_ngheo": 2, "antt": False}])
    found = cross_source([k1], w, ["K1", "K2"])
    assert sorted((f.code, f.file, f.cell) for f in found) == [
        ("P02", "phuong.xlsx", ""),
        ("P03", "phuong.xlsx", "B4"),
        ("P04", "k1.xlsx", "C7"),
    ]
    p03 = next(f for f in found if f.code == "P03")
    assert "2" in p03.message and "1" in p03.message
