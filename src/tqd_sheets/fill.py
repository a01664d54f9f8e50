"""Fill a generated blank the way an officer does in Excel: type into the yellow cells, save.

Used to make the shipped sample workbooks and by the end-to-end tests. Cells are found by
label and header text, as the reader finds them, so filling never depends on fixed positions.

The blank's own XML is kept and only the typed cells are written into it, as Excel keeps a
workbook's styles, validations and protection when an officer types: a load and save through a
library would rewrite (and drop parts of) the whole file and cost about a second per workbook.
Like a spreadsheet program, a typed text that starts with `=` is a formula (saved here without a
computed result, as a program that does not calculate saves it).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from python_calamine import CalamineWorkbook

from .findings import a1
from .spec import norm

Grid = list[list[object]]
_EPOCH = datetime(1899, 12, 30)
_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_REF = re.compile(r'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_DATE_FORMATS = set(range(14, 23)) | set(range(45, 48))


def _find(grid: Grid, text: str, max_rows: int = 15) -> tuple[int, int]:
    key = norm(text)
    for r, row in enumerate(grid[:max_rows]):
        for c, v in enumerate(row):
            if isinstance(v, str) and norm(v) == key:
                return r, c
    raise KeyError(f"'{text}' not found")


def _header(grid: Grid, row: int) -> dict[str, int]:
    return {norm(v): c for c, v in enumerate(grid[row]) if isinstance(v, str)}


def fill(
    template: Path,
    out: Path,
    labels: Mapping[str, object] | None = None,
    tables: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    codes: Mapping[str, Mapping[str, object]] | None = None,
    label_sheet: str = "Thông tin",
) -> Path:
    """`labels`: Thông tin label → value; `tables`: sheet → rows of header → value;
    `codes`: sheet → code → value. A value None clears the cell."""
    book = CalamineWorkbook.from_path(str(template))
    grids: dict[str, Grid] = {}

    def grid(sheet: str) -> Grid:
        if sheet not in grids:
            grids[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return grids[sheet]

    edits: dict[str, dict[tuple[int, int], object]] = {}
    if labels:
        g = grid(label_sheet)
        hr, lc = _find(g, "Nội dung")
        vc = _header(g, hr)[norm("Giá trị")]
        rows = {norm(g[r][lc] if lc < len(g[r]) else ""): r for r in range(hr + 1, len(g))}
        sheet_edits = edits.setdefault(label_sheet, {})
        for label, value in labels.items():
            sheet_edits[(rows[norm(label)], vc)] = value
    for sheet, records in (tables or {}).items():
        g = grid(sheet)
        headers = set().union(*(r.keys() for r in records)) if records else set()
        hr = next(_find(g, h)[0] for h in headers) if headers else 0
        cols = _header(g, hr) if headers else {}
        sheet_edits = edits.setdefault(sheet, {})
        for i, rec in enumerate(records):
            for h, value in rec.items():
                sheet_edits[(hr + 1 + i, cols[norm(h)])] = value
    for sheet, values in (codes or {}).items():
        g = grid(sheet)
        hr, cc = _find(g, "Mã")
        vc = _header(g, hr)[norm("Giá trị")]
        rows = {str(g[r][cc] if cc < len(g[r]) else "").strip(): r for r in range(hr + 1, len(g))}
        sheet_edits = edits.setdefault(sheet, {})
        for code, value in values.items():
            sheet_edits[(rows[code], vc)] = value
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(template, out, edits)
    return out


def _write(
    template: Path, out: Path, edits: Mapping[str, Mapping[tuple[int, int], object]]
) -> None:
    with zipfile.ZipFile(template) as zin:
        parts = _sheet_parts(zin)
        styles = _Styles(zin.read("xl/styles.xml").decode("utf-8"))
        changed = {
            parts[sheet]: _patch_sheet(zin.read(parts[sheet]).decode("utf-8"), cells, styles)
            for sheet, cells in edits.items()
            if cells
        }
        if styles.added:
            changed["xl/styles.xml"] = styles.xml()
        tmp = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = changed.get(info.filename)
                zout.writestr(
                    info, data.encode("utf-8") if data is not None else zin.read(info.filename)
                )
    tmp.replace(out)


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the zip."""
    book = zin.read("xl/workbook.xml").decode("utf-8")
    rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    target |= {
        m.group(2): m.group(1)
        for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
    }
    out = {}
    for m in re.finditer(r"<sheet\b[^>]*/>", book):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag)
        if name and rid:
            t = target[rid.group(1)]
            part = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
            out[_unescape(name.group(1))] = part
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


