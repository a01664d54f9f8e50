"""`noi-bo/DanhSach_P.xlsx`: the merged household register and the lists the ward decides on.

Personal data: this file stays in the ward; the forms for the city carry aggregates only.

A province's register holds a million households: xlsxwriter lays out each sheet (titles,
headers, widths, print set-up, merged titles) and the household rows are written as XML here,
streamed into the file, at a fraction of xlsxwriter's cost per cell and in bounded memory. A
list longer than a sheet's 1,048,576 rows goes on into a second sheet (`… (2)`), never cut.
"""

from __future__ import annotations

import math
import operator
import os
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import xlsxwriter

from . import units
from .atomic import write_atomic
from .celltext import CELL_LIMIT, cell_text
from .config import Config
from .findings import col_letter
from .periods import Period
from .spec import HOUSEHOLDS
from .styles import FONT


@dataclass(frozen=True)
class KhomRegister:
    code: str
    name: str
    frame: pd.DataFrame  # parsed register: spec codes, `_row`, extra columns by header
    extra: tuple[str, ...] = ()


def merged_register(registers: Sequence[KhomRegister]) -> pd.DataFrame:
    """All registers in one table, khóm in configuration order, then tổ, then Mã hộ."""
    if not registers:
        return pd.DataFrame(columns=["khom", "ten_khom", *(f.code for f in HOUSEHOLDS.fields)])
    # One concatenation, then each column once: a province's registers are thousands of
    # frames, and a step on each frame costs a millisecond of pandas.
    merged = pd.concat([reg.frame for reg in registers], ignore_index=True)
    merged = merged.drop(columns=["_row", "_bad"], errors="ignore")
    sizes = [len(reg.frame) for reg in registers]
    keys = pd.DataFrame(
        {
            "_order": np.repeat(np.arange(len(registers)), sizes),
            "_to": pd.to_numeric(merged["to"], errors="coerce"),
            "ma_ho": merged["ma_ho"],
        }
    )
    order = keys.sort_values(["_order", "_to", "ma_ho"], kind="stable").index.to_numpy()
    del keys
    # Put in order a column at a time, each taken out of the joined frame as it goes: a
    # province's register sorted whole was two copies of it at once.
    columns = {
        "khom": _repeated([reg.code for reg in registers], sizes).take(order),
        "ten_khom": _repeated([reg.name for reg in registers], sizes).take(order),
    }
    for name in list(merged.columns):
        columns[name] = merged.pop(name).take(order)
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()})


def _repeated(texts: list[str], sizes: list[int]) -> pd.Series:
    """`texts[i]` `sizes[i]` times, as a column inserted value by value would hold them."""
    return pd.Series(np.repeat(np.array(texts, dtype=object), sizes).tolist(), dtype="str")


def _flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].fillna(False).astype(bool)


def lists(merged: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet name, title, households) for each decision list."""
    return [(sheet, title, merged[mask]) for sheet, title, mask in list_masks(merged)]


def list_masks(merged: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """(sheet name, title, which rows of `merged`) for each decision list: the rows are
    taken a slice at a time as the list is written, never three copies at once."""
    years = pd.to_numeric(merged["nam_lien_tuc"], errors="coerce").fillna(0)
    dat = _flag(merged, "dat_gdvh")
    return [
        ("Đạt GĐVH", "DANH SÁCH HỘ ĐẠT DANH HIỆU GIA ĐÌNH VĂN HÓA", dat.to_numpy()),
        (
            "GĐVH 3 năm liên tục",
            "DANH SÁCH HỘ ĐẠT GIA ĐÌNH VĂN HÓA 3 NĂM LIÊN TỤC TRỞ LÊN (đề nghị khen thưởng)",
            (dat & (years >= 3)).to_numpy(),
        ),
        (
            "Đăng ký chưa đạt",
            "DANH SÁCH HỘ ĐĂNG KÝ NHƯNG CHƯA ĐẠT GIA ĐÌNH VĂN HÓA",
            (_flag(merged, "dk_gdvh") & ~dat).to_numpy(),
        ),
    ]


LIST_COLUMNS = [
    ("STT", 6),
    ("Tổ", 6),
    ("Mã hộ", 12),
    ("Họ và tên chủ hộ", 28),
    ("Địa chỉ", 34),
    ("Số năm liên tục đạt GĐVH", 12),
    ("Ghi chú", 16),
]
SHEET_ROWS = 1_048_576  # Excel's rows in one sheet
_BATCH = 2_000  # rows of XML joined before they are written


@dataclass
class _Rows:
    """A sheet's rows below its headers: written as XML into the sheet xlsxwriter made."""

    first: int  # 0-based row of the first one
    chunks: Iterable[str]  # `<row>` elements, in order, made as they are written
    last_row: int  # 0-based, inclusive: the sheet's last row
    last_col: int
    merges: list[str] = field(default_factory=list)  # `A8:G8`…: the group rows


