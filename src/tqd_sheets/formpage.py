"""The paper around a form's table, as Nghị định 30/2020/NĐ-CP lays it out.

Issuing body and national motto with their rules, form number, title, `Kèm theo Báo cáo số …`,
period, coverage, the two header rows and the column numbers; under the table the notes, place
and date, the signature block with the signers' names; A4 landscape, margins, page numbers,
print area. One size for every header line on every form: each form is declared no wider than
the printable width, so every form prints at 100 %.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .findings import a1
from .formspec import PERCENT, Col
from .results import CHUA_DAT, DAT, missing
from .styles import FONT, Styles

# Rows (0-based) shared by every form sheet.
FORM_NO_ROW = 3
TITLE_ROW = 4
ANNEX_ROW = 5  # "Kèm theo Báo cáo số …/BC-… ngày …"
PERIOD_ROW = 6
COVERAGE_ROW = 7
SAMPLE_ROW = 8
HEADER_ROWS = (9, 11)  # two header rows and the column-number row, repeated on every page
FIRST_ROW = 12  # first body row

CM = 1 / 2.54  # xlsxwriter takes inches
MARGINS = {"left": 3.0 * CM, "right": 1.5 * CM, "top": 2.0 * CM, "bottom": 2.0 * CM}
# Column width in pixels of the default font (Times New Roman 12: digits 8 px wide), so that
# xlsxwriter places drawn objects where Excel and LibreOffice draw the columns.
DEFAULT_COLUMN_PX = 72
DIGIT_PX, PADDING_PX = 8, 5
# A4 landscape less the margins, in pixels at 96 dpi: a form this wide prints at 100 %.
PRINTABLE_PX = int((29.7 - 3.0 - 1.5) / 2.54 * 96)
PRINTABLE_PT = (21.0 - 2.0 - 2.0) / 2.54 * 72  # A4 landscape height less the margins
MIN_SCALE = 0.9  # the least a form is shrunk to keep it on one page
DEFAULT_ROW_PT = 15.75  # a row of the default font (Times New Roman 12)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
HEADER_SIZE = 13  # points: issuing body, motto, period
TITLE_SIZE = 14
BODY_SIZE = 11  # the table
NOTE_SIZE = 11
SIGN_SIZE = 13
ANNEX = "Kèm theo Báo cáo số ……/BC-…… ngày …… tháng …… năm {year}"

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


DASH = "—"  # a rate whose denominator is 0, a figure that cannot be given


def as_number(x: Any) -> float:
    """A cell's numeric value as Excel sees it in arithmetic (blank is 0)."""
    return 0.0 if missing(x) else float(x)


def rate(num: float, den: float) -> float | str:
    """What `=IF(den>0,num/den*100,"—")` evaluates to."""
    return num / den * PERCENT if den > 0 else DASH


def column_px(width: float) -> int:
    """A column's width in pixels, as Excel and LibreOffice draw it with the default font."""
    return int(width * DIGIT_PX + 0.5) + PADDING_PX


