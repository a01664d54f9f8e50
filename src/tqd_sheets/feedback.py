"""Feedback copies: the khóm's own workbook with every problem cell marked, for sending back.

The original in `inbox/` is only read. An .xlsx/.xlsm is copied with its formatting; an .xls or
.ods (which openpyxl cannot open) is rebuilt as .xlsx from the values read, at the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_atomic
from .findings import Finding, Severity
from .read import RawWorkbook
from .styles import FONT

SHEET = "Cần sửa"
FILLS = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFEB9C"),
}


def feedback_name(input_name: str, keep_suffix: bool = False) -> str:
    """`K1_2020.ods` → `K1_2020_kiem-tra.xlsx`; with `keep_suffix` (two inputs share a stem)
    `K1_2020_ods_kiem-tra.xlsx`, so that no copy overwrites another."""
    p = Path(input_name)
    stem = f"{p.stem}_{p.suffix.lstrip('.').lower()}" if keep_suffix else p.stem
    return f"{stem}_kiem-tra.xlsx"


def _text(cell, value: object) -> None:
    """Put text in a cell as text: a message quoting `=…` must never become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _open(source: Path, raw: RawWorkbook | None) -> openpyxl.Workbook:
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return openpyxl.load_workbook(source, keep_vba=False, keep_links=False)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sheet in raw.sheets.items() if raw else ():
        ws = wb.create_sheet(name[:31])
        if not sheet.visible:
            ws.sheet_state = "hidden"
        for r, row in enumerate(sheet.rows, 1):
            for c, v in enumerate(row, 1):
                if v not in ("", None):
                    _text(ws.cell(r, c), v)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb


def write_feedback(
    path: Path, source: Path, raw: RawWorkbook | None, findings: Sequence[Finding]
) -> Path:
    wb = _open(source, raw)
    marked = [f for f in findings if f.severity in FILLS]
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in marked:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), group in by_cell.items():
        cell = wb[sheet][ref]
        worst = Severity.ERROR if any(f.is_error for f in group) else Severity.WARNING
        cell.fill = FILLS[worst]
        text = "\n".join(f"[{f.code}] {f.message}" for f in group)
        cell.comment = Comment(text, "tqd-sheets", width=360, height=160)
    _list_sheet(wb, marked, source.name)
    return write_atomic(path, lambda tmp: wb.save(tmp))


def _list_sheet(wb: openpyxl.Workbook, findings: Sequence[Finding], name: str) -> Worksheet:
    ws = wb.create_sheet(SHEET, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    ws.sheet_properties.tabColor = "C00000"
    errors = sum(f.is_error for f in findings)
    _text(ws["A1"], f"CÁC ĐIỂM CẦN SỬA – tệp {name}")
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    _text(
        ws["A2"],
        f"{errors} lỗi (tô đỏ) phải sửa trước khi phường tổng hợp; "
        f"{len(findings) - errors} cảnh báo (tô vàng) cần xem lại. Bấm vào ô để đến chỗ cần "
        "sửa; di chuột lên ô được tô màu để đọc hướng dẫn. Sửa xong, lưu lại và gửi phường.",
    )
    ws["A2"].font = Font(name=FONT, italic=True)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:E2")
    ws.row_dimensions[2].height = 34
    headers = ["Ô", "Mã lỗi", "Mức độ", "Nội dung và cách sửa", "Giá trị"]
    for c, h in enumerate(headers, 1):
        cell = ws.cell(4, c)
        _text(cell, h)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for r, f in enumerate(sorted(findings, key=Finding.sort_key), 5):
        place = ws.cell(r, 1)
        _text(place, f.place or "(cả tệp)")
        if f.sheet in wb.sheetnames and f.cell:
            # An internal link (location), so Excel and LibreOffice jump inside the workbook.
            place.hyperlink = Hyperlink(ref=place.coordinate, location=f"'{f.sheet}'!{f.cell}")
            place.font = Font(name=FONT, color="0563C1", underline="single")
        else:
            place.font = Font(name=FONT)
        for c, v in enumerate((f.code, f.severity.value, f.message, f.value), 2):
            cell = ws.cell(r, c)
            _text(cell, v)
            cell.font = Font(name=FONT)
            cell.alignment = Alignment(wrap_text=c == 4, vertical="top")
        if f.severity in FILLS:
            ws.cell(r, 3).fill = FILLS[f.severity]
    if not findings:
        _text(ws.cell(5, 1), "Không có gì cần sửa.")
    for col, width in zip("ABCDE", (26, 9, 11, 90, 20), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    ws.auto_filter.ref = f"A4:E{max(5, 4 + len(findings))}"
    return ws
