"""`BaoCao_P.xlsx`: the statistical forms for the parent unit, ready to print and sign.

The forms are declared in `formspec` (columns as registry codes and declared roles); this
module draws them from a `Results` at any level (a phường over its khóm, a city over its
phường). Counts of the children's rows are plain numbers; totals, rates, changes and verdicts
are live formulas whose cached results are exactly what Excel or LibreOffice computes from the
cells (and what the pipeline computed). Rates are drawn in percent units (`formspec`).
`layout(results)` says where every figure is, for tests and recalculation checks.
"""

from __future__ import annotations

import gc
import math
import numbers
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import __version__, chart, formspec, registry, spec, titles, unit_words, units
from .atomic import write_atomic
from .config import Config
from .findings import a1, col_letter
from .formpage import (
    BODY_SIZE,
    COVERAGE_ROW,
    DASH,
    DEFAULT_COLUMN_PX,
    DIGIT_PX,
    FIRST_ROW,
    HEADER_ROWS,
    PERIOD_ROW,
    PRINTABLE_PX,
    TITLE_ROW,
    Heading,
    Page,
    column_px,
)
from .formpage import as_number as _num
from .formpage import rate as _rate
from .formspec import (
    CHANGE_FMT,
    COLUMNS,
    COUNT_FMT,
    FORM_SHEETS,
    NOT_INDICATORS,
    PERCENT,
    POINTS_FMT,
    RATE_FMT,
    SHORT_FMT,
    Col,
    Form,
    Role,
    Rows,
    number_format,
    rate_parts,
)
from .indicators import AGENCY_CODES
from .results import CHUA_DAT, CHUA_DU, DAT, DATA_COLUMNS, Results
from .results import missing as _missing
from .spec import MARKER_SHEET, OUTPUT_KIND, SAMPLE_NOTE
from .styles import FONT, Styles

__all__ = [
    "CHART_SHEET",
    "COLUMNS",
    "COMPARE_SHEET",
    "COUNT_ROW",
    "COVERAGE_ROW",
    "DATA_SHEET",
    "FIRST_ROW",
    "FORM_SHEETS",
    "HEADER_ROWS",
    "NOT_INDICATORS",
    "PERIOD_ROW",
    "SHEETS",
    "TITLE_ROW",
    "FormLayout",
    "layout",
    "write_forms",
]

CHART_SHEET = "Biểu đồ"
COMPARE_SHEET = "So sánh"
DATA_SHEET = "Dữ liệu"
SHEETS = (*FORM_SHEETS, CHART_SHEET, DATA_SHEET)

NO_DATA = "Chưa có số liệu hợp lệ"
NO_UNITS = "Chưa có biểu của {cha} – chưa có số liệu đơn vị"
# a parent's run reads its children's outputs: the units are theirs to report
NO_UNITS_OF_CHILDREN = "Chưa có số liệu cơ quan, đơn vị trong biểu của các {con}"
TOTAL = "Tổng cộng"
COUNT_ROW = "SO_KHOM_DAT"  # Biểu 02: row key of `Số khóm đạt …`
B01_TARGETS = ("GDVH_DK_TL", "GDVH_DAT_TL")  # rates compared with the year's targets
MONEY = tuple(i.code for i in registry.INDICATORS if i.format is registry.Format.MONEY)
AGENCY = AGENCY_CODES  # figures of the unit's own workbook's `Số liệu ngành`


def sheets(results: Results) -> tuple[str, ...]:
    """The sheets of a run's BaoCao, in order (`So sánh` only when history compares)."""
    compare = (COMPARE_SHEET,) if results.previous is not None else ()
    return (*FORM_SHEETS, CHART_SHEET, *compare, DATA_SHEET)


# --- the run's words ----------------------------------------------------------------------


def run_words(results: Results, config: Config) -> dict[str, str]:
    """`{con}`, `{cha}`… of the run, the titles named by the regime of the run's year."""
    kids = config.child_levels or unit_words.child_levels(results)
    children = units.mixed(kids)
    w = units.words(children, config.phuong.level)
    rules = config.rule_set(results.period.year)
    found = [t for t in (titles.title_for(lv.cap, rules) for lv in kids) if t is not None]
    names = list(dict.fromkeys(t.name for t in found))
    w["danh_hieu_con"] = "/".join(names) or w["danh_hieu_con"]
    # what a child "đạt": `chuẩn văn minh đô thị`, `chuẩn văn hóa`, `tiêu biểu`
    reached = [t.phrase if t.phrase.startswith("chuẩn") else f"chuẩn {t.phrase}" for t in found]
    reached = [x.replace("chuẩn tiêu biểu", "tiêu biểu") for x in reached]
    w["dat_con"] = "/".join(dict.fromkeys(reached)) or f"chuẩn {w['chuan_con']}"
    # Biểu 05b's last columns: a child's own mark at a ward; above it, each child's count of
    # its own children that meet the criterion
    if config.phuong.level.rank <= 1:
        w["dat_cot"] = f"{w['Con']} đạt"
        w["dat_cot_note"] = (
            f"cột {w['con']} đạt: 1 là đạt, 0 là chưa đạt, dòng Tổng cộng là số {w['con']} đạt."
        )
    else:
        lowest = units.nouns([lv for lv in units.LEVELS if lv.rank == 0])
        w["dat_cot"] = f"Số {lowest} đạt"
        w["dat_cot_note"] = f"cột Số {lowest} đạt: số đơn vị đạt trong từng {w['con']}."
    parent = titles.title_name(config.phuong.level.cap, rules)
    w["danh_hieu_cha"] = parent or w["danh_hieu_cha"]
    return w