def lines(text: str, width: float, font_size: float = BODY_SIZE, bold: bool = False) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (an estimate)."""
    per_line = max(1, int(width * (1.1 if bold else 1.25) * 11 / font_size) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def bold_width_pt(text: str, size: float) -> float:
    """Printed width of `text` in Times New Roman Bold of `size` points (an estimate)."""
    total = 0
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        base = {"Đ": "D", "đ": "d"}.get(base, base)
        total += _BOLD_WIDTHS.get(base, 722 if base.isupper() else 500)
    return total * size / 1000


@dataclass(frozen=True)
class Heading:
    """What the top of every form says, the same on each."""

    co_quan: str  # UBND PHƯỜNG TÂN QUY ĐÔNG
    ban: str  # BAN CÔNG TÁC XDĐSVH - ĐTVM
    period: str  # Quý II năm 2020
    year: int
    coverage: str  # (Tổng hợp 3/4 khóm)
    sample_note: str = ""
    place: str = ""
    # signature block: left title, right titles, and the names typed under them
    left_title: str = ""
    right_titles: tuple[str, ...] = ()
    left_name: str = ""
    right_name: str = ""


@dataclass
class Page:
    """One form sheet being written: its worksheet, columns and the values of its cells."""

    ws: Worksheet
    st: Styles
    name: str
    columns: tuple[Col, ...]
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    heading_texts: tuple[str, str] = ("", "")  # the issuing body's two lines
    _cols: tuple[tuple[Col, ...], dict[str, int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def ncols(self) -> int:
        return len(self.columns)

    def col(self, code: str) -> int:
        i = self._positions().get(code)
        return next(i for i, c in enumerate(self.columns) if c.code == code) if i is None else i

    def has(self, code: str) -> bool:
        return code in self._positions()

    def _positions(self) -> dict[str, int]:
        """Column code → its first position, for the columns as they are now (`make_room`
        replaces them): every cell of every row asks where its column is."""
        cached = self._cols
        if cached is None or cached[0] is not self.columns:
            positions: dict[str, int] = {}
            for i, c in enumerate(self.columns):
                positions.setdefault(c.code, i)
            cached = self._cols = (self.columns, positions)
        return cached[1]

    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    # -- cells

    def text(self, row: int, c1: int, c2: int, text: str, fmt: Format) -> None:
        """Text across columns c1..c2 (merged when more than one), always as a string."""
        if c2 > c1:
            self.ws.merge_range(row, c1, row, c2, "", fmt)
        self.ws.write_string(row, c1, text, fmt)

    def set_row(self, row: int, height: float) -> None:
        self.heights[row] = height
        self.ws.set_row(row, height)

    def printed_height(self, last: int) -> float:
        """Points rows 0..`last` take on paper at 100 % (rows not set have the default)."""
        return sum(self.heights.get(r, DEFAULT_ROW_PT) for r in range(last + 1))

    def fit(
        self,
        row: int,
        col: int,
        text: str,
        minimum: float = 18,
        last: int = -1,
        bold: bool = False,
    ) -> None:
        """Make `row` tall enough for wrapped `text` in columns `col`..`last` (rows only
        grow)."""
        width = sum(c.width for c in self.columns[col : max(col, last) + 1])
        height = max(minimum, lines(text, width, bold=bold) * 13 + 5)
        if height > self.heights.get(row, 0):
            self.set_row(row, height)

    # -- cells: each keeps its value in `values`, as Excel computes it

    def num_cell(self, row: int, col: int, x: Any, fmt: Format) -> None:
        if missing(x):
            self.ws.write_blank(row, col, None, fmt)
            self.values[(row, col)] = None
        else:
            self.ws.write_number(row, col, float(x), fmt)
            self.values[(row, col)] = float(x)

    def dash(self, row: int, col: int, bold: bool = False) -> None:
        self.ws.write_string(row, col, DASH, self.st.cell(align="center", bold=bold))
        self.values[(row, col)] = DASH

    def sum_cell(self, row: int, col: int, rows: list[int], fmt: Format) -> None:
        """`=SUM(first:last)` over the body rows `rows`; its cached value is the sum of those
        cells as Excel adds them."""
        total = sum(as_number(self.values.get((r, col))) for r in rows)
        self.ws.write_formula(row, col, f"=SUM({a1(rows[0], col)}:{a1(rows[-1], col)})", fmt, total)
        self.values[(row, col)] = total

    def rate_cell(self, row: int, col: int, num: int, den: int, fmt: Format) -> None:
        value = rate(as_number(self.values.get((row, num))), as_number(self.values.get((row, den))))
        d, n = a1(row, den), a1(row, num)
        self.ws.write_formula(row, col, f'=IF({d}>0,{n}/{d}*{PERCENT},"{DASH}")', fmt, value)
        self.values[(row, col)] = value

    def verdict_cell(
        self, row: int, col: int, rate_col: int, target: str, bold: bool = False
    ) -> None:
        """`Đạt` when the rate reaches the target printed in the sub-header cell `target`."""
        rate = self.values.get((row, rate_col))
        value = DASH
        if rate != DASH and rate is not None:
            value = DAT if rate >= self.values[target] else CHUA_DAT
        r = a1(row, rate_col)
        fmt = self.st.cell(align="center", text_wrap=True, bold=bold)
        self.ws.write_formula(
            row,
            col,
            f'=IF({r}="{DASH}","{DASH}",IF({r}>={target},"{DAT}","{CHUA_DAT}"))',
            fmt,
            value,
        )
        self.values[(row, col)] = value

    def change_cell(
        self,
        row: int,
        col: int,
        now_col: int,
        before: float | str,
        fmt: Format,
        before_ref: str = "",
    ) -> None:
        """This period minus last year's (the cell `before_ref` when the form shows it): live
        when both figures exist, `—` otherwise."""
        now = self.values.get((row, now_col))
        if missing(before) or before == DASH or now in (None, DASH):
            self.dash(row, col)
            return
        value = float(now) - float(before)
        ref = a1(row, now_col)
        minus = before_ref or repr(float(before))
        self.ws.write_formula(row, col, f'=IF(ISNUMBER({ref}),{ref}-{minus},"{DASH}")', fmt, value)
        self.values[(row, col)] = value

    def red_when_not_met(self, first: int, last: int, col: int) -> None:
        self.ws.conditional_format(
            first,
            col,
            last,
            col,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{CHUA_DAT}"',
                "format": self.st.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
            },
        )

    def row_label(self, row: int, index: int | None, name: str, bold: bool = False):
        st = self.st
        self.fit(row, 1, name)
        if index is None:
            self.ws.write_blank(row, 0, None, st.cell())
        else:
            self.ws.write_number(row, 0, index, st.cell(align="center"))
        self.ws.write_string(row, 1, name, st.cell(align="left", text_wrap=True, bold=bold))

    def no_data_row(self, row: int, text: str, first_col: int = 2) -> None:
        self.text(
            row,
            first_col,
            self.ncols - 1,
            text,
            self.st.cell(italic=True, align="center", font_color="#7F7F7F"),
        )

    # -- the header

    def _block_chars(self, *texts: str) -> int:
        """Column width (characters) the widest of `texts` needs in the header's bold type."""
        return max(math.ceil(bold_width_pt(t, HEADER_SIZE) * 4 / 3 / DIGIT_PX) + 3 for t in texts)

    def make_room(self, h: Heading) -> None:
        """Widen the row labels until the issuing body's block (left) and the motto's (right)
        each have the width their text needs, so no header line is cut."""
        left, right = self._block_chars(h.co_quan, h.ban), self._block_chars(MOTTO)
        widths = self.widths()
        fill = next((i for i, c in enumerate(self.columns) if c.fill), None)
        grow = max(0.0, left + right - sum(widths))
        if fill is not None:
            grow = max(grow, left - sum(widths[:fill]))
        label = next((i for i, c in enumerate(self.columns) if c.code in ("TEN", "LOAI")), None)
        if grow <= 0 or label is None:
            return
        cols = list(self.columns)
        cols[label] = replace(cols[label], width=cols[label].width + grow)
        if fill is not None and cols[fill].width - grow >= 20:
            cols[fill] = replace(cols[fill], width=cols[fill].width - grow)
        self.columns = tuple(cols)

    def spans(
        self, left_texts: Sequence[str] = (), right_texts: Sequence[str] = ()
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """Column spans of the two blocks, each as wide as its text needs: by default the
        issuing body's (left) and the motto's (right) in the header; under the table, the
        signature block's own lines (a city's "TM. BAN CHỈ ĐẠO …" is wider than the motto)."""
        widths = self.widths()
        n = len(widths)
        need_left = self._block_chars(*(left_texts or self.heading_texts))
        need_right = self._block_chars(*(right_texts or (MOTTO,)))
        left_end, acc = 0, 0.0
        for i, w in enumerate(widths[:-1]):
            acc += w
            left_end = i
            if acc >= need_left:
                break
        right_start, acc = n - 1, 0.0
        for i in range(n - 1, left_end, -1):
            acc += widths[i]
            right_start = i
            if acc >= need_right:
                break
        return (0, left_end), (right_start, n - 1)

    def _rule(self, span: tuple[int, int], text: str, fraction: float) -> None:
        """A solid rule under the header line `text` (centred in `span`, row 2), `fraction`
        of the text's printed length, as Nghị định 30/2020/NĐ-CP draws it: 1/3 to 1/2 under
        the issuing body, the motto's full length under the motto. Drawn as a thin filled
        shape: cell borders can only follow whole columns."""
        start, end = span
        span_px = sum(column_px(w) for w in self.widths()[start : end + 1])
        length = round(bold_width_pt(text, HEADER_SIZE) * 4 / 3 * fraction)
        length = max(8, min(length, span_px))
        self.ws.insert_textbox(
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

    def heading(self, h: Heading, title: str, coverage: bool = True) -> None:
        """Header blocks, form number, title, annex line, period, coverage; print setup."""
        ws, st = self.ws, self.st
        self.heading_texts = (h.co_quan, h.ban)
        self.make_room(h)
        for i, w in enumerate(self.widths()):
            ws.set_column(i, i, w)
        left, right = self.spans()
        last = self.ncols - 1
        self.set_row(0, 16)
        self.set_row(1, 16)
        self.set_row(2, 4)
        head = st(font_size=HEADER_SIZE, align="center")
        bold = st(font_size=HEADER_SIZE, bold=True, align="center")
        self.text(0, *left, h.co_quan, head)
        self.text(1, *left, h.ban, bold)
        self.text(0, *right, MOTTO, bold)
        self.text(1, *right, "Độc lập - Tự do - Hạnh phúc", bold)
        self._rule(left, h.ban, 0.40)
        self._rule(right, "Độc lập - Tự do - Hạnh phúc", 1.0)
        self.text(
            FORM_NO_ROW,
            max(right[0], last - 1),
            last,
            self.name,
            st(font_size=HEADER_SIZE, bold=True, align="right"),
        )
        self.set_row(FORM_NO_ROW, 15)
        self.set_row(TITLE_ROW, 19)
        self.set_row(ANNEX_ROW, 14)
        self.text(TITLE_ROW, 0, last, title, st(font_size=TITLE_SIZE, bold=True, align="center"))
        self.text(
            ANNEX_ROW,
            0,
            last,
            ANNEX.format(year=h.year),
            st(font_size=HEADER_SIZE - 1, italic=True, align="center"),
        )
        self.text(
            PERIOD_ROW,
            0,
            last,
            h.period,
            st(font_size=HEADER_SIZE, bold=True, italic=True, align="center"),
        )
        self.set_row(COVERAGE_ROW, 16 if coverage else 2)
        if coverage:
            self.text(
                COVERAGE_ROW,
                0,
                last,
                f"({h.coverage})",
                st(font_size=HEADER_SIZE - 1, italic=True, align="center"),
            )
        self.set_row(SAMPLE_ROW, 18 if h.sample_note else 2)
        if h.sample_note:
            self.text(
                SAMPLE_ROW,
                0,
                last,
                h.sample_note,
                st(font_size=HEADER_SIZE - 1, bold=True, font_color="#C00000", align="center"),
            )
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(**MARGINS)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.repeat_rows(*HEADER_ROWS)
        # Each form numbers its own pages from 1 (LibreOffice would otherwise count on).
        ws.set_start_page(1)
        ws.set_footer(f'&C&"{FONT},Regular"&11{self.name} – Trang &P')
        ws.hide_gridlines(2)

    def table_header(self, label_of: dict[str, str], words: Callable[[str], str]) -> None:
        """The two header rows (a group's `top` spans its columns) and the column numbers.
        `label_of` gives a header's text (the TEN column's kind), `words` puts a declared
        header in the run's words."""
        ws, st = self.ws, self.st
        head = st(border=1, bold=True, text_wrap=True, align="center", font_size=BODY_SIZE)
        numfmt = st(border=1, italic=True, align="center", font_size=BODY_SIZE - 1)
        top, sub, nums = HEADER_ROWS[0], HEADER_ROWS[0] + 1, HEADER_ROWS[1]
        tops = [label_of.get(c.code, words(c.top)) for c in self.columns]
        alone = [
            lines(t, c.width) for t, c in zip(tops, self.columns, strict=True) if c.sub is None
        ]
        grouped = any(c.sub is not None for c in self.columns)
        if grouped:
            # a group's title over its columns' width; a lone column spans both rows
            groups: dict[str, float] = {}
            for t, c in zip(tops, self.columns, strict=True):
                if c.sub is not None:
                    groups[t] = groups.get(t, 0) + c.width
            top_h = max(lines(t, w) for t, w in groups.items()) * 14 + 4
            subs = [lines(c.sub or "", c.width) for c in self.columns if c.sub]
            sub_h = max([1, *subs]) * 14 + 4
            self.set_row(top, top_h)
            self.set_row(sub, max(sub_h, max(alone or [1]) * 14 + 6 - top_h))
        else:  # every header spans both rows: as tall as the longest header needs
            self.set_row(top, max(24, max(alone) * 14 + 8 - 16))
            self.set_row(sub, 16)
        i = 0
        while i < self.ncols:
            c = self.columns[i]
            if c.sub is None:
                ws.merge_range(top, i, sub, i, "", head)
                ws.write_string(top, i, tops[i], head)
                i += 1
                continue
            j = i
            while (
                j + 1 < self.ncols
                and self.columns[j + 1].top == c.top
                and self.columns[j + 1].sub is not None
            ):
                j += 1
            self.text(top, i, j, tops[i], head)
            for k in range(i, j + 1):
                ws.write_string(sub, k, words(self.columns[k].sub or ""), head)
            i = j + 1
        # column numbers: A, B for the labels, then (1), (2), (3) …
        for k in range(self.ncols):
            ws.write_string(nums, k, "AB"[k] if k < 2 else f"({k - 1})", numfmt)

    def signature(self, h: Heading, after: int, notes: Sequence[str] = ()) -> int:
        """Notes, place and date, signature block and names under the table; the print area.
        Returns the last printed row."""
        ws, st = self.ws, self.st
        date_line = f"{h.place}, ngày ..... tháng ..... năm {h.year}"
        left, right = self.spans(
            (h.left_title, h.left_name), (date_line, *h.right_titles, h.right_name)
        )
        row = after + 1
        if notes:
            # one paragraph: a row per short note would push the names off the page
            note = " ".join(notes)
            self.text(
                row,
                0,
                self.ncols - 1,
                note,
                st(font_size=NOTE_SIZE, italic=True, align="left", valign="top", text_wrap=True),
            )
            self.set_row(row, lines(note, sum(self.widths()), NOTE_SIZE) * 13 + 3)
            row += 1
        self.text(row, *right, date_line, st(font_size=SIGN_SIZE, italic=True, align="center"))
        self.set_row(row, 17)
        row += 1
        bold = st(font_size=SIGN_SIZE, bold=True, align="center")
        self.text(row, *left, h.left_title, bold)
        room = sum(self.widths()[right[0] : right[1] + 1])
        for i, text in enumerate(h.right_titles):
            # A title wider than the columns it may take (a city's "TM. BAN CHỈ ĐẠO …") wraps
            # onto a second line rather than print cut at both ends.
            need = self._block_chars(text)
            if need > room:
                wrapped = st(font_size=SIGN_SIZE, bold=True, align="center", text_wrap=True)
                self.text(row + i, *right, text, wrapped)
                self.set_row(row + i, 17 * math.ceil(need / room))
                continue
            self.text(row + i, *right, text, bold)
            self.set_row(row + i, 17)
        names = row + max(1, len(h.right_titles)) + 3  # room to sign
        for gap in range(row + len(h.right_titles), names):
            self.set_row(gap, 12)
        self.set_row(names, 17)
        if h.left_name:
            self.text(names, *left, h.left_name, bold)
        if h.right_name:
            self.text(names, *right, h.right_name, bold)
        ws.print_area(0, 0, names, self.ncols - 1)
        # A form a little taller than the page is shrunk onto it rather than leave its signers'
        # names alone on a second page; a long one (many children) flows onto more pages.
        if self.printed_height(names) <= PRINTABLE_PT / MIN_SCALE:
            ws.fit_to_pages(1, 1)
        return names
