"""`KiemTra_P.xlsx`: what the ward officer reads after a run.

`Tổng quan`: which workbook was used for each khóm and the ward, with its counts and status,
then the files that were ignored. `Chi tiết`: every finding, one row each, sorted by file, sheet
and row, filterable, with the header frozen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import unit_words, units
from .atomic import write_atomic
from .celltext import cell_text
from .findings import Severity
from .results import CHUA_NOP, CO_LOI, DA_TONG_HOP, Results
from .styles import FONT, Styles

OVERVIEW_SHEET = "Tổng quan"
DETAIL_SHEET = "Chi tiết"

OVERVIEW_COLUMNS = (
    ("loai", "Loại", 9),
    ("ma", "Mã", 8),
    ("ten", "Tên", 20),
    ("tep", "Tệp đã dùng", 30),
    ("ngay_lap", "Ngày lập", 12),
    ("so_ho", "Số hộ", 9),
    ("loi", "Số lỗi", 9),
    ("canh_bao", "Số cảnh báo", 11),
    ("trang_thai", "Trạng thái", 24),
    ("nop_tre", "Nộp trễ", 10),
)
DETAIL_COLUMNS = (
    ("Tệp", 26),
    ("{Con}", 8),  # the children's kind, from the run
    ("Sheet", 14),
    ("Ô", 22),
    ("Mã lỗi", 8),
    ("Mức độ", 10),
    ("Nội dung", 70),
    ("Giá trị", 16),
)
OVERVIEW_HEADER_ROW = 3  # 0-based row of the `Tổng quan` table header
NO_IGNORED = "Không có tệp nào bị bỏ qua."
NO_FINDINGS = "Không có lỗi hay cảnh báo nào: không có gì cần sửa."
LATE = "Nộp trễ"

STATUS_COLOURS = {
    DA_TONG_HOP: ("#C6EFCE", "#006100"),
    CO_LOI: ("#FFC7CE", "#9C0006"),
    CHUA_NOP: ("#D9D9D9", "#404040"),
}
SEVERITY_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C"}


def write_report(path: Path, results: Results) -> Path:
    """Write `KiemTra_P.xlsx` to `path` (atomically) and return `path`."""

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_format_properties": {"font_name": FONT, "font_size": 12},
            },
        )
        wb.set_properties({"title": f"Kết quả kiểm tra biểu – {results.period.words}"})
        st = _styles(wb)
        _overview(wb.add_worksheet(OVERVIEW_SHEET), st, results)
        _details(wb.add_worksheet(DETAIL_SHEET), st, results)
        wb.close()

    return write_atomic(path, write)


def summary(results: Results) -> str:
    """`Tổng hợp 3/4 khóm; 5 lỗi, 2 cảnh báo`."""
    errors = sum(1 for f in results.findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in results.findings if f.severity is Severity.WARNING)
    return f"{unit_words.coverage(results)}; {errors} lỗi, {warnings} cảnh báo"


def _styles(wb: Workbook) -> Styles:
    return Styles(wb, font_size=11, valign="top")


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _print_setup(ws: Worksheet, repeat: int) -> None:
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(repeat)
    ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')


def _overview(ws: Worksheet, st: Styles, r: Results) -> None:
    ncols = len(OVERVIEW_COLUMNS)
    for j, (_, _, width) in enumerate(OVERVIEW_COLUMNS):
        ws.set_column(j, j, width)
    ws.merge_range(0, 0, 0, ncols - 1, "", st(font_size=14, bold=True, align="center"))
    ws.write_string(
        0,
        0,
        f"KẾT QUẢ KIỂM TRA BIỂU – {r.period.words}",
        st(font_size=14, bold=True, align="center"),
    )
    ws.set_row(0, 24)
    ws.merge_range(1, 0, 1, ncols - 1, "", st(font_size=12, italic=True, align="center"))
    ws.write_string(1, 0, summary(r), st(font_size=12, italic=True, align="center"))
    if r.sample_data:
        ws.write_string(
            2,
            0,
            "DỮ LIỆU MẪU – chỉ để thử, không dùng để báo cáo",
            st(bold=True, font_color="#C00000"),
        )

    head = st(
        bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, align="center", valign="vcenter"
    )
    row = OVERVIEW_HEADER_ROW
    for j, (_, label, _) in enumerate(OVERVIEW_COLUMNS):
        ws.write_string(row, j, label, head)
    ws.set_row(row, 30)
    cell = st(border=1, text_wrap=True)
    centre = st(border=1, align="center")
    number = st(border=1, num_format="#,##0", align="right")
    date_fmt = st(border=1, num_format="dd/mm/yyyy", align="center")
    overview = r.overview if r.overview is not None else pd.DataFrame()
    for rec in overview.to_dict("records") if len(overview) else []:
        row += 1
        for j, (key, _, _) in enumerate(OVERVIEW_COLUMNS):
            x = rec.get(key)
            if key == "ngay_lap":
                if _missing(x):
                    ws.write_blank(row, j, None, date_fmt)
                elif isinstance(x, dt.date):
                    day = x if isinstance(x, dt.datetime) else dt.datetime(x.year, x.month, x.day)
                    ws.write_datetime(row, j, day, date_fmt)
                else:
                    ws.write_string(row, j, str(x), date_fmt)
            elif key in ("so_ho", "loi", "canh_bao"):
                if _missing(x):
                    ws.write_blank(row, j, None, number)
                else:
                    ws.write_number(row, j, float(x), number)
            elif key == "trang_thai":
                status = "" if _missing(x) else str(x)
                bg, fg = STATUS_COLOURS.get(status, (None, None))
                fmt = st(border=1, bold=True, bg_color=bg, font_color=fg) if bg else cell
                ws.write_string(row, j, status, fmt)
            elif key == "nop_tre":
                late = not _missing(x) and bool(x)
                ws.write_string(
                    row,
                    j,
                    LATE if late else "",
                    st(border=1, align="center", font_color="#9C0006") if late else centre,
                )
            else:
                ws.write_string(
                    row, j, "" if _missing(x) else str(x), centre if key in ("loai", "ma") else cell
                )

    row += 2
    ws.write_string(row, 0, "Các tệp bỏ qua", st(font_size=12, bold=True, valign="vcenter"))
    row += 1
    ignored = r.ignored if r.ignored is not None else pd.DataFrame()
    if not len(ignored):
        ws.write_string(row, 0, NO_IGNORED, st(italic=True))
    else:
        ws.merge_range(row, 1, row, ncols - 1, "", head)
        ws.write_string(row, 0, "Tệp", head)
        ws.write_string(row, 1, "Lý do", head)
        for rec in ignored.to_dict("records"):
            row += 1
            reason = "" if _missing(rec.get("ly_do")) else cell_text(str(rec.get("ly_do")))
            tep = "" if _missing(rec.get("tep")) else cell_text(str(rec.get("tep")))
            ws.write_string(row, 0, tep, cell)
            ws.merge_range(row, 1, row, ncols - 1, "", cell)
            ws.write_string(row, 1, reason, cell)
            if len(reason) > 110:
                ws.set_row(row, 15 * (len(reason) // 110 + 1) + 4)
    _print_setup(ws, OVERVIEW_HEADER_ROW)
    ws.print_area(0, 0, row, ncols - 1)


def _details(ws: Worksheet, st: Styles, r: Results) -> None:
    ncols = len(DETAIL_COLUMNS)
    head = st(
        bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, align="center", valign="vcenter"
    )
    con = units.mixed(unit_words.child_levels(r)).cap
    for j, (label, width) in enumerate(DETAIL_COLUMNS):
        ws.set_column(j, j, width)
        ws.write_string(0, j, label.format(Con=con), head)
    ws.set_row(0, 22)
    ws.freeze_panes(1, 0)
    findings = sorted(r.findings, key=lambda f: f.sort_key())
    if not findings:
        ws.merge_range(1, 0, 1, ncols - 1, "", st(italic=True))
        ws.write_string(1, 0, NO_FINDINGS, st(italic=True))
        _print_setup(ws, 0)
        return
    for i, f in enumerate(findings, start=1):
        fill = SEVERITY_FILL.get(f.severity)
        props: dict[str, Any] = {"border": 1, "text_wrap": True}
        if fill:
            props["bg_color"] = fill
        cell = st(**props)
        centre = st(**props, align="center")
        values = (f.file, f.khom, f.sheet, f.place, f.code, str(f.severity), f.message, f.value)
        for j, text in enumerate(values):
            # Messages quote what officers typed: no control character, no text past the limit.
            ws.write_string(i, j, cell_text(text or ""), centre if j in (1, 4, 5) else cell)
        lines = max(1, -(-len(f.message) // 80))  # the message column holds about 80 chars
        if lines > 1:
            ws.set_row(i, 15 * lines + 3)
    ws.autofilter(0, 0, len(findings), ncols - 1)
    _print_setup(ws, 0)