def title(sheet: str, words: Mapping[str, str] | None = None) -> str:
    """A form's title in the run's words (khóm and phường when none are given)."""
    w = dict(words or units.words(units.DEFAULT_CHILD, units.DEFAULT_PARENT))
    w.setdefault("dat_con", f"chuẩn {w['chuan_con']}")
    return formspec.title(formspec.BY_SHEET[sheet], w)


# --- which columns a run draws -------------------------------------------------------------


def form_columns(form: Form, results: Results) -> tuple[Col, ...]:
    """The declared columns this run draws: comparisons only with last year's figures, a
    title criterion only when some child has it (a city's phường have none of a khóm's)."""
    cols = [c for c in form.columns if results.previous is not None or not c.only_with_previous]
    t = results.khom_titles
    if form.rows is Rows.CHILDREN and t is not None and len(t):
        judged = t[t.ma_khom.isin(results.included)] if "ma_khom" in t else t
        cols = [
            c
            for c in cols
            if c.role is not Role.CRITERION
            or (c.code in judged and judged[c.code].map(lambda x: not _missing(x)).any())
        ]
    # a verdict or gap needs its target: a run without one (a city's) leaves them out
    targets = results.targets
    aimed = set() if targets is None or "ma" not in targets else set(targets.ma.astype(str))
    cols = [
        c
        for c in cols
        if c.role not in (Role.VERDICT, Role.SHORT) or c.of in aimed or form.rows is Rows.TARGETS
    ]
    # Columns left out give their room to the column declared to fill (the reasons).
    spare = (PRINTABLE_PX - sum(column_px(c.width) for c in cols)) // DIGIT_PX
    if spare > 0:
        cols = [replace(c, width=c.width + spare) if c.fill else c for c in cols]
    return tuple(cols)


@dataclass(frozen=True)
class FormLayout:
    """Where a form's figures are: 0-based rows and columns, `cell()` gives A1."""

    sheet: str
    columns: Mapping[str, int]  # column code → column
    rows: Mapping[str, int]  # child code / unit code (Tổng cộng) / loại / target code → row
    header_rows: tuple[int, int] = HEADER_ROWS
    first_row: int = FIRST_ROW
    last_row: int = FIRST_ROW  # last row of the table (inclusive)

    def cell(self, key: str, code: str) -> str:
        return a1(self.rows[key], self.columns[code])

    def ref(self, key: str, code: str) -> str:
        """The cell as another sheet refers to it: `'Biểu 01'!$G$15`."""
        row, col = self.rows[key], self.columns[code]
        return f"'{self.sheet}'!${col_letter(col)}${row + 1}"


def layout(results: Results) -> dict[str, FormLayout]:
    """Where each form puts each unit's row and each indicator's column."""
    out = {}
    ward = results.ward_code
    for form in formspec.FORMS:
        cols = {c.code: i for i, c in enumerate(form_columns(form, results))}
        if form.rows is Rows.CHILDREN:
            keys = [*results.expected, ward]
            if form.count_row:
                keys.append(COUNT_ROW)
        elif form.rows is Rows.UNIT_TYPES:
            loai = [str(x) for x in results.units_by_type.get("loai", pd.Series(dtype=object))]
            keys = [*loai, ward] if loai else []
        else:
            keys = [str(x) for x in results.targets.get("ma", pd.Series(dtype=object))]
        rows = {k: FIRST_ROW + i for i, k in enumerate(keys)}
        out[form.sheet] = FormLayout(
            form.sheet, cols, rows, last_row=FIRST_ROW + max(len(keys), 1) - 1
        )
    return out


# --- values the forms show that no single Results field holds -----------------------------


def households_short(dat: float, ho: float, target: float) -> float:
    """Households still needed for `dat / ho * 100 >= target * 100` (as the verdict compares);
    0 when met, NaN when it cannot be said."""
    if _missing(dat) or _missing(ho) or _missing(target) or ho <= 0:
        return math.nan
    goal = target * PERCENT
    n = max(0, math.ceil(target * ho - dat) - 1)
    while (dat + n) / ho * PERCENT < goal:
        n += 1
    return float(n)