def write_registers(
    path: Path, registers: Sequence[KhomRegister], config: Config, period: Period
) -> Path:
    merged = merged_register(registers)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            tmp,
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        f = _formats(wb)
        styles = {k: fmt._get_xf_index() for k, fmt in f.items()}  # indexes for our own XML
        data: list[_Rows | None] = []
        for sheet, title, mask in list_masks(merged):
            chosen = _Chosen(merged, mask)
            data += _list_sheet(wb, f, styles, sheet, title, chosen, registers, config, period)
        data += _register_sheet(wb, f, styles, merged, registers, config, period)
        wb.close()
        _splice(tmp, data)

    return write_atomic(path, write)


def _formats(wb) -> dict:
    base = {"font_name": FONT, "font_size": 12}
    cell = {**base, "border": 1, "valign": "top"}
    return {
        "title": wb.add_format(
            {**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True}
        ),
        "sub": wb.add_format({**base, "italic": True, "align": "center"}),
        "head": wb.add_format(
            {
                **cell,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#D9D9D9",
            }
        ),
        "group": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2"}),
        "text": wb.add_format({**cell, "text_wrap": True}),
        "num": wb.add_format({**cell, "align": "center"}),
        "plain": wb.add_format(base),
        "bold": wb.add_format({**base, "bold": True}),
    }


