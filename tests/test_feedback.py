"""Feedback copies: the officer's own workbook with problem cells marked."""

from pathlib import Path

import openpyxl
import xlsxwriter

from tqd_sheets import catalog
from tqd_sheets.feedback import SHEET, feedback_name, write_feedback
from tqd_sheets.read import read_workbook


def source(tmp_path: Path) -> Path:
    p = tmp_path / "k1.xlsx"
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet("Danh sách hộ")
    ws.write("A1", "Mã hộ")
    ws.write("A2", "01")
    ws.write("B2", "12 người")
    wb.close()
    return p


def findings():
    return [
        catalog.make(
            "R03",
            file="k1.xlsx",
            sheet="Danh sách hộ",
            cell="B2",
            row=2,
            value="12 người",
            label="Số nhân khẩu",
            expected="số nguyên",
        ),
        catalog.make(
            "R09",
            file="k1.xlsx",
            sheet="Danh sách hộ",
            cell="A2",
            row=2,
            key="01",
            problem='=HYPERLINK("x")',
        ),
        catalog.make("I03", key="K9", name="Khóm 9"),
    ]


def test_cells_are_filled_and_commented_and_listed(tmp_path):
    src = source(tmp_path)
    before = src.read_bytes()
    out = write_feedback(tmp_path / "phan-hoi" / feedback_name(src.name), src, None, findings())
    assert out.name == "k1_kiem-tra.xlsx"
    assert src.read_bytes() == before  # the original is only read
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SHEET
    ws = wb["Danh sách hộ"]
    assert ws["B2"].fill.fgColor.rgb.endswith("FFC7CE")  # red: Lỗi
    assert ws["A2"].fill.fgColor.rgb.endswith("FFEB9C")  # yellow: Cảnh báo
    assert "[R03]" in ws["B2"].comment.text
    lst = wb[SHEET]
    places = [lst.cell(r, 1).value for r in range(5, 8)]
    assert places == ["(cả tệp)", "'Danh sách hộ'!A2", "'Danh sách hộ'!B2"]
    assert lst.cell(6, 1).hyperlink.location == "'Danh sách hộ'!A2"
    assert all(lst.cell(r, 4).data_type == "s" for r in range(5, 8))


def test_xls_or_ods_input_gets_an_xlsx_copy_rebuilt_from_values(tmp_path):
    src = source(tmp_path)
    raw, _ = read_workbook(src)
    fake_ods = tmp_path / "k1.ods"
    out = write_feedback(tmp_path / feedback_name(fake_ods.name), fake_ods, raw, findings())
    wb = openpyxl.load_workbook(out)
    assert out.suffix == ".xlsx"
    assert wb["Danh sách hộ"]["B2"].value == "12 người"
    assert wb["Danh sách hộ"]["B2"].fill.fgColor.rgb.endswith("FFC7CE")
