"""KiemTra_P.xlsx: overview, ignored files, every finding sorted and filterable."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from results_factory import make_results
from tqd_sheets.findings import Finding, Severity
from tqd_sheets.report import (
    DETAIL_SHEET,
    NO_FINDINGS,
    NO_IGNORED,
    OVERVIEW_HEADER_ROW,
    OVERVIEW_SHEET,
    write_report,
)


def build(tmp_path: Path, **kw):
    results = make_results(**kw)
    return write_report(tmp_path / "KiemTra_2020.xlsx", results), results


def grid(path: Path, sheet: str) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )


def texts(g: list[list]) -> list[str]:
    return [x for row in g for x in row if isinstance(x, str) and x]


def test_overview_title_summary_and_table(tmp_path):
    path, _results = build(tmp_path, included=("K1", "K2", "K3"), period="2020Q2")
    g = grid(path, OVERVIEW_SHEET)
    assert g[0][0] == "KẾT QUẢ KIỂM TRA BIỂU – Quý II năm 2020"
    # sample_findings(): five errors, two warnings, one note (not counted)
    assert g[1][0] == "Tổng hợp 3/4 khóm; 5 lỗi, 2 cảnh báo"
    h = OVERVIEW_HEADER_ROW
    assert g[h][:10] == [
        "Loại",
        "Mã",
        "Tên",
        "Tệp đã dùng",
        "Ngày lập",
        "Số hộ",
        "Số lỗi",
        "Số cảnh báo",
        "Trạng thái",
        "Nộp trễ",
    ]
    rows = g[h + 1 : h + 6]
    assert [r[1] for r in rows] == ["K1", "K2", "K3", "K4", "29917"]
    assert rows[0][5] == 120
    assert rows[2][9] == "Nộp trễ" and rows[0][9] == ""
    assert rows[3][8] == "Có lỗi – chưa tổng hợp" and rows[3][6] == 2
    assert rows[4][0] == "Phường"
    ws = openpyxl.load_workbook(path)[OVERVIEW_SHEET]
    date_cell = ws.cell(h + 2, 5)
    assert date_cell.number_format == "dd/mm/yyyy"
    assert date_cell.value.day == 11 and date_cell.value.month == 12
    status = {ws.cell(h + 1 + i, 9).value: ws.cell(h + 1 + i, 9).fill.fgColor.rgb for i in range(5)}
    assert status["Đã tổng hợp"].endswith("C6EFCE")
    assert status["Có lỗi – chưa tổng hợp"].endswith("FFC7CE")
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 0
    assert ws.cell(1, 1).font.name == "Times New Roman"


def test_not_submitted_is_grey_and_ignored_files_listed(tmp_path):
    path, _results = build(
        tmp_path,
        has_ward_workbook=False,
        ignored=[("~$K1.xlsx", "Tệp khóa của Excel"), ("ghi-chu.docx", "Không phải bảng tính")],
    )
    ws = openpyxl.load_workbook(path)[OVERVIEW_SHEET]
    ward = ws.cell(OVERVIEW_HEADER_ROW + 6, 9)
    assert ward.value == "Chưa nộp" and ward.fill.fgColor.rgb.endswith("D9D9D9")
    g = grid(path, OVERVIEW_SHEET)
    words = texts(g)
    assert "Các tệp bỏ qua" in words
    assert "~$K1.xlsx" in words and "Không phải bảng tính" in words
    assert NO_IGNORED not in words


def test_no_ignored_files_sentence(tmp_path):
    path, _ = build(tmp_path)
    assert NO_IGNORED in texts(grid(path, OVERVIEW_SHEET))


def test_details_sorted_by_file_sheet_row(tmp_path):
    path, results = build(tmp_path)
    g = grid(path, DETAIL_SHEET)
    assert g[0] == ["Tệp", "Khóm", "Sheet", "Ô", "Mã lỗi", "Mức độ", "Nội dung", "Giá trị"]
    body = [r for r in g[1:] if any(r)]
    assert len(body) == len(results.findings) == 8
    assert [(r[0], r[3]) for r in body] == [
        ("", ""),  # I03: no file, listed first
        ("K2_2020.xlsx", "'Danh sách hộ'!K5"),
        ("K4_2020.xlsx", "'Danh sách hộ'!B9"),
        ("K4_2020.xlsx", "'Danh sách hộ'!M9"),
        ("K4_2020.xlsx", "'Danh sách hộ'!I17"),
        ("K4_2020.xlsx", "'Danh sách hộ'!F30"),
        ("K4_2020.xlsx", "'Khóm'!C11"),
        ("~$K1.xlsx", ""),
    ]
    assert body[2][4:6] == ["R02", "Lỗi"]
    assert body[1][5] == "Cảnh báo" and body[7][5] == "Ghi chú"
    assert body[4][7] == "có"


def test_details_filter_freeze_and_colours(tmp_path):
    path, _results = build(tmp_path)
    ws = openpyxl.load_workbook(path)[DETAIL_SHEET]
    assert ws.auto_filter.ref == "A1:H9"
    assert ws.freeze_panes == "A2"
    fills = {ws.cell(r, 6).value: ws.cell(r, 7).fill.fgColor.rgb for r in range(2, 10)}
    assert fills["Lỗi"].endswith("FFC7CE")
    assert fills["Cảnh báo"].endswith("FFEB9C")
    assert ws.cell(2, 7).alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"


def test_no_findings_sentence(tmp_path):
    path, _ = build(tmp_path, findings=[])
    g = grid(path, DETAIL_SHEET)
    assert g[0][0] == "Tệp"
    assert g[1][0] == NO_FINDINGS
    assert grid(path, OVERVIEW_SHEET)[1][0] == "Tổng hợp 4/4 khóm; 0 lỗi, 0 cảnh báo"


def test_user_text_in_findings_stays_text(tmp_path):
    finding = Finding(
        "R03",
        Severity.ERROR,
        '=HYPERLINK("http://x")',
        "=bad.xlsx",
        "Danh sách hộ",
        "C5",
        5,
        "=SUM(A1:A9)",
        "K1",
    )
    path, _ = build(tmp_path, findings=[finding], ignored=[("=evil.xlsx", "=1+1")])
    wb = openpyxl.load_workbook(path)
    ws = wb[DETAIL_SHEET]
    for col in (1, 7, 8):
        assert ws.cell(2, col).data_type == "s"
        assert ws.cell(2, col).value.startswith("=")
    words = texts(grid(path, OVERVIEW_SHEET))
    assert "=evil.xlsx" in words and "=1+1" in words
    ov = wb[OVERVIEW_SHEET]
    cells = [c for row in ov.iter_rows() for c in row if c.value in ("=evil.xlsx", "=1+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
