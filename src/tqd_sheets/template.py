"""Blank workbooks for the khóm and the ward, generated from the spec with xlsxwriter.

Every sheet, label, column, type and allowed value comes from `spec`; the rules listed on the
`Hướng dẫn` sheet come from `catalog`; khóm codes and names from the configuration. Nothing about
a column is written here a second time, so the template, the reader and the help sheet agree.

Layout (the reader finds things by labels and header text; this is what the generator writes):

- `Hướng dẫn` first and active: how to fill the workbook, from `help_rows`.
- `LabelSheet`: row 1 title, row 2 the unit and period, row 3 `Nội dung | Giá trị | Hướng dẫn`,
  then one row per field.
- `TableSheet`: row 1 title, row 2 an instruction (or each column's source agency), row 3 the
  headers, rows 4 … 3 + capacity the input cells.
- `CodeSheet`: row 1 title, row 2 the unit and period, row 3 `Mã | Nội dung | Giá trị |
  Hướng dẫn`, then one row per code.
- `_tqd` last and hidden: `loai`, `phien_ban`, `ky` (and `ma_khom` for a khóm) in A1:B4.

Only the input cells (tinted yellow) are unlocked; every sheet is protected without a password.

The same writers regenerate a filled workbook (a feedback copy): given a `Filled`, each value
cell holds what the officer typed instead of the blank's prefill, at `value_cell`.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from . import spec, units
from .atomic import write_atomic
from .catalog import DEFAULT_WORDS, RULES, checks_text
from .celltext import cell_text
from .config import Config
from .periods import KY_LABELS, Period
from .spec import CodeSheet, Field, Kind, LabelSheet, TableSheet, VType, WorkbookSpec
from .styles import FONT

FONT_SIZE = 12
INPUT_FILL = "#FFF2CC"  # light yellow: the cells an officer fills
GIVEN_FILL = "#D9D9D9"  # grey, locked: printed by the generator (codes, year, period, STT)
ANNUAL_FILL = "#EDEDED"  # light grey, still open: a yearly item in a quarter's blank
HEADER_FILL = "#D9D9D9"
NOTE_COLOUR = "#595959"

TITLE_ROW, SUB_ROW, HEADER_ROW, FIRST_ROW = 0, 1, 2, 3  # 0-based rows of every data sheet
HELP_HEADER = "Hướng dẫn"  # third/fourth column of label and code sheets
SERIAL = "stt"  # a table column pre-filled 1 … capacity (keeps validations alive in LibreOffice)

# in_memory: no temporary file per part (a slow disk made them most of the time).
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}

# Officers may widen columns and rows, sort and filter; nothing else.
PROTECT_OPTIONS = {
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "autofilter": True,
    "sort": True,
}

# Rule groups of the catalogue that concern each kind of workbook.
RULE_GROUPS: dict[Kind, tuple[str, ...]] = {
    Kind.KHOM: ("Tệp", "Thông tin", "Danh sách", "{Con}", "Hộp thư"),
    Kind.PHUONG: ("Tệp", "Thông tin", "{Cha}", "Hộp thư"),
}

HELP_WIDTHS = (34, 16, 42, 62)  # Hướng dẫn: Cột / Nội dung | Bắt buộc | Giá trị hợp lệ | Hướng dẫn
LABEL_WIDTHS = (32, 30, 52)  # Thông tin: Nội dung | Giá trị | Hướng dẫn
CODE_WIDTHS = (16, 60, 16, 38)  # Khóm, Chỉ tiêu: Mã (at least) | Nội dung | Giá trị | Hướng dẫn
LANDSCAPE_ABOVE = 100  # total column width beyond which a sheet prints landscape

TABLE_INSTRUCTION = (
    "Chỉ nhập vào các ô màu vàng, mỗi dòng một mục; không để dòng trống xen giữa, không gộp ô. "
    "Ô đánh dấu: ghi x nếu có, để trống nếu không."
)

# Value cells' number formats; text-like cells are text so that `0012` keeps its zeros.
NUM_FORMATS: dict[VType, str] = {
    VType.TEXT: "@",
    VType.KHOM_CODE: "@",
    VType.KY: "@",
    VType.CHOICE: "@",
    # Marks stay General: LibreOffice's .xls export stores a formula's text result in a
    # text-formatted cell in a way python-calamine reads as 0, a silent "no".
    VType.MONEY: "#,##0",
    VType.RATE: "0%",
    VType.DATE: "dd/mm/yyyy",
}
CENTERED = {VType.MARK, VType.KHOM_CODE, VType.KY, VType.CHOICE, VType.INTEGER, VType.RATE}

DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
KEEP_HINT = "Bấm Yes (Có) để vẫn giữ giá trị đã nhập, No (Không) để nhập lại."


# ── names ──────────────────────────────────────────────────────────────────────────────────


def ascii_word(cap: str) -> str:
    """`Khóm` → `Khom`, `Tổ dân phố` → `ToDanPho`: a kind in a file name any system keeps."""
    text = cap.replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return "".join(w[:1].upper() + w[1:] for w in bare.split())


def khom_template_name(code: str, period: Period, cap: str = units.DEFAULT_CHILD.cap) -> str:
    """`BieuKhom_K1_2020.xlsx`, `BieuAp_A1_2020.xlsx`: the child's kind, code and period."""
    return f"Bieu{ascii_word(cap)}_{code}_{period.id}.xlsx"