def target_results(results: Results, lay: Mapping[str, FormLayout]) -> dict[str, tuple[str, Any]]:
    """Biểu 04's results: target code → (the form cell it is read from, that cell's value).

    The values come from `results` (the run's figures), never from what another form stored
    while it was written; the references keep Biểu 04 live when an officer edits a form."""
    ward = results.ward_code
    out: dict[str, tuple[str, Any]] = {}
    for code in B01_TARGETS:
        value = _rate(*results.fraction(ward, code)) if results.included else DASH
        if isinstance(value, float) and math.isnan(value):
            value = DASH
        out[code] = (lay["Biểu 01"].ref(ward, code), value)
    l02 = lay["Biểu 02"]
    t = results.khom_titles
    dat = 0
    if t is not None and len(t):
        dat = int(((t.ket_qua == DAT) & t.ma_khom.isin(results.included)).sum())
    out["KHOM_VMDT"] = (l02.ref(COUNT_ROW, "KET_QUA"), dat)
    l03 = lay["Biểu 03"]
    if ward in l03.rows:
        out["DV_DAT_TL"] = (l03.ref(ward, "DV_DAT_TL"), _rate(*results.fraction(ward, "DV_DAT_TL")))
    return out


def data_cells(column: pd.Series) -> list[str | float | int | None]:
    """What `Dữ liệu` writes for each value of a column: the text of a text, a number (a
    truth value as 1 or 0), None for a missing or infinite figure (the cell stays empty)."""
    values = column.tolist()
    if column.dtype.kind == "f":
        finite = np.isfinite(column.to_numpy(dtype=float, na_value=np.nan)).tolist()
        return [x if ok else None for x, ok in zip(values, finite, strict=True)]
    return [x if type(x) is str else _data_cell(x) for x in values]


def _data_cell(x: object) -> str | float | int | None:
    if _missing(x):
        return None
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, numbers.Real):
        return None if math.isinf(float(x)) else float(x)
    return str(x)


def child_names(config: Config) -> dict[str, str]:
    """Child code → name, the first of a code as `Config.khom_name` finds it."""
    names: dict[str, str] = {}
    for k in config.khom:
        names.setdefault(k.ma, k.ten)
    return names


def _number_vi(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").replace(".", ",")


def _literal(x: float) -> str:
    """A number format that shows `x` as a Vietnamese reader writes it, on any machine."""
    return "0" if float(x).is_integer() else f'"{_number_vi(x)}"'


# --- entry point ---------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection of cyclic garbage while an output file is built; the collector's
    state is restored after (and any cycle left is collected then).

    A writer makes hundreds of thousands of small objects (cells, XML strings, formats) that die
    by reference counting; a consolidation keeps every workbook's frames alive meanwhile, so
    each automatic collection the allocations trigger walks all of them, again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_forms(path: Path, results: Results, config: Config) -> Path:
    """Write `BaoCao_P.xlsx` to `path` (atomically) and return `path`."""

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_format_properties": {"font_name": FONT, "font_size": 12},
                "default_column_width": DEFAULT_COLUMN_PX,
            },
        )
        wb.set_properties(
            {
                "title": f"Báo cáo phong trào xây dựng đời sống văn hóa – {results.period.words}",
                "subject": unit_words.coverage(results),
                "author": config.phuong.co_quan,
                "company": config.phuong.co_quan,
            }
        )
        _Renderer(wb, results, config).write()
        _write_marker(wb, results, config)
        wb.close()

    with gc_paused():
        return write_atomic(path, write)


def marker_rows(results: Results, config: Config) -> list[tuple[str, str]]:
    """The hidden marker of an output (levels.md): what a parent's run recognises it by."""
    return [
        ("loai", OUTPUT_KIND),
        ("phien_ban", __version__),
        ("ky", results.period.id),
        ("ma_don_vi", results.ward_code),
        ("cap", config.don_vi.cap),
        ("ma_don_vi_cha", config.don_vi.ma_cha),
        ("tong_hop", f"{len(results.included)}/{len(results.expected)}"),
        ("du_lieu_mau", "1" if results.sample_data else "0"),
        # When this run wrote it: of two outputs of one child, the parent uses the later (U05).
        ("thoi_gian", datetime.now().astimezone().isoformat(timespec="seconds")),
    ]


def _write_marker(wb: Workbook, results: Results, config: Config) -> None:
    ws = wb.add_worksheet(MARKER_SHEET)
    for row, (key, value) in enumerate(marker_rows(results, config)):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.hide()


# --- the renderer --------------------------------------------------------------------------


class _Styles(Styles):
    def __init__(self, wb: Workbook) -> None:
        super().__init__(wb, font_size=12, valign="vcenter")
        # Every figure cell asks for its format: found by the arguments as given, without
        # building and sorting the full property set each time.
        self._cells: dict[tuple, Format] = {}
        self._numbers: dict[tuple[str, bool], Format] = {}

    def cell(self, **props: Any) -> Format:
        """A table cell: bordered, body size."""
        key = tuple(props.items())
        fmt = self._cells.get(key)
        if fmt is None:
            fmt = self._cells[key] = super().cell(font_size=BODY_SIZE, **props)
        return fmt

    def number(self, num_format: str, bold: bool = False) -> Format:
        fmt = self._numbers.get((num_format, bold))
        if fmt is None:
            align = "center" if num_format in (RATE_FMT, POINTS_FMT) else "right"
            indent = 0 if align == "center" else 1
            fmt = self.cell(num_format=num_format, align=align, indent=indent, bold=bold)
            self._numbers[(num_format, bold)] = fmt
        return fmt


