"""The edge where files come in: which files are workbooks, are they safe, what do they hold.

Every workbook format goes through python-calamine, one code path. Nothing here interprets
values; `parse` does that from the spec.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import struct
import warnings
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import python_calamine as pc
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DET

from . import catalog, extent
from .extent import MAIN_NS, Extent, ooxml_sheets
from .findings import Finding, a1, col_letter, col_number
from .oserrors import in_vietnamese
from .spec import MARKER_SHEET, norm

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Limits for a file we agree to decompress; a 1,500-household workbook is well under 5 MiB.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_CELLS = 600_000  # 1,500 households × 20 columns is 30,000
# When a workbook is too big, past these its width or height is named as the problem: a form
# has under 30 columns, and a khóm's register about 1,500 rows.
WIDE_COLUMNS = 100
TALL_ROWS = 10_000


@dataclass(frozen=True)
class RawSheet:
    name: str
    rows: list[list[object]]  # the grid from A1: rows[r][c] is cell (r+1, c+1)
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()  # 0-based inclusive
    visible: bool = True
    hidden_rows: frozenset[int] = frozenset()  # 0-based; known for .xlsx/.xlsm/.ods
    # Formula cells whose file holds no computed result (0-based row, col): calamine reads
    # them as empty, which must not pass for a real empty cell.
    uncomputed: frozenset[tuple[int, int]] = frozenset()

    def cell(self, r: int, c: int) -> object:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return None


@dataclass
class RawWorkbook:
    path: Path
    sheets: dict[str, RawSheet] = field(default_factory=dict)  # by the name in the file
    marker: dict[str, str] = field(default_factory=dict)  # from the hidden `_tqd` sheet

    @property
    def name(self) -> str:
        return self.path.name

    def sheet(self, wanted: str) -> RawSheet | None:
        """Sheet by name as people compare names: NFC, case-folded, spaces ignored."""
        key = norm(wanted)
        return next((s for n, s in self.sheets.items() if norm(n) == key), None)


# Spreadsheets in a format the tool does not read: an error the khóm must fix (F01), not a
# file to pass over. Name shown → how to say it.
SPREADSHEET_ELSEWHERE = {
    ".xlsb": "sổ làm việc nhị phân Excel (.xlsb)",
    ".csv": "tệp văn bản CSV (.csv)",
    ".tsv": "tệp văn bản (.tsv)",
    ".numbers": "tệp Numbers của máy Mac (.numbers)",
    ".xltx": "tệp mẫu Excel (.xltx)",
    ".xltm": "tệp mẫu Excel (.xltm)",
    ".xlt": "tệp mẫu Excel (.xlt)",
    ".ots": "tệp mẫu LibreOffice (.ots)",
    ".fods": "tệp LibreOffice dạng văn bản (.fods)",
    ".et": "tệp WPS Spreadsheets (.et)",
}


def ignore_reason(path: Path) -> str | None:
    """Why a file in the inbox is not a workbook to read (F02), or None.

    Never opens the file: opening a FIFO blocks forever, a device may never end."""
    name = path.name
    if name.startswith("~$") or name.startswith(".~lock"):
        return "tệp khóa tạm do Excel/LibreOffice tạo khi đang mở một tệp"
    if name.startswith("."):
        return "tệp ẩn"
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # missing or unreadable: reading it says why, in words
    if mode is not None and stat.S_ISDIR(mode):
        return "thư mục"
    if mode is not None and not stat.S_ISREG(mode):
        return "tệp đặc biệt của hệ thống (FIFO, socket hoặc thiết bị), không phải tệp dữ liệu"
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES and suffix not in SPREADSHEET_ELSEWHERE:
        return "không phải tệp bảng tính (.xlsx, .xlsm, .xls, .ods)"
    return None


def _f01(path: Path, detail: str, fix: str | None = None) -> Finding:
    return catalog.make("F01", file=path.name, detail=detail, fix=fix)


def _safety(path: Path, head: bytes) -> Finding | None:
    """Reject what must not be parsed: encrypted, mislabelled, bombs. Cheap checks only."""
    suffix = path.suffix.lower()
    if not head:
        return _f01(path, "tệp rỗng (0 byte)")
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(_OLE):
            # An OOXML file behind a password is an OLE container holding the encrypted zip.
            data = path.read_bytes()
            if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
                return _f01(
                    path,
                    "tệp có đặt mật khẩu",
                    "Mở tệp, bỏ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hóa bằng "
                    "mật khẩu: xóa trống) rồi lưu lại và gửi lại.",
                )
            return _f01(path, f"nội dung là tệp .xls cũ nhưng tên có đuôi {suffix}")
        if not head.startswith(_ZIP):
            return _f01(path, "tệp hỏng hoặc không phải bảng tính")
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
                total = sum(i.file_size for i in infos)
                packed = max(1, sum(i.compress_size for i in infos))
                if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
                    return catalog.make(
                        "F05",
                        file=path.name,
                        detail=f"giải nén ra {total // (1024 * 1024)} MiB từ {packed // 1024} KiB",
                    )
                for info in infos:
                    if info.filename.endswith((".xml", ".rels")) and info.file_size:
                        with zf.open(info) as member:
                            declared = _declares_dtd(member)
                        if declared:
                            return catalog.make(
                                "F05",
                                file=path.name,
                                detail=f"phần {info.filename} {declared}",
                            )
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            RuntimeError,
        ):  # RuntimeError: encrypted or unknown compression
            return _f01(path, "tệp nén bị hỏng (có thể tải về chưa xong)")
    elif suffix == ".xls" and not head.startswith(_OLE):
        if head.startswith(_ZIP):
            return _f01(path, "nội dung là tệp .xlsx nhưng tên có đuôi .xls")
        return _f01(path, "tệp hỏng hoặc không phải bảng tính")
    return None


MAX_PROLOG = 1024 * 1024


def _declares_dtd(member: IO[bytes]) -> str | None:
    """Why an XML part is suspicious, or None. A DTD (where entities are declared) may only
    stand in the prolog, before the first element: read that far, past any padding."""
    buf = b""
    pos = 0
    while True:
        chunk = member.read(64 * 1024)
        buf += chunk
        while True:
            while pos < len(buf) and buf[pos : pos + 1] in b" \t\r\n\xef\xbb\xbf":
                pos += 1
            if buf.startswith(b"<!DOCTYPE", pos) or buf.startswith(b"<!ENTITY", pos):
                return "khai báo DTD/thực thể XML (có thể là “bom XML”)"
            end = None
            if buf.startswith(b"<?", pos):
                end = buf.find(b"?>", pos)
                end = end + 2 if end >= 0 else None
            elif buf.startswith(b"<!--", pos):
                end = buf.find(b"-->", pos)
                end = end + 3 if end >= 0 else None
            elif len(buf) - pos >= 9 or not chunk:
                return None  # the first element: the prolog is over, and it had no DTD
            if end is None:
                break  # need more bytes
            pos = end
        if not chunk:
            return None
        if len(buf) > MAX_PROLOG:
            return "có phần mở đầu dài bất thường"


def read_workbook(
    path: Path, only: Collection[str] | None = None
) -> tuple[RawWorkbook | None, list[Finding]]:
    """Open one workbook; on any failure, a finding instead of an exception. `only`: the
    sheets wanted (with the hidden marker); the others are measured, never read."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return None, [_f01(path, f"không đọc được tệp ({in_vietnamese(exc)})")]
    problem = _safety(path, head)
    if problem:
        return None, [problem]
    try:
        # Library warnings are English and about libraries: none may reach an officer.
        with _rust_quiet(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(path, only)
    except _Unreadable as exc:
        return None, [exc.finding]
    except DefusedXmlException:
        return None, [
            catalog.make(
                "F05", file=path.name, detail="khai báo thực thể XML (có thể là “bom XML”)"
            )
        ]
    except pc.PasswordError:
        return None, [
            _f01(path, "tệp có đặt mật khẩu", "Mở tệp, bỏ mật khẩu rồi lưu lại và gửi lại.")
        ]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        # calamine raises many kinds, and a date out of range panics in Rust (a
        # BaseException); the officer needs one sentence, never a traceback.
        return None, [_f01(path, "tệp hỏng, hoặc có ô chứa giá trị không đọc được")]


@contextlib.contextmanager
def _rust_quiet() -> Iterator[None]:
    """A Rust panic inside calamine prints its own backtrace on file descriptor 2, past
    Python's handlers: send that to nowhere while calamine runs."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Unreadable(Exception):
    """calamine could not read a file for a reason the officer can act on."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _strict_f01(path: Path) -> Finding:
    return _f01(
        path,
        "tệp được lưu theo dạng “Strict Open XML Spreadsheet”, chương trình không đọc được "
        "đủ các sheet của tệp này",
        "Mở tệp bằng Excel, chọn Tệp › Lưu thành, ở ô “Kiểu tệp” chọn “Excel Workbook "
        "(*.xlsx)” để lưu lại dạng Excel Workbook .xlsx thông thường, rồi gửi lại.",
    )


def _stop(done: list[Extent], current: extent.Reach) -> bool:
    return sum(e.cells for e in done) + current.rows * current.cols > MAX_CELLS


def _xlsx_scan(path: Path) -> extent.XlsxScan | None:
    """The one pass over an .xlsx's XML (sizes, sheet list, where flags may be), or None
    when the file cannot be measured: then calamine decides, and the XML is read again."""
    try:
        return extent.xlsx_scan(path, _stop)
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile, OSError):
        return None