def ward_template_name(config: Config, period: Period) -> str:
    """`BieuPhuong_29917_2020.xlsx`, `BieuXa_29914_2020.xlsx`."""
    return f"Bieu{ascii_word(config.phuong.cap)}_{config.phuong.ma}_{period.id}.xlsx"


def workbook_spec(
    config: Config, kind: Kind, khom_code: str = "", year: int | None = None
) -> WorkbookSpec:
    """The workbook in the words of its unit: a khóm's says “Mã khóm”, an ấp's “Mã ấp”; the
    ward's lists children of every kind it has (`Mã khóm/ấp` in a merged phường). Titles are
    named as the year's rule set names them (NĐ 86/2023 from 2024)."""
    parent = config.phuong.level
    regime = config.rule_set(year).danh_hieu if year is not None else units.ND122
    if kind is Kind.KHOM:
        return spec.worded(kind, config.child_level(khom_code), parent, regime)
    return spec.worded(kind, units.mixed(config.child_levels), parent, regime)


# ── the help sheet, as data ────────────────────────────────────────────────────────────────


class HelpRow(NamedTuple):
    """One row of the `Hướng dẫn` sheet: a style and its cells (one cell spans A:D)."""

    style: str  # title | subtitle | text | heading | header | row | blank
    cells: tuple[str, ...]


FIELD_HEADERS = ("Cột / Nội dung", "Bắt buộc", "Giá trị hợp lệ", "Hướng dẫn")
RULE_HEADERS = ("Mã", "Mức", "Nhóm", "Nội dung kiểm tra")


def help_title(wb_spec: WorkbookSpec) -> str:
    title = wb_spec.title
    if title.startswith("BIỂU "):
        return "HƯỚNG DẪN NHẬP " + title  # HƯỚNG DẪN NHẬP BIỂU THU THẬP SỐ LIỆU CỦA KHÓM
    return f"HƯỚNG DẪN NHẬP BIỂU – {title}"


def _marks(wb_spec: WorkbookSpec) -> list[str]:
    return [f.label for sheet in wb_spec.sheets for f in sheet.fields if f.type is VType.MARK]


def annual_fields(wb_spec: WorkbookSpec) -> list[Field]:
    return [f for sheet in wb_spec.sheets for f in sheet.fields if f.annual]


def _general_lines(wb_spec: WorkbookSpec, period: Period | None = None) -> list[str]:
    """The rules of filling in, for someone who rarely uses a computer: what to click and
    type, in plain words, from the declarations."""
    w = {**DEFAULT_WORDS, **dict(wb_spec.words)}
    names = ", ".join(f"“{sheet.name}”" for sheet in wb_spec.sheets)
    lines = [
        f"Biểu có các trang (sheet) {names}: tên các trang nằm ở hàng dưới cùng của cửa sổ "
        "Excel; bấm vào tên trang để chuyển trang. Điền lần lượt từng trang.",
        "Chỉ gõ vào các ô nền vàng. Ô nền xám là ô đã in sẵn (mã, năm, kỳ, số thứ tự): "
        "không cần sửa và cũng không sửa được. Các ô khác được khóa để tránh gõ nhầm.",
        "Ô đánh dấu (" + ", ".join(_marks(wb_spec)) + "): gõ chữ x nếu có; để trống nghĩa "
        "là không.",
        "Cột “Bắt buộc” ở dưới cho biết ô nào phải điền: ô “bắt buộc” mà để trống thì biểu "
        "phải sửa lại rồi gửi lại. Riêng ô đánh dấu không có ô trống nào là sai: trống "
        "nghĩa là không, nên chỉ cần xem từng mục và gõ x cho mục có.",
        "Ngày gõ theo thứ tự ngày/tháng/năm, ví dụ 20/12/2020.",
    ]
    for sheet in wb_spec.sheets:
        if not isinstance(sheet, TableSheet):
            continue
        lines.append(
            f"Trang “{sheet.name}”: mỗi dòng một mục, bắt đầu từ dòng {FIRST_ROW + 1} (có tối "
            f"đa {sheet.capacity} dòng); không để dòng trống xen giữa, không gộp ô."
        )
        for code in sheet.unique:
            f = spec.field(sheet, code)
            line = f"“{f.label}” không được trùng nhau"
            if f.type is VType.TEXT and code.startswith("ma_"):
                line += "; ô đã định dạng chữ nên mã như 0012 giữ nguyên số 0 ở đầu"
            lines.append(line + ".")
        example = [(f.label, f.example) for f in sheet.fields if f.example]
        if example:
            shown = "; ".join(f"{label}: {value}" for label, value in example)
            lines.append(f"Ví dụ một dòng của trang “{sheet.name}”: {shown}.")
    annual = annual_fields(wb_spec)
    if period is not None and not period.is_year and annual:
        lines.append(
            f"Biểu này là biểu {period.words}. Các mục đánh giá cả năm ("
            + "; ".join(f"“{f.label}”" for f in annual)
            + ") có nền xám nhạt: ghi tình hình tính đến ngày lập biểu (chưa có thì để "
            "trống, riêng điểm tự chấm ghi điểm tạm tính); kết quả chính thức ghi ở biểu năm."
        )
    lines.append(
        "Lưu tệp bằng Ctrl+S (giữ dạng Excel .xlsx; LibreOffice hỏi thì chọn “Dùng định dạng "
        "Excel”). Không đổi tên, không xóa, không thêm trang."
    )
    if wb_spec.kind is Kind.KHOM:
        lines.append(
            "Gửi tệp cho cán bộ văn hóa {cha}. Nếu biểu còn chỗ cần sửa, {cha} gửi lại một bản "
            "có tô màu các ô cần sửa và trang “Cần sửa” nói rõ từng chỗ: sửa ngay trên bản đó "
            "rồi gửi lại.".format_map(w)
        )
    else:
        lines.append(
            "Có thể tự kiểm tra tệp trước khi tổng hợp bằng lệnh: tqd-sheets check TÊN_TỆP.xlsx"
        )
    return lines


