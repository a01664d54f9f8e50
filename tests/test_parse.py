"""The spec-driven parser: sheets by name, rows by label, columns by header text."""

from datetime import date

import pytest

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


# ── issue 7: every spec column found once, every row with data read ───────────────────────


def _with_headers(book, change):
    """`book` with its register header row replaced by `change(list of headers)`."""
    s = book.sheets["Danh sách hộ"]
    rows = [list(r) for r in s.rows]
    rows[2] = change(list(rows[2]))
    book.sheets["Danh sách hộ"] = RawSheet(s.name, rows, s.merged, uncomputed=s.uncomputed)
    return book


def test_folded_labels_are_unique_in_every_table():
    from tqd_sheets.spec import WORKBOOKS, TableSheet, loose

    for wb in WORKBOOKS.values():
        for sheet in (s for s in wb.sheets if isinstance(s, TableSheet)):
            folded = [loose(f.label) for f in sheet.fields]
            assert len(set(folded)) == len(folded), sheet.name


def test_header_without_diacritics_is_r15_and_read():
    dat = HEADERS.index("Đạt GĐVH")
    book = _with_headers(
        khom_book([household("01"), household("02", **{"Đạt GĐVH": ""})]),
        lambda h: [*h[:dat], "Dat  gdvh", *h[dat + 1 :]],
    )
    p = parse_workbook(book, CODES)
    assert codes_at(p) == [("R15", f"'Danh sách hộ'!{col('Đạt GĐVH')}3")]
    assert p.findings[0].severity.value == "Cảnh báo" and "“Dat  gdvh”" in p.findings[0].message
    assert list(p.households().dat_gdvh) == [True, False]


def test_missing_optional_column_is_r01_and_unknown_not_no():
    book = khom_book([household("01", **{"Vi phạm pháp luật": "x"})])
    vp = HEADERS.index("Vi phạm pháp luật")
    book = _with_headers(book, lambda h: [*h[:vp], "Vi phạm PL", *h[vp + 1 :]])
    p = parse_workbook(book, CODES)
    assert [(f.code, f.sheet, f.row, f.cell) for f in p.findings] == [
        ("R01", "Danh sách hộ", 3, "")
    ]
    assert "“Vi phạm pháp luật”" in p.findings[0].message
    assert "“Vi phạm PL”" in p.findings[0].message  # the hint names the unknown header
    hh = p.households()
    assert hh.vi_pham.iloc[0] is None and "vi_pham" in hh._bad.iloc[0]


def test_empty_duplicate_column_before_the_real_one_is_r16_and_the_real_one_is_read():
    dat = HEADERS.index("Đạt GĐVH")
    headers = [*HEADERS[:dat], "Đạt GĐVH", *HEADERS[dat:]]
    rows = [household("01"), household("02", **{"Đạt GĐVH": ""})]
    # the builder fills both same-named columns; empty the copy (the first one) by hand
    book = khom_book(rows, headers=headers)
    s = book.sheets["Danh sách hộ"]
    grid = [list(r) for r in s.rows]
    for r in grid[3:]:
        r[dat] = ""
    book.sheets["Danh sách hộ"] = RawSheet(s.name, grid)
    p = parse_workbook(book, CODES)
    copy, real = "ABCDEFGHIJKLMNOP"[dat], "ABCDEFGHIJKLMNOP"[dat + 1]
    assert codes_at(p) == [("R16", f"'Danh sách hộ'!{copy}3")]
    assert f"cột {copy}" in p.findings[0].message and f"cột {real}" in p.findings[0].message
    assert p.tables["Danh sách hộ"].columns["dat_gdvh"] == real
    assert list(p.households().dat_gdvh) == [True, False]
    assert "Đạt GĐVH" not in p.tables["Danh sách hộ"].extra


def test_two_filled_columns_with_one_header_read_the_first_and_name_the_second():
    nk = HEADERS.index("Số nhân khẩu")
    headers = [*HEADERS[: nk + 1], "Số nhân khẩu", *HEADERS[nk + 1 :]]
    p = parse_workbook(khom_book([household("01")], headers=headers), CODES)
    assert codes_at(p) == [("R16", f"'Danh sách hộ'!{'ABCDEFGHIJKLMNOP'[nk + 1]}3")]


def test_two_row_header_is_read_with_r15_at_each_sub_header():
    dk, dat = HEADERS.index("Đăng ký GĐVH"), HEADERS.index("Đạt GĐVH")
    book = khom_book([household("01"), household("02", **{"Đạt GĐVH": ""})])
    s = book.sheets["Danh sách hộ"]
    grid = [list(r) for r in s.rows]
    sub = [""] * len(HEADERS)
    sub[dk], sub[dat] = grid[2][dk], grid[2][dat]
    grid[2][dk], grid[2][dat] = "Gia đình văn hóa", ""
    grid.insert(3, sub)
    merged = (
        ((2, dk), (2, dat)),
        *tuple(((2, c), (3, c)) for c in range(len(HEADERS)) if c not in (dk, dat)),
    )
    book.sheets["Danh sách hộ"] = RawSheet(s.name, grid, merged)
    p = parse_workbook(book, CODES)
    assert codes_at(p) == sorted(
        ("R15", f"'Danh sách hộ'!{col(h)}4") for h in ("Đăng ký GĐVH", "Đạt GĐVH")
    )
    assert all("“Gia đình văn hóa”" in f.message for f in p.findings)
    hh = p.households()
    assert list(hh._row) == [5, 6] and list(hh.dat_gdvh) == [True, False]
    assert p.tables["Danh sách hộ"].extra == [] and p.tables["Danh sách hộ"].first_row == 5


