"""How far each sheet's content reaches, read from the file itself before calamine sees it.

python-calamine allocates a sheet as one dense grid from A1 to its farthest cell *that holds a
value*: one value in XFD1048576 asks for 17 billion cells and aborts the process (an allocation
failure in Rust is not an exception). So the size is decided here, from the raw XML or BIFF
records, by means whose cost grows with the file's bytes and never with the grid's area.

Cells that are only formatted do not count, as they do not for calamine: a register whose
styles reach row 1,048,576 is as small as its content. That is also why the `<dimension>` of an
.xlsx sheet cannot decide anything: openpyxl declares `A1:XFD1048576` for one styled empty
cell there, and a hostile file may declare anything at all.
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from defusedxml import ElementTree as DET

from .findings import col_number

MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)
REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",  # Strict Open XML
)
STRICT_MAIN = MAIN_NS[1]


@dataclass(frozen=True)
class Extent:
    """The farthest row and column (1-based) holding a value, and a cell at each of them."""

    sheet: str
    rows: int = 0
    cols: int = 0
    row_cell: tuple[int, int] = (0, 0)  # (row, col), 1-based: a cell on the last row
    col_cell: tuple[int, int] = (0, 0)  # a cell in the last column

    @property
    def cells(self) -> int:
        return self.rows * self.cols


class Reach:
    """Running maxima of one sheet while its cells stream past."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.rows = self.cols = 0
        self.row_cell = self.col_cell = (0, 0)

    def see(self, row: int, col: int) -> None:
        if row > self.rows:
            self.rows, self.row_cell = row, (row, col)
        if col > self.cols:
            self.cols, self.col_cell = col, (row, col)

    def extent(self) -> Extent:
        return Extent(self.sheet, self.rows, self.cols, self.row_cell, self.col_cell)


Stop = Callable[["Reach"], bool]  # whether the count may end: too big already
BookStop = Callable[[list[Extent], "Reach"], bool]  # the same, given the sheets counted


# ── .xlsx / .xlsm ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class OoxmlSheet:
    name: str
    member: str  # the zip member holding the sheet's XML


def ooxml_sheets(zf: zipfile.ZipFile) -> tuple[list[OoxmlSheet], bool]:
    """The workbook's sheets in order, and whether it is Strict Open XML."""
    names = set(zf.namelist())
    book = DET.fromstring(zf.read("xl/workbook.xml"))
    ns = book.tag[1:].partition("}")[0] if book.tag.startswith("{") else ""
    rels = DET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    tags = {f"{{{m}}}sheet" for m in MAIN_NS}
    out = []
    for sheet in book.iter():
        if sheet.tag not in tags:
            continue
        rid = next((sheet.get(f"{{{r}}}id") for r in REL_NS if sheet.get(f"{{{r}}}id")), None)
        t = target.get(rid, "")
        member = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
        if member in names:
            out.append(OoxmlSheet(sheet.get("name", ""), member))
    return out, ns == STRICT_MAIN


_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix
# Every writer seen (Excel, LibreOffice, openpyxl, xlsxwriter) writes `<c r="…"` with no prefix
# and `r` first: then a literal-led pattern finds the cells holding a value, at C speed.
_XLSX_FILLED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>\s*<(?:v|f|is)[\s/>]')
_XLSX_TOKEN = re.compile(
    rb"<" + _P + rb"(row|c)(?=[\s/>])([^>]*)>(?=(\s*<" + _P + rb"(?:v|f|is)[\s/>])?)"
)
_R_ATTR = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,7})"')
_CHUNK = 8 * 1024 * 1024
_MARGIN = 4096  # bytes of look-ahead kept past a chunk's cut, for the value after a cell tag


