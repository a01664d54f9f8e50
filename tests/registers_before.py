"""The internal registers writer as it was before issue 11 made it column-wise (commit 39376a9),
kept only as the reference the faster writer must match cell for cell (tests/test_registers.py).
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import xlsxwriter

from tqd_sheets import units
from tqd_sheets.atomic import write_atomic
from tqd_sheets.celltext import cell_text
from tqd_sheets.config import Config
from tqd_sheets.findings import col_letter
from tqd_sheets.periods import Period
from tqd_sheets.spec import HOUSEHOLDS
from tqd_sheets.styles import FONT


@dataclass(frozen=True)
class KhomRegister:
    code: str
    name: str
    frame: pd.DataFrame  # parsed register: spec codes, `_row`, extra columns by header
    extra: tuple[str, ...] = ()


def merged_register(registers: Sequence[KhomRegister]) -> pd.DataFrame:
    """All registers in one table, khóm in configuration order, then tổ, then Mã hộ."""
    frames = []
    for order, reg in enumerate(registers):
        df = reg.frame.drop(columns=["_row", "_bad"], errors="ignore").copy()
        df.insert(0, "khom", reg.code)
        df.insert(1, "ten_khom", reg.name)
        df["_order"] = order
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["khom", "ten_khom", *(f.code for f in HOUSEHOLDS.fields)])
    merged = pd.concat(frames, ignore_index=True)
    merged["_to"] = pd.to_numeric(merged["to"], errors="coerce")
    merged = merged.sort_values(["_order", "_to", "ma_ho"], kind="stable")
    return merged.drop(columns=["_order", "_to"]).reset_index(drop=True)


def _flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].fillna(False).astype(bool)


def lists(merged: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet name, title, households) for each decision list."""
    years = pd.to_numeric(merged["nam_lien_tuc"], errors="coerce").fillna(0)
    dat = _flag(merged, "dat_gdvh")
    return [
        ("Đạt GĐVH", "DANH SÁCH HỘ ĐẠT DANH HIỆU GIA ĐÌNH VĂN HÓA", merged[dat]),
        (
            "GĐVH 3 năm liên tục",
            "DANH SÁCH HỘ ĐẠT GIA ĐÌNH VĂN HÓA 3 NĂM LIÊN TỤC TRỞ LÊN (đề nghị khen thưởng)",
            merged[dat & (years >= 3)],
        ),
        (
            "Đăng ký chưa đạt",
            "DANH SÁCH HỘ ĐĂNG KÝ NHƯNG CHƯA ĐẠT GIA ĐÌNH VĂN HÓA",
            merged[_flag(merged, "dk_gdvh") & ~dat],
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
        # The lists need a few columns: filtering only those keeps three copies small.
        narrow = merged.reindex(columns=[*_LIST_FIELDS, "dat_gdvh", "dk_gdvh"])
        for sheet, title, df in lists(narrow):
            data += _list_sheet(wb, f, styles, sheet, title, df, registers, config, period)
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


def _list_sheet(wb, f, styles, sheet, title, df, registers, config: Config, period: Period):
    """The list's rows (a group row per khóm, then its households), over as many sheets as
    they need; the closing count on the last."""
    last = len(LIST_COLUMNS) - 1
    counts = df["khom"].value_counts()
    sizes = [int(counts.get(reg.code, 0)) for reg in registers]
    groups: list[int] = []  # the line of each khóm's group row
    line = 0
    for n in sizes:
        groups.append(line)
        line += 1 + n
    # The lines are made as the sheets are written, never all at once: a province's lists
    # would otherwise hold millions of tuples until the file is closed.
    stream = _list_lines(df, registers, sizes)
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
        mine = islice(stream, stop - start)  # the sheets are written in order
        merges = [f"A{8 + g - start}:{col_letter(last)}{8 + g - start}" for g in groups]
        merges = [m for m, g in zip(merges, groups, strict=True) if start <= g < stop]
        end = 7 + (stop - start) + (1 if closing else -1)
        out.append(_Rows(7, _list_xml(mine, styles, last, closing), end, last, merges))
    return out


_LIST_FIELDS = ["khom", "to", "ma_ho", "chu_ho", "dia_chi", "nam_lien_tuc"]


def _list_lines(
    df: pd.DataFrame, registers: Sequence[KhomRegister], sizes: list[int]
) -> Iterator[tuple[str, object]]:
    """A group row per khóm, then its households numbered from 1, in `registers`' order."""
    order = {reg.code: i for i, reg in enumerate(registers)}
    rank = df["khom"].map(order)
    if not rank.is_monotonic_increasing:  # merged_register sorts it so; any other caller
        df = df.iloc[rank.argsort(kind="stable")]
    rows = df.reindex(columns=_LIST_FIELDS).itertuples(index=False, name=None)
    for reg, n in zip(registers, sizes, strict=True):
        yield "group", f"{reg.name}: {n} hộ"
        for i, rec in enumerate(islice(rows, n), 1):
            yield "hh", (i, *rec[1:])


def _list_xml(
    lines: Iterable[tuple[str, object]], s: dict[str, int], last: int, closing: str
) -> Iterator[str]:
    letters = [col_letter(c) for c in range(last + 1)]
    blanks = "".join(f'<c r="{x}{{r}}" s="{s["group"]}"/>' for x in letters[1:])
    batch: list[str] = []
    r = 8  # 1-based, as in the XML
    for kind, value in lines:
        if kind == "group":
            batch.append(
                f'<row r="{r}">{_text("A", r, str(value), s["group"])}{blanks.format(r=r)}</row>'
            )
        else:
            i, to, ma_ho, chu_ho, dia_chi, nam = value  # type: ignore[misc]
            batch.append(
                f'<row r="{r}"><c r="A{r}" s="{s["num"]}"><v>{i}</v></c>'
                f"{_number('B', r, to, s['num'])}"
                f"{_text('C', r, _str(ma_ho), s['num'])}"
                f"{_text('D', r, _str(chu_ho), s['text'])}"
                f"{_text('E', r, _str(dia_chi), s['text'])}"
                f"{_number('F', r, nam, s['num'])}"
                f'<c r="G{r}" s="{s["text"]}"/></row>'
            )
        r += 1
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch = []
    if closing:
        batch.append(f'<row r="{r + 1}">{_text("A", r + 1, closing, s["plain"])}</row>')
    yield "".join(batch)


def _str(v: object) -> str:
    """A text cell of the list: nothing for an empty value, as typed otherwise."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return cell_text(str(v))


def _text(col: str, r: int, text: str, style: int) -> str:
    if not text:
        return f'<c r="{col}{r}" s="{style}"/>'
    # Cheap tests first: most cells hold a plain word or number-like text.
    space = text[0].isspace() or text[-1].isspace() or "\n" in text
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    t = '<t xml:space="preserve">' if space else "<t>"
    return f'<c r="{col}{r}" s="{style}" t="inlineStr"><is>{t}{text}</t></is></c>'


def _number(col: str, r: int, v: object, style: int) -> str:
    """A number cell; an empty (or unreadable) one is a blank cell in the same style."""
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return f'<c r="{col}{r}" s="{style}"/>'
    return f'<c r="{col}{r}" s="{style}"><v>{float(v):.16G}</v></c>'


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
    batch: list[str] = []
    # Slice by slice: a copy of a province's whole register would double what is held.
    slices = (
        part.iloc[i : i + 20_000].reindex(columns=codes).itertuples(index=False, name=None)
        for i in range(0, len(part), 20_000)
    )
    for r, rec in enumerate(chain.from_iterable(slices), 4):
        cells = [_text("A", r, str(rec[0]), s["text"])]
        for c in range(1, 1 + n_fields):
            v = rec[c]
            if isinstance(v, bool):
                cells.append(_text(letters[c], r, "x" if v else "", s["num"]))
            elif isinstance(v, int | float) and not pd.isna(v):
                cells.append(_number(letters[c], r, v, s["num"]))
            else:
                text = "" if v is None or isinstance(v, float) else cell_text(str(v))
                cells.append(_text(letters[c], r, text, s["text"]))
        for c in range(1 + n_fields, len(codes)):
            v = rec[c]
            text = "" if v is None or isinstance(v, float) else cell_text(str(v))
            cells.append(_text(letters[c], r, text, s["text"]))
        batch.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(batch) >= _BATCH:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


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
                fh.write(head.encode("utf-8"))
                for chunk in rows.chunks:
                    fh.write(chunk.encode("utf-8"))
                fh.write(tail.encode("utf-8"))
    os.replace(tmp, path)