class _Renderer:
    """Draws each declared form; every figure comes from `Results` or its own cells."""

    def __init__(self, wb: Workbook, results: Results, config: Config) -> None:
        self.wb = wb
        self.r = results
        self.config = config
        self.st = _Styles(wb)
        self.layout = layout(results)
        # Looked up once per child per form: a set and a map, not a scan of the lists.
        self.included = set(results.included)
        self.names = child_names(config)
        self.words = run_words(results, config)
        self.unit_word = units.mixed(config.child_levels).cap
        self.targets = (
            {
                str(t.ma): float(t.chi_tieu)
                for t in results.targets.itertuples()
                if not _missing(t.chi_tieu)
            }
            if results.targets is not None and len(results.targets)
            else {}
        )
        sig, signers = config.chu_ky, results.signers or {}
        self.heading = Heading(
            co_quan=config.phuong.co_quan,
            ban=config.phuong.ban,
            period=results.period.words,
            year=results.period.year,
            coverage=unit_words.coverage(results),
            sample_note=f"{SAMPLE_NOTE} – chỉ để thử, không dùng để báo cáo"
            if results.sample_data
            else "",
            place=config.phuong.place,
            left_title=sig.nguoi_lap,
            right_titles=(sig.thay_mat, sig.ky_thay, sig.chuc_vu),
            left_name=signers.get("nguoi_lap", ""),
            right_name=signers.get("ky", "") or signers.get("truong_ban", ""),
        )

    def name(self, code: str) -> str:
        """A child's name as the configuration gives it (`Config.khom_name`)."""
        return self.names.get(code, code)

    def t(self, text: str) -> str:
        """`text` with the run's words: `{con}` khóm or ấp, `{cha}` phường or xã…"""
        return text.format_map(self.words) if "{" in text else text

    def value(self, unit: str, code: str) -> float:
        return self.r.value(unit, code)

    def shown(self, unit: str, code: str) -> float:
        """A figure as a form cell holds it: rates in percent units."""
        v = self.value(unit, code)
        return v * PERCENT if code in registry.RATES and not _missing(v) else v

    def previous(self, unit: str, code: str) -> float:
        v = self.r.previous_value(unit, code)
        return v * PERCENT if code in registry.RATES and not _missing(v) else v

    # -- writing

    def write(self) -> None:
        ws = {name: self.wb.add_worksheet(name) for name in sheets(self.r)}
        for form in formspec.FORMS:
            page = Page(ws[form.sheet], self.st, form.sheet, form_columns(form, self.r))
            page.heading(
                self.heading,
                self.t_title(form),
                # a children form says it beside its totals; units are no children
                coverage=form.rows is Rows.TARGETS,
            )
            page.table_header({"TEN": self.unit_word}, self.t)
            draw = {
                Rows.CHILDREN: self.children_form,
                Rows.UNIT_TYPES: self.unit_types_form,
                Rows.TARGETS: self.targets_form,
            }[form.rows]
            last, notes = draw(page, form)
            declared = list(form.notes)
            if any(c.role is Role.CRITERION for c in page.columns):
                declared = [*form.criteria_notes, *declared]
            page.signature(self.heading, last, [self.t(n) for n in declared] + notes)
        chart.chart_sheet(self.wb, ws[CHART_SHEET], self, self.layout["Biểu 01"])
        if COMPARE_SHEET in ws:
            chart.compare_sheet(self.wb, ws[COMPARE_SHEET], self)
        self.data_sheet(ws[DATA_SHEET])
        ws[FORM_SHEETS[0]].activate()

    def t_title(self, form: Form) -> str:
        return formspec.title(form, self.words)

    def _total_row(self, page: Page) -> int:
        return self.layout[page.name].rows.get(self.r.ward_code, -1)

    def total_label(self, page: Page, row: int) -> None:
        st = self.st
        page.ws.write_blank(row, 0, None, st.cell(bold=True))
        page.ws.write_rich_string(
            row,
            1,
            st(font_size=BODY_SIZE, bold=True),
            TOTAL,
            st(font_size=BODY_SIZE - 1, italic=True),
            f"\n({unit_words.coverage(self.r)})",
            st.cell(align="center", text_wrap=True),
        )
        page.fit(row, 1, f"{TOTAL}\n({unit_words.coverage(self.r)})", 28)

    # ---------------------------------------------------------------- children × indicators

    def children_form(self, page: Page, form: Form) -> tuple[int, list[str]]:
        if form.sheet == "Biểu 02":
            return self.titles_form(page, form)
        r, st = self.r, self.st
        lay = self.layout[page.name]
        cols = page.columns
        rates = rate_parts(cols)
        # the agencies' figures exist only where the unit's own workbook gives them
        no_agency = all(_missing(self.value(k, c)) for k in r.included for c in AGENCY)
        blank = {
            c.code
            for c in cols
            if no_agency
            and (c.code in AGENCY or (c.code in rates and set(rates[c.code]) & set(AGENCY)))
        }
        # targets printed once, in the verdict columns' sub-header
        for c in cols:
            if c.role is Role.VERDICT:
                sub = HEADER_ROWS[0] + 1
                target = self.targets.get(c.of)
                hfmt = st(
                    border=1,
                    bold=True,
                    align="center",
                    font_size=BODY_SIZE,
                    num_format=f'"≥ "{RATE_FMT}',  # the target the verdicts compare with
                )
                if target is None:
                    page.ws.write_string(sub, page.col(c.code), "Chưa có chỉ tiêu", hfmt)
                else:
                    page.ws.write_number(sub, page.col(c.code), target * PERCENT, hfmt)
                    page.values[a1(sub, page.col(c.code))] = target * PERCENT  # type: ignore[index]
        body = [lay.rows[k] for k in r.expected]
        for i, k in enumerate(r.expected):
            row = lay.rows[k]
            page.row_label(row, i + 1, self.name(k))
            if k not in self.included:
                page.no_data_row(row, NO_DATA)
                continue
            self.figures(page, row, k, rates, blank, total=False)
        total = lay.rows[r.ward_code]
        self.total_label(page, total)
        self.figures(page, total, r.ward_code, rates, blank, total=True, body=body)
        for c in cols:
            if c.role is Role.VERDICT:
                page.red_when_not_met(FIRST_ROW, total, page.col(c.code))
        notes = self.children_notes(form, no_agency)
        return total, notes

    def figures(
        self,
        page: Page,
        row: int,
        unit: str,
        rates: dict[str, tuple[str, str]],
        blank: set[str],
        total: bool,
        body: list[int] | None = None,
    ) -> None:
        """One row of a children form: a child's figures, or the total over `body` rows."""
        r, st, ws = self.r, self.st, page.ws
        # An agency figure some included child lacks has no total (indicators.py): the cell
        # says so rather than add up part of the unit.
        for c in page.columns:
            col = page.col(c.code)
            if c.role is Role.INDICATOR and c.code not in rates:
                fmt = st.number(number_format(c.code), bold=total)
                if c.code in blank:
                    ws.write_blank(row, col, None, fmt)
                elif total and c.code in AGENCY and _missing(self.value(unit, c.code)):
                    page.dash(row, col, bold=True)
                elif total:
                    page.sum_cell(row, col, body or [], fmt)
                else:
                    page.num_cell(row, col, self.value(unit, c.code), fmt)
        for code, (num, den) in rates.items():
            col = page.col(code)
            if code in blank:
                ws.write_blank(row, col, None, st.number(RATE_FMT, total))
            elif {page.values.get((row, page.col(num))), page.values.get((row, page.col(den)))} & {
                DASH
            }:
                page.dash(row, col, bold=total)
            else:
                page.rate_cell(row, col, page.col(num), page.col(den), st.number(RATE_FMT, total))
        for c in page.columns:
            col = page.col(c.code)
            if c.role is Role.PREVIOUS:
                before = self.previous(unit, c.of)
                fmt = st.number(number_format(c.of), total)
                if _missing(before):
                    page.dash(row, col, total)
                else:
                    page.num_cell(row, col, before, fmt)
            elif c.role is Role.CHANGE:
                is_rate = c.of in registry.RATES
                prev_col = f"TRUOC_{c.of}"
                before: Any = (
                    page.values.get((row, page.col(prev_col)))
                    if page.has(prev_col)
                    else self.previous(unit, c.of)
                )
                fmt = st.number(POINTS_FMT if is_rate else CHANGE_FMT, total)
                ref = a1(row, page.col(prev_col)) if page.has(prev_col) else ""
                page.change_cell(row, col, page.col(c.of), before, fmt, ref)
            elif c.role is Role.VERDICT:
                target = a1(HEADER_ROWS[0] + 1, col)
                if c.of not in self.targets:
                    page.dash(row, col, total)
                elif total and r.partial:
                    # The unit's rate is over all its households: unknown with a child missing.
                    text = unit_words.verdict_text(r, CHUA_DU)
                    ws.write_string(
                        row, col, text, st.cell(align="center", bold=True, text_wrap=True)
                    )
                    page.values[(row, col)] = text
                    page.fit(row, col, text, bold=True)
                else:
                    page.verdict_cell(row, col, page.col(c.of), target, total)
            elif c.role is Role.SHORT:
                num, den = registry.RATES[c.of]
                short = math.nan
                if c.of in self.targets and not (total and r.partial):
                    short = households_short(
                        self.value(unit, num), self.value(unit, den), self.targets[c.of]
                    )
                page.num_cell(row, col, short, st.number(SHORT_FMT, total))

    def children_notes(self, form: Form, no_agency: bool) -> list[str]:
        r = self.r
        notes: list[str] = []
        codes = {c.code for c in form.columns}
        if r.previous is not None and any(c.only_with_previous for c in form.columns):
            notes.append(self.previous_note())
        if codes & set(AGENCY):
            if not r.has_ward_workbook:
                notes.append(
                    self.t("Chưa có biểu của {cha}: chưa có số liệu ngành, ")
                    + "chưa có số liệu lao động, việc làm."
                )
            elif not no_agency:
                no_row = [
                    self.name(k) for k in r.included if _missing(self.value(k, "HO_NGHEO_LDTBXH"))
                ]
                said = set(no_row)
                lacking = [
                    self.name(k)
                    for k in r.included
                    if _missing(self.value(k, "LAO_DONG")) and self.name(k) not in said
                ]
                if no_row:
                    notes.append(
                        "Chưa có số liệu ngành của: " + ", ".join(no_row) + f" (“{DASH}” ở dòng "
                        f"{TOTAL}: không cộng khi thiếu số liệu của {self.words['con']})."
                    )
                if lacking:
                    notes.append(
                        "Chưa có số liệu lao động, việc làm của: " + ", ".join(lacking) + "."
                    )
        if r.partial and form.sheet in ("Biểu 01", "Biểu 02"):
            notes.append(self.partial_note())
        return notes

    def previous_note(self) -> str:
        r = self.r
        when = r.previous_period.words if r.previous_period is not None else "cùng kỳ năm trước"
        text = f"Cùng kỳ năm trước: {when}; tăng, giảm tỷ lệ tính bằng điểm phần trăm."
        return text + (f" {r.previous_note}" if r.previous_note else "")

    def partial_note(self) -> str:
        r = self.r
        missing = [self.name(k) for k in r.expected if k not in self.included]
        return (
            f"{unit_words.coverage(r)}: chưa có số liệu hợp lệ của {', '.join(missing)}; "
            + self.t(
                "các đánh giá toàn {cha} tính trên hộ hoặc số {con} chưa đủ căn cứ; "
                "chưa tính được số cần thêm."
            )
        )

    # ------------------------------------------------------------------------- Biểu 02

    def titles_form(self, page: Page, form: Form) -> tuple[int, list[str]]:
        st, r, ws = self.st, self.r, page.ws
        lay = self.layout[page.name]
        center = st.cell(align="center")
        wrap = st.cell(align="left", text_wrap=True)
        rows = {}
        if r.khom_titles is not None and len(r.khom_titles):
            rows = {str(t.ma_khom): t for t in r.khom_titles.itertuples()}
        body = [lay.rows[k] for k in r.expected]
        for i, k in enumerate(r.expected):
            row = lay.rows[k]
            page.row_label(row, i + 1, self.name(k))
            t = rows.get(k)
            if k not in self.included or t is None:
                page.no_data_row(row, NO_DATA)
                continue
            for c in page.columns:
                col = page.col(c.code)
                if c.code == "DIEM":
                    fmt = st.cell(num_format=_literal(_num(t.DIEM)), align="center")
                    page.num_cell(row, col, t.DIEM, fmt)
                elif c.code == "GDVH_DAT_TL":
                    rate = t.GDVH_DAT_TL
                    if _missing(rate):
                        page.dash(row, col)
                    else:
                        page.num_cell(row, col, float(rate) * PERCENT, st.number(RATE_FMT))
                elif c.code == "ANTT":
                    ws.write_string(
                        row, col, DASH if _missing(t.ANTT) else ("x" if t.ANTT else ""), center
                    )
                elif c.role is Role.CRITERION:
                    mark = getattr(t, c.code)
                    ws.write_string(row, col, "x" if mark is True or mark == 1 else "", center)
                elif c.code == "KET_QUA":
                    ws.write_string(
                        row, col, str(t.ket_qua), st.cell(align="center", bold=True, text_wrap=True)
                    )
                    page.fit(row, col, str(t.ket_qua), bold=True)
                elif c.role is Role.PREVIOUS:
                    before = self.r.previous_value(k, c.of)
                    text = DASH if _missing(before) else (DAT if before >= 1 else CHUA_DAT)
                    ws.write_string(row, col, text, center)
                elif c.code == "LY_DO":
                    reason = "" if _missing(t.ly_do) else str(t.ly_do)
                    ws.write_string(row, col, reason, wrap)
                    page.fit(row, col, reason)
        self.unit_title_row(page, lay.rows[r.ward_code])
        row = self.count_row(page, lay.rows[COUNT_ROW], body, rows)
        page.red_when_not_met(FIRST_ROW, lay.rows[r.ward_code], page.col("KET_QUA"))
        notes = self.children_notes(form, True)
        return row, notes

    def unit_title_row(self, page: Page, row: int) -> None:
        """The unit's own title: its rate, how many children hold theirs, its verdict."""
        st, r, ws = self.st, self.r, page.ws
        ph = self.config.phuong
        name = f"{ph.cap} {ph.ten}"
        for c in page.columns:
            ws.write_blank(row, page.col(c.code), None, st.cell())
        ws.write_string(row, 1, name, st.cell(bold=True, text_wrap=True))
        page.fit(row, 1, name)
        if page.has("GDVH_DAT_TL"):
            col = page.col("GDVH_DAT_TL")
            rate = self.shown(r.ward_code, "GDVH_DAT_TL")
            if _missing(rate):
                page.dash(row, col, True)
            else:
                page.num_cell(row, col, rate, st.number(RATE_FMT, True))
        # Over every child of the unit, never only the consolidated ones.
        vmdt = _num(self.value(r.ward_code, "KHOM_VMDT"))
        n = len(r.expected)
        text = self.t(f"{_number_vi(vmdt)}/{n} {{con}} đạt {{dat_con}}")
        if r.partial:
            text += self.t(f" ({n - len(r.included)} {{con}} chưa tổng hợp)")
        elif n > 0:
            text += f" ({vmdt / n * PERCENT:.2f}%)".replace(".", ",")
        first = 2 if not page.has("GDVH_DAT_TL") else page.col("GDVH_DAT_TL") + 1
        last = page.col("KET_QUA") - 1
        if last >= first:
            page.text(row, first, last, text, st.cell(align="center", text_wrap=True))
            page.fit(row, first, text, last=last)
        verdict = unit_words.verdict_text(r, r.ward_title)
        kq = page.col("KET_QUA")
        ws.write_string(row, kq, verdict, st.cell(align="center", bold=True, text_wrap=True))
        page.fit(row, kq, verdict, bold=True)
        if page.has("TRUOC_KET_QUA"):
            before = r.previous_value(r.ward_code, "PHUONG_VMDT")
            text = DASH if _missing(before) else (DAT if before >= 1 else CHUA_DAT)
            ws.write_string(row, page.col("TRUOC_KET_QUA"), text, st.cell(align="center"))
        ws.write_string(row, page.col("LY_DO"), r.ward_title_reasons or "", st.cell(text_wrap=True))
        page.fit(row, page.col("LY_DO"), r.ward_title_reasons or "")

    def count_row(self, page: Page, row: int, body: list[int], titles_of: dict) -> int:
        st, r = self.st, self.r
        kq = page.col("KET_QUA")
        label = self.t("Số {con} đạt {dat_con}:")
        page.text(row, 0, kq - 1, label, st.cell(bold=True, align="right", text_wrap=True))
        page.fit(row, 0, label, last=kq - 1)
        count = sum(
            1
            for k in r.expected
            if k in titles_of and k in self.included and titles_of[k].ket_qua == DAT
        )
        page.ws.write_formula(
            row,
            kq,
            f'=COUNTIF({a1(body[0], kq)}:{a1(body[-1], kq)},"{DAT}")',
            st.cell(bold=True, align="center"),
            count,
        )
        page.values[(row, kq)] = count
        for col in range(kq + 1, page.ncols):
            page.ws.write_blank(row, col, None, st.cell())
        return row

    # ------------------------------------------------------------------------- Biểu 03

    def unit_types_form(self, page: Page, form: Form) -> tuple[int, list[str]]:
        st, r, ws = self.st, self.r, page.ws
        lay = self.layout[page.name]
        kinds = r.units_by_type
        if kinds is None or not len(kinds):
            page.text(
                FIRST_ROW,
                0,
                page.ncols - 1,
                self.t(NO_UNITS if self.config.phuong.level.rank <= 1 else NO_UNITS_OF_CHILDREN),
                st.cell(italic=True, align="center", font_color="#7F7F7F"),
            )
            page.set_row(FIRST_ROW, 24)
            return FIRST_ROW, []
        rates = rate_parts(page.columns)
        counts = [c.code for c in page.columns if c.role is Role.INDICATOR and c.code not in rates]
        body = []
        for i, u in enumerate(kinds.itertuples()):
            row = FIRST_ROW + i
            body.append(row)
            page.row_label(row, i + 1, str(u.loai))
            for code in counts:
                page.num_cell(row, page.col(code), getattr(u, code), st.number(COUNT_FMT))
            for code, (num, den) in rates.items():
                page.rate_cell(
                    row, page.col(code), page.col(num), page.col(den), st.number(RATE_FMT)
                )
        total = lay.rows[r.ward_code]
        ws.write_blank(total, 0, None, st.cell(bold=True))
        ws.write_string(total, 1, TOTAL, st.cell(bold=True, align="center"))
        for code in counts:
            page.sum_cell(total, page.col(code), body, st.number(COUNT_FMT, True))
        for code, (num, den) in rates.items():
            page.rate_cell(
                total, page.col(code), page.col(num), page.col(den), st.number(RATE_FMT, True)
            )
        return total, []

    # ------------------------------------------------------------------------- Biểu 04

    def targets_form(self, page: Page, form: Form) -> tuple[int, list[str]]:
        st, r, ws = self.st, self.r, page.ws
        lay = self.layout[page.name]
        targets = r.targets if r.targets is not None else pd.DataFrame()
        if not len(targets):
            page.text(
                FIRST_ROW,
                0,
                page.ncols - 1,
                "Chưa có chỉ tiêu kế hoạch.",
                st.cell(italic=True, align="center"),
            )
            return FIRST_ROW, []
        sources = target_results(r, self.layout)
        center = st.cell(align="center")
        ct, kq, dg = page.col("CHI_TIEU"), page.col("KET_QUA"), page.col("DANH_GIA")
        for i, t in enumerate(targets.itertuples()):
            row = lay.rows[str(t.ma)]
            label = self.target_label(t)
            page.row_label(row, i + 1, label)
            unit = "" if _missing(t.don_vi) else str(t.don_vi)
            ws.write_string(row, page.col("DON_VI"), self.unit_of_count(unit), center)
            is_rate = unit == "%"
            fmt = st.number(RATE_FMT if is_rate else COUNT_FMT)
            if str(t.ma) == "PHUONG_VMDT":
                ws.write_string(row, ct, "Đạt" if _num(t.chi_tieu) >= 1 else DASH, center)
                ws.write_string(
                    row,
                    kq,
                    DASH if _missing(t.ket_qua) else (DAT if t.ket_qua >= 1 else CHUA_DAT),
                    center,
                )
            else:
                page.num_cell(row, ct, t.chi_tieu * PERCENT if is_rate else t.chi_tieu, fmt)
                source = sources.get(str(t.ma))
                if source is not None:
                    ref, cached = source
                    ws.write_formula(row, kq, f"={ref}", fmt, cached)
                    page.values[(row, kq)] = cached
                elif _missing(t.ket_qua):
                    page.dash(row, kq)
                else:
                    page.num_cell(row, kq, t.ket_qua * PERCENT if is_rate else t.ket_qua, fmt)
            vfmt = st.cell(align="center", bold=True, text_wrap=True)
            if t.dat is None or _missing(t.dat):
                verdict = str(getattr(t, "danh_gia", "") or CHUA_DU)
                ws.write_string(row, dg, verdict, vfmt)
                page.fit(row, dg, verdict, bold=True)
            elif str(t.ma) == "PHUONG_VMDT":
                ws.write_string(row, dg, DAT if t.dat else CHUA_DAT, vfmt)
            else:
                cached = page.values.get((row, kq))
                value = (
                    DASH
                    if cached == DASH
                    else (DAT if cached >= page.values[(row, ct)] else CHUA_DAT)
                )
                k, c = a1(row, kq), a1(row, ct)
                ws.write_formula(
                    row,
                    dg,
                    f'=IF({k}="{DASH}","{DASH}",IF({k}>={c},"{DAT}","{CHUA_DAT}"))',
                    vfmt,
                    value,
                )
                page.values[(row, dg)] = value
            missing = "" if _missing(t.con_thieu) else str(t.con_thieu)
            ws.write_string(
                row, page.col("CON_THIEU"), missing, st.cell(align="left", text_wrap=True)
            )
            page.fit(row, page.col("CON_THIEU"), missing)
        last = FIRST_ROW + len(targets) - 1
        page.red_when_not_met(FIRST_ROW, last, dg)
        return last, [self.partial_note()] if r.partial else []

    def unit_of_count(self, unit: str) -> str:
        """A target's unit as the registry writes it (`khóm`, a count of children) in words."""
        children = {lv.noun for lv in units.LEVELS if lv.rank == 0}
        return self.words["con"] if unit in children else unit

    def target_label(self, t: Any) -> str:
        """A target's wording from the unit's workbook declaration, in the run's words."""
        children = units.mixed(self.config.child_levels)
        sheet = spec.worded(spec.Kind.PHUONG, children, self.config.phuong.level).sheet(
            spec.TARGETS.name
        )
        declared = next((f.label for f in sheet.fields if f.code == str(t.ma)), None)
        return declared or str(t.noi_dung)

    # ------------------------------------------------------------------------- Dữ liệu

    def data_sheet(self, ws: Worksheet) -> None:
        """The machine-readable rows a parent's run reads; never printed."""
        st = self.st
        head = st(bold=True, bg_color="#D9E1F2", border=1, font_size=11)
        text = st(font_size=11)
        for j, name in enumerate(DATA_COLUMNS):
            ws.write_string(0, j, name, head)
        widths = {"ten_don_vi": 24, "ma_chi_tieu": 17, "phan_loai": 18, "gia_tri": 20}
        for j, name in enumerate(DATA_COLUMNS):
            ws.set_column(j, j, widths.get(name, 12))
        data = self.r.data
        # Each column converted once (`data_cells`), then written row by row as before: a
        # per-cell type test over ~30 rows per child was most of this sheet's cost.
        columns = [data_cells(data[name]) for name in DATA_COLUMNS] if len(data) else []
        n = len(data)
        write_string, write_number = ws.write_string, ws.write_number
        for i, rec in enumerate(zip(*columns, strict=True), start=1):
            for j, x in enumerate(rec):
                if x is None:
                    continue
                if type(x) is str:
                    write_string(i, j, x, text)
                else:
                    write_number(i, j, x, text)
        ws.autofilter(0, 0, max(n, 1), len(DATA_COLUMNS) - 1)
        ws.freeze_panes(1, 0)
        # Hidden, so printing the workbook prints the forms only; a parent's run and anyone who
        # unhides it still read every row.
        ws.hide()