def _chunks(member: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """(buffer, cut): every tag starting before `cut` lies whole in the buffer, with
    `_MARGIN` bytes after the cut to look ahead into; what follows the cut comes again. The
    last buffer is whole (cut at its end): a sheet that fits in one read is one buffer."""
    carry = b""
    data = member.read(_CHUNK)
    while True:
        more = member.read(_CHUNK) if data else b""
        buf = carry + data
        if not more:
            if buf:
                yield buf, len(buf)
            return
        cut = buf.rfind(b"<", 0, max(0, len(buf) - _MARGIN))
        if cut <= 0:
            carry = buf
        else:
            yield buf, cut
            carry = buf[cut:]
        data = more


# Byte → whether it is white space, or may end a tag's name (white space, `/`, `>`).
_SPACES = np.zeros(256, dtype=bool)
_SPACES[[0x20, 0x09, 0x0A, 0x0D]] = True
_ENDS_NAME = _SPACES.copy()
_ENDS_NAME[[ord("/"), ord(">")]] = True
_REF = 11  # `[A-Z]{1,3}[0-9]{1,7}"`: the longest reference with its closing quote
_PAD = _REF + 8  # zero bytes after a buffer, so that every look-ahead below stays inside it
_HIDDEN = (b'hidden="1"', b'hidden="true"')
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class _Chunk:
    """What one buffer of a sheet's XML says, from a few vector passes over its bytes (a
    register's 20,000 cells at once, not 20,000 regex matches or substring searches)."""

    plain: bool  # every cell tag is a bare `<c r="…"`, as the fast ways expect
    flagged: bool  # it may hold a formula or a hidden row (an over-estimate)
    rows: np.ndarray  # 1-based row and column of each cell holding a value…
    cols: np.ndarray
    exact: bool  # …unless a value stands apart from its tag (pretty-printed): the regex decides


_SMALL = 64 * 1024  # below this, a few regexes cost less than the vector passes' set-up
_OTHER_CELL = re.compile(rb'<c(?! r=")[ \t\n\r/>]')
_PREFIXED = re.compile(rb":c[ \t\n\r/>]")
_FORMULA = re.compile(rb"[<:]f[ \t\n\r/>]")


def _look(buf: bytes, cut: int) -> _Chunk:
    """The tags starting before `cut`. A `<c` or `<prefix:c` followed by white space, `/`
    or `>` is a cell tag; one not written `<c r="` makes the chunk not plain. The cells
    holding a value are those `_XLSX_FILLED` finds."""
    return _look_vector(buf, cut) if cut >= _SMALL else _look_regex(buf, cut)


def _look_regex(buf: bytes, cut: int) -> _Chunk:
    head = buf[:cut]
    if _OTHER_CELL.search(head) or _PREFIXED.search(head):
        return _Chunk(False, True, _EMPTY, _EMPTY, True)
    flagged = bool(_FORMULA.search(head)) or any(mark in buf for mark in _HIDDEN)
    found = [m for m in _XLSX_FILLED.finditer(buf, 0, min(len(buf), cut + _MARGIN))]
    rows = np.array([int(m.group(2)) for m in found if m.start() < cut], dtype=np.int64)
    cols = [col_number(m.group(1).decode()) for m in found if m.start() < cut]
    return _Chunk(True, flagged, rows, np.array(cols, dtype=np.int64), True)


def _look_vector(buf: bytes, cut: int) -> _Chunk:
    """`_look` by a few vector passes over the bytes: the value tag right after each cell's
    `>` first, then the references of the cells holding one only."""
    a = np.frombuffer(buf + bytes(_PAD), dtype=np.uint8)
    lt = np.flatnonzero(a[:cut] == 0x3C)  # <
    name, ends = a[lt + 1], _ENDS_NAME[a[lt + 2]]
    colon = np.flatnonzero(a[:cut] == 0x3A)  # :
    prefixed, prefixed_ends = a[colon + 1], _ENDS_NAME[a[colon + 2]]
    cell = (name == 0x63) & ends  # c
    bare = cell & (a[lt + 2] == 0x20) & (a[lt + 3] == 0x72) & (a[lt + 4] == 0x3D)  # ` r=`
    bare &= a[lt + 5] == 0x22  # "
    if int(cell.sum()) != int(bare.sum()) or ((prefixed == 0x63) & prefixed_ends).any():
        return _Chunk(False, True, _EMPTY, _EMPTY, True)
    flagged = bool(
        ((name == 0x66) & ends).any()  # <f
        or ((prefixed == 0x66) & prefixed_ends).any()  # <x:f
        or (b'hidden="' in buf and any(mark in buf for mark in _HIDDEN))
    )
    ref = lt[bare] + 6
    gt = np.flatnonzero(a == 0x3E)  # >
    at = np.searchsorted(gt, ref)
    closed = at < len(gt)
    ref, end = ref[closed], gt[at[closed]]
    open_tag = a[end - 1] != 0x2F  # `/>`: an empty cell
    ref, end = ref[open_tag], end[open_tag]
    after = a[end + 1]
    if _SPACES[after].any():
        return _Chunk(True, flagged, _EMPTY, _EMPTY, False)
    value = a[end + 2]
    filled = (after == 0x3C) & (
        (((value == 0x76) | (value == 0x66)) & _ENDS_NAME[a[end + 3]])  # <v, <f
        | ((value == 0x69) & (a[end + 3] == 0x73) & _ENDS_NAME[a[end + 4]])  # <is
    )
    w = a[ref[filled][:, None] + np.arange(_REF)]
    upper = (w >= 0x41) & (w <= 0x5A)
    letters = np.logical_and.accumulate(upper[:, :4], axis=1).sum(axis=1)  # 0…4
    digits = np.take_along_axis(w, np.minimum(letters[:, None] + np.arange(8), _REF - 1), 1)
    is_digit = (digits >= 0x30) & (digits <= 0x39)
    run = np.logical_and.accumulate(is_digit, axis=1).sum(axis=1)  # 0…8
    quote = np.take_along_axis(w, np.minimum(letters + run, _REF - 1)[:, None], 1)[:, 0]
    ok = (letters >= 1) & (letters <= 3) & (run >= 1) & (run <= 7) & (quote == 0x22)
    rows = np.zeros(len(w), dtype=np.int64)
    cols = np.zeros(len(w), dtype=np.int64)
    for i in range(7):  # Horner's rule, a column of the references at a time
        rows = np.where(i < run, rows * 10 + (digits[:, i].astype(np.int64) - 0x30), rows)
    for i in range(3):
        cols = np.where(i < letters, cols * 26 + (w[:, i].astype(np.int64) - 0x40), cols)
    return _Chunk(True, flagged, rows[ok], cols[ok], True)


def _filled_by_regex(buf: bytes, cut: int) -> tuple[np.ndarray, np.ndarray]:
    found = _XLSX_FILLED.findall(buf, 0, min(len(buf), cut + _MARGIN))
    rows = np.array([int(d) for _, d in found], dtype=np.int64)
    cols = np.array([col_number(c.decode()) for c, _ in found], dtype=np.int64)
    return rows, cols


def _see_filled(reach: Reach, rows: np.ndarray, cols: np.ndarray) -> None:
    """The farthest row and column among these cells, each with its first cell."""
    if not len(rows):
        return
    i = int(rows.argmax())
    reach.see(int(rows[i]), int(cols[i]))
    j = int(cols.argmax())
    reach.see(int(rows[j]), int(cols[j]))


def maybe_flagged(data: bytes) -> bool:
    """Whether a sheet's XML may hold a formula or a hidden row (an over-estimate)."""
    return _look(data, len(data)).flagged


_SAMPLE = 512 * 1024


def _sampled(name: str, member: IO[bytes], stop: Stop) -> Extent | None:
    """A cheap first look at a long sheet: the last value before every 512 KiB mark. Every
    writer puts rows in order, so these show how far the sheet reaches without a full scan;
    when that is too big already, the count ends here (each cell seen is real, so the
    refusal is sound). Otherwise None, and the full scan decides."""
    reach = Reach(name)
    for buf, cut in _chunks(member):
        for mark in [*range(_SAMPLE, cut, _SAMPLE), cut]:
            pos = mark
            for _ in range(16):  # past a few formatted-only cells, if need be
                pos = buf.rfind(b'<c r="', 0, pos)
                m = _XLSX_FILLED.match(buf, pos) if pos >= 0 else None
                if m:
                    reach.see(int(m.group(2)), col_number(m.group(1).decode()))
                if m or pos < 0:
                    break
        if stop(reach):
            return reach.extent()
    return None


def _xlsx_extent(
    name: str, open_member: Callable[[], IO[bytes]], size: int, stop: Stop
) -> tuple[Extent, bool]:
    """The sheet's extent, and whether its XML may hold formulas or hidden rows
    (`maybe_flagged`, looked at in the same pass; True when the pass did not see it all)."""
    if size > _CHUNK:
        with open_member() as member:
            early = _sampled(name, member, stop)
        if early:
            return early, True
    reach = Reach(name)
    flagged = False
    with open_member() as member:
        for buf, cut in _chunks(member):
            look = _look(buf, cut)
            if not look.plain:
                break
            flagged = flagged or look.flagged
            if look.exact:
                _see_filled(reach, look.rows, look.cols)
            else:
                _see_filled(reach, *_filled_by_regex(buf, cut))
            if stop(reach):
                return reach.extent(), True
        else:
            return reach.extent(), flagged
    with open_member() as member:
        return _xlsx_counted(name, member, stop), True


def _xlsx_counted(name: str, member: IO[bytes], stop: Stop) -> Extent:
    """The slow way, for writers that omit `r` on cells or rows: count positions as
    calamine does (a row or cell without a reference follows the previous one)."""
    reach = Reach(name)
    row = col = 0
    for buf, cut in _chunks(member):
        for m in _XLSX_TOKEN.finditer(buf, 0, min(len(buf), cut + _MARGIN)):
            if m.start() >= cut:
                break
            attrs = m.group(2) or b""
            ref = _R_ATTR.search(attrs)
            if m.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            if ref and ref.group(1):
                col = col_number(ref.group(1).decode())
                row = int(ref.group(2)) if ref.group(2) else row
            else:
                col += 1
            if m.group(3) is not None and not attrs.endswith(b"/"):
                reach.see(max(row, 1), col)
                if stop(reach):
                    return reach.extent()
    return reach.extent()


@dataclass(frozen=True)
class XlsxScan:
    """One pass over an .xlsx: its sheets as workbook.xml lists them, whether it is Strict
    Open XML, each sheet's extent, and the sheets whose XML may hold formulas or hidden rows
    (the only ones whose XML must be parsed for them)."""

    sheets: tuple[str, ...]
    strict: bool
    extents: tuple[Extent, ...]
    flagged: frozenset[str]


def xlsx_scan(path: Path, stop: BookStop) -> XlsxScan:
    out: list[Extent] = []
    flagged: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        sheets, strict = ooxml_sheets(zf)
        for s in sheets:
            size = zf.getinfo(s.member).file_size
            e, maybe = _xlsx_extent(
                s.name, lambda m=s.member: zf.open(m), size, lambda r: stop(out, r)
            )
            out.append(e)
            if maybe:
                flagged.add(s.name)
    return XlsxScan(tuple(s.name for s in sheets), strict, tuple(out), frozenset(flagged))


def xlsx_extents(path: Path, stop: BookStop) -> list[Extent]:
    return list(xlsx_scan(path, stop).extents)


# ── .ods ──────────────────────────────────────────────────────────────────────────────────

_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>"
)
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="([0-9]{1,9})"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated="([0-9]{1,9})"')