def need_words(f: Field) -> str:
    """The `Bắt buộc` column: a mark is never missing (empty means no)."""
    if f.type is VType.MARK:
        return "x nếu có, trống là không"
    return f.need.value


def _field_help(f: Field, period: Period | None = None) -> str:
    text = f.help
    if f.source:
        text += f" (nguồn: {f.source})"
    if f.annual and period is not None and not period.is_year:
        text += f". Mục đánh giá cả năm: trong biểu {period.words} ghi tình hình đến ngày lập biểu"
    return text


def _sheet_intro(sheet: spec.Sheet) -> str:
    if isinstance(sheet, TableSheet):
        return (
            f"Dòng {HEADER_ROW + 1} là dòng tên cột; nhập số liệu từ dòng {FIRST_ROW + 1}. Các cột:"
        )
    if isinstance(sheet, CodeSheet):
        return (
            f"Mỗi dòng một mục: gõ vào cột “{sheet.value_header}”, không sửa cột "
            f"“{sheet.code_header}”."
        )
    return f"Mỗi dòng một thông tin: gõ vào cột “{sheet.value_header}”."


def _group_word(group: str, wb_spec: WorkbookSpec) -> str:
    """The catalogue's groups named after a kind (`{Con}`, `{Cha}`) in the workbook's words."""
    return group.format_map({**DEFAULT_WORDS, **dict(wb_spec.words)})


def help_rows(
    wb_spec: WorkbookSpec, context: str = "", period: Period | None = None
) -> list[HelpRow]:
    """What the `Hướng dẫn` sheet says: how to fill in, every field of every sheet; the
    unit's own workbook also lists the checks (a child's does not: its officer gets each
    problem explained in the marked copy, and the catalogue is in KiemTra)."""
    rows = [HelpRow("title", (help_title(wb_spec),))]
    if context:
        rows.append(HelpRow("subtitle", (context,)))
    rows += [HelpRow("blank", ()), HelpRow("heading", ("I. CÁCH ĐIỀN BIỂU",))]
    rows += [
        HelpRow("text", (f"{i}. {line}",))
        for i, line in enumerate(_general_lines(wb_spec, period), 1)
    ]
    rows += [HelpRow("blank", ()), HelpRow("heading", ("II. CÁC TRANG VÀ CÁC CỘT",))]
    for n, sheet in enumerate(wb_spec.sheets, 1):
        rows.append(HelpRow("heading", (f"{n}. Trang “{sheet.name}” – {sheet.title}",)))
        rows.append(HelpRow("text", (_sheet_intro(sheet),)))
        rows.append(HelpRow("header", FIELD_HEADERS))
        for f in sheet.fields:
            rows.append(
                HelpRow("row", (f.label, need_words(f), f.describe_type(), _field_help(f, period)))
            )
        rows.append(HelpRow("blank", ()))
    if wb_spec.kind is Kind.KHOM:
        return rows
    rows += [
        HelpRow("heading", ("III. CÁC NỘI DUNG ĐƯỢC KIỂM TRA KHI TỔNG HỢP",)),
        HelpRow(
            "text",
            (
                "Lỗi: biểu chưa được tổng hợp cho đến khi sửa xong. Cảnh báo: vẫn tổng hợp, "
                "nên kiểm tra lại. Ghi chú: chỉ để biết.",
            ),
        ),
        HelpRow("header", RULE_HEADERS),
    ]
    groups = RULE_GROUPS[wb_spec.kind]
    for rule in RULES.values():
        if rule.group in groups:
            group = _group_word(rule.group, wb_spec)
            checks = checks_text(rule, dict(wb_spec.words))
            rows.append(HelpRow("row", (rule.code, rule.severity.value, group, checks)))
    return rows


