"""`BaoCao_P.xlsx`: the statistical forms for the city, ready to print and sign.

Every form sheet has the official layout (issuing body and national motto, form number, title,
period, table, place and date, signature block), Times New Roman, A4 landscape, one page wide.
Counts of the khóm rows are plain numbers; totals and rates are live formulas whose cached
results are exactly what Excel or LibreOffice computes from the cells (and what the pipeline
computed). `layout(results)` says where every figure is, for tests and recalculation checks.
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import __version__, registry, spec, unit_words, units
from .atomic import write_atomic
from .config import Config
from .findings import a1, col_letter
from .indicators import AGENCY_CODES
from .results import CHUA_DAT, CHUA_DU, DAT, DATA_COLUMNS, Results
from .spec import MARKER_SHEET, OUTPUT_KIND, SAMPLE_NOTE
from .styles import FONT, Styles

FORM_SHEETS = ("Biểu 01", "Biểu 02", "Biểu 03", "Biểu 04", "Biểu 05")
CHART_SHEET = "Biểu đồ"
DATA_SHEET = "Dữ liệu"
SHEETS = (*FORM_SHEETS, CHART_SHEET, DATA_SHEET)

DASH = "—"  # a rate whose denominator is 0
NO_DATA = "Chưa có số liệu hợp lệ"
NO_UNITS = "Chưa có biểu của {cha} – chưa có số liệu đơn vị"
TOTAL = "Tổng cộng"

# Rows (0-based) shared by every form sheet.
TITLE_ROW = 4
PERIOD_ROW = 5
COVERAGE_ROW = 6
HEADER_ROWS = (8, 10)  # two header rows and the column-number row, repeated on every page
FIRST_ROW = 11  # first body row

CM = 1 / 2.54  # xlsxwriter takes inches
MARGINS = {"left": 3.0 * CM, "right": 1.5 * CM, "top": 2.0 * CM, "bottom": 2.0 * CM}
# Column width in pixels of the default font (Times New Roman 12: digits 8 px wide), so that
# xlsxwriter places drawn objects where Excel and LibreOffice draw the columns.
DEFAULT_COLUMN_PX = 72
DIGIT_PX, PADDING_PX = 8, 5
HEADER_SIZE = 13  # points, the two header blocks

# Advance widths of Times New Roman Bold (thousandths of an em); a Vietnamese letter is as
# wide as its base letter. Used to draw the rules under the header blocks to the text's length.
_BOLD_WIDTHS = {
    ch: width
    for width, chars in (
        (1000, "W"),
        (944, "M"),
        (833, "m"),
        (778, "GHKOQ"),
        (722, "ACDNRUVXYw"),
        (667, "BELTZ"),
        (611, "FP"),
        (556, "Sbdhknpqu"),
        (500, "Jagovxy0123456789–"),
        (444, "cerz"),
        (389, "Is"),
        (333, "fjt-()"),
        (278, "il/"),
        (250, " .,"),
    )
    for ch in chars
}

RATE_FMT = "0.00%"
COUNT_FMT = "#,##0"
MONEY_FMT = "#,##0"


@dataclass(frozen=True)
class Col:
    code: str
    top: str  # header text of the first header row (shared by a group)
    sub: str | None = None  # second header row; None: the header spans both rows
    width: float = 9


# --- columns of each form ------------------------------------------------------------------

B01 = (
    Col("STT", "STT", None, 5),
    Col("TEN", "", None, 14),  # the children's kind (Khóm, Ấp) from configuration
    Col("HO", "Tổng số hộ", None, 9),
    Col("GDVH_DK", "Hộ đăng ký xây dựng GĐVH", "Số hộ"),
    Col("GDVH_DK_TL", "Hộ đăng ký xây dựng GĐVH", "Tỷ lệ"),
    Col("GDVH_DAT", "Hộ đạt chuẩn GĐVH", "Số hộ"),
    Col("GDVH_DAT_TL", "Hộ đạt chuẩn GĐVH", "Tỷ lệ"),
    Col("GDVH_3NAM", "Hộ đạt GĐVH 3 năm liên tục trở lên", None, 10),
    Col("GDHT", "Gia đình học tập", "Số hộ"),
    Col("GDHT_TL", "Gia đình học tập", "Tỷ lệ"),
    Col("GDTT", "Gia đình thể thao", "Số hộ"),
    Col("GDTT_TL", "Gia đình thể thao", "Tỷ lệ"),
    Col("HO_NGHEO", "Hộ nghèo", None, 8),
    Col("HO_CAN_NGHEO", "Hộ cận nghèo", None, 8),
    Col("CT_GDVH_DK_TL", "Tỷ lệ hộ đăng ký GĐVH so với chỉ tiêu", "Chỉ tiêu"),
    Col("DG_GDVH_DK_TL", "Tỷ lệ hộ đăng ký GĐVH so với chỉ tiêu", "Đánh giá", 10),
    Col("CT_GDVH_DAT_TL", "Tỷ lệ hộ đạt GĐVH so với chỉ tiêu", "Chỉ tiêu"),
    Col("DG_GDVH_DAT_TL", "Tỷ lệ hộ đạt GĐVH so với chỉ tiêu", "Đánh giá", 10),
)
B02 = (
    Col("STT", "STT", None, 5),
    Col("TEN", "", None, 14),
    Col("DIEM", "Điểm tự chấm (thang 100)", None, 9),
    Col("GDVH_DAT_TL", "Tỷ lệ hộ đạt chuẩn GĐVH", None, 10),
    Col("ANTT", "An toàn về ANTT (Công an xác nhận)", None, 11),
    Col("NGAY_HOI", "Tổ chức Ngày hội Đại đoàn kết", None, 10),
    Col("QUY_UOC", "Thực hiện tốt Quy ước", None, 10),
    Col("CD_HOC_TAP", "Cộng đồng học tập", None, 10),
    Col("KET_QUA", "Kết quả", None, 11),
    Col("LY_DO", "Lý do chưa đạt", None, 42),
)
B03 = (
    Col("STT", "STT", None, 5),
    Col("LOAI", "Loại cơ quan, đơn vị", None, 26),
    Col("DV", "Tổng số cơ quan, đơn vị", None, 12),
    Col("DV_DK", "Đăng ký đạt chuẩn văn hóa", None, 12),
    Col("DV_DAT", "Đạt chuẩn văn hóa", "Số đơn vị", 11),
    Col("DV_DAT_TL", "Đạt chuẩn văn hóa", "Tỷ lệ so với số đăng ký", 12),
    Col("DV_HT", "Đơn vị học tập", None, 12),
    Col("DV_ANTT", "An toàn về ANTT", None, 12),
)
B04 = (
    Col("STT", "STT", None, 5),
    Col("NOI_DUNG", "Nội dung chỉ tiêu", None, 42),
    Col("DON_VI", "Đơn vị tính", None, 9),
    Col("CHI_TIEU", "Chỉ tiêu kế hoạch", None, 12),
    Col("KET_QUA", "Kết quả thực hiện", None, 12),
    Col("DANH_GIA", "Đánh giá", None, 13),
    Col("CON_THIEU", "Còn thiếu", None, 30),
)
B05 = (
    Col("STT", "STT", None, 5),
    Col("TEN", "", None, 14),
    Col("TT_BUOI", "Tuyên truyền, vận động", "Số buổi", 7),
    Col("TT_LUOT", "Tuyên truyền, vận động", "Lượt người dự", 8),
    Col("HOA_GIAI", "Hòa giải ở cơ sở", "Số vụ việc", 7),
    Col("HOA_GIAI_THANH", "Hòa giải ở cơ sở", "Hòa giải thành", 8),
    Col("HOA_GIAI_TL", "Hòa giải ở cơ sở", "Tỷ lệ thành", 8),
    Col("GUONG_TOT", "Gương người tốt, việc tốt", None, 8),
    Col("KINH_PHI", "Kinh phí (đồng)", "Đã sử dụng", 12),
    Col("XA_HOI_HOA", "Kinh phí (đồng)", "Xã hội hóa", 12),
    Col("HO_VI_PHAM", "Hộ có người vi phạm pháp luật", None, 8),
    # what the agencies report, from the ward workbook's `Số liệu ngành`
    Col("NGUOI_VI_PHAM", "Người vi phạm pháp luật (Công an)", None, 8),
    Col("HO_NGHEO_LDTBXH", "Hộ nghèo, cận nghèo (LĐTBXH)", "Hộ nghèo", 7),
    Col("HO_CAN_NGHEO_LDTBXH", "Hộ nghèo, cận nghèo (LĐTBXH)", "Hộ cận nghèo", 7),
    Col("LAO_DONG", "Lao động, việc làm", "Trong độ tuổi lao động", 10),
    Col("VIEC_LAM", "Lao động, việc làm", "Có việc làm", 8),
    Col("VIEC_LAM_TL", "Lao động, việc làm", "Tỷ lệ", 8),
    Col("KHOM_YTE", "{Con} đạt", "Tiêu chí y tế, dân số", 8),
    Col("KHOM_QS", "{Con} đạt", "Nghĩa vụ quân sự", 8),
)
COLUMNS: dict[str, tuple[Col, ...]] = dict(zip(FORM_SHEETS, (B01, B02, B03, B04, B05), strict=True))

TITLES = {
    "Biểu 01": "TỔNG HỢP KẾT QUẢ XÂY DỰNG GIA ĐÌNH VĂN HÓA",
    "Biểu 02": "KẾT QUẢ XÂY DỰNG {CON} ĐẠT CHUẨN {chuan_con}",
    "Biểu 03": "KẾT QUẢ XÂY DỰNG CƠ QUAN, ĐƠN VỊ ĐẠT CHUẨN VĂN HÓA",
    "Biểu 04": "KẾT QUẢ THỰC HIỆN CHỈ TIÊU KẾ HOẠCH",
    "Biểu 05": "KẾT QUẢ HOẠT ĐỘNG CỦA PHONG TRÀO VÀ SỐ LIỆU CÁC NGÀNH",
}


def title(sheet: str, words: Mapping[str, str] | None = None) -> str:
    """A form's title in the run's words (khóm and phường when none are given)."""
    w = words or units.words(units.DEFAULT_CHILD, units.DEFAULT_PARENT)
    return TITLES[sheet].format_map(w).upper()


# Columns that show no indicator of the registry: each row's label, and Biểu 02's title
# criteria and Biểu 01/04's targets and verdicts. Every other column code is a registry code,
# whose kind (rate, money) decides its formula and format.
NOT_INDICATORS = frozenset(
    {
        *("STT", "TEN", "LOAI", "NOI_DUNG", "DON_VI", "CHI_TIEU", "KET_QUA", "DANH_GIA"),
        *("CON_THIEU", "LY_DO", "DIEM", "ANTT", "NGAY_HOI", "QUY_UOC", "CD_HOC_TAP"),
        *("CT_GDVH_DK_TL", "DG_GDVH_DK_TL", "CT_GDVH_DAT_TL", "DG_GDVH_DAT_TL"),
    }
)


def _rates(cols: tuple[Col, ...]) -> dict[str, tuple[str, str]]:
    """rate column → (numerator column, denominator column), from the registry."""
    return {c.code: registry.RATES[c.code] for c in cols if c.code in registry.RATES}


B01_RATES = _rates(B01)
B05_RATES = _rates(B05)
B01_TARGETS = ("GDVH_DK_TL", "GDVH_DAT_TL")  # rates compared with the year's targets
MONEY = tuple(i.code for i in registry.INDICATORS if i.format is registry.Format.MONEY)
AGENCY = AGENCY_CODES  # figures of the ward workbook's `Số liệu ngành`
COUNT_ROW = "SO_KHOM_DAT"  # Biểu 02: row key of `Số khóm đạt chuẩn văn minh đô thị`


@dataclass(frozen=True)
class FormLayout:
    """Where a form's figures are: 0-based rows and columns, `cell()` gives A1."""

    sheet: str
    columns: Mapping[str, int]  # column code → column
    rows: Mapping[str, int]  # khóm code / ward code (Tổng cộng) / loại / target code → row
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
    n = len(results.expected)
    ward = results.ward_code

    def cols(sheet: str) -> dict[str, int]:
        return {c.code: i for i, c in enumerate(COLUMNS[sheet])}

    def khom_rows() -> dict[str, int]:
        rows = {k: FIRST_ROW + i for i, k in enumerate(results.expected)}
        rows[ward] = FIRST_ROW + n
        return rows

    out = {}
    for sheet in ("Biểu 01", "Biểu 05"):
        out[sheet] = FormLayout(sheet, cols(sheet), khom_rows(), last_row=FIRST_ROW + n)
    rows02 = khom_rows()
    rows02[COUNT_ROW] = FIRST_ROW + n + 1
    out["Biểu 02"] = FormLayout("Biểu 02", cols("Biểu 02"), rows02, last_row=FIRST_ROW + n + 1)
    loai = [str(x) for x in results.units_by_type.get("loai", pd.Series(dtype=object))]
    rows03 = {name: FIRST_ROW + i for i, name in enumerate(loai)}
    if loai:
        rows03[ward] = FIRST_ROW + len(loai)
    out["Biểu 03"] = FormLayout("Biểu 03", cols("Biểu 03"), rows03, last_row=FIRST_ROW + len(loai))
    ma = [str(x) for x in results.targets.get("ma", pd.Series(dtype=object))]
    rows04 = {code: FIRST_ROW + i for i, code in enumerate(ma)}
    out["Biểu 04"] = FormLayout(
        "Biểu 04", cols("Biểu 04"), rows04, last_row=FIRST_ROW + max(len(ma), 1) - 1
    )
    return out