_ODS_HIDDEN = re.compile(rb'table:visibility="(?:collapse|filter)"')
_ODS_SPAN_COLS = re.compile(rb'table:number-columns-spanned="([0-9]{1,9})"')
_ODS_SPAN_ROWS = re.compile(rb'table:number-rows-spanned="([0-9]{1,9})"')
MAX_HIDDEN_REPEAT = 10_000  # hidden copies of one row counted (past the last real row anyway)

Span = tuple[tuple[int, int], tuple[int, int]]  # 0-based inclusive corners


@dataclass
class OdsMarks:
    """What calamine does not say of an .ods, seen by the same pass that measures it (so the
    content is read once): hidden rows and merged cells per sheet, 0-based."""

    hidden: dict[str, set[int]] = field(default_factory=dict)
    merged: dict[str, list[Span]] = field(default_factory=dict)
    complete: bool = False  # the pass reached the end of the content


def ods_extents(path: Path, stop: BookStop, marks: OdsMarks | None = None) -> list[Extent]:
    """Rows and cells counted with their repeats, as calamine expands them; a cell holds a
    value when it has a value type or any content. Names are matched with their `table:`
    prefix, as calamine matches them. `stop` may end the count early (too big already).
    `marks`, when given, receives each sheet's hidden rows and merged cells."""
    out: list[Extent] = []
    reach: Reach | None = None
    row = col = 0
    repeat = 1  # copies of the current row
    filled = 0  # the farthest column holding a value in the current row
    hidden: set[int] = set()
    merged: list[Span] = []
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as member:
        for buf, cut in _chunks(member):
            for m in _ODS_TOKEN.finditer(buf, 0, cut):
                closing, tag, attrs = m.group(1), m.group(2), m.group(3)
                if tag == b"table":
                    if closing and reach is not None:
                        out.append(reach.extent())
                        reach = None
                    elif not closing:
                        name = _ODS_NAME.search(attrs)
                        reach = Reach(_xml_text(name.group(1)) if name else "")
                        row = 0
                        hidden, merged = set(), []
                        if marks is not None:
                            marks.hidden[reach.sheet] = hidden
                            marks.merged[reach.sheet] = merged
                    continue
                if reach is None:
                    continue
                if tag == b"table-row":
                    if not closing:
                        r = _ODS_ROWS.search(attrs)
                        repeat, col, filled = int(r.group(1)) if r else 1, 0, 0
                        if b"visibility" in attrs and _ODS_HIDDEN.search(attrs):
                            hidden.update(range(row, row + min(repeat, MAX_HIDDEN_REPEAT)))
                    if closing or attrs.endswith(b"/"):
                        if filled:
                            reach.see(row + repeat, filled)  # every copy of a filled row
                        row += repeat
                        if stop(out, reach):
                            return [*out, reach.extent()]
                    continue
                if closing:
                    continue
                if b"-spanned=" in attrs:
                    sc, sr = _ODS_SPAN_COLS.search(attrs), _ODS_SPAN_ROWS.search(attrs)
                    cols, rows = int(sc.group(1)) if sc else 1, int(sr.group(1)) if sr else 1
                    if cols > 1 or rows > 1:
                        merged.append(((row, col), (row + rows - 1, col + cols - 1)))
                c = _ODS_COLS.search(attrs)
                n = int(c.group(1)) if c else 1
                if not attrs.endswith(b"/") or b"office:value-type=" in attrs:
                    filled = col + n
                    reach.see(row + 1, col + n)
                col += n
    if reach is not None:
        out.append(reach.extent())
    if marks is not None:
        marks.complete = True
    return out


