"""Rules over combinations of values, as pure functions over parsed tables."""

import pandas as pd

from grids import col, household, khom_book
from tqd_sheets import catalog, units
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


# `khom_book` puts two title rows and the header above the first household.
FIRST = 2 + 1 + 1


def test_r05_names_every_row_of_a_repeated_code():
    p = parsed([household("01"), household("02"), household("01", Tổ=3.0)])
    found = validate_workbook(p)
    ma = col("Mã hộ")
    assert places(found) == [("R05", f"{ma}{FIRST}"), ("R05", f"{ma}{FIRST + 2}")]
    # No STT typed: each household is named by its sheet row.
    said = f"“Mã hộ” 01 lặp lại ở hộ dòng {FIRST} và dòng {FIRST + 2}."
    assert all(f.message.startswith(said) for f in found), found


def numbered(*mas: str, start: int = 1, **kw: object) -> list[dict[str, object]]:
    """Households with the pre-printed STT start, start + 1 … (as the blank prints them)."""
    return [household(ma, STT=float(start + i), **kw) for i, ma in enumerate(mas)]


def test_r05_names_both_households_by_stt_and_row():
    p = parsed(numbered("0001", "0002", "0007", "0004", "0007"))
    found = validate_workbook(p)
    ma = col("Mã hộ")
    # STT 3 and 5 are the 3rd and 5th households: sheet rows FIRST + 2 and FIRST + 4.
    r3, r5 = FIRST + 2, FIRST + 4
    assert places(found) == [("R05", f"{ma}{r3}"), ("R05", f"{ma}{r5}")]
    said = f"“Mã hộ” 0007 lặp lại ở hộ STT 3 (dòng {r3}) và STT 5 (dòng {r5})."
    assert [f.message.split(" Giá trị")[0] for f in found] == [said, said]


def test_renumbered_stt_is_the_one_the_officer_typed():
    rows = numbered("0010", "0011", start=10)
    rows[1]["Đăng ký GĐVH"] = ""
    rows.append(household("0010", STT=12.0))
    found = validate_workbook(parsed(rows))
    r07 = next(f for f in found if f.code == "R07")
    assert r07.cell == f"{col('Đăng ký GĐVH')}{FIRST + 1}"
    assert r07.message.startswith("Hộ STT 11, Mã hộ 0011, Chủ hộ 0011: đánh dấu Đạt GĐVH")
    r05 = [f.message for f in found if f.code == "R05"]
    assert len(r05) == 2
    assert all(f"hộ STT 10 (dòng {FIRST}) và STT 12 (dòng {FIRST + 2})." in m for m in r05)


def test_a_household_without_stt_is_named_by_its_row():
    rows = numbered("0001", "0002", "0001")
    rows[1]["STT"] = ""  # the officer cleared the pre-printed number
    rows[1]["Vi phạm pháp luật"] = "x"
    rows[2]["STT"] = "  "
    found = validate_workbook(parsed(rows))
    r08 = next(f for f in found if f.code == "R08")
    assert r08.message.startswith(f"Hộ dòng {FIRST + 1}, Mã hộ 0002, Chủ hộ 0002: đánh dấu")
    r05 = next(f for f in found if f.code == "R05")
    assert f"lặp lại ở hộ STT 1 (dòng {FIRST}) và dòng {FIRST + 2}." in r05.message


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
    first, third = (f.message.split(" Giá trị")[0] for f in found)
    assert first == (
        f"Hộ dòng {FIRST}, Mã hộ 01, Lê Văn A: "
        f"trùng chủ hộ và địa chỉ với hộ dòng {FIRST + 2} có Mã hộ 03."
    )
    assert third == (
        f"Hộ dòng {FIRST + 2}, Mã hộ 03, lê văn a: "
        f"trùng chủ hộ và địa chỉ với hộ dòng {FIRST} có Mã hộ 01."
    )


def test_r11_names_households_by_stt():
    same = {"Họ và tên chủ hộ": "Lê Văn A", "Địa chỉ": "5 Lê Lợi"}
    found = validate_workbook(parsed(numbered("0001", "0002", "0003", start=4, **same)))
    r = {f.cell: f.message for f in found}
    ma = col("Mã hộ")
    assert len(found) == 3 and {f.code for f in found} == {"R11"}
    assert r[f"{ma}{FIRST + 1}"].startswith(
        "Hộ STT 5, Mã hộ 0002, Lê Văn A: trùng chủ hộ và địa chỉ với "
        f"hộ STT 4 (dòng {FIRST}) có Mã hộ 0001 và hộ STT 6 (dòng {FIRST + 2}) có Mã hộ 0003."
    )


def test_clean_register_has_no_findings():
    assert validate_workbook(parsed([household("01"), household("02")])) == []


def test_r06_same_code_in_two_khom_names_both_files():
    a = parsed([household("01"), household("77")], name="k1.xlsx")
    b = parsed([household("77"), household("02")], name="k2.xlsx", info={"Mã khóm": "K2"})
    found = cross_khom([a, b])
    assert sorted((f.file, f.cell) for f in found) == [("k1.xlsx", "B5"), ("k2.xlsx", "B4")]
    assert "k2.xlsx" in next(f for f in found if f.file == "k1.xlsx").message
    assert {f.code for f in found} == {"R06"}


def test_r06_names_the_household_in_both_files_in_the_units_words():
    a = parsed(numbered("01", "77"), name="k1.xlsx")
    b = parsed(numbered("77", "02", start=8), name="k2.xlsx", info={"Mã khóm": "K2"})
    with catalog.wording(units.LEVEL["Ấp"], units.LEVEL["Xã"]):
        found = {f.file: f.message for f in cross_khom([a, b])}
    assert found["k1.xlsx"].startswith(
        "Hộ STT 2, Mã hộ 77, Chủ hộ 77: Mã hộ này cũng có trong tệp k2.xlsx, "
        f"ở hộ STT 8 (dòng {FIRST}), Chủ hộ 77 của ấp K2."
    )
    assert found["k2.xlsx"].startswith(
        "Hộ STT 8, Mã hộ 77, Chủ hộ 77: Mã hộ này cũng có trong tệp k1.xlsx, "
        f"ở hộ STT 2 (dòng {FIRST + 1}), Chủ hộ 77 của ấp K1."
    )


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
    # Neither list declares an STT column: its rows are named by their sheet rows.
    said = {(f.code, f.cell): f.message.split(" Giá trị")[0] for f in validate_workbook(w)}
    assert said["P01", "A4"] == "Mã khóm K1 lặp lại ở dòng 4 và dòng 5."
    assert said["P05", "A5"] == "Đơn vị “Trường A”: lặp lại ở dòng 4 và dòng 5."


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
