"""Issue 7 at the edge where files come in: Strict Open XML, far cells, quiet libraries.

Far cells are refused from the file's own bytes, before python-calamine builds a grid: every
refusal here runs in a fresh process (a regression would abort it, not this test run), and
the sizes the scan finds are checked against calamine's own on files calamine can afford.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from builders import needs_soffice
from make_corpus import strict_xml
from tqd_sheets import office, read
from tqd_sheets.extent import ods_extents, xls_extents, xlsx_extents
from tqd_sheets.read import MAX_CELLS, TALL_ROWS, WIDE_COLUMNS, read_workbook

HH = "Danh sách hộ"
NEVER = lambda done, current: False  # noqa: E731  (count every cell)


def column(n: int) -> str:
    """1-based column number → letters, computed here, not by the code under test."""
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def register(path: Path, far: dict[str, object] | None = None, bold: tuple[str, ...] = ()) -> Path:
    """A small register (header + 3 households); `far` cells written, `bold` ones only styled."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = HH
    ws.append(["Mã hộ", "Họ và tên chủ hộ", "Số nhân khẩu"])
    for i in range(3):
        ws.append([f"000{i + 1}", f"Chủ hộ {i + 1}", 3 + i])
    for ref, value in (far or {}).items():
        ws[ref] = value
    for ref in bold:
        ws[ref].font = Font(bold=True)
    wb.save(path)
    return path


def in_fresh_process(path: Path) -> dict[str, object]:
    """read_workbook in a child process: its exit status, what it printed, its findings."""
    probe = (
        "import json, sys; from pathlib import Path; from tqd_sheets.read import read_workbook\n"
        "raw, fs = read_workbook(Path(sys.argv[1]))\n"
        "print(json.dumps({'read': raw is not None, "
        "'findings': [[f.code, f.sheet, f.cell, f.message] for f in fs]}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-2000:]}"
    assert out.stderr == "", out.stderr
    return json.loads(out.stdout)


def vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ── Strict Open XML ───────────────────────────────────────────────────────────────────────


def flagged_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = HH
    ws["A1"], ws["A2"], ws["B2"], ws["A3"], ws["A4"] = "Mã hộ", "01", "=1+1", "02", "03"
    ws.row_dimensions[3].hidden = True
    wb.save(path)  # openpyxl stores formulas without results
    return path


def to_strict(src: Path, dst: Path) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info, strict_xml(info.filename, zi.read(info.filename)))
    return dst


@pytest.mark.parametrize("strict", [False, True])
def test_hidden_rows_and_uncomputed_formulas_in_both_namespaces(tmp_path, strict):
    path = flagged_workbook(tmp_path / "t.xlsx")
    if strict:
        path = to_strict(path, tmp_path / "s.xlsx")
        with zipfile.ZipFile(path) as z:
            assert b"http://purl.oclc.org/ooxml/spreadsheetml/main" in z.read("xl/workbook.xml")
    raw, findings = read_workbook(path)
    assert findings == []
    sheet = raw.sheets[HH]
    assert sheet.hidden_rows == {2} and sheet.uncomputed == {(1, 1)}
    assert sheet.rows == [["Mã hộ"], ["01"], ["02"], ["03"]]  # B2 has no result: empty


def test_strict_workbook_that_calamine_cannot_open_is_a_clear_f01(tmp_path, monkeypatch):
    path = to_strict(flagged_workbook(tmp_path / "t.xlsx"), tmp_path / "s.xlsx")

    def refuse(_path: str) -> None:
        raise read.pc.CalamineError("unsupported")

    monkeypatch.setattr(read.pc.CalamineWorkbook, "from_path", refuse)
    raw, findings = read_workbook(path)
    assert raw is None and [f.code for f in findings] == ["F01"]
    assert "Strict Open XML" in findings[0].message
    assert "lưu lại dạng Excel Workbook .xlsx thông thường" in findings[0].message
    raw, findings = read_workbook(flagged_workbook(tmp_path / "plain.xlsx"))
    assert [f.code for f in findings] == ["F01"] and "Strict" not in findings[0].message


