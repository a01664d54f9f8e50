"""Hostile files: how long and how much memory `check_file` takes to refuse each one.

Issue: rejected within 2 s and 300 MiB. Each file is checked in a fresh process, which prints
its own wall time and peak resident memory (the Python start and imports included).

The far-cell cases start from the K4 sample (968 households, 1,503 register rows): python-calamine
builds one dense grid from A1 to the farthest value, so before issue 7 `XFD1048576` aborted the
process and `XFD10` took 835 MiB. The formatting-only cases must be read, not refused (the
hand-made .ods is no template: read, it gets F03).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys, time
from pathlib import Path
from tqd_sheets.config import load_config
from tqd_sheets.pipeline import check_file
cfg = load_config(Path(sys.argv[2]))
t = time.perf_counter()
c = check_file(Path(sys.argv[1]), cfg)
dt = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss would carry the parent's over exec).
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
rss = int(hwm.split()[1]) / 1024
print(json.dumps({"s": dt, "mib": rss, "codes": sorted({f.code for f in c.findings})}))
"""


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(1024):
                member.write(block)
    return path


def xml_bomb(path: Path) -> Path:
    src = ROOT / "templates" / "xlsx" / "BieuKhom_K1_2020.xlsx"
    lol = (
        b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
            for i in range(9)
        )
        + b"]>"
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b"?>" + lol, 1)
            zout.writestr(item, data)
    return path


def million_rows(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Danh sách hộ")
    for r in range(1_048_000):
        ws.write_number(r, 0, r)
    wb.close()
    return path


HH = "Danh sách hộ"
K4 = ROOT / "inbox" / "MAU_K4_2020.xlsx"


def far_cell(path: Path, ref: str, value: object = "x") -> Path:
    """The K4 sample with one value (or, with `value=None`, only a bold style) at `ref`."""
    wb = openpyxl.load_workbook(K4)
    cell = wb[HH][ref]
    cell.value = value
    cell.font = Font(bold=True)
    wb.save(path)
    return path


def strict(path: Path) -> Path:
    """The real K4 sample re-labelled as Strict Open XML (namespaces renamed)."""
    pairs = (
        (
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
        (
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        ),
    )
    src = ROOT / "inbox" / "MAU_K4_2020.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            for old, new in pairs:
                data = data.replace(old, new)
            zout.writestr(item, data)
    return path


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
    'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
    'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
    'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
    'manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods(path: Path, rows: str) -> Path:
    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}>'
        f'<office:body><office:spreadsheet><table:table table:name="{HH}">'
        f"<table:table-row>{cell}</table:table-row>{rows.replace('CELL', cell)}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", content)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = {
            "mẫu thật (K4, 968 hộ)": ROOT / "inbox" / "MAU_K4_2020.xlsx",
            "bom zip (1 GiB số 0)": zip_bomb(d / "bom_zip.xlsx"),
            "bom thực thể XML": xml_bomb(d / "bom_xml.xlsx"),
            "sheet 1.048.000 dòng": million_rows(d / "trieu_dong.xlsx"),
            "K4 dạng Strict Open XML": strict(d / "strict.xlsx"),
            "ô XFD1048576": far_cell(d / "xfd1048576.xlsx", "XFD1048576"),
            "ô XFD10": far_cell(d / "xfd10.xlsx", "XFD10"),
            "ô A1048576": far_cell(d / "a1048576.xlsx", "A1048576"),
            "định dạng ở XFD1048576": far_cell(d / "fmt.xlsx", "XFD1048576", None),
            ".ods cột 16.384": ods(
                d / "far_col.ods",
                '<table:table-row table:number-rows-repeated="1000"><table:table-cell/>'
                "</table:table-row><table:table-row><table:table-cell table:number-columns-"
                'repeated="16383"/>CELL</table:table-row>',
            ),
            ".ods dòng 1.048.576": ods(
                d / "far_row.ods",
                '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/>'
                "</table:table-row><table:table-row>CELL</table:table-row>",
            ),
            ".ods định dạng xa": ods(
                d / "fmt.ods",
                '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
                'table:number-columns-repeated="16384"/></table:table-row>',
            ),
        }
        xls = _xls(d)
        if xls:
            cases[".xls ô IV65536"] = xls
        print(f"{'tệp':<26}{'kích thước':>12}{'giây':>8}{'MiB đỉnh':>10}  mã lỗi")
        for label, path in cases.items():
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(path), str(ROOT / "tqd.toml")],
                capture_output=True,
                text=True,
            )
            if out.returncode:
                print(f"{label:<26} tiến trình dừng với mã {out.returncode}")
                continue
            r = json.loads(out.stdout)
            size = f"{path.stat().st_size // 1024:,} KiB".replace(",", ".")
            print(f"{label:<26}{size:>12}{r['s']:>8.2f}{r['mib']:>10.0f}  {' '.join(r['codes'])}")


def _xls(d: Path) -> Path | None:
    """IV65536 (the last .xls cell) holding a value, as LibreOffice writes an .xls."""
    from tqd_sheets import office

    if office.soffice() is None:
        return None
    return office.convert(far_cell(d / "iv65536.xlsx", "IV65536"), "xls", d / "xls")


if __name__ == "__main__":
    main()
