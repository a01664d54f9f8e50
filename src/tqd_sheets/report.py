"""`KiemTra_P.xlsx`: what the ward officer reads after a run.

`Tổng quan`: which workbook was used for each child and the unit, its counts and status, when
it was due and when it came (late against the configured deadline), then the files that were
ignored. `Chi tiết`: every finding, grouped by child (errors first), each group headed by who
must act on it; the place as the officer sees it (`Danh sách hộ, dòng STT 4 (ô B7)`).
`Số liệu thay đổi`: a re-run that changed figures, old → new. `Giải thích mã lỗi`: the rule
catalogue, for the officer who meets a code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import catalog, registry, unit_words, units
from .atomic import write_atomic
from .celltext import cell_text
from .findings import Finding, Severity
from .forms import gc_paused
from .formspec import COUNT_FMT
from .results import CHUA_NOP, CO_LOI, DA_TONG_HOP, Results
from .results import missing as _missing
from .styles import FONT, Styles

OVERVIEW_SHEET = "Tổng quan"
DETAIL_SHEET = "Chi tiết"
CHANGES_SHEET = "Số liệu thay đổi"
RULES_SHEET = "Giải thích mã lỗi"

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
    ("han_nop", "Hạn nộp", 12),
    ("ngay_nhan", "Ngày nhận", 17),
    ("nop_tre", "Nộp trễ", 12),
)
DETAIL_COLUMNS = (
    ("Tệp", 22),
    ("{Con}", 8),  # the children's kind, from the run
    ("Sheet", 14),
    ("Chỗ cần sửa", 26),  # `Danh sách hộ, dòng STT 4 (ô B7)`
    ("Mã lỗi", 8),
    ("Mức độ", 10),
    ("Nội dung", 64),
    ("Giá trị", 14),
    ("Ô (tham chiếu)", 18),  # `'Danh sách hộ'!B7`, for filters and tools
)
DETAIL_HEADER_ROW = 1  # 0-based; the title is above
MESSAGE_CHARS = 72  # about what the message column holds per line
OVERVIEW_HEADER_ROW = 3  # 0-based row of the `Tổng quan` table header
NO_IGNORED = "Không có tệp nào bị bỏ qua."
NO_FINDINGS = "Không có lỗi hay cảnh báo nào: không có gì cần sửa."
LATE = "Nộp trễ"

WITH_WARNINGS = ("#FFEB9C", "#7F6000")  # consolidated, but warnings to look at
STATUS_COLOURS = {
    DA_TONG_HOP: ("#C6EFCE", "#006100"),
    CO_LOI: ("#FFC7CE", "#9C0006"),
    CHUA_NOP: ("#D9D9D9", "#404040"),
}
SEVERITY_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
# (file name, sheet, 1-based row) → the STT the officer sees on that row of a list
RowNames = Mapping[tuple[str, str, int], str]


def write_report(
    path: Path,
    results: Results,
    *,
    deadline: dt.date | None = None,
    received: Mapping[str, dt.datetime] | None = None,
    serials: RowNames | None = None,
) -> Path:
    """Write `KiemTra_P.xlsx` to `path` (atomically) and return `path`.

    `deadline`: the period's Hạn nộp (configuration); `received`: each input file's time (its
    modification time, when it reached the inbox); `serials`: the STT of each list row."""

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
        _overview(wb.add_worksheet(OVERVIEW_SHEET), st, results, deadline, received or {})
        _details(wb.add_worksheet(DETAIL_SHEET), st, results, serials or {})
        if results.changes is not None and len(results.changes):
            _changes(wb.add_worksheet(CHANGES_SHEET), st, results)
        _rules(wb.add_worksheet(RULES_SHEET), st, results)
        wb.close()

    with gc_paused():
        return write_atomic(path, write)


def summary(results: Results) -> str:
    """`Tổng hợp 3/4 khóm; 5 lỗi, 2 cảnh báo`."""
    errors = sum(1 for f in results.findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in results.findings if f.severity is Severity.WARNING)
    return f"{unit_words.coverage(results)}; {errors} lỗi, {warnings} cảnh báo"


def _styles(wb: Workbook) -> Styles:
    return Styles(wb, font_size=11, valign="top")


def _print_setup(ws: Worksheet, repeat: int) -> None:
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(repeat)
    ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')


def _day(x: Any) -> dt.datetime | None:
    if _missing(x):
        return None
    if isinstance(x, dt.datetime):
        return x
    if isinstance(x, dt.date):
        return dt.datetime(x.year, x.month, x.day)
    return None


def late_days(received: dt.datetime | None, deadline: dt.date | None) -> int:
    """Whole days after the deadline the file came (0: on time, or nothing to judge by)."""
    if received is None or deadline is None:
        return 0
    return max(0, (received.date() - deadline).days)


def _overview(
    ws: Worksheet,
    st: Styles,
    r: Results,
    deadline: dt.date | None,
    received: Mapping[str, dt.datetime],
) -> None:
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
    number = st(border=1, num_format=COUNT_FMT, align="right")  # 1.264 on every machine
    date_fmt = st(border=1, num_format="dd/mm/yyyy", align="center")
    time_fmt = st(border=1, num_format="dd/mm/yyyy hh:mm", align="center")
    overview = r.overview if r.overview is not None else pd.DataFrame()
    for rec in overview.to_dict("records") if len(overview) else []:
        row += 1
        tep = "" if _missing(rec.get("tep")) else str(rec.get("tep"))
        came = received.get(tep) if tep else None
        warned = not _missing(rec.get("canh_bao")) and int(rec.get("canh_bao") or 0) > 0
        for j, (key, _, _) in enumerate(OVERVIEW_COLUMNS):
            x = rec.get(key)
            if key in ("ngay_lap", "han_nop"):
                day = _day(deadline if key == "han_nop" else x)
                if day is None and not _missing(x) and key == "ngay_lap":
                    ws.write_string(row, j, str(x), date_fmt)
                elif day is None:
                    ws.write_blank(row, j, None, date_fmt)
                else:
                    ws.write_datetime(row, j, day, date_fmt)
            elif key == "ngay_nhan":
                if came is None:
                    ws.write_blank(row, j, None, time_fmt)
                else:
                    ws.write_datetime(row, j, came, time_fmt)
            elif key in ("so_ho", "loi", "canh_bao"):
                if _missing(x):
                    ws.write_blank(row, j, None, number)
                elif key == "canh_bao" and warned:
                    ws.write_number(row, j, float(x), st(border=1, align="right", bold=True))
                else:
                    ws.write_number(row, j, float(x), number)
            elif key == "trang_thai":
                status = "" if _missing(x) else str(x)
                bg, fg = STATUS_COLOURS.get(status, (None, None))
                if status == DA_TONG_HOP and warned:
                    bg, fg = WITH_WARNINGS  # consolidated, yet something to look at
                fmt = st(border=1, bold=True, bg_color=bg, font_color=fg) if bg else cell
                ws.write_string(row, j, status, fmt)
            elif key == "nop_tre":
                days = late_days(came, deadline)
                # Late by the file's time, or by its Ngày lập (the pipeline's I05).
                late = days > 0 or (not _missing(x) and bool(x))
                text = f"Trễ {days} ngày" if days else (LATE if late else "")
                ws.write_string(
                    row,
                    j,
                    text,
                    st(border=1, align="center", font_color="#9C0006", bold=True)
                    if late
                    else centre,
                )
            else:
                ws.write_string(
                    row, j, "" if _missing(x) else str(x), centre if key in ("loai", "ma") else cell
                )

    row += 1
    if deadline is not None:
        ws.write_string(
            row,
            0,
            f"Hạn nộp theo cấu hình: {deadline:%d/%m/%Y}. Ngày nhận: thời điểm tệp được lưu vào "
            "thư mục nhận biểu (inbox); nộp sau hạn được ghi “Trễ … ngày”.",
            st(italic=True, font_size=10),
        )
    row += 1
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


# ── Chi tiết ─────────────────────────────────────────────────────────────────────────────


def place_words(f: Finding, serials: RowNames) -> str:
    """`Danh sách hộ, dòng STT 4 (ô B7)`: the place as the officer finds it on screen."""
    if not f.sheet:
        return "(cả tệp)" if f.file else ""
    stt = serials.get((f.file, f.sheet, f.row)) if f.row else None
    if stt:
        return f"{f.sheet}, dòng STT {stt}" + (f" (ô {f.cell})" if f.cell else "")
    if f.cell:
        return f"{f.sheet}, ô {f.cell}"
    return f"{f.sheet}, dòng {f.row}" if f.row else f.sheet


class _Parties:
    """Who acts on a finding: the child's Ban vận động for its file, the unit's own officer
    for the unit's workbook and for the run itself (a missing file, an ignored one)."""

    def __init__(self, r: Results) -> None:
        self.r = r
        o = r.overview if r.overview is not None else pd.DataFrame()
        self.rows = o.to_dict("records") if len(o) else []
        self.by_code = {str(x.get("ma")): x for x in self.rows}
        self.by_file = {str(x.get("tep")): x for x in self.rows if not _missing(x.get("tep"))}
        self.position = {code: i for i, code in enumerate(self.by_code)}
        self.unit = unit_words.unit_level(r)

    def group(self, f: Finding) -> str:
        """The child (or unit) code a finding belongs to, "" for the run itself."""
        if f.khom and f.khom in self.by_code:
            return f.khom
        rec = self.by_file.get(f.file)
        return str(rec.get("ma")) if rec else (f.khom or "")

    def order(self, code: str) -> int:
        position = self.position.get(code)
        return len(self.position) + (0 if code else 1) if position is None else position

    def title(self, code: str, findings: list[Finding]) -> str:
        errors = sum(f.severity is Severity.ERROR for f in findings)
        warnings = sum(f.severity is Severity.WARNING for f in findings)
        counts = f"{errors} lỗi, {warnings} cảnh báo"
        rec = self.by_code.get(code)
        if rec is None:
            who = f"Cán bộ {self.unit.noun} (người tổng hợp)"
            name = code or "Chung cho lần tổng hợp"
            return f"{name} – {counts} – người xử lý: {who}"
        ten = "" if _missing(rec.get("ten")) else str(rec.get("ten"))
        tep = "" if _missing(rec.get("tep")) else str(rec.get("tep"))
        files = f" – tệp {tep}" if tep else ""
        return f"{ten or code}{files} – {counts} – người xử lý: {self.party(code)}"

    def party(self, code: str) -> str:
        rec = self.by_code.get(code)
        if rec is None or code == self.r.ward_code:
            return f"Cán bộ văn hóa {self.unit.noun}"
        level = units.LEVEL.get(str(rec.get("loai")), units.DEFAULT_CHILD)
        ten = "" if _missing(rec.get("ten")) else str(rec.get("ten"))
        if not ten:
            return level.ban
        # `Ban vận động` + `Khóm 2`; a name without its kind keeps the kind: `… khóm Tân An`
        body = level.ban.removesuffix(level.noun).strip()
        return f"{body} {ten}" if ten.startswith(level.cap) else f"{level.ban} {ten}"