class _Styles:
    """The workbook's cell formats, and date formats added for typed dates."""

    def __init__(self, xml: str) -> None:
        self._xml = xml
        block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        self._xfs = _XF.findall(block.group(1)) if block else []
        self._date_ids = {
            int(m.group(1))
            for m in re.finditer(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', xml)
            if re.search(r"[dy]", m.group(2), re.I)
        } | _DATE_FORMATS
        self.added: list[str] = []
        self._dated: dict[int, int] = {}

    def date_style(self, s: int) -> int:
        """A format like `s` that shows a date (`s` itself when it already does)."""
        xf = self._xfs[s] if s < len(self._xfs) else '<xf numFmtId="0" xfId="0"/>'
        fmt = re.search(r'numFmtId="(\d+)"', xf)
        if fmt and int(fmt.group(1)) in self._date_ids:
            return s
        if s not in self._dated:
            clone = re.sub(r'numFmtId="\d+"', 'numFmtId="14"', xf, count=1)
            if "applyNumberFormat" not in clone:
                clone = clone.replace("<xf ", '<xf applyNumberFormat="1" ', 1)
            self.added.append(clone)
            self._dated[s] = len(self._xfs) + len(self.added) - 1
        return self._dated[s]

    def xml(self) -> str:
        total = len(self._xfs) + len(self.added)

        def grow(m: re.Match[str]) -> str:
            return f'<cellXfs count="{total}">{m.group(1)}{"".join(self.added)}</cellXfs>'

        return re.sub(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", grow, self._xml, count=1, flags=re.S)


def _cell_xml(ref: str, style: int | None, value: object, styles: _Styles) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        text = repr(float(value)) if isinstance(value, float) else str(value)
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            text = str(int(value))
        return f'<c r="{ref}"{s}><v>{text}</v></c>'
    if isinstance(value, date):
        moment = (
            value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
        )
        serial = (moment - _EPOCH).total_seconds() / 86400
        ds = styles.date_style(style or 0)
        shown = str(int(serial)) if serial.is_integer() else repr(serial)
        return f'<c r="{ref}" s="{ds}"><v>{shown}</v></c>'
    text = str(value)
    if text.startswith("=") and len(text) > 1:
        return f'<c r="{ref}"{s}><f>{escape(text[1:])}</f></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _patch_sheet(xml: str, cells: Mapping[tuple[int, int], object], styles: _Styles) -> str:
    """The sheet's XML with `cells` (0-based row, col → value) written into it."""
    m = re.search(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", xml, re.S)
    if m is None:
        raise ValueError("sheet has no sheetData")
    rows: dict[int, tuple[str, dict[int, str]]] = {}
    for row in _ROW.findall(m.group(1) or ""):
        head = re.match(r"<row\b[^>]*?(/?)>", row)
        assert head is not None
        number = int(re.search(r'\br="(\d+)"', head.group(0)).group(1))  # type: ignore[union-attr]
        found = {}
        for c in _CELL.findall(row):
            ref = _REF.search(c)
            if ref:
                found[_col_index(ref.group(1))] = c
        open_tag = head.group(0).replace("/>", ">") if head.group(1) else head.group(0)
        rows[number] = (re.sub(r'\sspans="[^"]*"', "", open_tag), found)
    by_row: dict[int, dict[int, object]] = {}
    for (r, c), value in cells.items():
        by_row.setdefault(r + 1, {})[c] = value
    for number, typed in by_row.items():
        open_tag, found = rows.get(number, (f'<row r="{number}">', {}))
        for c, value in typed.items():
            old = found.get(c)
            style = _STYLE.search(old.split(">", 1)[0]) if old else None
            found[c] = _cell_xml(
                a1(number - 1, c), int(style.group(1)) if style else None, value, styles
            )
        rows[number] = (open_tag, found)
    body = "".join(
        open_tag + "".join(found[c] for c in sorted(found)) + "</row>"
        for number, (open_tag, found) in sorted(rows.items())
    )
    xml = xml[: m.start()] + f"<sheetData>{body}</sheetData>" + xml[m.end() :]
    last_row = max(rows, default=1)
    last_col = max((max(f, default=0) for _, f in rows.values()), default=0)
    return re.sub(
        r'<dimension ref="[^"]*"/>',
        f'<dimension ref="A1:{a1(last_row - 1, last_col)}"/>',
        xml,
        count=1,
    )