def _extents(path: Path, suffix: str, marks: extent.OdsMarks | None = None) -> list[Extent]:
    """How far each sheet of an .ods or .xls reaches, or [] when the file cannot be measured
    (then calamine decides: a file it cannot read is F01 all the same). An .ods's `marks`
    come with it."""
    try:
        if suffix == ".ods":
            return extent.ods_extents(path, _stop, marks)
        if suffix == ".xls":
            return extent.xls_extents(path, _stop)
    except (KeyError, ValueError, IndexError, struct.error, zipfile.BadZipFile, OSError):
        return []
    return []


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_big(path: Path, extents: list[Extent]) -> Finding | None:
    """F05 for a workbook whose grids (from A1 to the farthest value) pass MAX_CELLS, naming
    the sheet where the sum passes it, and what is too far: its columns, its rows or both."""
    total = 0
    for e in extents:
        total += e.cells
        if total > MAX_CELLS:
            return _grid_f05(path, e)
    return None


def _grid_f05(path: Path, e: Extent) -> Finding:
    wide = e.cols > WIDE_COLUMNS
    tall = e.rows > TALL_ROWS or not wide
    letters = col_letter(e.cols - 1)
    reach, remove, cells = [], [], []
    if wide:
        reach.append(f"cột {letters} ({_number(e.cols)} cột)")
        remove.append(f"các cột thừa bên phải bảng (đến cột {letters})")
        cells.append(e.col_cell)
    if tall:
        reach.append(f"dòng {_number(e.rows)}")
        remove.append(f"các dòng thừa bên dưới bảng (đến dòng {_number(e.rows)})")
        cells.append(e.row_cell)
    where = ", ".join(dict.fromkeys(a1(r - 1, c - 1) for r, c in cells if r and c))
    return catalog.make(
        "F05",
        file=path.name,
        sheet=e.sheet,
        detail=f"sheet “{e.sheet}”{f' có nội dung ở ô {where}:' if where else ''} dùng đến "
        f"{' và '.join(reach)}, quá lớn so với một biểu",
        fix=f"Trong sheet “{e.sheet}”, chọn {' và '.join(remove)}, bấm chuột phải › Xóa "
        "(xóa cả nội dung lẫn định dạng), rồi lưu lại và gửi lại.",
    )