def _details(ws: Worksheet, st: Styles, r: Results, serials: RowNames) -> None:
    ncols = len(DETAIL_COLUMNS)
    head = st(
        bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, align="center", valign="vcenter"
    )
    con = units.mixed(unit_words.child_levels(r)).cap
    ws.merge_range(0, 0, 0, ncols - 1, "", st(font_size=14, bold=True, align="center"))
    ws.write_string(
        0,
        0,
        f"CHI TIẾT LỖI VÀ CẢNH BÁO – {r.period.words} (theo từng {con.lower()}, lỗi trước)",
        st(font_size=14, bold=True, align="center"),
    )
    ws.set_row(0, 24)
    top = DETAIL_HEADER_ROW
    for j, (label, width) in enumerate(DETAIL_COLUMNS):
        ws.set_column(j, j, width)
        ws.write_string(top, j, label.format(Con=con), head)
    ws.set_row(top, 30)
    ws.freeze_panes(top + 1, 0)
    findings = list(r.findings)
    if not findings:
        ws.merge_range(top + 1, 0, top + 1, ncols - 1, "", st(italic=True))
        ws.write_string(top + 1, 0, NO_FINDINGS, st(italic=True))
        _print_setup(ws, top)
        return
    parties = _Parties(r)
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(parties.group(f), []).append(f)
    group_fmt = st(bold=True, border=1, bg_color="#EDEDED", text_wrap=True, valign="vcenter")
    row = top
    formats: dict[Severity, tuple[Format, Format, Format]] = {}
    for code in sorted(groups, key=parties.order):
        members = sorted(
            groups[code], key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), *f.sort_key())
        )
        row += 1
        ws.merge_range(row, 0, row, ncols - 1, "", group_fmt)
        ws.write_string(row, 0, cell_text(parties.title(code, members), 400), group_fmt)
        ws.set_row(row, 20)
        for f in members:
            row += 1
            if f.severity not in formats:
                formats[f.severity] = _row_formats(st, f.severity)
            _finding_row(ws, row, f, serials, formats[f.severity])
    ws.autofilter(top, 0, row, ncols - 1)
    _print_setup(ws, top)