# ── formats ────────────────────────────────────────────────────────────────────────────────


class Formats:
    """Cached xlsxwriter formats; every one carries the Times New Roman font."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._wb = workbook
        self._cache: dict[tuple, Format] = {}
        self._values: dict[tuple, Format] = {}  # value(): one lookup per cell of a long list
        base = workbook.formats[0]
        base.set_font_name(FONT)
        base.set_font_size(FONT_SIZE)

    def __call__(self, **props: Any) -> Format:
        props = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter", **props}
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    @property
    def title(self) -> Format:
        return self(bold=True, font_size=14)

    @property
    def title_centered(self) -> Format:
        return self(bold=True, font_size=14, align="center")

    @property
    def subtitle(self) -> Format:
        return self(italic=True, align="center")

    @property
    def instruction(self) -> Format:
        return self(italic=True, font_color=NOTE_COLOUR)

    @property
    def source(self) -> Format:
        return self(
            italic=True, font_size=10, font_color=NOTE_COLOUR, text_wrap=True, align="center"
        )

    @property
    def header(self) -> Format:
        return self(bold=True, text_wrap=True, border=1, bg_color=HEADER_FILL, align="center")

    @property
    def label(self) -> Format:
        return self(text_wrap=True, border=1)

    @property
    def code(self) -> Format:
        return self(border=1, num_format="@")

    @property
    def note(self) -> Format:
        return self(italic=True, font_color=NOTE_COLOUR, text_wrap=True, border=1)

    def value(
        self, f: Field | None, value: object = None, mark: Mark | None = None, fill: str = ""
    ) -> Format:
        """An input cell of field `f` (None: a column the officer added) holding `value`.

        The number format follows the value when it would change what is read back: a date
        keeps a date format in any column, a number in a date column stays a number. `fill`:
        `GIVEN_FILL` for a cell the generator printed (locked), `ANNUAL_FILL` for a yearly
        item in a shorter period's blank.
        """
        kind = type(value)
        if kind is datetime:
            kind = (datetime, value.time() != time())  # type: ignore[union-attr]
        key = (id(f), kind, mark, fill)
        cached = self._values.get(key)
        if cached is None:
            cached = self._values[key] = self._value(f, value, mark, fill)
        return cached

    def _value(self, f: Field | None, value: object, mark: Mark | None, fill: str) -> Format:
        props: dict[str, Any] = {
            "locked": fill == GIVEN_FILL,
            "bg_color": fill or INPUT_FILL,
            "border": 1,
        }
        if f is not None and f.type in NUM_FORMATS:
            props["num_format"] = NUM_FORMATS[f.type]
        if f is not None and f.type in CENTERED:
            props["align"] = "center"
        if isinstance(value, datetime):
            has_time = value.time() != time()
            props["num_format"] = "dd/mm/yyyy hh:mm:ss" if has_time else "dd/mm/yyyy"
        elif isinstance(value, date):
            props["num_format"] = "dd/mm/yyyy"
        elif isinstance(value, time | timedelta):
            props["num_format"] = "[hh]:mm:ss" if isinstance(value, timedelta) else "hh:mm:ss"
        elif isinstance(value, int | float) and props.get("num_format") == "dd/mm/yyyy":
            props["num_format"] = "General"
        if mark is not None:
            props.update(bg_color=mark.fill, border=mark.border, border_color=mark.border_colour)
        return self(**props)


@dataclass(frozen=True)
class Mark:
    """How a problem cell stands out: a fill, and a border that survives grey printing."""

    fill: str
    border: int  # xlsxwriter border style: 5 thick, 8 medium dashed
    border_colour: str


# ── data validation ────────────────────────────────────────────────────────────────────────


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _n(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def mark_words(f: Field) -> tuple[str, ...]:
    """The dropdown of a mark cell: `x`, or `có`/`không` for a mark pre-filled with a word."""
    if isinstance(f.default, str) and f.default:
        return ("có", "không")
    return ("x",)


def _range(f: Field) -> dict[str, Any]:
    if f.min is not None and f.max is not None:
        return {"criteria": "between", "minimum": _n(f.min), "maximum": _n(f.max)}
    if f.min is not None:
        return {"criteria": ">=", "value": _n(f.min)}
    if f.max is not None:
        return {"criteria": "<=", "value": _n(f.max)}
    return {}


def validation(f: Field, config: Config) -> dict[str, Any] | None:
    """The xlsxwriter data validation of a value cell, or None."""
    prompt: dict[str, Any] = {}
    if f.help:
        prompt = {"input_title": _clip(f.label, 32), "input_message": _clip(f.help, 255)}
    error = {"error_title": _clip(f.label, 32)}
    expected = f.describe_type()

    def listed(values: tuple[str, ...], warn: bool, words: str) -> dict[str, Any]:
        message = f"“{f.label}”: {words}."
        if warn:
            message += " " + KEEP_HINT
        return {
            "validate": "list",
            "source": list(values),
            "error_type": "warning" if warn else "stop",
            "error_message": _clip(message, 255),
            **error,
            **prompt,
        }

    if f.type is VType.MARK:
        words = mark_words(f)
        text = expected if words == ("x",) else "ghi " + " hoặc ".join(words)
        return listed(words, True, text)
    if f.type is VType.CHOICE:
        return listed(f.choices, False, expected)
    if f.type is VType.KHOM_CODE:
        return listed(config.khom_codes, False, "chọn một trong: " + ", ".join(config.khom_codes))
    if f.type is VType.KY:
        return listed(KY_LABELS, False, expected)
    kind = {
        VType.INTEGER: "integer",
        VType.MONEY: "integer",
        VType.NUMBER: "decimal",
        VType.RATE: "decimal",
        VType.DATE: "date",
    }.get(f.type)
    bounds = _range(f)
    if f.type is VType.DATE:
        bounds = {"criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX}
    if kind and bounds:
        return {
            "validate": kind,
            **bounds,
            "error_type": "warning",
            "error_message": _clip(f"“{f.label}” phải là {expected}. {KEEP_HINT}", 255),
            **error,
            **prompt,
        }
    if prompt:
        return {"validate": "any", **prompt}
    return None


# ── filled workbooks ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class TableFill:
    """A list sheet's records as typed: one row per record, values in the order of the spec's
    fields followed by the officer's own columns (`extra`, their header texts)."""

    rows: Sequence[Sequence[object]]
    extra: Sequence[str] = ()
    # Empty numbered rows to keep after the records; None keeps the blank's whole capacity.
    spare: int | None = None


