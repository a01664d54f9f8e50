"""The spec-driven parser: sheets by name, rows by label, columns by header text."""

from datetime import date

from grids import HEADERS, col, household, khom_book
from tqd_sheets.parse import parse_workbook
from tqd_sheets.read import RawSheet, RawWorkbook

CODES = ["K1", "K2", "K3", "K4"]


def codes_at(parsed):
    return sorted((f.code, f.place) for f in parsed.findings)


def test_clean_workbook_reads_every_value():
    p = parse_workbook(khom_book([household("0012"), household("0013", Tổ=2.0)]), CODES)
    assert p.findings == []
    assert p.khom == "K1" and p.year == 2020 and p.values["ky"] == "Năm"
    assert p.ngay_lap == date(2020, 12, 15)
    hh = p.households()
    assert list(hh.ma_ho) == ["0012", "0013"]  # leading zeros kept
    assert list(hh._row) == [4, 5]
    assert p.values["KINH_PHI"] == 1_500_000


def test_header_found_below_inserted_title_rows_and_columns_reordered():
    headers = [*reversed(HEADERS), "Số điện thoại"]
    rows = [household("01", **{"Số điện thoại": "0907091754"}), household("02")]
    p = parse_workbook(khom_book(rows, headers=headers, title_rows=6), CODES)
    assert p.findings == []
    t = p.tables["Danh sách hộ"]
    assert list(t.frame.ma_ho) == ["01", "02"]
    assert t.extra == ["Số điện thoại"]
    assert t.frame["Số điện thoại"].iloc[0] == "0907091754"
    assert t.columns["ma_ho"] == col("Mã hộ", headers)
    assert list(t.frame._row) == [8, 9]


def test_type_errors_point_at_their_cells():
    rows = [
        household("01"),
        household("02", **{"Số nhân khẩu": "12 người"}),
        household("03", **{"Đạt GĐVH": "y"}),
        household("04", Tổ=""),
        household("", **{"Họ và tên chủ hộ": "Người không mã"}),
    ]
    p = parse_workbook(khom_book(rows), CODES)
    nk, dat, to, ma = col("Số nhân khẩu"), col("Đạt GĐVH"), col("Tổ"), col("Mã hộ")
    assert codes_at(p) == sorted(
        [
            ("R03", f"'Danh sách hộ'!{nk}5"),
            ("R04", f"'Danh sách hộ'!{dat}6"),
            ("R02", f"'Danh sách hộ'!{to}7"),
            ("R02", f"'Danh sách hộ'!{ma}8"),
        ]
    )


def test_rows_with_only_stt_are_not_households_and_inner_gaps_are_reported():
    rows = [household("01"), {"STT": 2.0}, household("03"), {"STT": 4.0}, {"STT": 5.0}]
    p = parse_workbook(khom_book(rows), CODES)
    assert list(p.households().ma_ho) == ["01", "03"]
    assert [(f.code, f.row) for f in p.findings] == [("R13", 5)]


def test_missing_required_header_is_r01():
    headers = [h for h in HEADERS if h != "Số nhân khẩu"]
    p = parse_workbook(khom_book([household("01")], headers=headers), CODES)
    assert [(f.code, f.sheet) for f in p.findings] == [("R01", "Danh sách hộ")]
    assert "Số nhân khẩu" in p.findings[0].message


def test_thong_tin_problems():
    p = parse_workbook(
        khom_book(
            [household("01")],
            info={"Mã khóm": "K9", "Kỳ báo cáo": "Quý V", "Người lập biểu": "", "Ngày lập": ""},
        ),
        CODES,
    )
    assert codes_at(p) == sorted(
        [
            ("H01", "'Thông tin'!B4"),
            ("H02", "'Thông tin'!B7"),
            ("H05", "'Thông tin'!B8"),
            ("H04", "'Thông tin'!B10"),
        ]
    )