# --- entry point ---------------------------------------------------------------------------


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
        _Writer(wb, results, config).write()
        _write_marker(wb, results, config)
        wb.close()

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
    ]


def _write_marker(wb: Workbook, results: Results, config: Config) -> None:
    ws = wb.add_worksheet(MARKER_SHEET)
    for row, (key, value) in enumerate(marker_rows(results, config)):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.hide()


# --- helpers -------------------------------------------------------------------------------


class _Styles(Styles):
    def __init__(self, wb: Workbook) -> None:
        super().__init__(wb, font_size=12, valign="vcenter")

    def cell(self, **props: Any) -> Format:
        """A table cell: bordered, size 11."""
        return super().cell(font_size=11, **props)


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _num(x: Any) -> float:
    """A cell's numeric value as Excel sees it in arithmetic (blank is 0)."""
    return 0.0 if _missing(x) else float(x)


def _rate(num: float, den: float) -> float | str:
    """What `=IF(den>0,num/den,"—")` evaluates to."""
    return num / den if den > 0 else DASH


def _percent_vi(x: float) -> str:
    """0.6667 → `66,67%` as a Vietnamese reader writes it."""
    return f"{x * 100:.2f}".replace(".", ",") + "%"


def _lines(text: str, width: float, font_size: float = 11) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (an estimate)."""
    per_line = max(1, int(width * 1.1 * 11 / font_size) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _bold_width_pt(text: str, size: float) -> float:
    """Printed width of `text` in Times New Roman Bold of `size` points (an estimate)."""
    total = 0
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        base = {"Đ": "D", "đ": "d"}.get(base, base)
        total += _BOLD_WIDTHS.get(base, 722 if base.isupper() else 500)
    return total * size / 1000


def _column_px(width: float) -> int:
    """A column's width in pixels, as Excel and LibreOffice draw it with the default font."""
    return int(width * DIGIT_PX + 0.5) + PADDING_PX