@dataclass(frozen=True)
class Filled:
    """The values to write instead of a blank's prefill (raw, as read from a workbook)."""

    values: Mapping[str, object] = field(default_factory=dict)  # label and code sheets by code
    tables: Mapping[str, TableFill] = field(default_factory=dict)  # by spec sheet name


# By the sheet's identity, holding the sheet itself: a spec unpickled from the cache or from a
# worker process is a new object, and once it is gone its id may name another sheet.
_COLUMNS: dict[int, tuple[spec.Sheet, dict[str, int]]] = {}


def _column_index(sheet: spec.Sheet) -> dict[str, int]:
    """Field code → 0-based position, per spec sheet."""
    kept = _COLUMNS.get(id(sheet))
    if kept is None or kept[0] is not sheet:
        kept = _COLUMNS[id(sheet)] = (sheet, {f.code: i for i, f in enumerate(sheet.fields)})
    return kept[1]


def value_cell(sheet: spec.Sheet, code: str, record: int = 0) -> tuple[int, int]:
    """0-based (row, column) of field `code`'s value in a generated workbook; for a list
    sheet, of record `record` (0-based). Label sheets hold values in column B, code sheets in
    C, list sheets one record per row under the header."""
    index = _column_index(sheet)[code]
    if isinstance(sheet, TableSheet):
        return FIRST_ROW + record, index
    return FIRST_ROW + index, 1 if isinstance(sheet, LabelSheet) else 2


# ── sheets ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Context:
    config: Config
    period: Period
    kind: Kind
    khom_code: str = ""

    @property
    def unit(self) -> str:
        ward = self.config.phuong
        return f"{ward.cap} {ward.ten}"

    @property
    def line(self) -> str:
        """Who and when: `Khóm 1 – Phường Tân Quy Đông – Năm 2020`."""
        parts = [self.unit, self.period.words]
        if self.kind is Kind.KHOM:
            parts.insert(0, self.config.khom_name(self.khom_code))
        return " – ".join(parts)

    @property
    def table_suffix(self) -> str:
        if self.kind is Kind.KHOM:
            return f"{self.config.khom_name(self.khom_code)} – {self.period.words}"
        return self.period.words

    def prefill(self) -> dict[str, object]:
        """Values printed in label sheets, by field code."""
        values: dict[str, object] = {"nam": self.period.year, "ky": self.period.ky_label}
        if self.kind is Kind.KHOM:
            values["ma_khom"] = self.khom_code
            values["ten_khom"] = self.config.khom_name(self.khom_code)
        return values

    def defaults(self) -> dict[str, object]:
        """Defaults that depend on the ward: the plan's khóm count is all its khóm."""
        return {"KHOM_VMDT": len(self.config.khom)}