def test_khom_sheet_k01():
    p = parse_workbook(
        khom_book(
            [household("01")],
            khom={
                "DIEM": 120.0,
                "HOA_GIAI": 2.0,
                "HOA_GIAI_THANH": 5.0,
                "NGAY_HOI": "có lẽ",
                "TT_BUOI": ...,
            },
        ),
        CODES,
    )
    found = codes_at(p)
    # TT_BUOI's row is deleted, so DIEM is on row 9 and HOA_GIAI_THANH on row 11
    assert ("K01", "'Khóm'!C9") in found  # DIEM out of 0–100
    assert ("K01", "'Khóm'!C11") in found  # HOA_GIAI_THANH > HOA_GIAI
    assert ("K01", "'Khóm'!C4") in found  # NGAY_HOI neither yes nor no
    assert any(f.code == "K01" and "TT_BUOI" in f.message and not f.cell for f in p.findings)
    assert len(found) == 4


def test_sheet_names_compare_after_normalisation():
    book = khom_book([household("01")])
    book.sheets = {
        ("  danh SÁCH hộ " if k == "Danh sách hộ" else k): v
        for k, v in khom_book([household("01")]).sheets.items()
    }
    p = parse_workbook(book, CODES)
    assert p.findings == [] and len(p.households()) == 1


def test_renamed_sheet_is_f03_and_unknown_workbook_is_f03():
    book = khom_book([household("01")])
    book.sheets["DS hộ"] = book.sheets.pop("Danh sách hộ")
    p = parse_workbook(book, CODES)
    assert [f.code for f in p.findings] == ["F03"]
    assert "Danh sách hộ" in p.findings[0].message
    stranger = RawWorkbook(book.path)
    stranger.sheets = {"Sheet1": RawSheet("Sheet1", [["a", "b"]])}
    q = parse_workbook(stranger, CODES)
    assert q.kind is None and [f.code for f in q.findings] == ["F03"]


def test_kind_recognised_without_marker_from_its_sheets():
    p = parse_workbook(khom_book([household("01")], marker=False), CODES)
    assert p.kind is not None and p.kind.value == "khom" and p.findings == []


def test_older_template_version_is_f04_warning():
    book = khom_book([household("01")])
    book.marker["phien_ban"] = "0"
    p = parse_workbook(book, CODES)
    assert [(f.code, f.severity.value) for f in p.findings] == [("F04", "Cảnh báo")]


def test_merged_cells_in_data_area_are_r13():
    book = khom_book([household("01"), household("02")])
    sheet = book.sheets["Danh sách hộ"]
    book.sheets["Danh sách hộ"] = RawSheet(sheet.name, sheet.rows, merged=(((4, 3), (4, 5)),))
    p = parse_workbook(book, CODES)
    assert [(f.code, f.cell) for f in p.findings] == [("R13", "D5")]


def test_hidden_rows_are_counted_with_a_warning():
    book = khom_book([household("01"), household("02"), household("03")])
    s = book.sheets["Danh sách hộ"]
    book.sheets["Danh sách hộ"] = RawSheet(s.name, s.rows, hidden_rows=frozenset({4, 5}))
    p = parse_workbook(book, CODES)
    assert len(p.households()) == 3
    assert [(f.code, f.row, f.severity.value) for f in p.findings] == [("R13", 5, "Cảnh báo")]
    assert "5, 6" in p.findings[0].message


def test_formula_without_result_is_r12_not_an_empty_cell():
    book = khom_book([household("01"), household("02", **{"Số nhân khẩu": ""})])
    s = book.sheets["Danh sách hộ"]
    nk = HEADERS.index("Số nhân khẩu")
    book.sheets["Danh sách hộ"] = RawSheet(s.name, s.rows, uncomputed=frozenset({(4, nk)}))
    p = parse_workbook(book, CODES)
    assert codes_at(p) == [("R12", f"'Danh sách hộ'!{col('Số nhân khẩu')}5")]