def _setup(ws, header_row: int, landscape: bool = False) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.set_margins(left=30 / 25.4, right=15 / 25.4, top=20 / 25.4, bottom=20 / 25.4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_footer('&C&"Times New Roman"Trang &P/&N')
    ws.freeze_panes(header_row + 1, 0)


def _pages(n: int, first: int, after: int) -> list[tuple[int, int]]:
    """(start, stop) of the `n` rows each sheet holds below `first` header rows, keeping
    `after` rows free below them for a closing line."""
    room = SHEET_ROWS - first - after
    return [(i, min(n, i + room)) for i in range(0, max(n, 1), room)]


def _page_name(sheet: str, page: int) -> str:
    return sheet if page == 0 else f"{sheet[:25]} ({page + 1})"


@dataclass(frozen=True)
class _Chosen:
    """The rows of `frame` where `mask` holds, not yet copied: a list's households."""

    frame: pd.DataFrame
    mask: np.ndarray

    def __len__(self) -> int:
        return int(self.mask.sum())

    def column(self, name: str) -> pd.Series:
        return self.frame[name][self.mask]

    def whole(self) -> pd.DataFrame:
        return self.frame.reindex(columns=[*_LIST_FIELDS, "dat_gdvh", "dk_gdvh"])[self.mask]

    def slices(self, columns: list[str], size: int) -> Iterator[pd.DataFrame]:
        """The chosen rows a slice of `frame` at a time, in order, with `columns` only."""
        for i in range(0, len(self.frame), size):
            part = self.frame.iloc[i : i + size][self.mask[i : i + size]]
            if len(part):
                yield part.reindex(columns=columns)


def _list_sheet(wb, f, styles, sheet, title, df, registers, config: Config, period: Period):
    """The list's rows (a group row per khóm, then its households), over as many sheets as
    they need; the closing count on the last."""
    last = len(LIST_COLUMNS) - 1
    counts = df.column("khom").value_counts()
    sizes = [int(counts.get(reg.code, 0)) for reg in registers]
    groups: list[int] = []  # the line of each khóm's group row
    line = 0
    for n in sizes:
        groups.append(line)
        line += 1 + n
    # The lines are made as the sheets are written, never all at once: a province's lists
    # would otherwise hold millions of tuples until the file is closed.
    stream = _list_lines(df, registers, sizes, styles)
    rest: list[_Block] = []
    pages = _pages(len(registers) + len(df), 7, 2)
    out = []
    for page, (start, stop) in enumerate(pages):
        ws = wb.add_worksheet(_page_name(sheet, page))
        ws.merge_range(0, 0, 0, last, config.phuong.co_quan, f["bold"])
        ws.merge_range(2, 0, 2, last, title, f["title"])
        ws.set_row(2, 36)
        ws.merge_range(3, 0, 3, last, period.words, f["sub"])
        ws.merge_range(4, 0, 4, last, f"Tổng số: {len(df)} hộ", f["sub"])
        ws.set_row(6, 32)
        for c, (label, width) in enumerate(LIST_COLUMNS):
            ws.write_string(6, c, label, f["head"])
            ws.set_column(c, c, width)
        _setup(ws, 6)
        closing = f"Danh sách có {len(df)} hộ." if page == len(pages) - 1 else ""
        mine = _take(stream, stop - start, rest)  # the sheets are written in order
        merges = [f"A{8 + g - start}:{col_letter(last)}{8 + g - start}" for g in groups]
        merges = [m for m, g in zip(merges, groups, strict=True) if start <= g < stop]
        end = 7 + (stop - start) + (1 if closing else -1)
        out.append(_Rows(7, _list_xml(mine, styles, last, closing), end, last, merges))
    return out


_LIST_FIELDS = ["khom", "to", "ma_ho", "chu_ho", "dia_chi", "nam_lien_tuc"]
_SLICE = 20_000  # rows made into cells at once: a province's register is never copied whole


# A run of a list's lines: (the first one's STT, or None for a group row; its columns, one
# value a line). See `_list_xml`.
_Block = tuple[int | None, list["_Col"]]


def _list_lines(
    chosen: _Chosen, registers: Sequence[KhomRegister], sizes: list[int], s: dict[str, int]
) -> Iterator[_Block]:
    """A group row per khóm, then its households numbered from 1, in `registers`' order."""
    codes = pd.Index([reg.code for reg in registers])
    khom = chosen.column("khom")
    rank = codes.get_indexer(khom) if codes.is_unique else None
    df: pd.DataFrame | None = None  # rows out of the list's order: copied, then sorted
    if rank is None or (rank < 0).any():  # a khóm given twice, or not given: as it always was
        order = {reg.code: i for i, reg in enumerate(registers)}
        by_map = khom.map(order)
        if not by_map.is_monotonic_increasing:
            df = chosen.whole().iloc[by_map.argsort(kind="stable")]
    elif (np.diff(rank) < 0).any():  # merged_register sorts it so; any other caller
        df = chosen.whole().iloc[np.argsort(rank, kind="stable")]
    del khom
    number, text = _number_cell(s["num"]), _text_cell(s["num"])
    wrapped, group = _text_cell(s["text"]), _text_cell(s["group"])
    makers = [
        number,
        lambda v: text(_str(v)),
        lambda v: wrapped(_str(v)),
        lambda v: wrapped(_str(v)),
        number,
    ]
    styles = [None, s["num"], s["text"], s["text"], None]  # of plain text, see `_cells`
    if df is not None:
        narrow = df.reindex(columns=_LIST_FIELDS[1:])
        parts = (narrow.iloc[i : i + _SLICE] for i in range(0, len(narrow), _SLICE))
    else:
        parts = chosen.slices(_LIST_FIELDS[1:], _SLICE)
    # Made a slice at a time (a name recurs across khóm), handed out a khóm at a time.
    slices = (
        [
            _column(col, m, style)
            for (_, col), m, style in zip(part.items(), makers, styles, strict=True)
        ]
        for part in parts
    )
    cols: list[_Col] = [_Col([])]
    at = 0  # the next line in `cols`
    for reg, n in zip(registers, sizes, strict=True):
        yield None, [_Col([group(f"{reg.name}: {n} hộ")])]
        done = 0
        while done < n:
            if at == len(cols[0].values):
                more = next(slices, None)
                if more is None:  # fewer households than counted: a khóm given twice
                    break
                cols, at = more, 0
            k = min(n - done, len(cols[0].values) - at, _BATCH)
            yield 1 + done, [c.part(at, at + k) for c in cols]
            at, done = at + k, done + k


def _take(blocks: Iterator[_Block], n: int, rest: list[_Block]) -> Iterator[_Block]:
    """The next `n` lines of `blocks`, as they are written; `rest` keeps the part of a block
    that goes on into the next sheet."""
    while n > 0:
        first, cols = rest.pop() if rest else next(blocks)
        m = len(cols[0].values)
        if m > n:
            rest.append((None if first is None else first + n, [c.part(n, m) for c in cols]))
            cols, m = [c.part(0, n) for c in cols], n
        yield first, cols
        n -= m


def _list_xml(
    blocks: Iterable[_Block], s: dict[str, int], last: int, closing: str
) -> Iterator[str]:
    letters = [col_letter(c) for c in range(last + 1)]
    blanks = "".join(f'<c r="{x}{{0}}" s="{s["group"]}"/>' for x in letters[1:])
    group = f'<row r="{{0}}"><c r="A{{0}}{{1}}{blanks}</row>'.format
    r = 8  # 1-based, as in the XML
    for first, cols in blocks:
        m = len(cols[0].values)
        if first is None:
            yield "".join(map(group, range(r, r + m), *(c.values for c in cols)))
        else:
            pieces: list[str | int] = ['<row r="', 0, '"><c r="A', 0, f'" s="{s["num"]}"><v>', 1]
            pieces.append("</v></c>")
            for k, (x, c) in enumerate(zip(letters[1:-1], cols, strict=True), 2):
                pieces += [f'<c r="{x}', 0, c.before, k, c.after]
            pieces += [f'<c r="{letters[-1]}', 0, f'" s="{s["text"]}"/></row>']
            numbers = list(map(str, range(r, r + m)))
            serials = list(map(str, range(first, first + m)))
            yield _joined_rows(pieces, [numbers, serials, *(c.values for c in cols)])
        r += m
    if closing:
        row = '<row r="{0}"><c r="A{0}{1}</row>'.format
        yield row(r + 1, _text_cell(s["plain"])(closing))


def _str(v: object) -> str:
    """A text cell of the list: nothing for an empty value, as typed otherwise."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return cell_text(str(v))


@dataclass(frozen=True)
class _Col:
    """A column of cells as the rows take them: each line's `value` between two constant
    texts, after the cell's reference (`<c r="B12`)."""

    values: list[str]
    before: str = ""
    after: str = ""

    def part(self, start: int, stop: int) -> _Col:
        return _Col(self.values[start:stop], self.before, self.after)


def _column(col: pd.Series, make: Callable[[object], str], style: int | None) -> _Col:
    """The cells `make` makes of `col` (see `_cells`). A column of plain texts, none empty nor
    with a space at an end (codes, names, addresses: most of a register), is its values as
    they are, between the text cell's head and tail: nothing made a value."""
    texts = isinstance(col.dtype, pd.StringDtype)
    if style is not None and (col.dtype == object or (texts and not col.hasnans)):
        values = col.tolist()
        if _bare(values, texts):
            return _Col(values, f'" s="{style}" t="inlineStr"><is><t>', "</t></is></c>")
    return _Col(_cells(col, make, style))


def _bare(values: list, texts: bool = False) -> bool:
    """Every value a plain text (see `_plain`), none empty nor with a space at an end: what
    `_plain_text` makes of each is its head, the text, its tail. Each test a pass in C. (A
    text holding `|` may be found not bare when it is: its cells are then made, the same.)
    `texts`: the values are known to be `str` (pandas' text column, nothing missing)."""
    if not values or "" in values or not (texts or set(map(type, values)) == {str}):
        return False
    joined = "|".join(values)
    if len(joined) > CELL_LIMIT and max(map(len, values)) > CELL_LIMIT:
        return False
    if not joined.isprintable():  # a control character, or a space other than " "
        # `strip` gives back the very text it has nothing to take from.
        return _plain(values) and all(map(operator.is_, map(str.strip, values), values))
    # Printable: no control character nor surrogate, and " " its only space.
    return not (
        "&" in joined
        or "<" in joined
        or ">" in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
        or "| " in joined
        or " |" in joined
    )


def _joined_rows(pieces: Sequence[str | int], columns: Sequence[list[str]]) -> str:
    """The rows `pieces` make, joined: constant texts, and the numbers of the `columns` whose
    value on each row goes there. One list holds every piece of every row, filled a piece at
    a time by slice assignment, and is joined once: no call a row, nor a cell."""
    merged: list[str | int] = []  # constant texts next to each other made one
    for p in pieces:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    n, width = len(columns[0]), len(merged)
    flat: list[str] = [""] * (n * width)
    for j, p in enumerate(merged):
        flat[j::width] = [p] * n if isinstance(p, str) else columns[p]
    return "".join(flat)


# A cell's XML is made without its reference (`<c r="B12`), which each row puts in front:
# the rest depends on the value alone, so a column's repeated values are made once.


def _cells(col: pd.Series, make: Callable[[object], str], style: int | None = None) -> list[str]:
    """`make(v)` for each of a column's values, each distinct value made once. `style`: the
    style `make` writes any text in (`make(v) == _text_cell(style)(cell_text(v))`), if so."""
    try:
        distinct, codes = _distinct(col)
    except TypeError:  # an unhashable value
        return [make(v) for v in col.tolist()]
    made = np.empty(len(distinct), dtype=object)
    made[:] = _made(distinct, make, style)
    return made[codes].tolist()


def _distinct(col: pd.Series) -> tuple[list, np.ndarray]:
    """The column's distinct values, as `tolist` gives them, and where each value is among
    them. Found by pandas, in C: a column of one dtype (numbers, marks, pandas' text) keyed by
    value; an object column by type then value, since True == 1 == 1.0 but True is a mark and 1
    a number. The missing values of one type (NaN, None…) are one: `make` writes them alike."""
    if col.dtype.kind in "biuf" or isinstance(col.dtype, pd.StringDtype):
        return _factorized(col, col.dtype.kind == "f")
    values = col.to_numpy(dtype=object)
    kinds = list(dict.fromkeys(map(type, values)))
    if len(kinds) == 1:
        return _factorized(values, issubclass(kinds[0], float))
    types = np.empty(len(values), dtype=object)
    types[:] = list(map(type, values))
    by_type, found = pd.factorize(types)  # `==` on an array of types is numpy's to misread
    distinct: list = []
    codes = np.empty(len(values), dtype=np.intp)
    for i, kind in enumerate(found.tolist()):
        at = (by_type == i).nonzero()[0]
        some, where = _factorized(values[at], issubclass(kind, float))
        codes[at] = where + len(distinct)
        distinct += some
    return distinct, codes


def _factorized(values: pd.Series | np.ndarray, floats: bool) -> tuple[list, np.ndarray]:
    codes, uniques = pd.factorize(values)
    distinct = uniques.tolist()
    missing = codes < 0
    if missing.any():  # one of them stands for all: the first, as the column holds it
        distinct.append(_item(values, int(missing.argmax())))
        codes[missing] = len(distinct) - 1
    if floats:  # -0.0 == 0.0, but one is written -0, the other 0
        x = np.asarray(values, dtype=float)
        negative = (x == 0) & np.signbit(x)
        if negative.any():
            zero = (x == 0) & ~negative
            if zero.any():
                distinct[codes[zero.argmax()]] = _item(values, int(zero.argmax()))
            distinct.append(_item(values, int(negative.argmax())))
            codes[negative] = len(distinct) - 1
    return distinct, codes


def _item(values: pd.Series | np.ndarray, at: int) -> object:
    """The value at `at`, as `tolist` gives it."""
    one = values.iloc[at : at + 1] if isinstance(values, pd.Series) else values[at : at + 1]
    return one.tolist()[0]


def _made(distinct: list, make: Callable[[object], str], style: int | None) -> list[str]:
    """`make(v)` of each distinct value; plain texts (the most, by far) without a call each."""
    if style is None:
        return [make(v) for v in distinct]
    texts = [v for v in distinct if type(v) is str]
    every = _plain(texts)
    if every and len(texts) == len(distinct):  # the usual column
        return _plain_text(texts, style)
    plain = texts if every else [v for v in texts if _plain([v])]
    made = dict(zip(plain, _plain_text(plain, style), strict=True))
    return [made[v] if type(v) is str and v in made else make(v) for v in distinct]


# What makes a text need more than <t>…</t>: escaping, cleaning (see celltext), or keeping.
_NOT_PLAIN = re.compile(r"[&<>\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _plain(texts: list[str]) -> bool:
    """None of `texts` needs escaping or cleaning."""
    if max(map(len, texts), default=0) > CELL_LIMIT:
        return False
    joined = "".join(texts)
    # Printable: no control character nor surrogate. The test is many times the regex's speed.
    if joined.isprintable():
        return "&" not in joined and "<" not in joined and ">" not in joined
    return _NOT_PLAIN.search(joined) is None


def _plain_text(values: list[str], style: int) -> list[str]:
    """Text cells of plain texts (see `_plain`), made without a call for each: what
    `_text_cell(style)` makes of them."""
    blank = f'" s="{style}"/>'
    head = f'" s="{style}" t="inlineStr"><is><t>'
    keep = f'" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
    return [
        ((keep if v[0].isspace() or v[-1].isspace() else head) + v + "</t></is></c>")
        if v
        else blank
        for v in values
    ]


def _text_cell(style: int) -> Callable[[str], str]:
    def make(text: str) -> str:
        if not text:
            return f'" s="{style}"/>'
        # Cheap tests first: most cells hold a plain word or number-like text.
        space = text[0].isspace() or text[-1].isspace() or "\n" in text
        if "&" in text or "<" in text or ">" in text:
            text = escape(text)
        t = '<t xml:space="preserve">' if space else "<t>"
        return f'" s="{style}" t="inlineStr"><is>{t}{text}</t></is></c>'

    return make


def _number_cell(style: int) -> Callable[[object], str]:
    """A number cell; an empty (or unreadable) one is a blank cell in the same style."""

    def make(v: object) -> str:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return f'" s="{style}"/>'
        return f'" s="{style}"><v>{float(v):.16G}</v></c>'

    return make


def _register_sheet(wb, f, styles, merged: pd.DataFrame, registers, config: Config, period):
    w = units.words(units.mixed(config.child_levels), config.phuong.level)
    fields = [x for x in HOUSEHOLDS.fields if x.code != "stt"]
    extra = [e for reg in registers for e in reg.extra]
    extra = list(dict.fromkeys(extra))
    headers = [w["Con"], *(x.label for x in fields), *extra]
    last = len(headers) - 1
    pages = _pages(len(merged), 3, 0)
    out = []
    for page, (start, stop) in enumerate(pages):
        ws = wb.add_worksheet(_page_name(f"Sổ hộ toàn {w['cha']}", page))
        ws.merge_range(
            0,
            0,
            0,
            last,
            f"SỔ HỘ GIA ĐÌNH TOÀN {w['CHA']} – {period.words} ({len(merged)} hộ)",
            f["title"],
        )
        for c, h in enumerate(headers):
            ws.write_string(2, c, cell_text(h), f["head"])
        ws.set_column(0, 0, 10)
        for c, x in enumerate(fields, 1):
            ws.set_column(c, c, x.width)
        n = stop - start
        ws.autofilter(2, 0, max(3, 2 + n), last)
        _setup(ws, 2, landscape=True)
        part = merged.iloc[start:stop]
        out.append(_Rows(3, _register_xml(part, fields, extra, styles), 2 + n, last))
    return out


def _register_xml(part: pd.DataFrame, fields, extra: list[str], s: dict[str, int]) -> Iterator[str]:
    codes = ["ten_khom", *(x.code for x in fields), *extra]
    letters = [col_letter(c) for c in range(len(codes))]
    n_fields = len(fields)
    wrapped, text = _text_cell(s["text"]), _text_cell(s["num"])
    number = _number_cell(s["num"])

    def field(v: object) -> str:
        if isinstance(v, bool):
            return text("x" if v else "")
        if isinstance(v, int | float) and not pd.isna(v):
            return number(v)
        return wrapped("" if v is None or isinstance(v, float) else cell_text(str(v)))

    def other(v: object) -> str:
        return wrapped("" if v is None or isinstance(v, float) else cell_text(str(v)))

    makers = [lambda v: wrapped(str(v)), *[field] * n_fields, *[other] * len(extra)]
    r = 4  # 1-based, as in the XML
    # Slice by slice: a copy of a province's whole register would double what is held.
    for i in range(0, len(part), _SLICE):
        cols = part.iloc[i : i + _SLICE].reindex(columns=codes)
        made = [_column(cols.iloc[:, k], make, s["text"]) for k, make in enumerate(makers)]
        pieces: list[str | int] = ['<row r="', 0, '">']
        for k, (x, c) in enumerate(zip(letters, made, strict=True), 1):
            pieces += [f'<c r="{x}', 0, c.before, k, c.after]
        pieces.append("</row>")
        n = len(cols)
        numbers = list(map(str, range(r, r + n)))
        for j in range(0, n, _BATCH):
            batch = slice(j, j + _BATCH)
            yield _joined_rows(pieces, [numbers[batch], *(c.values[batch] for c in made)])
        r += n
    yield ""


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_MERGES = re.compile(r'<mergeCells count="(\d+)">')


def _splice(path: Path, data: Sequence[_Rows | None]) -> None:
    """Write each sheet's rows into the workbook xlsxwriter made, streaming them: the
    register's XML never sits whole in memory."""
    tmp = path.with_name(path.name + ".rows")
    with (
        zipfile.ZipFile(path) as zin,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        for info in zin.infolist():
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            rows = data[int(m.group(1)) - 1] if m and int(m.group(1)) <= len(data) else None
            if rows is None:
                zout.writestr(info, zin.read(info.filename))
                continue
            xml = zin.read(info.filename).decode("utf-8")
            cut = xml.index("</sheetData>")
            head, tail = xml[:cut], xml[cut:]
            ref = f"A1:{col_letter(rows.last_col)}{rows.last_row + 1}"
            head = _DIMENSION.sub(f'<dimension ref="{ref}"/>', head, count=1)
            if rows.merges:
                found = _MERGES.search(tail)
                if found is None:
                    raise ValueError("sheet without merged titles")
                end = tail.index("</mergeCells>")
                count = int(found.group(1)) + len(rows.merges)
                added = "".join(f'<mergeCell ref="{m}"/>' for m in rows.merges)
                tail = (
                    tail[: found.start()]
                    + f'<mergeCells count="{count}">'
                    + tail[found.end() : end]
                    + added
                    + tail[end:]
                )
            big = rows.last_row > 100_000  # its XML may pass 2 GiB: a ZIP64 entry
            with zout.open(info.filename, "w", force_zip64=big) as fh:
                _write_behind(fh, chain([head], rows.chunks, [tail]))
    os.replace(tmp, path)


_AHEAD = 4  # chunks made before the oldest is written: memory stays bounded


def _write_behind(fh: IO[bytes], chunks: Iterable[str]) -> None:
    """Write `chunks` in order, each compressed by a second thread while this one makes the
    next: zlib lets go of the interpreter while it works, so the two overlap on two cores."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # one worker: the writes keep their order
        pending: deque[Future[int]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(fh.write, chunk.encode("utf-8")))
            if len(pending) > _AHEAD:
                pending.popleft().result()  # also raises what the write raised
        for done in pending:
            done.result()
