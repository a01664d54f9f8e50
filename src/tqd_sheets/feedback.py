"""Feedback copies: the khóm's (or ward's) workbook regenerated with every problem marked.

The copy is never the sent file opened and saved again (a file openpyxl cannot round-trip would
abort the run). It is the blank workbook generated from the spec (`template.open_book`), filled
with every value the officer typed, as read — invalid ones too, so they can be fixed — so it
looks the same whatever format was sent. Problem cells get a fill, a thick border (which
survives grey printing) and a comment; the first sheet `Cần sửa` lists every finding with a
link to the cell where that value now is and the cell it had in the sent file; whatever typed
value has no place in the form is listed on the sheet `Khác`, so that nothing is lost.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import NamedTuple

from xlsxwriter.format import Format

from . import spec
from .atomic import write_atomic
from .celltext import cell_text
from .config import Config
from .findings import Finding, Severity, a1, col_number
from .parse import ROW, Parsed
from .periods import Period
from .read import RawSheet, RawWorkbook
from .spec import CodeSheet, Field, LabelSheet, TableSheet, WorkbookSpec, norm
from .template import (
    HELP_HEADER,
    SERIAL,
    TABLE_INSTRUCTION,
    Book,
    Context,
    Filled,
    Formats,
    Mark,
    TableFill,
    fit_row,
    help_rows,
    open_book,
    source_note,
    table_title,
    value_cell,
    write_value,
)
from .values import is_blank, text

# A returned copy is for correcting the register, not for starting a new one: it keeps the
# households and this many empty numbered rows, not the blank's whole capacity (the 700 empty
# rows of an 800-household copy were a third of its cost).
SPARE_ROWS = 200

SHEET = "Cần sửa"
OTHER_SHEET = "Khác"
COPY_SUFFIX = "_kiem-tra.xlsx"

# Red for errors, yellow for warnings, as in the report; the border tells them apart on paper.
MARKS = {
    Severity.ERROR: Mark("#FFC7CE", 5, "#C00000"),  # thick, solid
    Severity.WARNING: Mark("#FFEB9C", 8, "#9C5700"),  # medium, dashed
}
LINK_COLOUR = "#0563C1"
LIST_HEADERS = (
    "Ô cần sửa",
    "Ô trong tệp đã gửi",
    "Hộ / dòng",
    "Mã",
    "Mức độ",
    "Nội dung và cách sửa",
    "Giá trị",
)
LIST_WIDTHS = (24, 22, 30, 7, 10, 80, 24)
OTHER_HEADERS = ("Sheet trong tệp đã gửi", "Ô", "Nội dung đã nhập", "Vì sao ở đây")
OTHER_WIDTHS = (24, 9, 60, 48)
NOT_IN_FORM = "sheet không có trong biểu mẫu"
OUTSIDE = "nằm ngoài các ô nhập của biểu mẫu"
OTHER_FIRST = 2  # 0-based row of the first value on `Khác`
COMMENT = {"author": "tqd-sheets", "x_scale": 3, "y_scale": 2.5}


# ── names ───────────────────────────────────────────────────────────────────────────────────


def feedback_names(inputs: Iterable[str]) -> dict[str, str]:
    """A distinct copy name for each input name, the same whatever order they come in:
    `K1_2020.xlsx` → `K1_2020_kiem-tra.xlsx`; two inputs sharing a stem keep their suffix
    (`K1_2020_ods_kiem-tra.xlsx`); a name still taken gets a number (`K1_xls_2_kiem-tra.xlsx`)."""
    names = sorted(set(inputs), key=lambda n: (n.casefold(), n))
    stems: dict[str, int] = {}
    for n in names:
        stems[Path(n).stem.casefold()] = stems.get(Path(n).stem.casefold(), 0) + 1
    wanted = {}
    for n in names:
        p = Path(n)
        shared = stems[p.stem.casefold()] > 1
        wanted[n] = f"{p.stem}_{p.suffix.lstrip('.').lower()}" if shared else p.stem
    # A name that is some input's own stem wins it; the others number themselves after it.
    taken: set[str] = set()
    out: dict[str, str] = {}
    own = [n for n in names if wanted[n] == Path(n).stem]
    for n in own + [n for n in names if n not in own]:
        stem, k = wanted[n], 2
        while stem.casefold() in taken:
            stem, k = f"{wanted[n]}_{k}", k + 1
        taken.add(stem.casefold())
        out[n] = stem + COPY_SUFFIX
    return out


def feedback_name(input_name: str) -> str:
    """`K1_2020.ods` → `K1_2020_kiem-tra.xlsx` (the name of a lone input's copy)."""
    return feedback_names([input_name])[input_name]


# ── where every typed value goes ─────────────────────────────────────────────────────────────


class Spot(NamedTuple):
    """A cell of the copy and what it holds (a tuple: one per typed value of a long list)."""

    sheet: str
    row: int  # 0-based
    col: int
    value: object
    field: Field | None = None  # None: a column the officer added, or the `Khác` sheet
    who: str = ""  # the household (or unit) of a list row, for `Cần sửa`


@dataclass(frozen=True)
class Leftover:
    """A typed value with no place in the form."""

    sheet: str  # as named in the sent file
    ref: str
    value: object
    why: str


@dataclass
class ListPlace:
    """Where a list sheet of the sent file went: its records in order under the header."""

    spec: TableSheet
    header: int  # 0-based row of the header in the sent sheet
    records: dict[int, int]  # sent row → record index in the copy
    columns: dict[int, int]  # sent column → column in the copy (spec fields, then extras)
    rows: list[list[object]]  # the records' values, as written
    serial: int | None  # sent column of STT, printed in the blank

    def spot(self, r0: int, c0: int | None) -> Spot | None:
        """The copy's cell of a sent cell (the record's first cell when `c0` is None)."""
        i = self.records.get(r0)
        if i is None:
            return None
        values = self.rows[i]
        fields = self.spec.fields
        who = _who(self.spec, {f.code: v for f, v in zip(fields, values, strict=False)}, r0)
        row, _ = value_cell(self.spec, fields[0].code, i)
        if c0 is None:
            return Spot(self.spec.name, row, 0, None, None, who)
        col = self.columns.get(c0)
        if col is None:
            return None
        f = fields[col] if col < len(fields) else None
        return Spot(self.spec.name, row, col, values[col], f, who)

    def holds(self, r: int, c: int, v: object) -> bool:
        """Whether a sent cell is in the copy already (a value, a header, a printed STT)."""
        if c in self.columns and (r in self.records or r == self.header):
            return True
        return c == self.serial and r > self.header and isinstance(v, int | float)


@dataclass
class Layout:
    """The typed values placed into the form, and where each cell of the sent file went."""

    filled: Filled
    spots: dict[tuple[str, int, int], Spot] = field(default_factory=dict)  # label/code cells
    lists: dict[str, ListPlace] = field(default_factory=dict)  # by sent sheet (normalised)
    leftovers: list[Leftover] = field(default_factory=list)

    def spot(self, sheet: str, r0: int, c0: int | None) -> Spot | None:
        key = norm(sheet)
        if c0 is not None and (key, r0, c0) in self.spots:
            return self.spots[key, r0, c0]
        place = self.lists.get(key)
        return place.spot(r0, c0) if place else None


def _printed_texts(raw: RawWorkbook, wb_spec: WorkbookSpec, ctx: Context) -> set[str]:
    """Every text the blank the officer started from printed outside its input cells: that
    blank may name another khóm or period than the values typed (a wrong Mã khóm, a changed
    Kỳ), so the blank named by the hidden marker counts too."""
    texts = _template_texts(wb_spec, ctx)
    try:
        period = Period.parse(raw.marker.get("ky", ""))
    except ValueError:
        return texts
    code = raw.marker.get("ma_khom", ctx.khom_code)
    if (period, code) != (ctx.period, ctx.khom_code):
        texts |= _template_texts(wb_spec, Context(ctx.config, period, ctx.kind, code))
    return texts


def _template_texts(wb_spec: WorkbookSpec, ctx: Context) -> set[str]:
    """Every text a generated blank holds outside its input cells: not typed by anyone."""
    texts = {cell for row in help_rows(wb_spec, ctx.line, ctx.period) for cell in row.cells}
    texts |= {ctx.line, wb_spec.title, spec.HELP_SHEET, HELP_HEADER, TABLE_INSTRUCTION}
    for sheet in wb_spec.sheets:
        if isinstance(sheet, TableSheet):
            texts.add(table_title(sheet, ctx))
        texts.add(sheet.title)
        for name in ("label_header", "value_header", "code_header"):
            texts.add(getattr(sheet, name, ""))
        for f in sheet.fields:
            texts |= {f.label, f.help, f.code, source_note(f) if f.source else ""}
    return {norm(t) for t in texts if t}


def _ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return int(ref[len(letters) :]) - 1, col_number(letters) - 1


def _header_row(sheet: RawSheet, table: TableSheet, anchor_col: int) -> int | None:
    label = norm(spec.field(table, table.anchor).label)
    for r in range(min(len(sheet.rows), table.header_search_rows)):
        if norm(sheet.cell(r, anchor_col) or "") == label:
            return r
    return None


def _who(table: TableSheet, values: Mapping[str, object], row: int) -> str:
    """`Hộ STT 3 – 0012 – Nguyễn Văn A (dòng 6)`, or `K1 (dòng 5)`: a list row of the sent
    file, named as the officer knows it."""
    parts = []
    if not is_blank(values.get(SERIAL)):
        parts.append(f"STT {text(values[SERIAL])}")
    for code in table.record_keys:
        if not is_blank(values.get(code)):
            parts.append(text(values[code]))
    named = " – ".join(parts)
    if table.name == spec.HOUSEHOLDS.name:
        named = f"Hộ {named}"
    return cell_text(f"{named} (dòng {row + 1})", 200)


def lay_out(raw: RawWorkbook, parsed: Parsed, wb_spec: WorkbookSpec, ctx: Context) -> Layout:
    """Place every typed value of `raw` into the generated form; list what has no place."""
    values: dict[str, object] = {}
    tables: dict[str, TableFill] = {}
    out = Layout(Filled(values, tables))
    for sheet_spec in wb_spec.sheets:
        rs = raw.sheet(sheet_spec.name)
        if rs is None:
            continue
        key = norm(rs.name)
        if isinstance(sheet_spec, LabelSheet | CodeSheet):
            for f in sheet_spec.fields:
                cell = parsed.cells.get(f.code)
                if cell is None or norm(cell.sheet) != key:
                    continue
                r0, c0 = _ref(cell.ref)
                value = rs.cell(r0, c0)
                values[f.code] = value
                r, c = value_cell(sheet_spec, f.code)
                out.spots[key, r0, c0] = Spot(sheet_spec.name, r, c, value, f)
            continue
        place = _list_place(rs, sheet_spec, parsed)
        if place is not None:
            out.lists[key] = place
            extra = [
                text(rs.rows[place.header][c])
                for c in place.columns
                if place.columns[c] >= len(sheet_spec.fields)
            ]
            tables[sheet_spec.name] = TableFill(place.rows, extra, SPARE_ROWS)
    known = _printed_texts(raw, wb_spec, ctx)
    form_sheets = {norm(s.name) for s in wb_spec.sheets} | {norm(spec.HELP_SHEET)}
    for name, rs in raw.sheets.items():
        key = norm(name)
        if key == norm(spec.MARKER_SHEET):
            continue
        why = OUTSIDE if key in form_sheets else NOT_IN_FORM
        place = out.lists.get(key)
        printed = set() if place else _printed_serials(rs, wb_spec)
        for r, row in enumerate(rs.rows):
            for c, v in enumerate(row):
                if v == "" or v is None or is_blank(v) or (key, r, c) in out.spots:
                    continue
                if (r, c) in printed:
                    continue
                if place is not None and place.holds(r, c, v):
                    continue
                if isinstance(v, str) and norm(v) in known:
                    continue
                out.leftovers.append(Leftover(name, a1(r, c), v, why))
    return out


SERIAL_SEARCH_ROWS = 50  # how far down a list sheet whose header was not found to look for STT


def _printed_serials(rs: RawSheet, wb_spec: WorkbookSpec) -> set[tuple[int, int]]:
    """The blank's STT numbers in the otherwise empty rows of a list the reader could not
    read (its header or its sheet renamed): not typed, so not worth listing on `Khác`."""
    labels = {
        norm(f.label)
        for sheet in wb_spec.sheets
        if isinstance(sheet, TableSheet)
        for f in sheet.fields
        if f.code == SERIAL
    }
    for r, row in enumerate(rs.rows[:SERIAL_SEARCH_ROWS]):
        for c, v in enumerate(row):
            if isinstance(v, str) and norm(v) in labels:
                return {
                    (r2, c)
                    for r2 in range(r + 1, len(rs.rows))
                    if isinstance(rs.cell(r2, c), int | float)
                    and all(is_blank(x) for j, x in enumerate(rs.rows[r2]) if j != c)
                }
    return set()


def _list_place(rs: RawSheet, sheet_spec: TableSheet, parsed: Parsed) -> ListPlace | None:
    table = parsed.tables.get(sheet_spec.name)
    if table is None:
        return None  # no header found (R01): every value of the sheet goes to `Khác`
    col_of = {code: col_number(letter) - 1 for code, letter in table.columns.items()}
    hr = _header_row(rs, sheet_spec, col_of.get(sheet_spec.anchor, 0))
    if hr is None:
        return None
    fields = sheet_spec.fields
    sources: list[int | None] = [col_of.get(f.code) for f in fields]
    sources += [
        c
        for c, v in enumerate(rs.rows[hr])
        if c not in col_of.values() and not is_blank(v) and text(v) in table.extra
    ]
    columns = {c0: j for j, c0 in enumerate(sources) if c0 is not None}
    records: dict[int, int] = {}
    rows: list[list[object]] = []
    grid = rs.rows
    for i, r1 in enumerate(table.frame[ROW].tolist()):
        r0 = int(r1) - 1
        records[r0] = i
        cells = grid[r0]
        n = len(cells)
        rows.append([cells[c] if c is not None and c < n else None for c in sources])
    return ListPlace(sheet_spec, hr, records, columns, rows, col_of.get(SERIAL))


# ── the copy ─────────────────────────────────────────────────────────────────────────────────


def context_of(parsed: Parsed, config: Config, period: Period) -> Context:
    assert parsed.kind is not None
    return Context(config, period, parsed.kind, parsed.khom)


def write_feedback(
    path: Path,
    raw: RawWorkbook,
    parsed: Parsed,
    findings: Sequence[Finding],
    config: Config,
    period: Period,
) -> Path:
    """The marked copy of one sent workbook (`findings` are its errors and warnings)."""
    if parsed.kind is None:
        raise ValueError("không nhận ra tệp là biểu mẫu nào (thiếu dấu hiệu và các sheet)")
    wb_spec = parsed.spec or spec.WORKBOOKS[parsed.kind]
    ctx = context_of(parsed, config, period)
    layout = lay_out(raw, parsed, wb_spec, ctx)

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            # xlsxwriter tells of a dropped value in English on the terminal: here it is an
            # error of this copy (F07), never a silent loss.
            warnings.filterwarnings("error", module=r"xlsxwriter\b")
            book = open_book(tmp, wb_spec, ctx, layout.filled, lead=(SHEET,))
            _finish(book, layout, findings, raw.name, config.phuong.level.noun)
            book.workbook.close()

    return write_atomic(path, write)


@dataclass(frozen=True)
class Located:
    finding: Finding
    spot: Spot | None  # where it is marked in the copy; None: the file, a sheet, a lost row


def _locate(
    findings: Sequence[Finding], layout: Layout, other: dict[tuple[str, str], int]
) -> list[Located]:
    out = []
    for f in findings:
        spot = None
        key = norm(f.sheet)
        if f.sheet and f.cell:
            r0, c0 = _ref(f.cell)
            spot = layout.spot(f.sheet, r0, c0)
            if spot is None and (key, f.cell) in other:
                row = other[key, f.cell]
                spot = Spot(OTHER_SHEET, row, 2, layout.leftovers[row - OTHER_FIRST].value)
            if spot is None:
                spot = layout.spot(f.sheet, r0, None)
        elif f.sheet and f.row:
            spot = layout.spot(f.sheet, f.row - 1, None)
        out.append(Located(f, spot))
    return out


def _finish(book: Book, layout: Layout, findings: Sequence[Finding], name: str, cha: str) -> None:
    fm = book.formats
    other = {(norm(x.sheet), x.ref): i + OTHER_FIRST for i, x in enumerate(layout.leftovers)}
    if layout.leftovers:
        _other_sheet(book, layout.leftovers)
    located = _locate(findings, layout, other)
    by_cell: dict[tuple[str, int, int], list[Located]] = {}
    for item in located:
        if item.spot is not None:
            s = item.spot
            by_cell.setdefault((s.sheet, s.row, s.col), []).append(item)
    for (sheet, r, c), group in by_cell.items():
        worst = Severity.ERROR if any(i.finding.is_error for i in group) else Severity.WARNING
        spot = group[0].spot
        assert spot is not None
        ws = book.sheets[sheet]
        if sheet == OTHER_SHEET:
            write_value(ws, r, c, spot.value, _shown(fm, spot.value, MARKS[worst]))
        elif spot.value is not None or spot.field is not None:
            write_value(ws, r, c, spot.value, fm.value(spot.field, spot.value, MARKS[worst]))
        else:
            continue
        note = "\n".join(f"[{i.finding.code}] {i.finding.message}" for i in group)
        ws.write_comment(r, c, cell_text(note), COMMENT)
    _list_sheet(book, located, name, cha)


def _link(spot: Spot) -> str:
    return f"internal:'{spot.sheet}'!{a1(spot.row, spot.col)}"


def _list_sheet(book: Book, located: Sequence[Located], name: str, cha: str) -> None:
    """`cha`: the unit the workbook goes back to, in words (`phường`, `xã`)."""
    ws, fm = book.sheets[SHEET], book.formats
    ws.set_tab_color("#C00000")
    for c, w in enumerate(LIST_WIDTHS):
        ws.set_column(c, c, w)
    last = len(LIST_WIDTHS) - 1
    errors = sum(i.finding.is_error for i in located)
    ws.merge_range(0, 0, 0, last, cell_text(f"CÁC ĐIỂM CẦN SỬA – tệp {name}", 250), fm.title)
    intro = (
        f"{errors} lỗi (tô đỏ, viền đậm) phải sửa trước khi {cha} tổng hợp; "
        f"{len(located) - errors} cảnh báo (tô vàng, viền đứt) cần xem lại. Bấm vào ô ở cột A "
        "để đến chỗ cần sửa; di chuột lên ô được tô màu để đọc hướng dẫn. Bản này được lập lại "
        "từ biểu mẫu với mọi giá trị đã nhập, nên một ô có thể ở vị trí khác tệp đã gửi (cột B). "
        f"Sửa ngay trên bản này, lưu lại và gửi {cha}."
    )
    if OTHER_SHEET in book.sheets:
        intro += f" Các nội dung không có chỗ trong biểu mẫu được chép ở sheet “{OTHER_SHEET}”."
    ws.merge_range(1, 0, 1, last, intro, fm(italic=True, text_wrap=True, valign="top"))
    fit_row(ws, 1, [(intro, sum(LIST_WIDTHS))])
    header = fm.header
    for c, h in enumerate(LIST_HEADERS):
        ws.write_string(3, c, h, header)
    plain = fm(text_wrap=True, valign="top", border=1)
    link = fm(text_wrap=True, valign="top", border=1, font_color=LINK_COLOUR, underline=1)
    order = sorted(located, key=lambda i: i.finding.sort_key())
    for r, item in enumerate(order, 4):
        f, spot = item.finding, item.spot
        if spot is not None:
            ws.write_url(r, 0, _link(spot), link, string=f"'{spot.sheet}'!{a1(spot.row, spot.col)}")
        else:
            ws.write_string(r, 0, "(cả tệp)" if not f.sheet else "—", plain)
        ws.write_string(r, 1, cell_text(f.place or "(cả tệp)", 250), plain)
        ws.write_string(r, 2, spot.who if spot else "", plain)
        ws.write_string(r, 3, f.code, plain)
        mark = MARKS.get(f.severity)
        # Errors in bold too: the difference survives black-and-white printing.
        sev = fm(valign="top", border=1, bg_color=mark.fill, bold=f.is_error) if mark else plain
        ws.write_string(r, 4, f.severity.value, sev)
        message, value = cell_text(f.message), cell_text(f.value)
        ws.write_string(r, 5, message, plain)
        ws.write_string(r, 6, value, plain)
        fit_row(
            ws,
            r,
            [
                (message, LIST_WIDTHS[5]),
                (value, LIST_WIDTHS[6]),
                (spot.who if spot else "", LIST_WIDTHS[2]),
            ],
        )
    if not located:
        ws.write_string(4, 0, "Không có gì cần sửa.", fm())
    ws.freeze_panes(4, 0)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    ws.autofilter(3, 0, max(4, 3 + len(order)), last)


def _other_sheet(book: Book, leftovers: Sequence[Leftover]) -> None:
    ws = book.workbook.add_worksheet(OTHER_SHEET)
    book.sheets[OTHER_SHEET] = ws
    fm = book.formats
    for c, w in enumerate(OTHER_WIDTHS):
        ws.set_column(c, c, w)
    ws.write_string(
        0,
        0,
        "NỘI DUNG ĐÃ NHẬP KHÔNG CÓ CHỖ TRONG BIỂU MẪU – chép lại ở đây để không mất; "
        "nếu cần, chuyển vào đúng ô của biểu.",
        fm.title,
    )
    for c, h in enumerate(OTHER_HEADERS):
        ws.write_string(1, c, h, fm.header)
    plain = fm(text_wrap=True, valign="top", border=1)
    for r, x in enumerate(leftovers, OTHER_FIRST):
        ws.write_string(r, 0, cell_text(x.sheet), plain)
        ws.write_string(r, 1, x.ref, plain)
        write_value(ws, r, 2, x.value, _shown(fm, x.value))
        ws.write_string(r, 3, x.why, plain)
        if isinstance(x.value, str):
            fit_row(ws, r, [(x.value[:2000], OTHER_WIDTHS[2])])
    ws.freeze_panes(2, 0)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _shown(fm: Formats, value: object, mark: Mark | None = None) -> Format:
    """A plain cell of `Khác` for `value`: dates shown as dates; marked like the form."""
    props: dict[str, object] = {"text_wrap": True, "valign": "top", "border": 1}
    if isinstance(value, date):
        props["num_format"] = "dd/mm/yyyy"
    elif isinstance(value, time | timedelta):
        props["num_format"] = "hh:mm:ss"
    if mark is not None:
        props.update(bg_color=mark.fill, border=mark.border, border_color=mark.border_colour)
    return fm(**props)