def _write(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date | time | timedelta):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, cell_text(str(value)), fmt)


def write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    """Write a value as read from a workbook: numbers as numbers, text always as text."""
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)
    _write(ws, row, col, value, fmt)


def _print_setup(ws: Worksheet, widths: list[float], repeat: bool = False) -> None:
    ws.set_paper(9)  # A4
    if sum(widths) > LANDSCAPE_ABOVE:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&CTrang &P/&N")
    if repeat:
        ws.repeat_rows(TITLE_ROW, HEADER_ROW)


def _protect(ws: Worksheet) -> None:
    ws.protect("", dict(PROTECT_OPTIONS))


def _set_widths(ws: Worksheet, widths: tuple[float, ...] | list[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def _write_label_sheet(
    ws: Worksheet, sheet: LabelSheet, ctx: Context, fm: Formats, filled: Filled | None
) -> None:
    _set_widths(ws, LABEL_WIDTHS)
    last_col = len(LABEL_WIDTHS) - 1
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, sheet.title, fm.title_centered)
    ws.merge_range(SUB_ROW, 0, SUB_ROW, last_col, ctx.line, fm.subtitle)
    for col, text in enumerate((sheet.label_header, sheet.value_header, HELP_HEADER)):
        ws.write_string(HEADER_ROW, col, text, fm.header)
    given = ctx.prefill()
    prefill = given if filled is None else filled.values
    for f in sheet.fields:
        row, col = value_cell(sheet, f.code)
        ws.write_string(row, 0, f.label, fm.label)
        value = prefill.get(f.code)
        # What the generator printed is locked; a copy whose value differs stays open to fix.
        shade = GIVEN_FILL if f.code in given and value == given[f.code] else _shade(f, ctx)
        write_value(ws, row, col, value, fm.value(f, value, fill=shade))
        ws.write_string(row, 2, f.help, fm.note)
        fit_row(ws, row, [(f.label, LABEL_WIDTHS[0]), (f.help, LABEL_WIDTHS[2])])
        dv = validation(f, ctx.config)
        if dv:
            ws.data_validation(row, col, row, col, dv)
    ws.freeze_panes(FIRST_ROW, 0)
    _print_setup(ws, list(LABEL_WIDTHS))


def _write_code_sheet(
    ws: Worksheet, sheet: CodeSheet, ctx: Context, fm: Formats, filled: Filled | None
) -> None:
    code_width = max(CODE_WIDTHS[0], *(len(f.code) * 1.2 + 2 for f in sheet.fields))
    widths = [code_width, *CODE_WIDTHS[1:]]
    _set_widths(ws, widths)
    last_col = len(widths) - 1
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, sheet.title, fm.title_centered)
    ws.merge_range(SUB_ROW, 0, SUB_ROW, last_col, ctx.line, fm.subtitle)
    headers = (sheet.code_header, sheet.label_header, sheet.value_header, HELP_HEADER)
    for col, text in enumerate(headers):
        ws.write_string(HEADER_ROW, col, text, fm.header)
    defaults = ctx.defaults()
    for f in sheet.fields:
        row, col = value_cell(sheet, f.code)
        ws.write_string(row, 0, f.code, fm.code)
        ws.write_string(row, 1, f.label, fm.label)
        value = defaults.get(f.code, f.default) if filled is None else filled.values.get(f.code)
        write_value(ws, row, col, value, fm.value(f, value, fill=_shade(f, ctx)))
        note = _field_help(f, ctx.period)
        ws.write_string(row, 3, note, fm.note)
        fit_row(ws, row, [(f.label, CODE_WIDTHS[1]), (note, CODE_WIDTHS[3])])
        dv = validation(f, ctx.config)
        if dv:
            ws.data_validation(row, col, row, col, dv)
    ws.freeze_panes(FIRST_ROW, 0)
    _print_setup(ws, widths)


def _shade(f: Field, ctx: Context) -> str:
    """A yearly item in a quarter's or half-year's blank is shaded (and explained)."""
    return ANNUAL_FILL if f.annual and not ctx.period.is_year else ""


def _column_prefill(sheet: TableSheet, f: Field, ctx: Context) -> list[object]:
    if f.code == SERIAL:
        return list(range(1, sheet.capacity + 1))
    if f.code == sheet.anchor and f.type is VType.KHOM_CODE:
        return list(ctx.config.khom_codes)
    return []