def _read(path: Path, only: Collection[str] | None) -> tuple[RawWorkbook | None, list[Finding]]:
    """The size first, from the file's own bytes; then calamine reads the grid; the XML
    gives what calamine does not expose."""
    suffix = path.suffix.lower()
    ooxml = suffix in (".xlsx", ".xlsm")
    marks = extent.OdsMarks() if suffix == ".ods" else None
    scan = _xlsx_scan(path) if ooxml else None
    extents = list(scan.extents) if scan else [] if ooxml else _extents(path, suffix, marks)
    big = _too_big(path, extents)
    if big:
        return None, [big]
    if scan:
        listed, strict = list(scan.sheets), scan.strict
    else:
        listed, strict = _listed_sheets(path) if ooxml else ([], False)
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise
    except Exception:
        if strict:
            raise _Unreadable(_strict_f01(path)) from None
        raise
    if strict and not set(listed) <= set(book.sheet_names):
        return None, [_strict_f01(path)]
    wanted = None if only is None else {*only, MARKER_SHEET}
    flagged = scan.flagged if scan else None
    if wanted is not None:
        flagged = frozenset(wanted if flagged is None else flagged & wanted)
    flags = (
        _ooxml_flags(path, flagged)
        if ooxml
        else _ods_flags(path, marks)
        if suffix == ".ods"
        else {}
    )
    raw = RawWorkbook(path)
    cells = 0
    for meta in book.sheets_metadata:
        if wanted is not None and meta.name not in wanted:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        cells += sheet.height * sheet.width
        if cells > MAX_CELLS:
            # Only a file the scan could not measure gets here: refused all the same,
            # though calamine has built this one grid already.
            return None, [_grid_f05(path, Extent(meta.name, sheet.height, sheet.width))]
        rows = sheet.to_python(skip_empty_area=False)
        merged = tuple(sheet.merged_cell_ranges or ())
        extra = flags.get(meta.name, SheetFlags())
        raw.sheets[meta.name] = RawSheet(
            meta.name,
            rows,
            merged or extra.merged,
            meta.visible == pc.SheetVisibleEnum.Visible,
            extra.hidden,
            extra.uncomputed,
        )
    marker = raw.sheet(MARKER_SHEET)
    if marker:
        for row in marker.rows:
            if len(row) >= 2 and isinstance(row[0], str) and row[0]:
                value = row[1]
                raw.marker[row[0].strip()] = (
                    str(int(value))
                    if isinstance(value, float) and value.is_integer()
                    else str(value).strip()
                )
    return raw, []