def test_strict_workbook_whose_sheets_calamine_loses_is_f01(tmp_path, monkeypatch):
    path = to_strict(flagged_workbook(tmp_path / "t.xlsx"), tmp_path / "s.xlsx")

    class NoSheets:
        sheet_names = ()
        sheets_metadata = ()

    monkeypatch.setattr(read.pc.CalamineWorkbook, "from_path", lambda _p: NoSheets())
    raw, findings = read_workbook(path)
    assert raw is None and [f.code for f in findings] == ["F01"]
    assert "Excel Workbook .xlsx thông thường" in findings[0].message


# ── far cells: refused before calamine builds a grid ───────────────────────────────────────


@pytest.mark.parametrize(
    ("ref", "cols", "rows"),
    [
        ("XFD1048576", 16384, 1048576),
        ("XFD100", 16384, None),
        ("A1048576", None, 1048576),
    ],
)
def test_far_cell_is_f05_naming_what_is_too_far(tmp_path, ref, cols, rows):
    got = in_fresh_process(register(tmp_path / "far.xlsx", {ref: "x"}))
    assert got["read"] is False and len(got["findings"]) == 1
    code, sheet, cell, message = got["findings"][0]
    assert (code, sheet, cell) == ("F05", HH, "")
    assert f"có nội dung ở ô {ref}:" in message
    if cols:
        assert f"cột {column(cols)} ({vn(cols)} cột)" in message and "các cột thừa" in message
    else:
        assert "cột" not in message.split("Cách sửa")[0]
    if rows:
        assert f"dòng {vn(rows)}" in message and "các dòng thừa" in message
    else:
        assert "dòng" not in message.split("Cách sửa")[0]


def test_far_formatting_without_content_is_read(tmp_path):
    path = register(tmp_path / "fmt.xlsx", bold=("XFD1048576", "A1048576", "XFD10"))
    with zipfile.ZipFile(path) as z:  # openpyxl declares the styled cells' reach
        assert b'<dimension ref="A1:XFD1048576"' in z.read("xl/worksheets/sheet1.xml")
    got = in_fresh_process(path)
    assert got == {"read": True, "findings": []}
    raw, _ = read_workbook(path)
    assert len(raw.sheets[HH].rows) == 4 and len(raw.sheets[HH].rows[0]) == 3


def one_value_at(path: Path, cells: dict[str, tuple[int, int]]) -> Path:
    """Sheets (name → 1-based row, column) each holding one value at that cell only."""
    wb = xlsxwriter.Workbook(path)
    for name, (r, c) in cells.items():
        wb.add_worksheet(name).write_string(r - 1, c - 1, "x")
    wb.close()
    return path