def table_title(sheet: TableSheet, ctx: Context) -> str:
    """`DANH SÁCH HỘ GIA ĐÌNH – Khóm 1 – Năm 2020`."""
    return f"{sheet.title} – {ctx.table_suffix}"


def source_note(f: Field) -> str:
    """What a list sheet prints above a column filled from another agency's data."""
    return f"Nguồn: {f.source}"


EXTRA_WIDTH = 16  # a column the officer added, in a filled workbook


def _write_table_sheet(
    ws: Worksheet, sheet: TableSheet, ctx: Context, fm: Formats, filled: Filled | None
) -> None:
    table = filled.tables.get(sheet.name, TableFill(())) if filled else None
    records = len(table.rows) if table else 0
    extra = list(table.extra) if table else []
    rows = max(sheet.capacity, records)
    if table is not None and table.spare is not None:
        rows = min(rows, records + table.spare)
    last = FIRST_ROW + rows - 1
    widths = [f.width for f in sheet.fields] + [EXTRA_WIDTH] * len(extra)
    _set_widths(ws, widths)
    ws.write_string(TITLE_ROW, 0, table_title(sheet, ctx), fm.title)
    if any(f.source for f in sheet.fields):
        ws.set_row(SUB_ROW, 28)
        for col, f in enumerate(sheet.fields):
            if f.source:
                ws.write_string(SUB_ROW, col, source_note(f), fm.source)
    else:
        ws.write_string(SUB_ROW, 0, TABLE_INSTRUCTION, fm.instruction)
    ws.set_row(HEADER_ROW, 48)
    for col, f in enumerate(sheet.fields):
        ws.write_string(HEADER_ROW, col, f.label, fm.header)
        fmt = fm.value(f, fill=_shade(f, ctx))
        values = _column_prefill(sheet, f, ctx)
        given = fm.value(f, fill=GIVEN_FILL) if f.code == SERIAL else fmt
        start = 0
        if table is not None:
            # Typed values first; past them the blank's own prefill (only STT numbers).
            for i, row in enumerate(table.rows):
                value = row[col] if col < len(row) else None
                write_value(ws, FIRST_ROW + i, col, value, fm.value(f, value))
            start = records
            values = values if f.code == SERIAL else []
        for i in range(start, min(rows, len(values))):
            _write(ws, FIRST_ROW + i, col, values[i], given)
        for i in range(max(start, len(values)), rows):
            ws.write_blank(FIRST_ROW + i, col, None, fmt)  # most of the sheet: no dispatch
        dv = validation(f, ctx.config)
        if dv:
            ws.data_validation(FIRST_ROW, col, last, col, dv)
    for j, header in enumerate(extra):
        col = len(sheet.fields) + j
        ws.write_string(HEADER_ROW, col, cell_text(header), fm.header)
        for i, row in enumerate(table.rows if table else ()):
            value = row[col] if col < len(row) else None
            write_value(ws, FIRST_ROW + i, col, value, fm.value(None, value))
    codes = [f.code for f in sheet.fields]
    frozen_cols = max(codes.index(k) for k in sheet.record_keys) + 1
    ws.freeze_panes(FIRST_ROW, frozen_cols)
    ws.autofilter(HEADER_ROW, 0, last, len(widths) - 1)
    _print_setup(ws, widths, repeat=True)