def _listed_sheets(path: Path) -> tuple[list[str], bool]:
    """The sheet names workbook.xml lists, and whether the file is Strict Open XML."""
    try:
        with zipfile.ZipFile(path) as zf:
            sheets, strict = ooxml_sheets(zf)
    except (KeyError, zipfile.BadZipFile, OSError):
        return [], False
    return [s.name for s in sheets], strict


_CELL = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass(frozen=True)
class SheetFlags:
    """What the XML says that python-calamine does not expose (all 0-based)."""

    hidden: frozenset[int] = frozenset()
    uncomputed: frozenset[tuple[int, int]] = frozenset()
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_flags(path: Path, marks: extent.OdsMarks | None = None) -> dict[str, SheetFlags]:
    """Hidden rows and merged cells of an .ods (calamine gives no merged ranges for it): as
    the size scan saw them, or, when it could not finish, from a parse of the content."""
    if marks is not None and marks.complete:
        return {
            name: SheetFlags(frozenset(hidden), frozenset(), tuple(marks.merged[name]))
            for name, hidden in marks.hidden.items()
        }
    with zipfile.ZipFile(path) as zf:
        data = zf.read("content.xml")
    if b"-spanned=" not in data and b'visibility="' not in data:
        return {}
    out: dict[str, SheetFlags] = {}
    name, row, col = "", 0, 0
    hidden: set[int] = set()
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
    repeated_row = 1

    def count(el, attr: str) -> int:
        return int(el.get(f"{_TABLE}{attr}", "1"))

    for event, el in DET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                name, row, hidden, merged = el.get(f"{_TABLE}name", ""), 0, set(), []
            elif tag == f"{_TABLE}table-row":
                col, repeated_row = 0, count(el, "number-rows-repeated")
                if el.get(f"{_TABLE}visibility") in ("collapse", "filter"):
                    hidden.update(range(row, row + min(repeated_row, 10_000)))
            elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                cols, rows = count(el, "number-columns-spanned"), count(el, "number-rows-spanned")
                if cols > 1 or rows > 1:
                    merged.append(((row, col), (row + rows - 1, col + cols - 1)))
                col += count(el, "number-columns-repeated")
        elif tag == f"{_TABLE}table-row":
            row += repeated_row
            el.clear()
        elif tag == f"{_TABLE}table":
            out[name] = SheetFlags(frozenset(hidden), frozenset(), tuple(merged))
            el.clear()
    return out


def _ooxml_flags(path: Path, only: frozenset[str] | None = None) -> dict[str, SheetFlags]:
    """Hidden rows and formulas without results, per sheet: what calamine does not expose.
    Transitional and Strict Open XML name the same elements in different namespaces.
    `only`: the sheets the size scan saw marks in (None: look at every sheet)."""
    if only is not None and not only:
        return {}
    row_tags = {f"{{{ns}}}row" for ns in MAIN_NS}
    cell_tags = {f"{{{ns}}}c" for ns in MAIN_NS}
    out = {}
    with zipfile.ZipFile(path) as zf:
        sheets, _ = ooxml_sheets(zf)
        for sheet in sheets:
            if only is not None and sheet.name not in only:
                continue
            data = zf.read(sheet.member)
            # Most filled registers have neither: skip the parse (it would double the read time).
            if not extent.maybe_flagged(data):
                continue
            hidden: set[int] = set()
            uncomputed: set[tuple[int, int]] = set()
            with io.BytesIO(data) as fh:
                for _, el in DET.iterparse(fh, events=("end",)):
                    if el.tag in row_tags:
                        if el.get("hidden") in ("1", "true"):
                            hidden.add(int(el.get("r", "0")) - 1)
                        el.clear()
                    elif el.tag in cell_tags and el.find(f"{el.tag[:-1]}f") is not None:
                        v = el.find(f"{el.tag[:-1]}v")  # `{namespace}c` → `{namespace}v`
                        if v is None or not (v.text or "").strip():
                            m = _CELL.match(el.get("r", ""))
                            if m:
                                uncomputed.add((int(m.group(2)) - 1, col_number(m.group(1)) - 1))
            out[sheet.name] = SheetFlags(frozenset(hidden), frozenset(uncomputed))
    return out