def _row_formats(st: Styles, severity: Severity) -> tuple[Format, Format, Format]:
    """A finding row's formats (text, centred, its severity), made once per severity."""
    fill = SEVERITY_FILL.get(severity)
    props: dict[str, Any] = {"border": 1, "text_wrap": True, "valign": "top"}
    if fill:
        props["bg_color"] = fill
    # Errors are bold as well as red: the difference survives black-and-white printing.
    bold = severity is Severity.ERROR
    return st(**props), st(**props, align="center"), st(**props, align="center", bold=bold)


def _finding_row(
    ws: Worksheet, row: int, f: Finding, serials: RowNames, fmts: tuple[Format, Format, Format]
) -> None:
    cell, centre, sev = fmts
    where = place_words(f, serials)
    values = (f.file, f.khom, f.sheet, where, f.code, str(f.severity), f.message, f.value, f.place)
    for j, text in enumerate(values):
        # Messages quote what officers typed: no control character, no text past the limit.
        fmt = sev if j == 5 else centre if j in (1, 4) else cell
        ws.write_string(row, j, cell_text(text or ""), fmt)
    lines = max(
        -(-len(f.message) // MESSAGE_CHARS),
        -(-len(where) // 24),
        -(-len(f.file) // 20),
        1,
    )
    if lines > 1:
        ws.set_row(row, 15 * lines + 3)


# ── Số liệu thay đổi, Giải thích mã lỗi ─────────────────────────────────────────────────────


CHANGE_COLUMNS = (
    ("Mã đơn vị", 11),
    ("Tên đơn vị", 22),
    ("Chỉ tiêu", 40),
    ("Phân loại", 16),
    ("Số lần trước", 14),
    ("Số lần này", 14),
    ("Lần chạy trước", 18),
)


def _changes(ws: Worksheet, st: Styles, r: Results) -> None:
    """A re-run of the period that changed figures: each changed figure, old → new."""
    assert r.changes is not None
    ncols = len(CHANGE_COLUMNS)
    ws.merge_range(0, 0, 0, ncols - 1, "", st(font_size=14, bold=True, align="center"))
    ws.write_string(
        0,
        0,
        f"SỐ LIỆU THAY ĐỔI SO VỚI LẦN TỔNG HỢP TRƯỚC – {r.period.words}",
        st(font_size=14, bold=True, align="center"),
    )
    head = st(
        bold=True, border=1, bg_color="#D9E1F2", text_wrap=True, align="center", valign="vcenter"
    )
    for j, (label, width) in enumerate(CHANGE_COLUMNS):
        ws.set_column(j, j, width)
        ws.write_string(1, j, label, head)
    words = catalog.current_words()
    cell = st(border=1, text_wrap=True, valign="top")
    for i, rec in enumerate(r.changes.to_dict("records"), start=2):
        code = str(rec.get("ma_chi_tieu", ""))
        ind = registry.BY_CODE.get(code)
        name = ind.name.format_map(words) if ind else code
        rate = ind is not None and ind.is_rate
        fmt = st(border=1, valign="top", num_format="0.00%" if rate else COUNT_FMT)
        ws.write_string(i, 0, str(rec.get("ma_don_vi", "")), cell)
        ws.write_string(
            i, 1, "" if _missing(rec.get("ten_don_vi")) else str(rec["ten_don_vi"]), cell
        )
        ws.write_string(i, 2, f"{name} ({code})", cell)
        ws.write_string(i, 3, "" if _missing(rec.get("phan_loai")) else str(rec["phan_loai"]), cell)
        for j, key in ((4, "cu"), (5, "moi")):
            x = rec.get(key)
            if _missing(x):
                ws.write_string(i, j, "(không có)", cell)
            else:
                ws.write_number(i, j, float(x), fmt)
        when = rec.get("lan_truoc")
        ws.write_string(i, 6, "" if _missing(when) else str(when).replace("T", " ")[:16], cell)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, 1 + len(r.changes), ncols - 1)
    _print_setup(ws, 1)


def _rules(ws: Worksheet, st: Styles, r: Results) -> None:
    """The rule catalogue, in the run's words: what each code in `Chi tiết` checks."""
    child = units.mixed(unit_words.child_levels(r))
    words = units.words(child, unit_words.unit_level(r))
    columns = (("Mã", 7), ("Mức độ", 10), ("Biểu", 14), ("Nội dung kiểm tra", 100))
    ws.merge_range(0, 0, 0, len(columns) - 1, "", st(font_size=14, bold=True, align="center"))
    ws.write_string(0, 0, "GIẢI THÍCH MÃ LỖI", st(font_size=14, bold=True, align="center"))
    head = st(bold=True, border=1, bg_color="#D9E1F2", align="center", valign="vcenter")
    for j, (label, width) in enumerate(columns):
        ws.set_column(j, j, width)
        ws.write_string(1, j, label, head)
    cell = st(border=1, text_wrap=True, valign="top")
    for i, rule in enumerate(catalog.RULES.values(), start=2):
        checks = catalog.checks_text(rule, words)
        ws.write_string(i, 0, rule.code, cell)
        ws.write_string(i, 1, str(rule.severity), cell)
        ws.write_string(i, 2, rule.group.format_map(words), cell)
        ws.write_string(i, 3, checks, cell)
        lines = -(-len(checks) // 110)
        if lines > 1:
            ws.set_row(i, 15 * lines + 3)
    ws.freeze_panes(2, 0)
    _print_setup(ws, 1)