LINE_HEIGHT = 16.5  # points per line of 12-point text


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column `width` characters wide (a safe estimate)."""
    return max(1, math.ceil(len(text) / (width * 1.1)))


def fit_row(ws: Worksheet, row: int, cells: list[tuple[str, float]]) -> None:
    """Give a row of wrapped cells the height its longest cell needs.

    Neither Excel nor LibreOffice grows such rows when opening an xlsxwriter file.
    """
    lines = max(_lines(text, width) for text, width in cells)
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines)


def _write_help_sheet(
    ws: Worksheet, wb_spec: WorkbookSpec, ctx: Context, fm: Formats, first: bool = True
) -> None:
    _set_widths(ws, HELP_WIDTHS)
    last_col = len(HELP_WIDTHS) - 1
    total = sum(HELP_WIDTHS)
    styles = {
        "title": fm.title_centered,
        "subtitle": fm.subtitle,
        "text": fm(text_wrap=True, valign="top"),
        "heading": fm(bold=True),
        "header": fm.header,
        "row": fm(text_wrap=True, border=1, valign="top"),
    }
    for row, item in enumerate(help_rows(wb_spec, ctx.line, ctx.period)):
        if item.style == "blank":
            continue
        fmt = styles[item.style]
        if len(item.cells) == 1:
            text = item.cells[0]
            if item.style == "text":
                fit_row(ws, row, [(text, total)])
            ws.merge_range(row, 0, row, last_col, text, fmt)
        else:
            for col, text in enumerate(item.cells):
                ws.write_string(row, col, text, fmt)
            fit_row(ws, row, list(zip(item.cells, HELP_WIDTHS, strict=False)))
    ws.hide_gridlines(2)
    _print_setup(ws, list(HELP_WIDTHS))
    if first:
        ws.activate()
        ws.set_first_sheet()


def _write_marker(ws: Worksheet, ctx: Context, fm: Formats) -> None:
    plain = fm()
    rows: list[tuple[str, object]] = [
        ("loai", ctx.kind.value),
        ("phien_ban", spec.TEMPLATE_VERSION),
        ("ky", ctx.period.id),
    ]
    if ctx.kind is Kind.KHOM:
        rows.append(("ma_khom", ctx.khom_code))
    for row, (key, value) in enumerate(rows):
        ws.write_string(row, 0, key, plain)
        _write(ws, row, 1, value, plain)
    ws.hide()


@dataclass
class Book:
    """A generated workbook still open for writing: its formats and sheets by name."""

    workbook: xlsxwriter.Workbook
    formats: Formats
    sheets: dict[str, Worksheet]


def open_book(
    path: Path,
    wb_spec: WorkbookSpec,
    ctx: Context,
    filled: Filled | None = None,
    lead: Sequence[str] = (),
) -> Book:
    """Write every sheet of `wb_spec` into a new workbook, after empty sheets named `lead`
    (the first of them active); the caller writes what is left, then closes it."""
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    fm = Formats(workbook)
    workbook.set_properties(
        {
            "title": f"{wb_spec.title} – {ctx.line}",
            "subject": "Phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
            "author": ctx.config.phuong.co_quan,
            "comments": "Biểu mẫu trống tạo bằng tqd-sheets; chỉ nhập vào các ô màu vàng.",
            "created": datetime.combine(ctx.period.start, time()),  # reproducible files
        }
    )
    writers: dict[type, Callable[..., None]] = {
        LabelSheet: _write_label_sheet,
        TableSheet: _write_table_sheet,
        CodeSheet: _write_code_sheet,
    }
    sheets = {name: workbook.add_worksheet(name) for name in lead}
    if lead:
        sheets[lead[0]].activate()
        sheets[lead[0]].set_first_sheet()
    help_ws = workbook.add_worksheet(spec.HELP_SHEET)
    _write_help_sheet(help_ws, wb_spec, ctx, fm, first=not lead)
    _protect(help_ws)
    sheets[spec.HELP_SHEET] = help_ws
    for sheet in wb_spec.sheets:
        ws = workbook.add_worksheet(sheet.name)
        writers[type(sheet)](ws, sheet, ctx, fm, filled)
        _protect(ws)
        sheets[sheet.name] = ws
    marker = workbook.add_worksheet(spec.MARKER_SHEET)
    _write_marker(marker, ctx, fm)
    _protect(marker)
    sheets[spec.MARKER_SHEET] = marker
    return Book(workbook, fm, sheets)


def _build(path: Path, wb_spec: WorkbookSpec, ctx: Context) -> None:
    open_book(path, wb_spec, ctx).workbook.close()


# ── public ─────────────────────────────────────────────────────────────────────────────────


def _write_file(path: Path, wb_spec: WorkbookSpec, ctx: Context) -> Path:
    def write(tmp: Path) -> None:
        _build(tmp, wb_spec, ctx)

    return write_atomic(Path(path), write)


def write_khom_template(path: Path, config: Config, period: Period, khom_code: str) -> Path:
    """The blank workbook of one child unit for one period."""
    if khom_code not in config.khom_codes:
        raise ValueError(
            f"Mã {config.children_word} '{khom_code}' không có trong cấu hình "
            f"(có: {', '.join(config.khom_codes)})."
        )
    ctx = Context(config, period, Kind.KHOM, khom_code)
    return _write_file(path, workbook_spec(config, Kind.KHOM, khom_code, period.year), ctx)


def write_ward_template(path: Path, config: Config, period: Period) -> Path:
    """The blank workbook of the ward for one period."""
    ctx = Context(config, period, Kind.PHUONG)
    return _write_file(path, workbook_spec(config, Kind.PHUONG, year=period.year), ctx)


def write_templates(out_dir: Path, config: Config, period: Period) -> list[Path]:
    """One blank workbook per configured khóm, then the ward's, into `out_dir`."""
    out_dir = Path(out_dir)
    paths = [
        write_khom_template(
            out_dir / khom_template_name(code, period, config.child_level(code).cap),
            config,
            period,
            code,
        )
        for code in config.khom_codes
    ]
    paths.append(write_ward_template(out_dir / ward_template_name(config, period), config, period))
    return paths


def generate(out_dir: Path, config: Config, period: Period) -> list[Path]:
    """What `tqd-sheets template` runs."""
    return write_templates(out_dir, config, period)