def _xml_text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


# ── .xls (BIFF8 inside an OLE compound file) ───────────────────────────────────────────────

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


class NotCompound(ValueError):
    """The bytes are not an OLE compound file this reader understands."""


def _workbook_stream(data: bytes) -> bytes:
    """The `Workbook` (or BIFF5 `Book`) stream of an OLE compound file."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotCompound("signature")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 1 <= mini_shift < shift:
        raise NotCompound("sector size")
    size, mini_size = 1 << shift, 1 << mini_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    n_sectors = (len(data) - size) // size + 1

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise NotCompound("sector out of file")
        return data[size + i * size : size * 2 + i * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt = first_difat
    for _ in range(min(n_difat, n_sectors)):
        if nxt in (_FREE, _END):
            break
        entries = struct.unpack(f"<{size // 4}I", sector(nxt))
        difat += entries[:-1]
        nxt = entries[-1]
    fat: list[int] = []
    for s in difat[: min(n_fat, n_sectors)]:
        fat += struct.unpack(f"<{size // 4}I", sector(s))

    def chain(start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
        parts, i, seen = [], start, 0
        while i not in (_FREE, _END):
            if i >= len(table) or seen > len(table):
                raise NotCompound("broken chain")
            parts.append(read(i))
            i, seen = table[i], seen + 1
        return b"".join(parts)

    directory = chain(first_dir, fat, sector)
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len, kind = struct.unpack_from("<HB", directory, off + 64)
        start, length = struct.unpack_from("<IQ", directory, off + 116)
        name = directory[off : off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        entries.append((name, kind, start, length & 0xFFFFFFFF if shift == 9 else length))
    if not entries:
        raise NotCompound("no directory")
    by_name = {n: (k, s, ln) for n, k, s, ln in entries if k == 2}
    found = by_name.get("Workbook") or by_name.get("Book")
    if found is None:
        raise NotCompound("no workbook stream")
    _, start, length = found
    if length >= cutoff:
        return chain(start, fat, sector)[:length]
    root_start = entries[0][2]
    mini_stream = chain(root_start, fat, sector)
    mini_fat_bytes = chain(first_mini, fat, sector) if n_mini else b""
    mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))

    def mini(i: int) -> bytes:
        return mini_stream[i * mini_size : (i + 1) * mini_size]

    return chain(start, mini_fat, mini)[:length]


# Cell records that hold a value: (row, column) are their first two 16-bit fields. BLANK and
# MULBLANK (formatting only) are left out, as calamine leaves them out.
_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}
_MULRK, _BOF, _EOF, _BOUNDSHEET = 0x00BD, 0x0809, 0x000A, 0x0085


def xls_extents(path: Path, stop: BookStop) -> list[Extent]:
    stream = _workbook_stream(path.read_bytes())
    sheets: list[tuple[str, int]] = []
    pos = 0
    while pos + 4 <= len(stream):  # the globals: where each worksheet's records begin
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            sheets.append((_biff_name(body[6:]), struct.unpack_from("<I", body)[0]))
        elif kind == _EOF:
            break
        pos += 4 + length
    out: list[Extent] = []
    for name, start in sheets:
        reach = Reach(name)
        pos = start
        first = True
        while pos + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, pos)
            if first and kind != _BOF:
                break
            first = False
            if kind == _EOF:
                break
            if kind in _BIFF_CELLS and length >= 4:
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                reach.see(r + 1, c + 1)
            elif kind == _MULRK and length >= 6:
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                last = struct.unpack_from("<H", stream, pos + 4 + length - 2)[0]
                reach.see(r + 1, max(c, last) + 1)
            pos += 4 + length
            if reach.rows * reach.cols and stop(out, reach):
                out.append(reach.extent())
                return out
        out.append(reach.extent())
    return out


def _biff_name(b: bytes) -> str:
    if len(b) < 2:
        return ""
    n, flags = b[0], b[1]
    if flags & 1:
        return b[2 : 2 + 2 * n].decode("utf-16-le", "replace")
    return b[2 : 2 + n].decode("latin-1")