@pytest.mark.parametrize(
    ("cells", "refused"),
    [
        ({"A": (MAX_CELLS, 1)}, None),
        ({"A": (MAX_CELLS + 1, 1)}, "A"),
        ({"A": (MAX_CELLS // 2, 1), "B": (MAX_CELLS // 2, 1)}, None),
        ({"A": (MAX_CELLS // 2, 1), "B": (MAX_CELLS // 2 + 1, 1)}, "B"),
        ({"A": (1000, 600)}, None),
        ({"A": (1000, 601)}, "A"),
    ],
    ids=["at-limit", "one-over", "two-sheets-at", "two-sheets-over", "grid-at", "grid-over"],
)
def test_the_cell_limit_is_exact_and_counts_every_sheet(tmp_path, cells, refused):
    assert MAX_CELLS == 600_000  # the cases above are written for this limit
    got = in_fresh_process(one_value_at(tmp_path / "n.xlsx", cells))
    if refused is None:
        assert got == {"read": True, "findings": []}
    else:
        assert [f[:3] for f in got["findings"]] == [["F05", refused, ""]]


@pytest.mark.parametrize(
    ("cols", "rows", "named"),
    [
        (WIDE_COLUMNS + 1, 6000, "cột"),
        (WIDE_COLUMNS, 6001, "dòng"),
        (WIDE_COLUMNS + 1, TALL_ROWS + 1, "both"),
    ],
)
def test_which_dimension_is_named_at_its_boundary(tmp_path, cols, rows, named):
    assert cols * rows > MAX_CELLS
    got = in_fresh_process(one_value_at(tmp_path / "w.xlsx", {HH: (rows, cols)}))
    message = got["findings"][0][3].split("Cách sửa")[0]
    assert ("cột" in message) == (named in ("cột", "both"))
    assert ("dòng" in message) == (named in ("dòng", "both"))


# ── the scan agrees with calamine ─────────────────────────────────────────────────────────


def calamine_extents(path: Path) -> list[tuple[str, int, int]]:
    book = CalamineWorkbook.from_path(str(path))
    out = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out.append((name, len(rows), max((len(r) for r in rows), default=0)))
    return out


def raw_sheet_xlsx(path: Path, sheet_data: bytes, prefix: bytes = b"") -> Path:
    """A one-sheet workbook around hand-written `<sheetData>` content."""
    p = prefix + b":" if prefix else b""
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xmlns = b"xmlns:" + prefix if prefix else b"xmlns"
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = (
        b"<"
        + p
        + b"worksheet "
        + xmlns
        + b'="'
        + ns
        + b'"><'
        + p
        + b"sheetData>"
        + sheet_data.replace(b"<", b"<" + p).replace(b"<" + p + b"/", b"</" + p)
        + b"</"
        + p
        + b"sheetData></"
        + p
        + b"worksheet>"
    )
    files = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        b'worksheet+xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="' + rel + b'/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<workbook xmlns="' + ns + b'" xmlns:r="' + rel + b'"><sheets>'
        b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org'
        b'/package/2006/relationships"><Relationship Id="rId1" Type="' + rel + b'/worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


V = b"<is><t>x</t></is></c>"


@pytest.mark.parametrize(
    ("sheet_data", "prefix"),
    [
        # cells and rows without `r`: each follows the previous one
        (
            b'<row><c t="inlineStr">' + V + b'<c t="inlineStr">' + V + b"</row>"
            b'<row><c/><c/><c t="inlineStr">' + V + b"</row>",
            b"",
        ),
        # `r` not the first attribute, a pretty-printed value, a styled empty cell farther
        (b'<row r="2"><c t="inlineStr" r="D2">\n  ' + V + b'<c r="K2" s="0"/></row>', b""),
        # a prefixed namespace
        (b'<row r="3"><c r="C3" t="inlineStr">' + V + b"</row>", b"x"),
        (
            b'<row r="5"><c r="E5" t="inlineStr">'
            + V
            + b'<c r="A2" t="inlineStr">'
            + V
            + b"</row>",
            b"",
        ),
    ],
    ids=["no-references", "r-not-first", "prefixed", "out-of-order"],
)
def test_scan_of_unusual_xlsx_agrees_with_calamine(tmp_path, sheet_data, prefix):
    path = raw_sheet_xlsx(tmp_path / "u.xlsx", sheet_data, prefix)
    want = calamine_extents(path)
    assert [(e.sheet, e.rows, e.cols) for e in xlsx_extents(path, NEVER)] == want


def test_scan_of_writers_files_agrees_with_calamine(tmp_path, blanks):
    blank = blanks / "BieuKhom_K1_2020.xlsx"
    assert [(e.sheet, e.rows, e.cols) for e in xlsx_extents(blank, NEVER)] == (
        calamine_extents(blank)
    )


@needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_scan_of_libreoffice_files_agrees_with_calamine(tmp_path, blanks, fmt):
    """LibreOffice writes styles to the sheet's end and repeats empty cells to XFD."""
    src = register(tmp_path / "r.xlsx", {"Z300": 1}, bold=("XFD1048576", "A1048576"))
    for path in (
        office.convert(blanks / "BieuKhom_K1_2020.xlsx", fmt, tmp_path / "b"),
        office.convert(src, fmt, tmp_path / "r"),
    ):
        scan = {"xlsx": xlsx_extents, "ods": ods_extents, "xls": xls_extents}[fmt]
        assert [(e.sheet, e.rows, e.cols) for e in scan(path, NEVER)] == calamine_extents(path)


# ── .ods: repeats ─────────────────────────────────────────────────────────────────────────

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(path: Path, rows: str) -> Path:
    """A one-sheet .ods (`Danh sách hộ`) around hand-written table rows."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{HH}">{rows}</table:table>'
        f"</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def text_cell(t: str, attrs: str = "") -> str:
    cell = f'<table:table-cell office:value-type="string"{attrs}>'
    return f"{cell}<text:p>{t}</text:p></table:table-cell>"


HEAD = f"<table:table-row>{text_cell('Mã hộ')}{text_cell('Chủ hộ')}</table:table-row>"


@pytest.mark.parametrize(
    ("rows", "cols", "far_rows"),
    [
        (
            HEAD + '<table:table-row table:number-rows-repeated="50"><table:table-cell/>'
            "</table:table-row><table:table-row><table:table-cell "
            'table:number-columns-repeated="16381"/>' + text_cell("x") + "</table:table-row>",
            16382,
            None,
        ),
        (
            HEAD + '<table:table-row table:number-rows-repeated="1048570"><table:table-cell/>'
            "</table:table-row><table:table-row>" + text_cell("x") + "</table:table-row>",
            None,
            1048572,
        ),
        (
            HEAD
            + '<table:table-row table:number-rows-repeated="700000">'
            + text_cell("x")
            + "</table:table-row>",
            None,
            700001,
        ),
    ],
    ids=["far-column", "far-row", "filled-row-repeated"],
)
def test_far_ods_content_is_f05(tmp_path, rows, cols, far_rows):
    got = in_fresh_process(ods(tmp_path / "far.ods", rows))
    assert [f[:3] for f in got["findings"]] == [["F05", HH, ""]]
    message = got["findings"][0][3]
    if cols:
        assert f"cột {column(cols)} ({vn(cols)} cột)" in message
    if far_rows:
        assert f"dòng {vn(far_rows)}" in message


def test_scan_of_ods_repeats_agrees_with_calamine(tmp_path):
    rows = (
        HEAD
        + '<table:table-row table:number-rows-repeated="5">'
        + text_cell("x", ' table:number-columns-repeated="3"')
        + '</table:table-row><table:table-row table:number-rows-repeated="4">'
        "<table:table-cell/></table:table-row><table:table-row>"
        '<table:covered-table-cell table:number-columns-repeated="2"/>'
        + text_cell("y")
        + '<table:table-cell table:number-columns-repeated="9"/></table:table-row>'
    )
    path = ods(tmp_path / "rep.ods", rows)
    want = calamine_extents(path)
    assert want == [(HH, 1 + 5 + 4 + 1, 3)]  # the last row's `y` sits in column C
    assert [(e.sheet, e.rows, e.cols) for e in ods_extents(path, NEVER)] == want


def test_far_ods_formatting_is_read_and_sized_as_calamine_sizes_it(tmp_path):
    rows = (
        HEAD + '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    path = ods(tmp_path / "fmt.ods", rows)
    got = in_fresh_process(path)
    assert got == {"read": True, "findings": []}
    raw, _ = read_workbook(path)
    assert raw.sheets[HH].rows == [["Mã hộ", "Chủ hộ"]]


# ── .xls (LibreOffice writes it) ───────────────────────────────────────────────────────────


@needs_soffice
def test_far_xls_cell_is_f05_and_far_xls_formatting_is_read(tmp_path):
    far = office.convert(register(tmp_path / "far.xlsx", {"IV65536": "x"}), "xls", tmp_path)
    got = in_fresh_process(far)
    assert [f[:3] for f in got["findings"]] == [["F05", HH, ""]]
    assert "dòng 65.536" in got["findings"][0][3] and "cột IV (256 cột)" in got["findings"][0][3]

    styled = register(tmp_path / "fmt.xlsx", {"C2": 4}, bold=("IV65536",))
    fmt = office.convert(styled, "xls", tmp_path)
    assert in_fresh_process(fmt) == {"read": True, "findings": []}
    for path in (
        fmt,
        office.convert(register(tmp_path / "mid.xlsx", {"Z300": 1}), "xls", tmp_path),
    ):
        want = calamine_extents(path)
        assert [(e.sheet, e.rows, e.cols) for e in xls_extents(path, NEVER)] == want


FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def biff_record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def tiny_xls(path: Path, cells: list[tuple[int, int, float]]) -> Path:
    """A hand-built BIFF8 .xls, sheet `Danh sách hộ` holding NUMBER records at 0-based
    (row, col). Its `Workbook` stream is under 4,096 bytes, so the compound file keeps it in
    the mini stream: the path a one-cell hostile file takes."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0)
    name = HH.encode("utf-16-le")
    globals_len = (4 + len(bof)) + (4 + 8 + len(name)) + 4
    stream = (
        biff_record(0x0809, bof)
        + biff_record(0x0085, struct.pack("<IBBBB", globals_len, 0, 0, len(HH), 1) + name)
        + biff_record(0x000A)
        + biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
        + b"".join(biff_record(0x0203, struct.pack("<HHHd", r, c, 0, v)) for r, c, v in cells)
        + biff_record(0x000A)
    )
    assert len(stream) < 4096
    n_mini = -(-len(stream) // 64)
    sectors = -(-n_mini * 64 // 512)
    mini = stream.ljust(sectors * 512, b"\0")
    fat = [FATSECT, END, END] + [4 + i for i in range(sectors - 1)] + [END]
    minifat = [*range(1, n_mini), END]

    def entry(label: str, kind: int, child: int, start: int) -> bytes:
        n = (label + "\0").encode("utf-16-le")
        return (
            n.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(n), kind, 1, FREE, FREE, child)
            + bytes(36)
            + struct.pack("<IQ", start, len(stream))
        )

    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, 2, 1, END, 0)
        + struct.pack("<109I", 0, *[FREE] * 108)
    )
    path.write_bytes(
        header
        + struct.pack("<128I", *fat, *[FREE] * (128 - len(fat)))
        + (entry("Root Entry", 5, 1, 3) + entry("Workbook", 2, FREE, 0)).ljust(512, b"\0")
        + struct.pack("<128I", *minifat, *[FREE] * (128 - len(minifat)))
        + mini
    )
    return path


def test_tiny_xls_in_the_mini_stream_is_measured(tmp_path):
    small = tiny_xls(tmp_path / "small.xls", [(0, 0, 1.0), (2, 3, 5.0)])
    assert calamine_extents(small) == [(HH, 3, 4)]
    assert [(e.sheet, e.rows, e.cols) for e in xls_extents(small, NEVER)] == [(HH, 3, 4)]
    # calamine would build 65,536 × 256 cells (1.2 GB as Python lists) for these 700 bytes
    far = tiny_xls(tmp_path / "far.xls", [(0, 0, 1.0), (65535, 255, 5.0)])
    got = in_fresh_process(far)
    assert [f[:3] for f in got["findings"]] == [["F05", HH, ""]]
    assert (
        "có nội dung ở ô IV65536: dùng đến cột IV (256 cột) và dòng 65.536"
        in (got["findings"][0][3])
    )


# ── nothing English on the terminal ───────────────────────────────────────────────────────


def test_library_warnings_are_silenced_where_raised_and_only_there(tmp_path, monkeypatch, capfd):
    path = register(tmp_path / "w.xlsx")
    real = read.pc.CalamineWorkbook.from_path

    def noisy(p: str):
        warnings.warn("Workbook contains no default style", UserWarning, stacklevel=1)
        return real(p)

    monkeypatch.setattr(read.pc.CalamineWorkbook, "from_path", noisy)
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw, findings = read_workbook(path)
        assert raw is not None and findings == []
        assert caught == []
        # the process keeps its own warnings
        warnings.warn("outside the read", UserWarning, stacklevel=1)
        assert [str(w.message) for w in caught] == ["outside the read"]
    assert warnings.filters == before
    out = capfd.readouterr()
    assert out.out == "" and out.err == ""