def test_every_row_with_data_is_a_household_but_stt_alone_is_not():
    rows = [
        household("01"),
        {"STT": 2.0, "Tổ": 1.0, "Số nhân khẩu": 3.0, "Đăng ký GĐVH": "x"},
        {"STT": 3.0, "Ghi chú": "chuyển đi"},
        {"STT": 4.0},
    ]
    p = parse_workbook(khom_book(rows), CODES)
    assert len(p.households()) == 3
    ma, chu, to, nk = col("Mã hộ"), col("Họ và tên chủ hộ"), col("Tổ"), col("Số nhân khẩu")
    assert codes_at(p) == sorted(
        [("R02", f"'Danh sách hộ'!{c}5") for c in (ma, chu)]
        + [("R02", f"'Danh sách hộ'!{c}6") for c in (ma, chu, to, nk)]
    )


def test_formula_without_result_in_stt_or_ghi_chu_is_harmless():
    book = khom_book([household("01"), household("02"), {"STT": 3.0}])
    s = book.sheets["Danh sách hộ"]
    stt, ghi = HEADERS.index("STT"), HEADERS.index("Ghi chú")
    uncomputed = frozenset({(3, stt), (4, ghi), (5, ghi)})  # row 6 holds only that formula
    book.sheets["Danh sách hộ"] = RawSheet(s.name, s.rows, uncomputed=uncomputed)
    p = parse_workbook(book, CODES)
    assert p.findings == [] and list(p.households().ma_ho) == ["01", "02"]


def test_formula_without_result_in_a_mark_is_r12_and_unknown():
    book = khom_book([household("01")])
    s = book.sheets["Danh sách hộ"]
    dat = HEADERS.index("Đạt GĐVH")
    book.sheets["Danh sách hộ"] = RawSheet(s.name, s.rows, uncomputed=frozenset({(3, dat)}))
    p = parse_workbook(book, CODES)
    assert codes_at(p) == [("R12", f"'Danh sách hộ'!{col('Đạt GĐVH')}4")]
    assert p.households().dat_gdvh.iloc[0] is None


@pytest.mark.parametrize(
    ("ky", "severity"),
    [("Năm", "Lỗi"), ("Quý I", "Cảnh báo"), ("6 tháng", "Cảnh báo"), ("Quý IV", "Cảnh báo")],
)
def test_empty_register_is_r14_an_error_for_the_year_only(ky, severity):
    p = parse_workbook(khom_book([{"STT": 1.0}, {"STT": 2.0}], info={"Kỳ báo cáo": ky}), CODES)
    assert [(f.code, f.place, f.severity.value) for f in p.findings] == [
        ("R14", f"'Danh sách hộ'!{col('Mã hộ')}4", severity)
    ]


def test_empty_register_with_unreadable_period_is_an_error():
    p = parse_workbook(khom_book([], info={"Kỳ báo cáo": "Quý V"}), CODES)
    assert sorted((f.code, f.severity.value) for f in p.findings) == [
        ("H02", "Lỗi"),
        ("R14", "Lỗi"),
    ]


def test_a_sheet_with_the_register_headers_is_r16_naming_it():
    book = khom_book([household("01")])
    second = khom_book([household("02")]).sheets["Danh sách hộ"]
    book.sheets["Danh sách hộ (2)"] = RawSheet("Danh sách hộ (2)", second.rows)
    book.sheets["Ghi nhớ"] = RawSheet("Ghi nhớ", [["Mã hộ", "ghi chép riêng"]])
    p = parse_workbook(book, CODES)
    assert [(f.code, f.sheet, f.row) for f in p.findings] == [("R16", "Danh sách hộ (2)", 3)]
    assert len(p.households()) == 1


def test_a_huge_version_number_in_the_marker_is_no_version():
    book = khom_book([household("01")])
    book.marker["phien_ban"] = "9" * 5000
    assert parse_workbook(book, CODES).version is None


def test_braces_typed_in_headers_and_sheet_names_are_shown_not_formatted():
    vp = HEADERS.index("Vi phạm pháp luật")
    book = _with_headers(khom_book([household("01")]), lambda h: [*h[:vp], "{PL}", *h[vp + 1 :]])
    second = khom_book([household("02")]).sheets["Danh sách hộ"]
    book.sheets["DS {2}"] = RawSheet("DS {2}", second.rows)
    p = parse_workbook(book, CODES)
    assert sorted(f.code for f in p.findings) == ["R01", "R16"]
    assert "“{PL}”" in p.findings[0].message and "“DS {2}”" in p.findings[1].message
