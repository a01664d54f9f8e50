"""KiemTra_P.xlsx: overview, ignored files, every finding sorted and filterable."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from results_factory import make_results
from tqd_sheets.findings import Finding, Severity
from tqd_sheets.report import (
    CHANGES_SHEET,
    DETAIL_HEADER_ROW,
    DETAIL_SHEET,
    NO_FINDINGS,
    NO_IGNORED,
    OVERVIEW_HEADER_ROW,
    OVERVIEW_SHEET,
    RULES_SHEET,
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
    assert g[h][:12] == [
        "Loại",
        "Mã",
        "Tên",
        "Tệp đã dùng",
        "Ngày lập",
        "Số hộ",
        "Số lỗi",
        "Số cảnh báo",
        "Trạng thái",
        "Hạn nộp",
        "Ngày nhận",
        "Nộp trễ",
    ]
    rows = g[h + 1 : h + 6]
    assert [r[1] for r in rows] == ["K1", "K2", "K3", "K4", "29917"]
    assert rows[0][5] == 120
    # no file times given: late by Ngày lập (K3's I05)
    assert rows[2][11] == "Nộp trễ" and rows[0][11] == ""
    assert rows[3][8] == "Có lỗi – chưa tổng hợp" and rows[3][6] == 2
    assert rows[4][0] == "Phường"
    ws = openpyxl.load_workbook(path)[OVERVIEW_SHEET]
    date_cell = ws.cell(h + 2, 5)
    assert date_cell.number_format == "dd/mm/yyyy"
    assert date_cell.value.day == 11 and date_cell.value.month == 12
    status = {ws.cell(h + 1 + i, 2).value: ws.cell(h + 1 + i, 9).fill.fgColor.rgb for i in range(5)}
    assert status["K1"].endswith("C6EFCE")  # clean: green
    assert status["K2"].endswith("FFEB9C")  # consolidated with a warning: yellow
    # K2's warning count stands out in bold, K1's zero does not; both read "Đã tổng hợp"
    assert ws.cell(h + 3, 9).value == "Đã tổng hợp" and ws.cell(h + 3, 8).font.b
    assert ws.cell(h + 2, 9).value == "Đã tổng hợp" and not ws.cell(h + 2, 8).font.b
    assert status["K4"].endswith("FFC7CE")  # K3 left out: K4 has errors
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


def test_details_grouped_by_child_errors_first(tmp_path):
    path, results = build(tmp_path)
    g = grid(path, DETAIL_SHEET)
    assert g[0][0] == "CHI TIẾT LỖI VÀ CẢNH BÁO – Năm 2020 (theo từng khóm, lỗi trước)"
    assert g[DETAIL_HEADER_ROW] == [
        "Tệp",
        "Khóm",
        "Sheet",
        "Chỗ cần sửa",
        "Mã lỗi",
        "Mức độ",
        "Nội dung",
        "Giá trị",
        "Ô (tham chiếu)",
    ]
    body = [r for r in g[DETAIL_HEADER_ROW + 1 :] if any(r)]
    groups = [r[0] for r in body if not r[4]]
    assert groups == [
        "Khóm 2 – tệp K2_2020.xlsx – 0 lỗi, 1 cảnh báo – người xử lý: Ban vận động Khóm 2",
        "Khóm 3 – tệp K3_2020.xlsx – 0 lỗi, 1 cảnh báo – người xử lý: Ban vận động Khóm 3",
        "Khóm 4 – tệp K4_2020.xlsx – 5 lỗi, 0 cảnh báo – người xử lý: Ban vận động Khóm 4",
        "Chung cho lần tổng hợp – 0 lỗi, 0 cảnh báo – người xử lý: Cán bộ phường (người tổng hợp)",
    ]
    rows = [r for r in body if r[4]]
    assert len(rows) == len(results.findings) == 8
    assert [(r[1], r[4], r[8]) for r in rows] == [
        ("K2", "R10", "'Danh sách hộ'!K5"),
        ("K3", "I03", ""),
        # K4: its errors by sheet, then row, then column
        ("K4", "R02", "'Danh sách hộ'!B9"),
        ("K4", "R04", "'Danh sách hộ'!M9"),
        ("K4", "R04", "'Danh sách hộ'!I17"),
        ("K4", "R12", "'Danh sách hộ'!F30"),
        ("K4", "K01", "'Khóm'!C11"),
        ("", "F02", ""),
    ]
    assert rows[2][3] == "Danh sách hộ, ô B9"  # no STT known: the cell
    assert rows[6][3] == "Khóm, ô C11"
    assert rows[7][3] == "(cả tệp)" and rows[7][5] == "Ghi chú"
    assert rows[4][7] == "có"


def test_errors_before_warnings_within_a_child(tmp_path):
    e, w = Severity.ERROR, Severity.WARNING
    findings = [
        Finding("R10", w, "cảnh báo", "K1_2020.xlsx", "Danh sách hộ", "K5", 5, "", "K1"),
        Finding("R04", e, "lỗi", "K1_2020.xlsx", "Danh sách hộ", "I20", 20, "", "K1"),
    ]
    path, _ = build(tmp_path, findings=findings)
    rows = [r for r in grid(path, DETAIL_SHEET)[DETAIL_HEADER_ROW + 1 :] if r[4]]
    assert [(r[4], r[5]) for r in rows] == [("R04", "Lỗi"), ("R10", "Cảnh báo")]


def test_rows_named_by_stt_and_late_against_the_deadline(tmp_path):
    import datetime as dt

    f = Finding("R04", Severity.ERROR, "x", "K2_2020.xlsx", "Danh sách hộ", "I7", 7, "", "K2")
    results = make_results(findings=[f])
    path = write_report(
        tmp_path / "KiemTra_2020.xlsx",
        results,
        deadline=dt.date(2020, 12, 20),
        received={
            "K1_2020.xlsx": dt.datetime(2020, 12, 20, 23, 59),  # on the day: on time
            "K2_2020.xlsx": dt.datetime(2020, 12, 23, 8, 0),  # three days late
        },
        serials={("K2_2020.xlsx", "Danh sách hộ", 7): "4"},
    )
    rows = [r for r in grid(path, DETAIL_SHEET)[DETAIL_HEADER_ROW + 1 :] if r[4]]
    assert rows[0][3] == "Danh sách hộ, dòng STT 4 (ô I7)"
    ws = openpyxl.load_workbook(path)[OVERVIEW_SHEET]
    h = OVERVIEW_HEADER_ROW + 1  # 1-based header row
    assert ws.cell(h + 1, 10).value == dt.datetime(2020, 12, 20)  # Hạn nộp
    assert ws.cell(h + 1, 11).value == dt.datetime(2020, 12, 20, 23, 59)  # Ngày nhận
    assert ws.cell(h + 1, 12).value in ("", None)
    assert ws.cell(h + 2, 12).value == "Trễ 3 ngày"
    # K3's file has no time, but its Ngày lập is after the deadline (I05)
    assert ws.cell(h + 3, 12).value == "Nộp trễ" and ws.cell(h + 3, 11).value is None


def test_details_filter_freeze_and_colours(tmp_path):
    path, _results = build(tmp_path)
    ws = openpyxl.load_workbook(path)[DETAIL_SHEET]
    # title, header, 4 group rows and 8 findings
    assert ws.auto_filter.ref == "A2:I14"
    assert ws.freeze_panes == "A3"
    fills = {ws.cell(r, 6).value: ws.cell(r, 7).fill.fgColor.rgb for r in range(3, 15)}
    assert fills["Lỗi"].endswith("FFC7CE")
    assert fills["Cảnh báo"].endswith("FFEB9C")
    severity = {ws.cell(r, 6).value: ws.cell(r, 6).font.b for r in range(3, 15)}
    assert severity["Lỗi"] and not severity["Cảnh báo"]  # tells them apart in black and white
    assert ws.cell(4, 7).alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$2:$2"


def test_no_findings_sentence(tmp_path):
    path, _ = build(tmp_path, findings=[])
    g = grid(path, DETAIL_SHEET)
    assert g[DETAIL_HEADER_ROW][0] == "Tệp"
    assert g[DETAIL_HEADER_ROW + 1][0] == NO_FINDINGS
    assert grid(path, OVERVIEW_SHEET)[1][0] == "Tổng hợp 4/4 khóm; 0 lỗi, 0 cảnh báo"


def test_changed_figures_and_rule_catalogue(tmp_path):
    import pandas as pd

    results = make_results()
    results.changes = pd.DataFrame(
        [
            ("K2", "Khóm 2", "GDVH_DAT", "", 78.0, 80.0, "2020-12-21T09:30:00"),
            ("K2", "Khóm 2", "GDVH_DAT_TL", "", 78 / 95, 80 / 95, "2020-12-21T09:30:00"),
        ],
        columns=["ma_don_vi", "ten_don_vi", "ma_chi_tieu", "phan_loai", "cu", "moi", "lan_truoc"],
    )
    path = write_report(tmp_path / "KiemTra_2020.xlsx", results)
    g = grid(path, CHANGES_SHEET)
    assert g[2][:7] == [
        "K2",
        "Khóm 2",
        "Hộ đạt chuẩn GĐVH (GDVH_DAT)",
        "",
        78,
        80,
        "2020-12-21 09:30",
    ]
    assert g[3][2] == "Tỷ lệ hộ đạt chuẩn GĐVH (GDVH_DAT_TL)"
    ws = openpyxl.load_workbook(path)[CHANGES_SHEET]
    assert ws.cell(4, 6).number_format == "0.00%"
    rules = {r[0]: r for r in grid(path, RULES_SHEET)[2:]}
    assert rules["R04"][1] == "Lỗi" and rules["R04"][3]
    # without changes there is no such sheet
    plain, _ = build(tmp_path / "plain")
    assert CHANGES_SHEET not in CalamineWorkbook.from_path(str(plain)).sheet_names


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
    for col in (1, 7, 8):  # the finding's row, under the title, the header and its group
        assert ws.cell(4, col).data_type == "s"
        assert ws.cell(4, col).value.startswith("=")
    words = texts(grid(path, OVERVIEW_SHEET))
    assert "=evil.xlsx" in words and "=1+1" in words
    ov = wb[OVERVIEW_SHEET]
    cells = [c for row in ov.iter_rows() for c in row if c.value in ("=evil.xlsx", "=1+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_counts_look_the_same_on_every_machine(tmp_path):
    """Số hộ is written with the forms' literal separators (1.264 on an en-US machine too),
    not Excel's locale-dependent `#,##0`."""
    from tqd_sheets.formspec import COUNT_FMT

    path = write_report(tmp_path / "KiemTra.xlsx", make_results())
    ws = openpyxl.load_workbook(path)[OVERVIEW_SHEET]
    h = OVERVIEW_HEADER_ROW + 1
    so_ho = next(c.column for c in ws[h] if c.value == "Số hộ")
    assert ws.cell(h + 1, so_ho).number_format == COUNT_FMT