def _number_vi(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").replace(".", ",")


@dataclass
class _Sheet:
    """One form sheet being written: its worksheet, columns, and the values of its cells."""

    ws: Worksheet
    name: str
    columns: tuple[Col, ...]
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)

    @property
    def ncols(self) -> int:
        return len(self.columns)

    @property
    def columns_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.columns)

    def col(self, code: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.code == code)

    def widths(self) -> list[float]:
        return [c.width for c in self.columns]


class _Writer:
    def __init__(self, wb: Workbook, results: Results, config: Config) -> None:
        self.wb = wb
        self.r = results
        self.config = config
        self.st = _Styles(wb)
        self.layout = layout(results)
        children = units.mixed(config.child_levels)
        self.words = units.words(children, config.phuong.level)
        self.unit_word = children.cap
        self.targets = self._targets()

    # -- words

    def t(self, text: str) -> str:
        """`text` with the run's words: `{con}` khóm or ấp, `{cha}` phường or xã…"""
        return text.format_map(self.words) if "{" in text else text

    def _unit_of_count(self, unit: str) -> str:
        """A target's unit as the registry writes it (`khóm`, a count of children) in words."""
        children = {lv.noun for lv in units.LEVELS if lv.rank == 0}
        return self.unit_word if unit in children else unit

    def _target_label(self, t: Any) -> str:
        """A target's wording from the ward workbook's declaration, in the run's words."""
        children = units.mixed(self.config.child_levels)
        sheet = spec.worded(spec.Kind.PHUONG, children, self.config.phuong.level).sheet(
            spec.TARGETS.name
        )
        declared = next((f.label for f in sheet.fields if f.code == str(t.ma)), None)
        return declared or str(t.noi_dung)

    # -- data access

    def value(self, unit: str, code: str) -> float:
        return self.r.value(unit, code)

    def _targets(self) -> dict[str, float]:
        t = self.r.targets
        if t is None or not len(t):
            return {}
        return {
            str(row.ma): float(row.chi_tieu) for row in t.itertuples() if not _missing(row.chi_tieu)
        }

    # -- writing

    def write(self) -> None:
        sheets = {name: self.wb.add_worksheet(name) for name in SHEETS}
        self.b01(sheets["Biểu 01"])
        self.b02(sheets["Biểu 02"])
        self.b03(sheets["Biểu 03"])
        self.b04(sheets["Biểu 04"])
        self.b05(sheets["Biểu 05"])
        self.charts(sheets[CHART_SHEET])
        self.data_sheet(sheets[DATA_SHEET])
        sheets["Biểu 01"].activate()

    # ---------------------------------------------------------------- shared layout pieces

    def _text(self, ws: Worksheet, row: int, c1: int, c2: int, text: str, fmt: Format) -> None:
        """Text across columns c1..c2 (merged when more than one), always as a string."""
        if c2 > c1:
            ws.merge_range(row, c1, row, c2, "", fmt)
        ws.write_string(row, c1, text, fmt)

    def _spans(self, widths: list[float]) -> tuple[tuple[int, int], tuple[int, int]]:
        """Column spans of the two header blocks: left ≥ 36 characters, right ≥ 52."""
        n = len(widths)
        left_end, acc = 0, 0.0
        for i, w in enumerate(widths):
            acc += w
            left_end = i
            if acc >= 36:
                break
        right_start, acc = n - 1, 0.0
        for i in range(n - 1, left_end, -1):
            acc += widths[i]
            right_start = i
            if acc >= 52:
                break
        return (0, left_end), (right_start, n - 1)

    @staticmethod
    def _rule(
        ws: Worksheet, widths: list[float], span: tuple[int, int], text: str, fraction: float
    ) -> None:
        """A solid rule under the header line `text` (centred in `span`, row 2), `fraction`
        of the text's printed length, as Nghị định 30/2020/NĐ-CP draws it: 1/3 to 1/2 under
        the issuing body, the motto's full length under the motto. Drawn as a thin filled
        shape: cell borders can only follow whole columns."""
        start, end = span
        span_px = sum(_column_px(w) for w in widths[start : end + 1])
        length = round(_bold_width_pt(text, HEADER_SIZE) * 4 / 3 * fraction)
        length = max(8, min(length, span_px))
        ws.insert_textbox(
            2,
            start,
            "",
            {
                "x_offset": (span_px - length) // 2,
                "y_offset": 1,
                "width": length,
                "height": 1,
                "fill": {"color": "#000000"},
                "line": {"none": True},
                "object_position": 1,
            },
        )

    def _page(self, sh: _Sheet, title: str) -> tuple[tuple[int, int], tuple[int, int]]:
        """Header blocks, form number, title, period, coverage; column widths; print setup."""
        ws, st, ph = sh.ws, self.st, self.config.phuong
        widths = sh.widths()
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        left, right = self._spans(widths)
        last = sh.ncols - 1

        ws.set_row(0, 19)
        ws.set_row(1, 19)
        ws.set_row(2, 6)
        self._text(ws, 0, *left, ph.co_quan, st(font_size=HEADER_SIZE, align="center"))
        self._text(ws, 1, *left, ph.ban, st(font_size=HEADER_SIZE, bold=True, align="center"))
        self._text(
            ws,
            0,
            *right,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            st(font_size=HEADER_SIZE, bold=True, align="center"),
        )
        self._text(
            ws,
            1,
            *right,
            "Độc lập - Tự do - Hạnh phúc",
            st(font_size=HEADER_SIZE, bold=True, align="center"),
        )
        self._rule(ws, widths, left, ph.ban, 0.40)
        self._rule(ws, widths, right, "Độc lập - Tự do - Hạnh phúc", 1.0)

        self._text(
            ws,
            3,
            max(right[0], last - 1),
            last,
            sh.name,
            st(font_size=12, bold=True, align="right"),
        )
        ws.set_row(TITLE_ROW, 22)
        self._text(ws, TITLE_ROW, 0, last, title, st(font_size=14, bold=True, align="center"))
        self._text(
            ws,
            PERIOD_ROW,
            0,
            last,
            self.r.period.words,
            st(font_size=13, bold=True, italic=True, align="center"),
        )
        self._text(
            ws,
            COVERAGE_ROW,
            0,
            last,
            f"({unit_words.coverage(self.r)})",
            st(font_size=12, italic=True, align="center"),
        )
        if self.r.sample_data:
            self._text(
                ws,
                7,
                0,
                last,
                f"{SAMPLE_NOTE} – chỉ để thử, không dùng để báo cáo",
                st(font_size=12, bold=True, font_color="#C00000", align="center"),
            )

        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(**MARGINS)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.repeat_rows(*HEADER_ROWS)
        ws.set_footer(f'&C&"{FONT},Regular"&11Trang &P/&N')
        ws.hide_gridlines(2)
        return left, right

    def _table_header(self, sh: _Sheet) -> None:
        ws, st = sh.ws, self.st
        head = st(border=1, bold=True, text_wrap=True, align="center", font_size=11)
        numfmt = st(border=1, italic=True, align="center", font_size=10)
        top, sub, nums = HEADER_ROWS[0], HEADER_ROWS[0] + 1, HEADER_ROWS[1]
        has_sub = any(c.sub for c in sh.columns)
        if has_sub:
            ws.set_row(top, 48)
            ws.set_row(sub, 32)
        else:  # every header spans both rows: as tall as the longest header needs
            lines = max(_lines(self.t(c.top) or self.unit_word, c.width) for c in sh.columns)
            ws.set_row(top, max(24, lines * 15 + 8 - 16))
            ws.set_row(sub, 16)
        i = 0
        while i < sh.ncols:
            c = sh.columns[i]
            label = self.t(c.top) or self.unit_word
            if c.sub is None:
                ws.merge_range(top, i, sub, i, "", head)
                ws.write_string(top, i, label, head)
                i += 1
                continue
            j = i
            while j + 1 < sh.ncols and sh.columns[j + 1].top == c.top and sh.columns[j + 1].sub:
                j += 1
            self._text(ws, top, i, j, label, head)
            for k in range(i, j + 1):
                ws.write_string(sub, k, sh.columns[k].sub or "", head)
            i = j + 1
        # column numbers: A, B for the labels, then 1, 2, 3 …
        for k in range(sh.ncols):
            ws.write_string(nums, k, "AB"[k] if k < 2 else f"({k - 1})", numfmt)

    def _signature(
        self,
        sh: _Sheet,
        after: int,
        left: tuple[int, int],
        right: tuple[int, int],
        notes: list[str] = (),
    ) -> None:
        """Notes, place and date, signature block under the table; set the print area."""
        ws, st, sig = sh.ws, self.st, self.config.chu_ky
        row = after + 1
        for note in notes:
            self._text(
                ws,
                row,
                0,
                sh.ncols - 1,
                note,
                st(font_size=11, italic=True, align="left", text_wrap=False),
            )
            row += 1
        row += 1
        self._text(
            ws,
            row,
            *right,
            f"{self.config.phuong.place}, ngày ..... tháng ..... năm 20..",
            st(font_size=13, italic=True, align="center"),
        )
        row += 1
        bold = st(font_size=13, bold=True, align="center")
        self._text(ws, row, *left, sig.nguoi_lap, bold)
        self._text(ws, row, *right, sig.thay_mat, bold)
        self._text(ws, row + 1, *right, sig.ky_thay, bold)
        self._text(ws, row + 2, *right, sig.chuc_vu, bold)
        last = row + 2 + 5  # room to sign, then the name written by hand
        ws.print_area(0, 0, last, sh.ncols - 1)

    def _fit(self, sh: _Sheet, row: int, col: int, text: str, minimum: float = 20) -> None:
        """Make `row` tall enough for wrapped `text` in column `col` (rows only grow)."""
        height = max(minimum, _lines(text, sh.columns[col].width) * 15 + 5)
        if height > sh.heights.get(row, 0):
            sh.heights[row] = height
            sh.ws.set_row(row, height)

    def _row_label(self, sh: _Sheet, row: int, index: int | None, name: str) -> None:
        st = self.st
        self._fit(sh, row, 1, name)
        if index is None:
            sh.ws.write_blank(row, 0, None, st.cell())
        else:
            sh.ws.write_number(row, 0, index, st.cell(align="center"))
        sh.ws.write_string(row, 1, name, st.cell(align="left", text_wrap=True))

    def _total_label(self, sh: _Sheet, row: int) -> None:
        st = self.st
        sh.ws.write_blank(row, 0, None, st.cell(bold=True))
        sh.ws.write_rich_string(
            row,
            1,
            st(font_size=11, bold=True),
            TOTAL,
            st(font_size=10, italic=True),
            f"\n({unit_words.coverage(self.r)})",
            st.cell(align="center", text_wrap=True),
        )
        self._fit(sh, row, 1, "x\nx", 30)

    def _no_data_row(self, sh: _Sheet, row: int, first_col: int = 2) -> None:
        self._text(
            sh.ws,
            row,
            first_col,
            sh.ncols - 1,
            NO_DATA,
            self.st.cell(italic=True, align="center", font_color="#7F7F7F"),
        )

    def _num_cell(self, sh: _Sheet, row: int, col: int, x: Any, fmt: Format) -> None:
        if _missing(x):
            sh.ws.write_blank(row, col, None, fmt)
            sh.values[(row, col)] = None
        else:
            sh.ws.write_number(row, col, float(x), fmt)
            sh.values[(row, col)] = float(x)

    def _sum_cell(self, sh: _Sheet, row: int, col: int, rows: list[int], fmt: Format) -> float:
        """`=SUM(first:last)` over the body rows `rows` (contiguous, just above `row`); its
        cached value is the sum of those cells as Excel adds them."""
        total = sum(_num(sh.values.get((r, col))) for r in rows)
        formula = f"=SUM({a1(rows[0], col)}:{a1(rows[-1], col)})"
        sh.ws.write_formula(row, col, formula, fmt, total)
        sh.values[(row, col)] = total
        return total

    def _rate_cell(
        self, sh: _Sheet, row: int, col: int, num_col: int, den_col: int, fmt: Format
    ) -> float | str:
        num = _num(sh.values.get((row, num_col)))
        den = _num(sh.values.get((row, den_col)))
        value = _rate(num, den)
        d, n = a1(row, den_col), a1(row, num_col)
        sh.ws.write_formula(row, col, f'=IF({d}>0,{n}/{d},"{DASH}")', fmt, value)
        sh.values[(row, col)] = value
        return value

    def _verdict_cell(
        self, sh: _Sheet, row: int, col: int, rate_col: int, target_col: int, fmt: Format
    ) -> str:
        rate, target = sh.values.get((row, rate_col)), sh.values.get((row, target_col))
        value = DASH
        if rate != DASH and rate is not None:
            value = DAT if rate >= _num(target) else CHUA_DAT
        r, t = a1(row, rate_col), a1(row, target_col)
        sh.ws.write_formula(
            row,
            col,
            f'=IF({r}="{DASH}","{DASH}",IF({r}>={t},"{DAT}","{CHUA_DAT}"))',
            fmt,
            value,
        )
        sh.values[(row, col)] = value
        return value

    def _red_when_not_met(self, sh: _Sheet, first_row: int, last_row: int, col: int) -> None:
        sh.ws.conditional_format(
            first_row,
            col,
            last_row,
            col,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{CHUA_DAT}"',
                "format": self.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
            },
        )

    # ------------------------------------------------------------- khóm × indicator tables

    def _khom_table(
        self,
        sh: _Sheet,
        codes: list[str],
        rates: dict[str, tuple[str, str]],
        fill_extra: Callable[[int], None] | None = None,
    ) -> int:
        """Rows of the expected khóm and the Tổng cộng row; returns the total row."""
        st, r = self.st, self.r
        count_fmt = st.cell(num_format=COUNT_FMT, align="right", indent=1)
        money_fmt = st.cell(num_format=MONEY_FMT, align="right", indent=1)
        rate_fmt = st.cell(num_format=RATE_FMT, align="center")
        tot_count = st.cell(num_format=COUNT_FMT, align="right", indent=1, bold=True)
        tot_money = st.cell(num_format=MONEY_FMT, align="right", indent=1, bold=True)
        tot_rate = st.cell(num_format=RATE_FMT, align="center", bold=True)
        rows = self.layout[sh.name].rows
        body = [rows[k] for k in r.expected]
        # agency figures (LAO_DONG, VIEC_LAM) exist only where the ward workbook gives them
        no_agency = all(_missing(self.value(k, c)) for k in r.included for c in AGENCY)
        if no_agency:
            codes = [c for c in codes if c not in AGENCY]
            rates = {c: nd for c, nd in rates.items() if not set(nd) & set(AGENCY)}
        blank_cols = [
            sh.col(c) for c in (*AGENCY, "VIEC_LAM_TL") if no_agency and c in sh.columns_codes
        ]
        for i, k in enumerate(r.expected):
            row = rows[k]
            self._row_label(sh, row, i + 1, self.config.khom_name(k))
            if k not in r.included:
                self._no_data_row(sh, row)
                continue
            for code in codes:
                fmt = money_fmt if code in MONEY else count_fmt
                self._num_cell(sh, row, sh.col(code), self.value(k, code), fmt)
            for col in blank_cols:
                sh.ws.write_blank(row, col, None, count_fmt)
            for code, (num, den) in rates.items():
                self._rate_cell(sh, row, sh.col(code), sh.col(num), sh.col(den), rate_fmt)
            if fill_extra:
                fill_extra(row)
        total = rows[r.ward_code]
        self._total_label(sh, total)
        # An agency figure some included khóm lack has no ward total (indicators.py): the
        # cell says so rather than add up part of the ward.
        partial_codes = {
            c for c in codes if c in AGENCY and r.included and _missing(self.value(r.ward_code, c))
        }
        dash = st.cell(align="center", bold=True)
        for code in codes:
            if code in partial_codes:
                sh.ws.write_string(total, sh.col(code), DASH, dash)
                sh.values[(total, sh.col(code))] = DASH
                continue
            fmt = tot_money if code in MONEY else tot_count
            self._sum_cell(sh, total, sh.col(code), body, fmt)
        for col in blank_cols:
            sh.ws.write_blank(total, col, None, tot_count)
        for code, (num, den) in rates.items():
            if {num, den} & partial_codes:
                sh.ws.write_string(total, sh.col(code), DASH, dash)
                sh.values[(total, sh.col(code))] = DASH
                continue
            self._rate_cell(sh, total, sh.col(code), sh.col(num), sh.col(den), tot_rate)
        if fill_extra:
            fill_extra(total)
        return total

    # ------------------------------------------------------------------------- Biểu 01

    def b01(self, ws: Worksheet) -> None:
        sh = _Sheet(ws, "Biểu 01", B01)
        left, right = self._page(sh, title(sh.name, self.words))
        self._table_header(sh)
        st = self.st
        codes = [
            "HO",
            "GDVH_DK",
            "GDVH_DAT",
            "GDVH_3NAM",
            "GDHT",
            "GDTT",
            "HO_NGHEO",
            "HO_CAN_NGHEO",
        ]

        def verdicts(row: int) -> None:
            bold = row == self.layout[sh.name].rows[self.r.ward_code]
            tfmt = st.cell(num_format=RATE_FMT, align="center", bold=bold)
            vfmt = st.cell(align="center", bold=bold, text_wrap=True)
            for code in B01_TARGETS:
                tcol, vcol = sh.col("CT_" + code), sh.col("DG_" + code)
                if code not in self.targets:
                    ws.write_string(row, tcol, DASH, tfmt)
                    ws.write_string(row, vcol, DASH, vfmt)
                    continue
                self._num_cell(sh, row, tcol, self.targets[code], tfmt)
                if bold and self.r.partial:
                    # The ward's rate is over all its households: unknown with a khóm missing.
                    text = unit_words.verdict_text(self.r, CHUA_DU)
                    ws.write_string(row, vcol, text, vfmt)
                    sh.values[(row, vcol)] = text
                    self._fit(sh, row, vcol, text)
                    continue
                self._verdict_cell(sh, row, vcol, sh.col(code), tcol, vfmt)

        total = self._khom_table(sh, codes, B01_RATES, verdicts)
        for code in B01_TARGETS:
            self._red_when_not_met(sh, FIRST_ROW, total, sh.col("DG_" + code))
        self.b01_values = sh.values
        notes = [
            "Ghi chú: tỷ lệ tính trên tổng số hộ; “—”: không có hộ để tính tỷ lệ; "
            f"chỉ tiêu theo kế hoạch năm của {self.words['cha']}."
        ]
        if self.r.partial:
            notes.append(self._partial_note())
        self._signature(sh, total, left, right, notes)

    # ------------------------------------------------------------------------- Biểu 02

    def b02(self, ws: Worksheet) -> None:
        sh = _Sheet(ws, "Biểu 02", B02)
        left, right = self._page(sh, title(sh.name, self.words))
        self._table_header(sh)
        st, r = self.st, self.r
        lay = self.layout[sh.name]
        center = st.cell(align="center")
        wrap = st.cell(align="left", text_wrap=True)
        titles = {}
        if r.khom_titles is not None and len(r.khom_titles):
            titles = {str(t.ma_khom): t for t in r.khom_titles.itertuples()}
        body = [lay.rows[k] for k in r.expected]
        for i, k in enumerate(r.expected):
            row = lay.rows[k]
            self._row_label(sh, row, i + 1, self.config.khom_name(k))
            t = titles.get(k)
            if k not in r.included or t is None:
                self._no_data_row(sh, row)
                continue
            self._num_cell(
                sh, row, sh.col("DIEM"), t.DIEM, st.cell(num_format="General", align="center")
            )
            rate = t.GDVH_DAT_TL
            if _missing(rate):
                ws.write_string(row, sh.col("GDVH_DAT_TL"), DASH, center)
            else:
                ws.write_number(
                    row,
                    sh.col("GDVH_DAT_TL"),
                    float(rate),
                    st.cell(num_format=RATE_FMT, align="center"),
                )
            antt = DASH if _missing(t.ANTT) else ("x" if t.ANTT else "")
            ws.write_string(row, sh.col("ANTT"), antt, center)
            for code in ("NGAY_HOI", "QUY_UOC", "CD_HOC_TAP"):
                mark = getattr(t, code)
                ws.write_string(row, sh.col(code), "x" if mark is True or mark == 1 else "", center)
            ws.write_string(
                row,
                sh.col("KET_QUA"),
                str(t.ket_qua),
                st.cell(align="center", bold=True, text_wrap=True),
            )
            self._fit(sh, row, sh.col("KET_QUA"), str(t.ket_qua))
            reason = "" if _missing(t.ly_do) else str(t.ly_do)
            ws.write_string(row, sh.col("LY_DO"), reason, wrap)
            self._fit(sh, row, sh.col("LY_DO"), reason)
        # the ward
        row = lay.rows[r.ward_code]
        ph = self.config.phuong
        ws.write_blank(row, 0, None, st.cell())
        ws.write_string(row, 1, f"{ph.cap} {ph.ten}", st.cell(bold=True, text_wrap=True))
        ws.write_blank(row, sh.col("DIEM"), None, st.cell())
        ward_rate = self.value(r.ward_code, "GDVH_DAT_TL")
        if _missing(ward_rate):
            ws.write_string(row, sh.col("GDVH_DAT_TL"), DASH, st.cell(align="center", bold=True))
        else:
            ws.write_number(
                row,
                sh.col("GDVH_DAT_TL"),
                ward_rate,
                st.cell(num_format=RATE_FMT, align="center", bold=True),
            )
        # Over every khóm of the ward, never only the consolidated ones.
        vmdt = _num(self.value(r.ward_code, "KHOM_VMDT"))
        khom = len(r.expected)
        text = self.t(f"{_number_vi(vmdt)}/{khom} {{con}} đạt chuẩn {{chuan_con}}")
        if r.partial:
            text += self.t(f" ({khom - len(r.included)} {{con}} chưa tổng hợp)")
        elif khom > 0:
            text += f" ({_percent_vi(vmdt / khom)})"
        self._text(
            ws,
            row,
            sh.col("ANTT"),
            sh.col("CD_HOC_TAP"),
            text,
            st.cell(align="center", text_wrap=True),
        )
        verdict = unit_words.verdict_text(r, r.ward_title)
        ws.write_string(
            row, sh.col("KET_QUA"), verdict, st.cell(align="center", bold=True, text_wrap=True)
        )
        self._fit(sh, row, sh.col("KET_QUA"), verdict)
        ws.write_string(row, sh.col("LY_DO"), r.ward_title_reasons or "", wrap)
        self._fit(sh, row, sh.col("LY_DO"), r.ward_title_reasons or "", 32)
        self._fit(sh, row, 1, f"{ph.cap} {ph.ten}")
        # count of khóm đạt
        row = lay.rows[COUNT_ROW]
        kq = sh.col("KET_QUA")
        self._text(
            ws,
            row,
            0,
            kq - 1,
            self.t("Số {con} đạt chuẩn {chuan_con}:"),
            st.cell(bold=True, align="right"),
        )
        count = sum(
            1 for k in r.expected if k in titles and k in r.included and titles[k].ket_qua == DAT
        )
        ws.write_formula(
            row,
            kq,
            f'=COUNTIF({a1(body[0], kq)}:{a1(body[-1], kq)},"{DAT}")',
            st.cell(bold=True, align="center"),
            count,
        )
        sh.values[(row, kq)] = count
        ws.write_blank(row, sh.col("LY_DO"), None, st.cell())
        self._red_when_not_met(sh, FIRST_ROW, lay.rows[r.ward_code], kq)
        self.b02_values = sh.values
        notes = [
            "Ghi chú: x: đạt/có; “—”: chưa có xác nhận của Công an (chưa có biểu của "
            f"{self.words['cha']}); “{CHUA_DU}”: thiếu số liệu để đánh giá."
        ]
        if r.partial:
            notes.append(self._partial_note())
        self._signature(sh, row, left, right, notes)

    # ------------------------------------------------------------------------- Biểu 03

    def b03(self, ws: Worksheet) -> None:
        sh = _Sheet(ws, "Biểu 03", B03)
        left, right = self._page(sh, title(sh.name, self.words))
        self._table_header(sh)
        st, r = self.st, self.r
        lay = self.layout[sh.name]
        units = r.units_by_type
        if units is None or not len(units):
            self._text(
                ws,
                FIRST_ROW,
                0,
                sh.ncols - 1,
                self.t(NO_UNITS),
                st.cell(italic=True, align="center", font_color="#7F7F7F"),
            )
            ws.set_row(FIRST_ROW, 24)
            self.b03_values = sh.values
            self._signature(sh, FIRST_ROW, left, right)
            return
        codes = ["DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"]
        count_fmt = st.cell(num_format=COUNT_FMT, align="right", indent=1)
        rate_fmt = st.cell(num_format=RATE_FMT, align="center")
        body = []
        for i, u in enumerate(units.itertuples()):
            row = FIRST_ROW + i
            body.append(row)
            ws.write_number(row, 0, i + 1, st.cell(align="center"))
            ws.write_string(row, 1, str(u.loai), st.cell(align="left", text_wrap=True))
            self._fit(sh, row, 1, str(u.loai))
            for code in codes:
                self._num_cell(sh, row, sh.col(code), getattr(u, code), count_fmt)
            self._rate_cell(
                sh, row, sh.col("DV_DAT_TL"), sh.col("DV_DAT"), sh.col("DV_DK"), rate_fmt
            )
        total = lay.rows[r.ward_code]
        ws.write_blank(total, 0, None, st.cell())
        ws.write_string(total, 1, TOTAL, st.cell(bold=True, align="center"))
        for code in codes:
            self._sum_cell(
                sh,
                total,
                sh.col(code),
                body,
                st.cell(num_format=COUNT_FMT, align="right", indent=1, bold=True),
            )
        self._rate_cell(
            sh,
            total,
            sh.col("DV_DAT_TL"),
            sh.col("DV_DAT"),
            sh.col("DV_DK"),
            st.cell(num_format=RATE_FMT, align="center", bold=True),
        )
        self.b03_values = sh.values
        self._signature(
            sh,
            total,
            left,
            right,
            ["Ghi chú: tỷ lệ đạt chuẩn văn hóa tính trên số đơn vị đăng ký."],
        )

    # ------------------------------------------------------------------------- Biểu 04

    def b04(self, ws: Worksheet) -> None:
        sh = _Sheet(ws, "Biểu 04", B04)
        left, right = self._page(sh, title(sh.name, self.words))
        self._table_header(sh)
        st, r = self.st, self.r
        lay = self.layout[sh.name]
        targets = r.targets if r.targets is not None else pd.DataFrame()
        if not len(targets):
            self._text(
                ws,
                FIRST_ROW,
                0,
                sh.ncols - 1,
                "Chưa có chỉ tiêu kế hoạch.",
                st.cell(italic=True, align="center"),
            )
            self._signature(sh, FIRST_ROW, left, right)
            return
        center = st.cell(align="center")
        sources = self._result_sources()
        for i, t in enumerate(targets.itertuples()):
            row = lay.rows[str(t.ma)]
            ws.write_number(row, 0, i + 1, center)
            ws.write_string(row, 1, self._target_label(t), st.cell(align="left", text_wrap=True))
            unit = "" if _missing(t.don_vi) else str(t.don_vi)
            ws.write_string(row, 2, self._unit_of_count(unit), center)
            ct, kq, dg = sh.col("CHI_TIEU"), sh.col("KET_QUA"), sh.col("DANH_GIA")
            is_rate = unit == "%"
            fmt = st.cell(num_format=RATE_FMT if is_rate else "General", align="center")
            if str(t.ma) == "PHUONG_VMDT":
                ws.write_string(row, ct, _yes_no(t.chi_tieu), center)
                ws.write_string(row, kq, _yes_no(t.ket_qua), center)
            else:
                self._num_cell(sh, row, ct, t.chi_tieu, fmt)
                source = sources.get(str(t.ma))
                if source is not None:
                    ref, cached = source
                    ws.write_formula(row, kq, f"={ref}", fmt, "" if cached is None else cached)
                    sh.values[(row, kq)] = DASH if cached is None else cached
                elif _missing(t.ket_qua):
                    ws.write_string(row, kq, DASH, center)
                    sh.values[(row, kq)] = DASH
                else:
                    self._num_cell(sh, row, kq, t.ket_qua, fmt)
            vfmt = st.cell(align="center", bold=True, text_wrap=True)
            if t.dat is None or _missing(t.dat):
                verdict = str(getattr(t, "danh_gia", "") or CHUA_DU)
                ws.write_string(row, dg, verdict, vfmt)
                self._fit(sh, row, dg, verdict)
            elif str(t.ma) == "PHUONG_VMDT":
                ws.write_string(row, dg, DAT if t.dat else CHUA_DAT, vfmt)
            else:
                self._verdict_cell(sh, row, dg, kq, ct, vfmt)
            missing = "" if _missing(t.con_thieu) else str(t.con_thieu)
            ws.write_string(
                row, sh.col("CON_THIEU"), missing, st.cell(align="left", text_wrap=True)
            )
            self._fit(sh, row, sh.col("CON_THIEU"), missing, 30)
            self._fit(sh, row, sh.col("NOI_DUNG"), self._target_label(t), 30)
        last = FIRST_ROW + len(targets) - 1
        self._red_when_not_met(sh, FIRST_ROW, last, sh.col("DANH_GIA"))
        self._signature(
            sh,
            last,
            left,
            right,
            [
                "Ghi chú: kết quả thực hiện lấy từ dòng Tổng cộng của các biểu 01, 02, 03; "
                f"“{CHUA_DU}”: thiếu số liệu để đánh giá.",
                *([self._partial_note()] if r.partial else []),
            ],
        )

    def _partial_note(self) -> str:
        r = self.r
        missing = [self.config.khom_name(k) for k in r.expected if k not in r.included]
        return (
            f"{unit_words.coverage(r)}: chưa có số liệu hợp lệ của {', '.join(missing)}; "
            + self.t(
                "các đánh giá toàn {cha} tính trên hộ hoặc số {con} chưa đủ căn cứ; "
                "chưa tính được số cần thêm."
            )
        )

    def _result_sources(self) -> dict[str, tuple[str, Any]]:
        """Target code → (reference to the form cell holding its result, that cell's value)."""
        lay, ward = self.layout, self.r.ward_code
        out: dict[str, tuple[str, Any]] = {}
        for code in B01_TARGETS:
            cell = (lay["Biểu 01"].rows[ward], lay["Biểu 01"].columns[code])
            out[code] = (lay["Biểu 01"].ref(ward, code), self.b01_values.get(cell))
        l02 = lay["Biểu 02"]
        cell = (l02.rows[COUNT_ROW], l02.columns["KET_QUA"])
        out["KHOM_VMDT"] = (l02.ref(COUNT_ROW, "KET_QUA"), self.b02_values.get(cell))
        l03 = lay["Biểu 03"]
        if ward in l03.rows:
            cell = (l03.rows[ward], l03.columns["DV_DAT_TL"])
            out["DV_DAT_TL"] = (l03.ref(ward, "DV_DAT_TL"), self.b03_values.get(cell))
        return out

    # ------------------------------------------------------------------------- Biểu 05

    def b05(self, ws: Worksheet) -> None:
        sh = _Sheet(ws, "Biểu 05", B05)
        left, right = self._page(sh, title(sh.name, self.words))
        self._table_header(sh)
        codes = [
            "TT_BUOI",
            "TT_LUOT",
            "HOA_GIAI",
            "HOA_GIAI_THANH",
            "GUONG_TOT",
            "KINH_PHI",
            "XA_HOI_HOA",
            "HO_VI_PHAM",
            "NGUOI_VI_PHAM",
            "HO_NGHEO_LDTBXH",
            "HO_CAN_NGHEO_LDTBXH",
            "LAO_DONG",
            "VIEC_LAM",
            "KHOM_YTE",
            "KHOM_QS",
        ]
        total = self._khom_table(sh, codes, B05_RATES)
        notes = [
            "Ghi chú: tỷ lệ hòa giải thành tính trên số vụ việc hòa giải; tỷ lệ có việc "
            "làm tính trên số người trong độ tuổi lao động.",
            self.t(
                "Số liệu ngành theo biểu của {cha} (Công an, LĐTBXH, Trạm Y tế, Ban Chỉ huy Quân "
                "sự); cột {con} đạt: 1 là đạt, 0 là chưa đạt, dòng Tổng cộng là số {con} đạt."
            ),
        ]
        lacking = [
            self.config.khom_name(k) for k in self.r.included if _missing(self.value(k, "LAO_DONG"))
        ]
        no_row = [
            self.config.khom_name(k)
            for k in self.r.included
            if _missing(self.value(k, "HO_NGHEO_LDTBXH"))
        ]
        if not self.r.has_ward_workbook:
            notes.append(
                self.t("Chưa có biểu của {cha}: chưa có số liệu ngành, ")
                + "chưa có số liệu lao động, việc làm."
            )
        else:
            if no_row:
                notes.append(
                    "Chưa có số liệu ngành của: " + ", ".join(no_row) + f" (“{DASH}” ở dòng "
                    f"{TOTAL}: không cộng khi thiếu số liệu của {self.words['con']})."
                )
            lacking = [k for k in lacking if k not in no_row]  # said once, above
            if lacking:
                notes.append("Chưa có số liệu lao động, việc làm của: " + ", ".join(lacking) + ".")
        self._signature(sh, total, left, right, notes)

    # ------------------------------------------------------------------------- Biểu đồ

    def charts(self, ws: Worksheet) -> None:
        st, r = self.st, self.r
        l01 = self.layout["Biểu 01"]
        first, last = FIRST_ROW, l01.rows[r.ward_code]
        ws.set_column(0, 0, 16)
        ws.set_column(1, 2, 14)
        head = st(border=1, bold=True, text_wrap=True, align="center", font_size=11)
        ws.set_row(0, 45)
        ws.write_string(0, 0, self.unit_word, head)
        ws.write_string(0, 1, "Chỉ tiêu tỷ lệ hộ đạt GĐVH", head)
        ws.write_string(0, 2, "Chỉ tiêu tỷ lệ hộ đăng ký GĐVH", head)
        names = [self.config.khom_name(k) for k in r.expected] + [TOTAL]
        rate = st.cell(num_format=RATE_FMT, align="center")
        for i, name in enumerate(names):
            ws.write_string(i + 1, 0, name, st.cell(align="left"))
            for j, code in enumerate(("GDVH_DAT_TL", "GDVH_DK_TL")):
                if code in self.targets:
                    ws.write_number(i + 1, j + 1, self.targets[code], rate)
                else:
                    ws.write_blank(i + 1, j + 1, None, rate)
        ws.write_string(
            len(names) + 2,
            0,
            "Cột Chỉ tiêu dùng để vẽ đường chỉ tiêu trên biểu đồ.",
            st(italic=True, font_size=10),
        )
        sheet01 = "Biểu 01"
        cats = [sheet01, first, l01.columns["TEN"], last, l01.columns["TEN"]]
        specs = (
            (
                "GDVH_DAT_TL",
                1,
                self.t("Tỷ lệ hộ đạt chuẩn Gia đình văn hóa theo {con}"),
                "Tỷ lệ hộ đạt chuẩn GĐVH",
                "#2E75B6",
                "E2",
            ),
            (
                "GDVH_DK_TL",
                2,
                self.t("Tỷ lệ hộ đăng ký xây dựng Gia đình văn hóa theo {con}"),
                "Tỷ lệ hộ đăng ký GĐVH",
                "#70AD47",
                "E24",
            ),
        )
        font = {"name": FONT}
        for code, tcol, title, series, colour, anchor in specs:
            chart = self.wb.add_chart({"type": "column"})
            col = l01.columns[code]
            chart.add_series(
                {
                    "name": series,
                    "categories": cats,
                    "values": [sheet01, first, col, last, col],
                    "fill": {"color": colour},
                    "data_labels": {
                        "value": True,
                        "num_format": "0.0%",
                        "font": {"name": FONT, "size": 9},
                    },
                    "gap": 80,
                }
            )
            line = self.wb.add_chart({"type": "line"})
            line.add_series(
                {
                    "name": "Chỉ tiêu",
                    "categories": cats,
                    "values": [CHART_SHEET, 1, tcol, len(names), tcol],
                    "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
                    "marker": {"type": "none"},
                }
            )
            chart.combine(line)
            chart.set_title({"name": title, "name_font": {"name": FONT, "size": 13, "bold": True}})
            chart.set_x_axis(
                {"name": self.unit_word, "name_font": font, "num_font": {"name": FONT, "size": 10}}
            )
            chart.set_y_axis(
                {
                    "name": "Tỷ lệ (%)",
                    "name_font": font,
                    "min": 0,
                    "max": 1,
                    "major_unit": 0.2,
                    "num_format": "0%",
                    "num_font": {"name": FONT, "size": 10},
                    "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                }
            )
            chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
            chart.set_size({"width": 760, "height": 400})
            ws.insert_chart(anchor, chart)
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(**MARGINS)
        ws.fit_to_pages(1, 1)
        ws.print_area(0, 0, 45, 16)

    # ------------------------------------------------------------------------- Dữ liệu

    def data_sheet(self, ws: Worksheet) -> None:
        st = self.st
        head = st(bold=True, bg_color="#D9E1F2", border=1, font_size=11)
        text = st(font_size=11)
        num = st(font_size=11)
        for j, name in enumerate(DATA_COLUMNS):
            ws.write_string(0, j, name, head)
        widths = {
            "ky": 8,
            "ma_don_vi": 11,
            "ten_don_vi": 24,
            "cap": 9,
            "ma_don_vi_cha": 13,
            "ma_chi_tieu": 17,
            "phan_loai": 18,
            "tu_so": 12,
            "mau_so": 12,
            "gia_tri": 20,
        }
        for j, name in enumerate(DATA_COLUMNS):
            ws.set_column(j, j, widths.get(name, 12))
        data = self.r.data
        records = data[DATA_COLUMNS].itertuples(index=False) if len(data) else []
        n = 0
        for i, rec in enumerate(records, start=1):
            n = i
            for j, x in enumerate(rec):
                if _missing(x):
                    continue
                if isinstance(x, bool):
                    ws.write_number(i, j, int(x), num)
                elif isinstance(x, numbers.Real):
                    if math.isinf(float(x)):
                        continue
                    ws.write_number(i, j, float(x), num)
                else:
                    ws.write_string(i, j, str(x), text)
        ws.autofilter(0, 0, max(n, 1), len(DATA_COLUMNS) - 1)
        ws.freeze_panes(1, 0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)


def _yes_no(x: Any) -> str:
    if _missing(x):
        return DASH
    return "Có" if float(x) >= 1 else "Không"
